// Package mailer is mail on the wire and in bytes, and nothing about tickets:
// parsing with go-message, recognising automated mail, signed Message-IDs, IMAP
// intake and SMTP sending.
package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	gomsg "github.com/emersion/go-message/mail"
)

// Limits that keep one odd message from eating the daemon's memory.
const (
	maxTextBytes = 1 << 20 // of one text part
	maxParts     = 1000    // parts walked in one message
)

// Address is a decoded mail address.
type Address struct {
	Name  string
	Email string // lower-cased
}

// Attachment is one attached file, or an image shown inside HTML mail
// (referenced by "cid:"), which patrondesk handles as an attachment too.
type Attachment struct {
	Name string // a plain file name, never a path; made up when the mail gave none
	Type string // the media type, lower case
	Size int64  // decoded bytes
	// Data is the decoded content, up to maxAttachmentBytes; Truncated says
	// the file was larger and Data holds only its start.
	Data      []byte
	Truncated bool
	// Inline is an image placed inside the HTML text (its Content-ID is
	// referenced as "cid:" from the HTML part), not a file attached beside
	// it: pasted pictures and signature logos.
	Inline    bool
	contentID string
}

// Message is what patrondesk needs from one email.
type Message struct {
	From       Address
	To, Cc     []Address
	ReplyTo    []Address
	Subject    string
	Date       time.Time // zero when missing or unreadable
	MessageID  string    // without angle brackets; "" when missing
	InReplyTo  []string
	References []string
	// Text is what the sender wrote, as plain text (from HTML when there was no
	// plain part).
	Text        string
	FromHTML    bool
	Attachments []Attachment
	// Forwarded is the message this one forwards, when it forwards one.
	Forwarded *Forwarded
	// ContentType is the top-level media type; PartTypes lists every part's.
	ContentType string
	PartTypes   []string
	Header      message.Header
	// Problems lists what was wrong but coped with (bad date, unknown charset).
	Problems []string
}

// ParseError says why a message could not be understood at all.
type ParseError struct{ Reason string }

func (e *ParseError) Error() string { return "unreadable message: " + e.Reason }

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// Parse reads one raw RFC 5322 message. It copes with what real mail gets wrong
// (bare-CR line ends, mbox "From " lines, broken header lines, unknown
// charsets, bad dates, broken boundaries) and returns *ParseError only when
// there is nothing readable to work with.
func Parse(raw []byte) (*Message, error) {
	return parseAt(raw, 0)
}

// maxNesting bounds how deep forwarded messages are read, so a message
// nested a thousand times costs no more than a few.
const maxNesting = 3

// parseAt parses a message found depth levels down inside others.
func parseAt(raw []byte, depth int) (*Message, error) {
	if hasBareCR(raw) {
		raw = normaliseLineEnds(raw)
	}
	m, err := parse(raw, depth)
	if err == nil {
		return m, nil
	}
	if fixed := repairHeader(raw); !bytes.Equal(fixed, raw) {
		if m, err2 := parse(fixed, depth); err2 == nil {
			m.Problems = append(m.Problems, "header repaired: "+err.Error())
			return m, nil
		}
	}
	return nil, &ParseError{Reason: err.Error()}
}

func parse(raw []byte, depth int) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errors.New("the message is empty")
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("read header: %w", err)
	}
	m := &Message{Header: ent.Header}
	if err != nil {
		m.Problems = append(m.Problems, err.Error())
	}
	m.readHeader(gomsg.Header{Header: ent.Header})
	m.readBody(ent, depth)
	return m, nil
}

// hasBareCR reports a CR not followed by LF near the top: some old Mac
// mailers end lines with CR alone, which would read as one long header line.
func hasBareCR(raw []byte) bool {
	head := raw[:min(len(raw), 64<<10)]
	for i, c := range head {
		if c == '\r' && (i+1 == len(head) || head[i+1] != '\n') {
			return true
		}
	}
	return false
}

var headerLine = regexp.MustCompile(`^[!-9;-~]+[ \t]*:`)

// repairHeader rewrites a header block that go-message refuses: it drops mbox
// "From " lines, leading blank lines and lines that are not headers, removes
// blank folding lines and the space some mailers put before the colon. A
// non-header line without a colon is taken as the start of the body, as a
// forgotten blank line would have made it.
func repairHeader(raw []byte) []byte {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var out bytes.Buffer
	i := 0
	for ; i < len(lines); i++ {
		t := bytes.TrimSpace(lines[i])
		if len(t) != 0 && !bytes.HasPrefix(t, []byte("From ")) && !bytes.HasPrefix(t, []byte(">From ")) {
			break
		}
	}
	seen := false
	for ; i < len(lines); i++ {
		t := bytes.TrimRight(lines[i], "\r\n")
		switch {
		case len(t) == 0:
			return bodyAfter(&out, lines[i+1:])
		case t[0] == ' ' || t[0] == '\t':
			if len(bytes.TrimSpace(t)) == 0 {
				continue // a blank folding line
			}
			if !seen {
				t = bytes.TrimLeft(t, " \t") // a first header indented by mistake
				if !headerLine.Match(t) {
					continue
				}
				seen = true
				t = fixColon(t)
			}
			out.Write(t)
		case headerLine.Match(t):
			seen = true
			out.Write(fixColon(t))
		case seen && !bytes.Contains(t, []byte(":")) && !bytes.HasPrefix(t, []byte("From ")):
			return bodyAfter(&out, lines[i:])
		default:
			continue // a broken header line; drop it
		}
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

func bodyAfter(out *bytes.Buffer, rest [][]byte) []byte {
	out.WriteString("\r\n")
	for _, l := range rest {
		out.Write(l)
	}
	return out.Bytes()
}

// fixColon turns "Subject :x" into "Subject:x".
func fixColon(line []byte) []byte {
	k, v, _ := bytes.Cut(line, []byte(":"))
	return append(append(bytes.TrimRight(k, " \t"), ':'), v...)
}

func (m *Message) readHeader(h gomsg.Header) {
	from := addressList(h, "From")
	if len(from) == 0 {
		from = addressList(h, "Sender")
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	m.To = addressList(h, "To")
	m.Cc = addressList(h, "Cc")
	m.ReplyTo = addressList(h, "Reply-To")
	m.Subject = decodeText(h.Get("Subject"))
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	} else if h.Has("Date") {
		m.Problems = append(m.Problems, "unreadable Date header")
	}
	m.MessageID = messageID(h)
	m.InReplyTo = idList(h, "In-Reply-To")
	m.References = idList(h, "References")
	ct, params, err := h.ContentType()
	if err != nil || ct == "" {
		ct = "text/plain"
	}
	m.ContentType = ct
	if rt := params["report-type"]; rt != "" {
		m.PartTypes = append(m.PartTypes, "report-type/"+strings.ToLower(rt))
	}
}

// addressList decodes an address header, falling back to picking out
// addresses by pattern when the header breaks RFC 5322 (common in spam and
// old clients).
func addressList(h gomsg.Header, key string) []Address {
	raw := h.Get(key)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var out []Address
	if list, err := h.AddressList(key); err == nil {
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Email: strings.ToLower(a.Address)})
		}
		return out
	}
	for _, found := range addrPattern.FindAllString(raw, -1) {
		out = append(out, Address{Email: strings.ToLower(found)})
	}
	if len(out) == 1 {
		if name, _, ok := strings.Cut(raw, "<"); ok {
			out[0].Name = strings.Trim(decodeText(name), ` "'`)
		}
	}
	return out
}

var addrPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-=/!#$&'*^{|}~]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func decodeText(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// messageID returns the Message-ID without brackets. Malformed ids (such as
// "<x@@y>") are kept as written rather than lost, so dedupe still works.
func messageID(h gomsg.Header) string {
	if id, err := h.MessageID(); err == nil && id != "" {
		return id
	}
	return strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
}

func idList(h gomsg.Header, key string) []string {
	ids, err := h.MsgIDList(key)
	if err == nil {
		return ids
	}
	// Lenient fallback: anything between angle brackets.
	var out []string
	for _, f := range idPattern.FindAllStringSubmatch(h.Get(key), -1) {
		out = append(out, f[1])
	}
	return out
}

var idPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// readBody walks the parts, keeping the first plain text (else the first HTML
// turned into text) and listing attachments.
func (m *Message) readBody(ent *message.Entity, depth int) {
	var plain, html string
	var nested [][]byte
	// Text parts side by side in a multipart/mixed (Apple Mail writes text,
	// a file, more text) are one text; of the parts of a
	// multipart/alternative only the first plain one counts.
	multipart := map[string]string{}
	altTaken := map[string]bool{}
	walk := func(path []int, e *message.Entity, perr error) error {
		if perr != nil {
			m.Problems = append(m.Problems, perr.Error())
		}
		if e == nil {
			return nil
		}
		if len(m.PartTypes) > maxParts {
			return errors.New("too many parts")
		}
		ct, params, _ := e.Header.ContentType()
		if ct == "" {
			ct = "text/plain"
		}
		m.PartTypes = append(m.PartTypes, ct)
		if strings.HasPrefix(ct, "multipart/") {
			multipart[fmt.Sprint(path)] = ct
			return nil
		}
		disp, dparams, _ := e.Header.ContentDisposition()
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		name = decodeText(name)
		isText := ct == "text/plain" || ct == "text/html"
		if ct == "message/rfc822" && disp == "attachment" {
			// A forwarded email attached as a file: list it and keep it,
			// since it may be a patron's mail forwarded by staff.
			a := readAttachment(e, name, ct, len(m.Attachments))
			m.Attachments = append(m.Attachments, a)
			nested = append(nested, a.Data[:min(len(a.Data), maxTextBytes)])
			return nil
		}
		if signaturePart(ct) {
			_, _ = io.Copy(io.Discard, e.Body) // S/MIME or PGP signature: not a file anyone sent
			return nil
		}
		if disp == "attachment" || (!isText && ct != "message/rfc822") || (isText && name != "" && disp != "inline") {
			a := readAttachment(e, name, ct, len(m.Attachments))
			a.contentID = strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>")
			m.Attachments = append(m.Attachments, a)
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(e.Body, maxTextBytes))
		if err != nil && len(b) == 0 {
			m.Problems = append(m.Problems, fmt.Sprintf("part %s: %v", ct, err))
		}
		switch {
		case ct == "message/rfc822":
			nested = append(nested, b)
		case ct == "text/plain":
			parent := fmt.Sprint(path[:max(len(path)-1, 0)])
			if multipart[parent] == "multipart/alternative" {
				if altTaken[parent] {
					return nil
				}
				altTaken[parent] = true
			}
			if t := plainText(string(b), params); strings.TrimSpace(t) != "" {
				plain = strings.TrimSpace(plain + "\n\n" + t)
			}
		case ct == "text/html" && html == "":
			html = string(b)
		}
		return nil
	}
	if err := ent.Walk(walk); err != nil {
		m.Problems = append(m.Problems, "body: "+err.Error())
	}
	markInline(m.Attachments, html)
	switch {
	case strings.TrimSpace(plain) != "":
		m.Text = plain
	case strings.TrimSpace(html) != "":
		m.Text = htmlToText(html)
		m.FromHTML = true
	}
	m.Text = cleanText(m.Text)
	if depth < maxNesting {
		m.findForward(nested, depth+1)
	}
	if m.Text == "" && m.Forwarded != nil {
		// A forwarded message with nothing around it: its text is the request.
		m.Text = m.Forwarded.Text
	}
}

func htmlToText(s string) string {
	return HTMLToText(s)
}

// plainText decodes a text/plain part's format=flowed soft line breaks.
func plainText(s string, params map[string]string) string {
	if strings.EqualFold(params["format"], "flowed") {
		return DecodeFlowed(s, strings.EqualFold(params["delsp"], "yes"))
	}
	return s
}

// cleanText makes valid UTF-8 with "\n" line ends and no trailing space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimSpace(s)
}

func normaliseLineEnds(raw []byte) []byte {
	s := bytes.ReplaceAll(raw, []byte("\r\r\n"), []byte("\r\n"))
	s = bytes.ReplaceAll(s, []byte("\r\n"), []byte("\n"))
	s = bytes.ReplaceAll(s, []byte("\r"), []byte("\n"))
	return s
}

// IsReply reports whether the message answers another one.
func (m *Message) IsReply() bool {
	return len(m.InReplyTo) > 0 || len(m.References) > 0 || replyPrefix.MatchString(m.Subject) ||
		quotedOriginal.MatchString(m.Text)
}

// quotedOriginal finds the quoted message that mail clients put under a reply.
var quotedOriginal = regexp.MustCompile(`(?im)^(-{3,} ?original message ?-{3,}|(from|von|de|van|da):.*\n(sent|gesendet|envoy[ée]|enviado|verzonden|inviato):|on .{5,200} wrote:$|am .{5,200} schrieb .{0,100}:$|le .{5,200} a [ée]crit ?:$|el .{5,200} escribi[óo]:$)`)

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|antw|r|rif|odp|res)\s*(\[\d+\])?\s*:`)
