package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"patrondesk/mailer"
)

// work is what one transaction of the desk does, whatever started it: an
// incoming message (a receipt), the scheduler, the summary, the alerts, the
// purge. It records events and queues mail.
type work struct {
	d      *Desk
	tx     *Tx
	ctx    context.Context
	now    time.Time
	queued bool
	// lastOutbox is the outbox row enqueue wrote last.
	lastOutbox int64
	// m is the incoming message the work answers: mail to its sender
	// threads on it. nil when there is none (scheduler, summary, alerts,
	// purge).
	m *mailer.Message
	// handover is what a staff member wrote with #assign, for the new owner.
	handover string
}

// receipt is the work on one incoming message inside its transaction.
type receipt struct {
	*work
	in mailer.Delivery
	// viaForm is the web-form relay the message came through ("" = none).
	viaForm string
	// auth is what the trusted MX said about the sender (see senderAuth).
	auth *mailer.SenderAuth
	// released: the message left the spam queue by hand (see spam.go).
	released bool
	// tok is the staff token a staff reply carries (nil at the terminal).
	tok *mailer.Token
	// sending: a held answer goes out with #send (no collision check).
	sending bool
	// suspect caches suspicion's verdict.
	suspect *suspectVerdict
}

func (r *receipt) take() (Outcome, error) {
	key := dedupeKey(r.m, r.in.Raw)
	if seen, err := exists(r.ctx, r.tx, key); err != nil || seen {
		return Duplicate, err
	}
	if why := r.fromForm(); why != "" {
		return Quarantined, quarantineTx(r.ctx, r.tx, r.in, key, why, r.now)
	}
	verdict := r.releasedVerdict(mailer.ClassifyWith(r.m, []string{r.d.opts.Address}, r.d.opts.SpamScore))
	old, err := r.tooOld()
	if err != nil {
		return "", err
	}
	t, staffTok, err := r.thread()
	if err != nil {
		return "", err
	}
	spam, blocked, err := r.spamReason(verdict)
	if err != nil {
		return "", err
	}
	queue := ""
	if t == nil && staffTok == nil {
		queue = r.queueRequest() // a staff member's #mine or #late as a new mail
	}
	switch {
	case r.sender() == "" && !verdict.Automated():
		why := noSender
		if r.m.From.Email != "" || len(r.m.ReplyTo) > 0 {
			why = longSender
		}
		return Quarantined, quarantineTx(r.ctx, r.tx, r.in, key, why, r.now)
	case old:
		_, err := r.saveMessage(key, nil, "old", "arrived before patrondesk started watching, older than intake.since")
		return Old, err
	case spam != "" && (t == nil || blocked):
		// A spam verdict on a proven reply leaves it on its ticket (below).
		return Spam, r.saveSpam(key, spam)
	case verdict.Automated():
		if done, err := r.takeBounce(key, verdict); done || err != nil {
			return Automated, err
		}
		var id *int64
		if t != nil {
			id = &t.ID
		}
		msgID, err := r.saveMessage(key, id, string(verdict.Kind), verdict.Reason)
		if err == nil && t != nil {
			err = r.event(t.ID, r.sender(), "automated mail received", verdict.Reason, msgID)
		}
		return Automated, err
	case queue != "":
		return Appended, r.answerQueue(key, queue)
	case staffTok != nil:
		if done, err := r.confirmForward(t, key); done || err != nil {
			return Appended, err
		}
		return Appended, r.staffReply(t, *staffTok, key)
	case t == nil && r.forwardedByStaff():
		return Created, r.createForwarded(key)
	case t != nil && (t.Status != StatusClosed || r.closedRecently(t)):
		return Appended, r.appendTo(t, key)
	default:
		if why, err := r.floodSpam(); err != nil || why != "" {
			if err != nil {
				return "", err
			}
			return Spam, r.saveSpam(key, why)
		}
		return Created, r.create(key, t)
	}
}

// closedRecently: a patron's reply reopens a ticket closed less than
// policy.reopen_within ago; after that it starts a new one.
func (r *receipt) closedRecently(t *ticketRow) bool {
	return t.ClosedAt.Valid && r.now.Sub(time.Unix(t.ClosedAt.Int64, 0)) < r.d.opts.ReopenWithin
}

// tooOld is the first-run rule: mail that reached the server more than
// intake.since before patrondesk first looked at the folder is not answered.
func (r *receipt) tooOld() (bool, error) {
	if r.in.InternalDate.IsZero() || r.in.Mailbox == "" {
		return false, nil
	}
	var first int64
	err := r.tx.QueryRowContext(r.ctx, sqlMailboxFirstSeen, r.in.Mailbox).Scan(&first)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cutoff := time.Unix(first, 0).Add(-r.d.opts.Since)
	return r.in.InternalDate.Before(cutoff), nil
}

// sender is who the desk answers: the From address, else Reply-To. An
// address longer than any real one is none (see maxAddress).
func (r *work) sender() string {
	if r.m == nil {
		return ""
	}
	s := r.m.From.Email
	if s == "" && len(r.m.ReplyTo) > 0 {
		s = r.m.ReplyTo[0].Email
	}
	if len(s) > maxAddress {
		return ""
	}
	return s
}

// maxAddress is the longest address mail can be delivered to (RFC 5321: a
// path of 256 octets with its angle brackets). A longer one is made up:
// nobody could be answered there, and PostgreSQL's indexes refuse an
// address of a few kilobytes, which would stall the mailbox.
const maxAddress = 254

// longSender is why a person's mail from such an address is quarantined.
const longSender = "its sender address is longer than any real address (254 characters), so nobody can be answered"

func (r *receipt) senderName() string {
	if r.m.From.Name != "" {
		return r.m.From.Name
	}
	return r.sender()
}

// staff finds a staff member by any of their addresses (see isAddressOf).
func (r *work) staff(email string) *Staff {
	for i, s := range r.d.opts.Staff {
		if s.isAddressOf(email) {
			return &r.d.opts.Staff[i]
		}
	}
	return nil
}

// thread finds the ticket a message belongs to, only on proof. A staff
// member's reply proves itself with a staff token (from a Message-ID of ours
// that was sent to staff); it is returned with that token, which lets it act.
// A patron's mail proves itself with a patron token, a Message-ID already on a
// ticket whose patron is the sender, or the subject tag from the ticket's own
// patron. Anything else is new, so a forged tag reveals nothing.
func (r *receipt) thread() (*ticketRow, *mailer.Token, error) {
	from := r.sender()
	if r.staff(from) != nil {
		if tok, ok := r.d.signer.FindToken(r.m, mailer.ForStaff); ok {
			t, err := loadTicket(r.ctx, r.tx, tok.Ticket)
			if err != nil || t != nil && t.PatronEmail != from {
				return t, &tok, err
			}
		}
	}
	if tok, ok := r.d.signer.FindToken(r.m, mailer.ForPatron); ok {
		t, err := loadTicket(r.ctx, r.tx, tok.Ticket)
		if err != nil || t != nil && t.PatronEmail == from {
			return t, nil, err
		}
	}
	for _, id := range append(append([]string{}, r.m.InReplyTo...), r.m.References...) {
		var tid int64
		err := r.tx.QueryRowContext(r.ctx, sqlTicketOfPatronMessageID, id, from).Scan(&tid)
		if err == nil {
			t, err := loadTicket(r.ctx, r.tx, tid)
			return t, nil, err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
	}
	if id := r.d.subjectTicket(r.m.Subject); id != 0 {
		t, err := loadTicket(r.ctx, r.tx, id)
		if err != nil || t != nil && t.PatronEmail == from {
			return t, nil, err
		}
	}
	return nil, nil, nil
}

// subjectTicket reads "[Tag #42]" from a subject, or 0.
func (d *Desk) subjectTicket(subject string) int64 {
	if m := d.tagPattern.FindStringSubmatch(subject); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	return 0
}

func (r *receipt) saveMessage(key string, ticket *int64, kind, reason string) (int64, error) {
	return r.saveMessageBody(key, ticket, kind, reason, r.m.Text)
}

// saveMessageBody saves the message with body as its text (staff replies
// keep what they wrote, without the quote; raw keeps everything).
func (r *receipt) saveMessageBody(key string, ticket *int64, kind, reason, body string) (int64, error) {
	raw := r.in.Raw
	if len(raw) > rawPartSize {
		raw = nil // kept in parts below
	}
	var id int64
	err := r.tx.QueryRowContext(r.ctx, sqlInsertMessage,
		ticket, key, r.m.MessageID, kind, reason, r.sender(), r.m.Subject, body, raw, r.in.Mailbox, r.in.UIDValidity, r.in.UID, unix(r.now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save message: %w", err)
	}
	if raw != nil {
		return id, nil
	}
	return id, saveRawParts(r.ctx, r.tx, id, r.in.Raw)
}

// rawPartSize is the largest raw message kept in one value.
const rawPartSize = 1 << 20

// saveRawParts keeps a large message's bytes in parts of rawPartSize: SQLite
// copies a bound value twice on insert, so one part at a time keeps memory
// flat however large the message.
func saveRawParts(ctx context.Context, tx *Tx, id int64, raw []byte) error {
	for part := 0; len(raw) > 0; part++ {
		n := min(len(raw), rawPartSize)
		if _, err := tx.ExecContext(ctx, sqlInsertRawPart, id, part, raw[:n]); err != nil {
			return fmt.Errorf("save message part %d: %w", part, err)
		}
		raw = raw[n:]
	}
	return nil
}

// rawOf reads a message's raw bytes, whole or kept in parts.
func rawOf(ctx context.Context, tx *Tx, id int64) ([]byte, error) {
	var raw []byte
	if err := tx.QueryRowContext(ctx, sqlMessageRaw, id).Scan(&raw); err != nil {
		return nil, fmt.Errorf("read message %d: %w", id, err)
	}
	if len(raw) > 0 {
		return raw, nil
	}
	rows, err := tx.QueryContext(ctx, sqlRawParts, id)
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var part []byte
		if err := rows.Scan(&part); err != nil {
			return nil, err
		}
		raw = append(raw, part...)
	}
	return raw, rows.Err()
}

func (r *work) event(ticket int64, actor, action, detail string, msg int64) error {
	var m any
	if msg != 0 {
		m = msg
	}
	_, err := r.tx.ExecContext(r.ctx, sqlInsertEventOfMessage,
		ticket, unix(r.now), actor, action, detail, m)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	r.logEvent(ticket, actor, action)
	return nil
}
