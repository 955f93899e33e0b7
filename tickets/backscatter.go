package tickets

import (
	"context"
	"fmt"
	"strings"

	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets/caps"
)

// No backscatter: patrondesk writes only to addresses that proved they
// wrote. A sender the library's MX found forged (DMARC fail, SPF fail
// without DKIM pass) gets no acknowledgement and staff see why; a sender
// the MX did not verify gets one without any of their own words; a burst of
// first-time senders beyond the cap gets theirs held for the admin.

// maxAckSubject is the longest subject a verified sender sees again.
const maxAckSubject = 60

// fillCaps gives every cap left at zero its default (package caps).
func fillCaps(o *Options) {
	c := caps.Caps{AutoReplyLimit: o.AutoReplyLimit, AutoReplyWindow: o.AutoReplyWindow, ThreadReplyLimit: o.ThreadReplyLimit,
		FirstAckLimit: o.FirstAckLimit, FirstAckWindow: o.FirstAckWindow, FloodSenders: o.FloodSenders, FloodWindow: o.FloodWindow, SpamScore: o.SpamScore}
	c.Fill()
	o.AutoReplyLimit, o.AutoReplyWindow, o.ThreadReplyLimit = c.AutoReplyLimit, c.AutoReplyWindow, c.ThreadReplyLimit
	o.FirstAckLimit, o.FirstAckWindow, o.FloodSenders, o.FloodWindow, o.SpamScore = c.FirstAckLimit, c.FirstAckWindow, c.FloodSenders, c.FloodWindow, c.SpamScore
}

// senderAuth is what the trusted MX said about the message's sender.
func (r *receipt) senderAuth() mailer.SenderAuth {
	if r.auth == nil {
		a := mailer.CheckSender(r.m, r.d.opts.TrustedAuthserv)
		if r.viaForm != "" {
			// The MX checked the website's mail, not the address
			// someone typed into the form.
			a.Verified = false
		}
		r.auth = &a
	}
	return *r.auth
}

// suspicion says why a new ticket's sender is doubted: the MX's verdict, or
// a flood of near-identical mail from new senders (flood is then true).
func (r *receipt) suspicion() (why string, flood bool, err error) {
	if r.suspect != nil {
		return r.suspect.why, r.suspect.flood, nil
	}
	why, flood, err = r.judgeSender()
	if err == nil {
		r.suspect = &suspectVerdict{why, flood}
	}
	return why, flood, err
}

// suspectVerdict is suspicion's answer, kept for the message.
type suspectVerdict struct {
	why   string
	flood bool
}

func (r *receipt) judgeSender() (why string, flood bool, err error) {
	if a := r.senderAuth(); a.Suspect != "" {
		return a.Suspect, false, nil
	}
	if r.m.From.Email == "" {
		// Only the From address is checked by the MX (DMARC): a Reply-To
		// on mail without one can name anybody.
		return "it has no sender address in From, only a Reply-To address, which nothing proves", false, nil
	}
	if err := lockNewSenders(r.ctx, r.tx); err != nil {
		return "", false, err
	}
	n, short, err := r.floodCount()
	if err != nil {
		return "", false, err
	}
	need := r.d.opts.FloodSenders - 1
	if short {
		need *= 2 // short texts ("Please renew my books") are alike by chance
	}
	if n >= need {
		return fmt.Sprintf("%d new senders wrote near-identical mail within %s, as robots do", n+1, r.d.opts.FloodWindow), true, nil
	}
	return "", false, nil
}

// noAck says why a new ticket gets no acknowledgement, or "".
func (r *receipt) noAck(t *ticketRow) (string, error) {
	if t.Suspect != "" {
		return "the sender is doubted: " + t.Suspect, nil
	}
	if limited, err := r.addressLimited(t.PatronEmail); err != nil || limited {
		return fmt.Sprintf("%d automatic mails to this address (any case or +tag) in the last %s already", r.d.opts.AutoReplyLimit, r.d.opts.AutoReplyWindow), err
	}
	if limited, err := r.chainLimited(t.Origin); err != nil || limited {
		return fmt.Sprintf("%d acknowledgements along this chain of replies (from request %d) in the last %s already", r.d.opts.ThreadReplyLimit, t.Origin.Int64, r.d.opts.AutoReplyWindow), err
	}
	return "", nil
}

// sameMailbox is the SQL condition and arguments matching a column against
// every form of an address: case and +tag folded.
func sameMailbox(e Engine, column, email string) (string, []any) {
	f := foldAddress(email)
	local, domain, _ := strings.Cut(f, "@")
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	// The range lets the column's index find the +tag forms ("ann+" < "ann+x@…" < "ann,").
	// That is byte order: SQLite's, but on PostgreSQL only the C collation's;
	// a database made under en_US.UTF-8 or an ICU locale ignores or reorders
	// the punctuation, and the range would miss every +tag form.
	if e == PostgreSQL {
		column += ` COLLATE "C"`
	}
	return "(" + column + " = ? OR (" + column + " > ? AND " + column + " < ? AND " + column + ` LIKE ? ESCAPE '\'))`,
		[]any{f, local + "+", local + ",", esc.Replace(local) + "+%@" + esc.Replace(domain)}
}

// addressLimited reports whether the mailbox behind email has had
// AutoReplyLimit mails from us within AutoReplyWindow, whatever case or +tag
// each was written to.
func (r *receipt) addressLimited(email string) (bool, error) {
	cond, args := sameMailbox(r.tx.db.engine, "to_email", email)
	var n int
	err := r.tx.QueryRowContext(r.ctx, sqlCountMailToMailboxSince(cond),
		append([]any{unix(r.now.Add(-r.d.opts.AutoReplyWindow))}, args...)...).Scan(&n)
	return n >= r.d.opts.AutoReplyLimit, err
}

// firstTime reports whether email's mailbox has no ticket but except.
func (r *receipt) firstTime(email string, except int64) (bool, error) {
	cond, args := sameMailbox(r.tx.db.engine, "patron_email", email)
	var n int
	err := r.tx.QueryRowContext(r.ctx, sqlCountOtherTicketsOf(cond), append([]any{except}, args...)...).Scan(&n)
	return n == 0, err
}

// firstAckStatus decides the outbox status of an acknowledgement: a
// first-time sender's beyond FirstAckLimit in FirstAckWindow is "held" for
// the admin (who is told once), everything else goes ("").
func (r *receipt) firstAckStatus(t *ticketRow) (string, error) {
	first, err := r.firstTime(t.PatronEmail, t.ID)
	if err != nil || !first {
		return "", err
	}
	if err := lockNewSenders(r.ctx, r.tx); err != nil {
		return "", err
	}
	var n int
	if err := r.tx.QueryRowContext(r.ctx, sqlCountNewSenderAcksSince,
		unix(r.now.Add(-r.d.opts.FirstAckWindow))).Scan(&n); err != nil {
		return "", err
	}
	if n < r.d.opts.FirstAckLimit {
		return "", r.event(t.ID, "patrondesk", "acknowledged a new sender", "", 0)
	}
	why := fmt.Sprintf("%d acknowledgements to new senders in the last %s already; held for the admin", n, r.d.opts.FirstAckWindow)
	if err := r.event(t.ID, "patrondesk", "acknowledgement held", why, 0); err != nil {
		return "", err
	}
	return "held", r.tellAdminHeld()
}

// tellAdminHeld mails library.admin the first time acknowledgements are
// held, and not again until the admin has released or dropped them all.
func (r *receipt) tellAdminHeld() error {
	if r.d.opts.Admin == "" {
		return nil
	}
	if told, err := r.setting("held_alerted"); err != nil || told == 1 {
		return err
	}
	data := r.templateData(&ticketRow{}, nil)
	data.Summary = "acknowledgements held"
	data.Problems = []string{fmt.Sprintf("More than %d people wrote for the first time within %s, so their acknowledgements are held. "+
		"Their requests are all there. Forged mail floods look like this. "+
		"See them with \"patrondesk held list\", then send them with \"patrondesk held release\" or delete them with \"patrondesk held drop\".",
		r.d.opts.FirstAckLimit, r.d.opts.FirstAckWindow)}
	if err := r.enqueue(outMail{template: "alert", toEmail: r.d.opts.Admin, auto: "auto-generated", data: data}); err != nil {
		return err
	}
	return r.setSetting("held_alerted", 1)
}

// queueAck queues the acknowledgement with an outbox status ("" = send).
func (r *receipt) queueAck(t *ticketRow, toName string, data templates.Data, status string) error {
	m := r.outTo(t, "ack", toName, t.PatronEmail, data, "auto-replied")
	m.status = status
	return r.enqueue(m)
}

// lockNewSenders makes the decisions about first-time senders (the cap on
// their acknowledgements, floods, telling the admin once) one transaction
// at a time on PostgreSQL, as SQLite's single writer does: each counts what
// the others wrote, and two deciding at once would not see each other, so
// every daemon (or watched mailbox) would get the whole cap. The lock ends
// with the transaction.
func lockNewSenders(ctx context.Context, tx *Tx) error {
	if tx.db.engine != PostgreSQL {
		return nil
	}
	if _, err := tx.ExecContext(ctx, sqlLockNewSenders); err != nil {
		return fmt.Errorf("wait for another transaction deciding about new senders: %w", err)
	}
	return nil
}
