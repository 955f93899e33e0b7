package mailer

import (
	"net/mail"
	"regexp"
	"strings"
)

// Forwarded is a message that was forwarded inside another one, either
// attached (message/rfc822) or inline under a "Forwarded message" line.
type Forwarded struct {
	From      Address
	Subject   string
	MessageID string // only known for attached messages
	Text      string
	// Note is what the forwarder wrote above an inline forward.
	Note string
}

var (
	// forwardMarker starts an inline forward in the common clients and
	// languages.
	forwardMarker = regexp.MustCompile(`(?im)^[ \t]*(-{2,}[ \t]*(forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|mensagem encaminhada|messaggio inoltrato)[ \t]*-{2,}|begin forwarded message:|inicio del mensaje reenviado:|d[ée]but du message r[ée]exp[ée]di[ée] ?:)[ \t]*$`)
	// forwardLoose is a separator that starts a forward only when the
	// subject says it is one (Outlook puts these above replies too).
	forwardLoose   = regexp.MustCompile(`(?im)^[ \t]*(-{3,}[ \t]*original message[ \t]*-{3,}|_{10,})[ \t]*$`)
	forwardSubject = regexp.MustCompile(`(?i)^\s*(fwd?|fw|wg|tr|rv|enc|i)\s*:`)
	headerField    = regexp.MustCompile(`^[ \t]*\*?([A-Za-zÀ-ÿ-]+)\*?[ \t]*:\*?[ \t]*(.*)$`)
)

// findForward fills m.Forwarded from an attached message (preferred) or an
// inline forward in the text.
func (m *Message) findForward(nested [][]byte, depth int) {
	for _, raw := range nested {
		inner, err := parseAt(raw, depth)
		if err != nil || inner.Text == "" && inner.From.Email == "" {
			continue
		}
		m.Forwarded = &Forwarded{From: inner.From, Subject: inner.Subject, MessageID: inner.MessageID, Text: inner.Text, Note: m.Text}
		return
	}
	loc := forwardMarker.FindStringIndex(m.Text)
	if loc == nil && forwardSubject.MatchString(m.Subject) {
		loc = forwardLoose.FindStringIndex(m.Text)
	}
	if loc == nil {
		return
	}
	if f := readInlineForward(m.Text[loc[1]:]); f != nil {
		f.Note = strings.TrimSpace(m.Text[:loc[0]])
		m.Forwarded = f
	}
}

// readInlineForward reads the "From:", "Subject:" … lines under a forward
// marker and the text after them.
func readInlineForward(s string) *Forwarded {
	lines := strings.Split(strings.TrimLeft(s, "\r\n"), "\n")
	f := &Forwarded{}
	i := 0
	for ; i < len(lines) && i < 12; i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			break
		}
		kv := headerField.FindStringSubmatch(l)
		if kv == nil {
			continue // a folded header line
		}
		switch strings.ToLower(kv[1]) {
		case "from", "von", "de", "da", "van":
			f.From = forwardedAddress(kv[2])
		case "subject", "betreff", "objet", "asunto", "assunto", "oggetto":
			f.Subject = decodeText(kv[2])
		}
	}
	if f.From.Email == "" {
		return nil
	}
	f.Text = strings.TrimSpace(strings.Join(lines[min(i, len(lines)):], "\n"))
	return f
}

// forwardedAddress reads "Ann Lee <ann@x.test>", or any address in the line
// (clients write "Ann Lee [mailto:ann@x.test]" and worse).
func forwardedAddress(s string) Address {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		return Address{Name: a.Name, Email: strings.ToLower(a.Address)}
	}
	email := addrPattern.FindString(s)
	if email == "" {
		return Address{}
	}
	name := strings.TrimSpace(s[:strings.Index(s, email)])
	name = strings.Trim(name, ` "'<[(`)
	name = strings.TrimSpace(strings.TrimSuffix(name, "mailto:"))
	name = strings.Trim(name, ` "'<[(`)
	return Address{Name: name, Email: strings.ToLower(email)}
}
