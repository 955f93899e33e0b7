package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"patrondesk/mailer"
)

// The spam queue. Mail the safety rules judge spam gets no ticket number
// and no mail: the mail server's spam verdict, a flood of near-identical
// mail from new senders, and anything from a sender staff marked with
// #spam. It is kept (raw bytes and all) as a message of kind "spam", listed
// by `patrondesk spam list`, and `spam release` takes one again as a
// patron's request when the rules were wrong.

// kindSpam is the message kind of the spam queue.
const kindSpam = "spam"

// saveSpam keeps the message in the spam queue with the reason.
func (r *receipt) saveSpam(key, why string) error {
	_, err := r.saveMessage(key, nil, kindSpam, why)
	if err == nil {
		r.d.log.Info("mail kept as spam", "why", why)
	}
	return err
}

// spamReason says why the message belongs in the spam queue, or "". The
// mail server's verdict is read by Classify; this adds what the desk knows:
// senders staff blocked with #spam (blocked is then true). A released
// message is never spam again.
func (r *receipt) spamReason(verdict mailer.Verdict) (why string, blocked bool, err error) {
	if r.released {
		return "", false, nil
	}
	if verdict.Kind == mailer.Bulk && verdict.Reason == mailer.SpamReason(r.m, r.d.opts.SpamScore) {
		return verdict.Reason, false, nil
	}
	if verdict.Automated() || r.staff(r.sender()) != nil {
		return "", false, nil
	}
	var by string
	err = r.tx.QueryRowContext(r.ctx, sqlSenderBlockedBy, foldAddress(r.sender())).Scan(&by)
	if err == nil {
		return "the sender was marked as spam by " + by, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("read blocked senders: %w", err)
	}
	return "", false, nil
}

// releasedVerdict lets a message staff released from the spam queue through
// the mail server's spam verdict; every other rule still holds.
func (r *receipt) releasedVerdict(v mailer.Verdict) mailer.Verdict {
	if r.released && v.Kind == mailer.Bulk && v.Reason == mailer.SpamReason(r.m, r.d.opts.SpamScore) {
		return mailer.Verdict{Kind: mailer.Personal, Reason: "released from the spam queue by staff"}
	}
	return v
}

// floodSpam says why a would-be new ticket is a flood, or "".
func (r *receipt) floodSpam() (string, error) {
	if r.released {
		return "", nil
	}
	why, flood, err := r.suspicion()
	if err != nil || !flood {
		return "", err
	}
	return why, r.tellAdminFlood(why)
}

// markSpam is #spam: the ticket is closed without a word to anyone, its
// patron's address is blocked (later mail goes to the spam queue) and mail
// still waiting to go to them is dropped.
func (r *receipt) markSpam(t *ticketRow, actor *Staff, msgID int64) error {
	if r.staff(t.PatronEmail) != nil {
		return r.event(t.ID, actor.Email, "not marked as spam", "the request is from a staff address", msgID)
	}
	if _, err := r.tx.ExecContext(r.ctx, sqlBlockSender, foldAddress(t.PatronEmail), unix(r.now), actor.Email, t.ID); err != nil {
		return fmt.Errorf("block sender: %w", err)
	}
	cond, args := sameMailbox(r.tx.db.engine, "to_email", t.PatronEmail)
	if _, err := r.tx.ExecContext(r.ctx, sqlDropMailTo(cond), args...); err != nil {
		return fmt.Errorf("drop mail to a spam sender: %w", err)
	}
	if err := r.moveTo(t.ID, move{to: StatusClosed, solved: true}); err != nil {
		return fmt.Errorf("marked as spam: %w", err)
	}
	return r.event(t.ID, actor.Email, "marked as spam", "closed; later mail from this sender goes to the spam queue", msgID)
}

// SpamMail is one message in the spam queue.
type SpamMail struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	From       string    `json:"from"`
	Subject    string    `json:"subject"`
	Reason     string    `json:"reason"`
	Text       string    `json:"text,omitempty"`
	Released   bool      `json:"released"`
}

// ErrNoSpam is a spam queue number that does not exist.
var ErrNoSpam = errors.New("no such message in the spam queue")

// ListSpam returns the spam queue, newest first (at most limit, 0 = 200).
func (s *Store) ListSpam(ctx context.Context, limit int) ([]SpamMail, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.db.QueryContext(ctx, sqlSpamList, limit)
	if err != nil {
		return nil, fmt.Errorf("list spam: %w", err)
	}
	defer rows.Close()
	out := []SpamMail{}
	for rows.Next() {
		var m SpamMail
		var at int64
		if err := rows.Scan(&m.ID, &at, &m.From, &m.Subject, &m.Reason); err != nil {
			return nil, err
		}
		m.ReceivedAt = time.Unix(at, 0).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetSpam returns one message of the spam queue with its text.
func (s *Store) GetSpam(ctx context.Context, id int64) (*SpamMail, error) {
	var m SpamMail
	var at int64
	var kind string
	err := s.db.QueryRowContext(ctx, sqlSpamMessage, id).
		Scan(&m.ID, &at, &m.From, &m.Subject, &m.Reason, &m.Text, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrNoSpam, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read spam %d: %w", id, err)
	}
	m.ReceivedAt, m.Released = time.Unix(at, 0).UTC(), kind == "spam_released"
	return &m, nil
}

// SpamCount is how many messages the spam queue holds.
func (s *Store) SpamCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, sqlCountSpam).Scan(&n)
	return n, err
}

// ReleaseSpam takes a message of the spam queue again as if the safety
// rules had let it through: it becomes a patron's request (or joins one),
// acknowledged as usual. Its sender is unblocked. The spam copy stays,
// marked released, so nothing is lost if taking it fails.
func (d *Desk) ReleaseSpam(ctx context.Context, id int64) (Outcome, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out Outcome
	queued := false
	err := d.store.tx(ctx, func(tx *Tx) error {
		var key, sender, mailbox string
		var validity, uid uint32
		var at int64
		err := tx.QueryRowContext(ctx, sqlSpamToRelease, id).
			Scan(&key, &sender, &mailbox, &validity, &uid, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrNoSpam, id)
		}
		if err != nil {
			return err
		}
		raw, err := rawOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(raw) == 0 {
			return fmt.Errorf("spam message %d has no bytes left (the retention purge emptied it)", id)
		}
		// The copy steps aside for the dedupe, and the sender is trusted again.
		if _, err := tx.ExecContext(ctx, sqlMarkSpamReleased, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqlUnblockSender, foldAddress(sender)); err != nil {
			return err
		}
		p := parseSafely(raw)
		in := mailer.Delivery{Mailbox: mailbox, UIDValidity: validity, UID: uid, InternalDate: time.Unix(at, 0), Raw: raw}
		out, queued, err = d.takeOne(ctx, tx, in, p, true)
		return err
	})
	if err != nil {
		return "", err
	}
	if queued {
		d.Queued()
	}
	return out, nil
}
