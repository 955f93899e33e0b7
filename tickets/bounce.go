package tickets

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // bounces in any charset

	"patrondesk/mailer"
)

// A bounce (a delivery status notification, or a mail server's plain "could
// not deliver" message) about a mail patrondesk sent is tied to its ticket by
// that mail's Message-ID, which the report quotes in its headers part
// (RFC 3462 text/rfc822-headers or message/rfc822) or in its text. The
// outbox knows every Message-ID we used, so a forged report naming an ID we
// never sent is plain automated mail.

// bounceReport is what a bounce says.
type bounceReport struct {
	messageIDs []string // of the mail that bounced, as the report quotes it
	action     string   // failed, delayed, delivered, relayed, expanded ("" = not said)
	recipient  string   // Final-Recipient, without its type
	status     string   // 5.1.1
	diagnostic string   // the receiving server's words
}

// failed is whether the report says the mail will never arrive: a report
// of delay or of delivery is not.
func (b bounceReport) failed() bool {
	return b.action == "" || b.action == "failed"
}

// reason is the report's cause in a line, for the owner.
func (b bounceReport) reason() string {
	var parts []string
	if b.diagnostic != "" {
		parts = append(parts, b.diagnostic)
	}
	if b.status != "" {
		parts = append(parts, "status "+b.status+statusWords(b.status))
	}
	if len(parts) == 0 {
		return "the mail server did not say why"
	}
	return strings.Join(parts, "; ")
}

// statusWords explains the common RFC 3463 codes in plain words.
func statusWords(s string) string {
	words := map[string]string{
		"5.1.1": "the address does not exist", "5.1.2": "the domain does not exist", "5.1.10": "the address does not exist",
		"5.2.1": "the mailbox is disabled", "5.2.2": "the mailbox is full", "4.2.2": "the mailbox is full",
		"5.7.1": "the receiving server refused it", "5.4.4": "the domain does not take mail",
	}
	if w, ok := words[s]; ok {
		return ": " + w
	}
	return ""
}

var (
	quotedMessageID = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*(<[^>\s]+>)`)
	statusCode      = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
)

// readBounce reads what it can of a bounce. It never fails: a report it
// cannot read names no Message-ID.
func readBounce(raw []byte) bounceReport {
	var b bounceReport
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && e == nil {
		return b
	}
	ownID := e.Header.Get("Message-Id")
	_ = e.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil {
			return nil
		}
		ct, _, _ := part.Header.ContentType()
		switch strings.ToLower(ct) {
		case "message/delivery-status", "message/global-delivery-status":
			body, _ := io.ReadAll(io.LimitReader(part.Body, 64<<10))
			b.readStatus(body)
		case "text/rfc822-headers", "message/rfc822", "message/global-headers", "message/global":
			body, _ := io.ReadAll(io.LimitReader(part.Body, 256<<10))
			h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(body))).ReadMIMEHeader()
			if id := strings.TrimSpace(h.Get("Message-Id")); id != "" {
				b.messageIDs = append(b.messageIDs, id)
			}
		}
		return nil
	})
	// Plain bounces quote the mail in their text: every Message-ID line but
	// the bounce's own.
	for _, m := range quotedMessageID.FindAllSubmatch(raw, 20) {
		if id := string(m[1]); id != ownID {
			b.messageIDs = append(b.messageIDs, id)
		}
	}
	if b.status == "" {
		if m := statusCode.FindSubmatch(raw); m != nil && b.diagnostic == "" {
			b.status = string(m[1])
		}
	}
	return b
}

// readStatus reads a message/delivery-status body: the per-message fields,
// then one block per recipient. The first recipient's block is kept.
func (b *bounceReport) readStatus(body []byte) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	for block := 0; block < 10; block++ {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 && h.Get("Action") != "" && b.action == "" {
			b.action = strings.ToLower(strings.TrimSpace(h.Get("Action")))
			b.status = strings.TrimSpace(h.Get("Status"))
			_, b.recipient, _ = strings.Cut(h.Get("Final-Recipient"), ";")
			b.recipient = strings.Trim(strings.TrimSpace(b.recipient), "<>")
			_, b.diagnostic, _ = strings.Cut(h.Get("Diagnostic-Code"), ";")
			b.diagnostic = strings.Join(strings.Fields(b.diagnostic), " ")
		}
		if err != nil {
			return
		}
	}
}

// bounced is a mail of ours that came back.
type bounced struct {
	outbox int64
	ticket *ticketRow
	kind   string // the template
	to     string
}

// findBounced finds which of our mails a report is about.
func (r *receipt) findBounced(rep bounceReport) (*bounced, error) {
	for _, id := range rep.messageIDs {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		var b bounced
		var ticket sql.NullInt64
		err := r.tx.QueryRowContext(r.ctx, sqlOutboxOfBounce, id, "<"+id+">").
			Scan(&b.outbox, &ticket, &b.kind, &b.to)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find the mail that bounced: %w", err)
		}
		if !ticket.Valid {
			return nil, nil // the summary or an alert: nobody's request
		}
		if b.ticket, err = loadTicket(r.ctx, r.tx, ticket.Int64); err != nil || b.ticket == nil {
			return nil, err
		}
		return &b, nil
	}
	return nil, nil
}

// takeBounce handles a bounce of a mail we sent to a patron: it is kept on
// the ticket, the ticket is marked "patron unreachable by email", and the
// owner (else the team's supervisors) is told in plain words, with the
// reason, so they can phone instead. It reports false when the message is
// no such bounce and is to be kept as any automated mail.
func (r *receipt) takeBounce(key string, verdict mailer.Verdict) (bool, error) {
	if verdict.Kind != mailer.Bounce {
		return false, nil
	}
	rep := readBounce(r.in.Raw)
	if !rep.failed() {
		return false, nil
	}
	b, err := r.findBounced(rep)
	if err != nil || b == nil {
		return false, err
	}
	t := b.ticket
	msgID, err := r.saveMessage(key, &t.ID, string(mailer.Bounce), verdict.Reason)
	if err != nil {
		return true, err
	}
	what := mailWords(b.kind)
	if !strings.EqualFold(b.to, t.PatronEmail) {
		return true, r.event(t.ID, r.sender(), "mail bounced", fmt.Sprintf("%s to %s: %s", what, b.to, rep.reason()), msgID)
	}
	if _, err := r.tx.ExecContext(r.ctx, sqlMarkUnreachable, unix(r.now), rep.reason(), t.ID); err != nil {
		return true, fmt.Errorf("mark ticket %d unreachable: %w", t.ID, err)
	}
	if err := r.event(t.ID, r.sender(), "patron unreachable by email", fmt.Sprintf("%s came back: %s", what, rep.reason()), msgID); err != nil {
		return true, err
	}
	var to []Staff
	if owner := r.staff(t.Owner.String); owner != nil {
		to = []Staff{*owner}
	} else {
		to = r.supervisors(t.Team)
	}
	owner := r.staff(t.Owner.String)
	for _, s := range to {
		data := r.templateData(t, owner)
		data.Staff, data.Answer, data.Summary = s.FirstName(), rep.reason(), what
		data.Text = "" // the bounce's text is the server's, not the patron's
		if err := r.enqueue(outMail{ticket: t, template: "bounced", toName: s.Name, toEmail: s.Email, auto: "auto-generated", data: data}); err != nil {
			return true, err
		}
	}
	if len(to) == 0 {
		return true, r.event(t.ID, "patrondesk", "nobody told of the bounce", "the ticket has no owner and no supervisor is configured", 0)
	}
	return true, nil
}

// mailWords names a template's mail for the owner.
func mailWords(kind string) string {
	words := map[string]string{
		"ack": "the acknowledgement", "update": "a staff answer", "closed": "the final answer",
		"patron_update": "the \"still working on it\" update", "followup": "the follow-up question", "reopened": "the \"reopened\" notice",
	}
	if w, ok := words[kind]; ok {
		return w
	}
	return "the " + kind + " mail"
}
