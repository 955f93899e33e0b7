package tickets

import (
	"strings"

	"patrondesk/mailer"
)

// forwardedByStaff reports a staff member forwarding a patron's email to the
// shared address: the ticket belongs to the patron, not to the forwarder.
func (r *receipt) forwardedByStaff() bool {
	f := r.m.Forwarded
	if f == nil || r.staff(r.sender()) == nil || f.From.Email == "" {
		return false
	}
	return r.staff(f.From.Email) == nil && !strings.EqualFold(f.From.Email, r.d.opts.Address)
}

// createForwarded opens the ticket for the forwarded email's sender, records
// who forwarded it, and acknowledges to the patron.
func (r *receipt) createForwarded(key string) error {
	f, orig := r.m.Forwarded, r.m
	r.m = &mailer.Message{From: f.From, To: orig.To, Cc: orig.Cc, Subject: f.Subject, Text: f.Text,
		MessageID: f.MessageID, Date: orig.Date, Header: orig.Header, Attachments: forwardedFiles(orig.Attachments)}
	defer func() { r.m = orig }()
	if err := r.create(key, nil); err != nil {
		return err
	}
	var id int64
	if err := r.tx.QueryRowContext(r.ctx, `SELECT ticket_id FROM messages WHERE dedupe_key = ?`, key).Scan(&id); err != nil {
		return err
	}
	detail := "forwarded by " + orig.From.Email
	if note := strings.TrimSpace(f.Note); note != "" {
		detail += ": " + note
	}
	return r.event(id, orig.From.Email, "forwarded", detail, 0)
}
