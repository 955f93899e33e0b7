package tickets

import (
	"database/sql"
	"errors"
	"strings"

	"patrondesk/mailer"
)

// forwardedByStaff reports a staff member forwarding a patron's email to the
// shared address: the ticket belongs to the patron, not to the forwarder.
func (r *receipt) forwardedByStaff() bool {
	f := r.m.Forwarded
	if f == nil || r.staff(r.sender()) == nil || f.From.Email == "" || len(f.From.Email) > maxAddress {
		return false
	}
	// Our own mail (any case or +tag of the address) forwarded back is not a patron's.
	return r.staff(f.From.Email) == nil && foldAddress(f.From.Email) != foldAddress(r.d.opts.Address)
}

// unconfirmedForward starts the suspect reason of a ticket whose forward
// waits for the staff member's confirmation.
const unconfirmedForward = "forwarded from a staff address without proof"

// createForwarded opens the ticket for the forwarded email's sender and
// records who forwarded it. Only a forward proven to come from staff (a
// DKIM or DMARC pass for the staff member's domain from the trusted MX) is
// acknowledged to the patron at once; otherwise anyone could name a victim
// in a forged "forward" and have us write to them. Then the forwarder is
// asked to confirm by replying, and nobody else gets mail until they do.
func (r *receipt) createForwarded(key string) error {
	orig := r.m
	fw := orig.Forwarded
	_, domain, _ := strings.Cut(orig.From.Email, "@")
	proven := mailer.Authenticated(orig, r.d.opts.TrustedAuthserv, domain)
	hold := ""
	if proven {
		r.auth = &mailer.SenderAuth{Verified: true} // staff vouch for the patron
	} else {
		hold = unconfirmedForward + " (no DKIM or DMARC pass for " + domain + " from the library's mail server); waiting for " + orig.From.Email + " to confirm"
	}
	r.m = &mailer.Message{From: fw.From, To: orig.To, Cc: orig.Cc, Subject: fw.Subject, Text: fw.Text,
		MessageID: fw.MessageID, Date: orig.Date, Header: orig.Header, Attachments: forwardedFiles(orig.Attachments)}
	defer func() { r.m = orig }()
	t, err := r.open(key, nil, hold)
	if err != nil {
		return err
	}
	detail := "forwarded by " + orig.From.Email
	if note := strings.TrimSpace(fw.Note); note != "" {
		detail += ": " + note
	}
	if err := r.event(t.ID, orig.From.Email, "forwarded", detail, 0); err != nil {
		return err
	}
	if proven {
		return nil
	}
	forwarder := r.staff(orig.From.Email)
	data := r.templateData(t, forwarder)
	return r.enqueue(outMail{ticket: t, template: "forward_check", toName: forwarder.Name, toEmail: forwarder.Email, auto: "auto-generated", data: data})
}

// confirmForward takes a staff reply to a ticket whose forward waits for
// confirmation: the reply confirms it (its staff token proves the staff
// member got our question), the patron gets the acknowledgement and the
// owner the notice. Nothing of the reply goes to the patron. done is false
// for any other ticket.
func (r *receipt) confirmForward(t *ticketRow, key string) (done bool, err error) {
	if t == nil || !strings.HasPrefix(t.Suspect, unconfirmedForward) {
		return false, nil
	}
	actor := r.staff(r.sender())
	msgID, err := r.saveMessageBody(key, &t.ID, "staff_note", "confirms the forward", r.m.Text)
	if err != nil {
		return true, err
	}
	if _, err := r.tx.ExecContext(r.ctx, sqlVouchForSender, unix(r.now), t.ID); err != nil {
		return true, err
	}
	if err := r.event(t.ID, actor.Email, "forward confirmed", "", msgID); err != nil {
		return true, err
	}
	t.Suspect = ""
	owner := r.staff(t.Owner.String)
	data := r.templateData(t, owner)
	if data.Text, err = r.firstText(t.ID); err != nil {
		return true, err
	}
	r.auth = &mailer.SenderAuth{Verified: true} // the staff member vouched
	if err := r.acknowledge(t, data); err != nil {
		return true, err
	}
	if owner == nil {
		return true, nil
	}
	return true, r.queue(t, "assigned", owner.Name, owner.Email, data, "auto-generated")
}

// firstText is what the patron wrote in a ticket's first message.
func (r *receipt) firstText(id int64) (string, error) {
	var body string
	err := r.tx.QueryRowContext(r.ctx, sqlFirstIncomingBody, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return body, err
}
