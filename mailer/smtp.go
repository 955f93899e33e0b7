package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPOptions says how to reach the outgoing mail server.
type SMTPOptions struct {
	Host     string
	Port     int
	Security string // none | starttls | tls
	Username string
	Password string
	HELO     string
	Timeout  time.Duration
	// OAuth2, when set, logs in with a bearer token instead of Password.
	OAuth2 *TokenSource
}

// Outgoing is one mail ready to send. Its Message-ID and Date were fixed when
// it was queued, so a retry sends the very same mail.
type Outgoing struct {
	FromName    string
	FromAddress string
	ToName      string
	ToAddress   string
	Subject     string
	Text        string
	HTML        string // optional alternative
	MessageID   string // without angle brackets
	InReplyTo   string
	References  []string
	Date        time.Time
	// AutoSubmitted is "auto-replied" for answers to a message and
	// "auto-generated" for everything else (RFC 3834).
	AutoSubmitted string
	// Bulk adds Precedence: bulk, for reminders and summaries.
	Bulk bool
	// ContentLanguage, when set (such as "es"), says the text's language,
	// so a screen reader picks the right voice.
	ContentLanguage string
	// Attachments go with the mail as files, byte for byte.
	Attachments []OutAttachment
}

// OutAttachment is one file sent with a mail.
type OutAttachment struct {
	Name string
	Type string // media type; "" = application/octet-stream
	Data []byte
}

// Build turns an Outgoing into a go-mail message.
func Build(o *Outgoing) (*mail.Msg, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	from, err := mailAddress(o.FromName, o.FromAddress)
	if err != nil {
		return nil, fmt.Errorf("from address %q: %w", o.FromAddress, err)
	}
	m.FromMailAddress(from)
	to, err := mailAddress(o.ToName, o.ToAddress)
	if err != nil {
		return nil, fmt.Errorf("to address %q: %w", o.ToAddress, err)
	}
	m.AddToMailAddress(to)
	m.Subject(o.Subject)
	m.SetMessageIDWithValue(o.MessageID)
	m.SetDateWithValue(o.Date)
	if o.InReplyTo != "" {
		m.SetGenHeader(mail.HeaderInReplyTo, "<"+o.InReplyTo+">")
	}
	if len(o.References) > 0 {
		refs := make([]string, len(o.References))
		for i, r := range o.References {
			refs[i] = "<" + r + ">"
		}
		// One space-joined value: go-mail joins several values with commas,
		// which other parsers read as a single broken id.
		m.SetGenHeader(mail.HeaderReferences, strings.Join(refs, " "))
	}
	auto := o.AutoSubmitted
	if auto == "" {
		auto = "auto-generated"
	}
	m.SetGenHeader("Auto-Submitted", auto)
	if o.ContentLanguage != "" {
		m.SetGenHeader("Content-Language", o.ContentLanguage)
	}
	m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	if o.Bulk {
		m.SetGenHeader(mail.HeaderPrecedence, "bulk")
	}
	m.SetBodyString(mail.TypeTextPlain, o.Text)
	if o.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, o.HTML)
	}
	attach(m, o.Attachments)
	return m, nil
}

// attach adds the files, base64-encoded so every byte arrives as it was.
func attach(m *mail.Msg, files []OutAttachment) {
	for _, f := range files {
		ct := f.Type
		if ct == "" {
			ct = "application/octet-stream"
		}
		m.AttachReadSeeker(f.Name, bytes.NewReader(f.Data),
			mail.WithFileContentType(mail.ContentType(ct)), mail.WithFileEncoding(mail.EncodingB64))
	}
}

// SMTPSession is one open connection to the mail server; send several mails
// over it, then Close it. It is not safe for concurrent use.
type SMTPSession struct {
	c *mail.Client
}

// DialSMTP opens a connection and logs in when a username is set, or with an
// OAuth2 token when one is configured. A token the server rejects is renewed
// once and the login tried again; a second rejection is a refused login.
func DialSMTP(ctx context.Context, o SMTPOptions) (*SMTPSession, error) {
	if o.OAuth2 == nil {
		return dialSMTP(ctx, o, nil)
	}
	sess, err := dialSMTPToken(ctx, o)
	return sess, o.OAuth2.loggedIn(err)
}

func dialSMTPToken(ctx context.Context, o SMTPOptions) (*SMTPSession, error) {
	user := firstOf(o.OAuth2.User(), o.Username)
	for attempt := 0; ; attempt++ {
		tok, err := o.OAuth2.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("connect to SMTP server %s:%d as %s: %w", o.Host, o.Port, user, err)
		}
		cl, err := newBearerClient(o.OAuth2.Mechanism(), user, tok, o.Host, o.Port)
		if err != nil {
			return nil, err
		}
		sess, err := dialSMTP(ctx, o, smtpAuth{cl})
		var te *textproto.Error
		if err == nil || !errors.As(err, &te) || te.Code < 500 || !strings.Contains(err.Error(), "SMTP AUTH failed") {
			return sess, err // sent, the connection failed, or 454 "try again later"
		}
		o.OAuth2.Invalidate()
		if attempt == 0 {
			continue
		}
		if said := cl.refusal(); said != "" {
			err = fmt.Errorf("%w; the server said %s", err, said)
		}
		return nil, &LoginRefusedError{Step: "SMTP", Err: err, Hint: LoginHint(o.OAuth2.Options().Provider, "SMTP", user)}
	}
}

func dialSMTP(ctx context.Context, o SMTPOptions, auth smtp.Auth) (*SMTPSession, error) {
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(o.Port), mail.WithTimeout(o.Timeout)}
	switch o.Security {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if o.HELO != "" {
		opts = append(opts, mail.WithHELO(o.HELO))
	}
	if auth != nil {
		opts = append(opts, mail.WithSMTPAuthCustom(auth))
	} else if o.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(o.Username), mail.WithPassword(o.Password))
	}
	c, err := mail.NewClient(o.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		if IsLoginRefused(err) {
			return nil, &LoginError{Server: "SMTP", Addr: fmt.Sprintf("%s:%d", o.Host, o.Port), User: o.Username, Err: err}
		}
		return nil, fmt.Errorf("connect to SMTP server %s:%d: %w", o.Host, o.Port, err)
	}
	return &SMTPSession{c: c}, nil
}

// Send sends one message over the open connection.
func (s *SMTPSession) Send(o *Outgoing) error {
	m, err := Build(o)
	if err != nil {
		return &PermanentError{Err: err}
	}
	if err := s.c.Send(m); err != nil {
		return fmt.Errorf("send %s to %s: %w", o.MessageID, o.ToAddress, err)
	}
	return nil
}

// Close ends the session politely.
func (s *SMTPSession) Close() error { return s.c.Close() }

// PermanentError is a failure that retrying cannot fix (a bad address).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsTemporary reports whether a send error is worth retrying: the server's 4xx
// replies and anything that is not an SMTP reply at all (refused connection,
// timeout). A 5xx reply or a mail that cannot be built is permanent.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var pe *PermanentError
	if errors.As(err, &pe) {
		return false
	}
	if _, held := LimitHold(err); held {
		return true // a provider's quota, not a fault of the mail
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		if se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return false
		}
		return se.IsTemp() || se.ErrorCode() == 0 || (se.ErrorCode() >= 400 && se.ErrorCode() < 500)
	}
	return true
}

// mailAddress checks addr and pairs it with a display name that can always be
// written: net/mail quotes or RFC 2047-encodes whatever a client sent
// (quotes, parentheses, commas, any script). Control, bidi and zero-width
// characters are removed and a name that is still unusable is dropped: a
// display name never costs the mail.
func mailAddress(name, addr string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Name != "" {
		return nil, fmt.Errorf("not a plain address: %w", err)
	}
	a.Name = DisplayName(name)
	if _, err := netmail.ParseAddress(a.String()); err != nil {
		a.Name = "" // cannot happen with net/mail's encoding; be sure anyway
	}
	return a, nil
}

// DisplayName is a name fit to show or write back: one line, no control,
// bidi or zero-width characters, spaces collapsed, at most 64 characters.
func DisplayName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(name, "") {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\uFFFD':
			b.WriteRune(' ') // bidi marks and zero-width characters are format characters (Cf)
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(out); len(r) > 64 {
		out = strings.TrimSpace(string(r[:64]))
	}
	return out
}
