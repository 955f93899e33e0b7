package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"patrondesk/mailer"
	"patrondesk/tickets/clock"
)

// Sender drains the outbox over SMTP. It is the only code that sends mail.
// A row is marked sent right after the server accepts it, so a crash can at
// worst send that one mail twice, never skip it.
type Sender struct {
	store *Store
	clock clock.Clock
	smtp  mailer.SMTPOptions
	log   *slog.Logger
	kick  chan struct{}
	// MinBackoff is the wait after a first temporary failure; it doubles
	// with each attempt up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// OnSend, when set, is told of each mail handed to the SMTP server, how
	// long it took and how it went.
	OnSend func(o *mailer.Outgoing, took time.Duration, err error)
	// Limit caps how fast mail goes out (ratelimit.go).
	Limit RateLimit
}

// NewSender returns a Sender.
func NewSender(store *Store, clk clock.Clock, smtp mailer.SMTPOptions, log *slog.Logger) *Sender {
	return &Sender{store: store, clock: clk, smtp: smtp, log: log, kick: make(chan struct{}, 1),
		MinBackoff: 30 * time.Second, MaxBackoff: 30 * time.Minute}
}

// Kick wakes the sender; it never blocks.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

type outRow struct {
	id, ticket int64
	kind       string
	attempts   int
	out        mailer.Outgoing
}

// Drain sends everything that is due now. It returns how many were sent and
// the error that stopped it early (SMTP unreachable, say); mail that could
// not go stays queued for a later attempt.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	sent := 0
	for {
		rows, err := s.due(ctx, 100)
		if err != nil || len(rows) == 0 {
			return sent, err
		}
		n, err := s.sendAll(ctx, rows)
		sent += n
		if err != nil {
			return sent, err
		}
	}
}

func (s *Sender) sendAll(ctx context.Context, rows []outRow) (int, error) {
	sess, err := mailer.DialSMTP(ctx, s.smtp)
	if err != nil {
		for _, r := range rows {
			if ferr := s.failed(ctx, r, err); ferr != nil {
				return 0, ferr
			}
		}
		return 0, err
	}
	defer sess.Close()
	sent := 0
	for _, r := range rows {
		if held, err := s.pace(ctx); held || err != nil {
			return sent, err
		}
		start := s.clock.Now()
		serr := sess.Send(&r.out)
		if s.OnSend != nil {
			s.OnSend(&r.out, s.clock.Now().Sub(start), serr)
		}
		if serr == nil {
			if err := s.markSent(ctx, r); err != nil {
				return sent, err
			}
			sent++
			continue
		}
		if err := s.failed(ctx, r, serr); err != nil {
			return sent, err
		}
		if mailer.IsTemporary(serr) {
			return sent, serr // the connection may be gone; try again later
		}
	}
	return sent, nil
}

func (s *Sender) due(ctx context.Context, limit int) ([]outRow, error) {
	q, err := s.store.db.QueryContext(ctx, `SELECT id, ticket_id, kind, attempts, to_name, to_email, from_name, from_email, subject, body_text, body_html, message_id, in_reply_to, refs, auto_submitted, bulk, created_at
		FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, unix(s.clock.Now()), limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer q.Close()
	var out []outRow
	for q.Next() {
		var r outRow
		var ticket sql.NullInt64
		var refs string
		var created int64
		o := &r.out
		if err := q.Scan(&r.id, &ticket, &r.kind, &r.attempts, &o.ToName, &o.ToAddress, &o.FromName, &o.FromAddress, &o.Subject, &o.Text, &o.HTML,
			&o.MessageID, &o.InReplyTo, &refs, &o.AutoSubmitted, &o.Bulk, &created); err != nil {
			return nil, err
		}
		r.ticket = ticket.Int64
		o.References = strings.Fields(refs)
		o.Date = time.Unix(created, 0)
		out = append(out, r)
	}
	return out, q.Err()
}

func (s *Sender) markSent(ctx context.Context, r outRow) error {
	_, err := s.store.db.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`, unix(s.clock.Now()), r.id)
	if err != nil {
		return fmt.Errorf("mark outbox %d sent: %w", r.id, err)
	}
	return nil
}

// failed records a failed attempt: a temporary one is retried after a
// growing wait, a permanent one is given up and noted on the ticket.
func (s *Sender) failed(ctx context.Context, r outRow, sendErr error) error {
	now := s.clock.Now()
	if mailer.IsTemporary(sendErr) {
		wait := s.MinBackoff << min(r.attempts, 16)
		wait = s.holdOnLimit(ctx, sendErr, min(wait, s.MaxBackoff))
		s.log.Warn("mail not sent yet; will retry", "to", r.out.ToAddress, "kind", r.kind, "ticket", r.ticket, "retry_in", wait, "err", sendErr)
		_, err := s.store.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`,
			unix(now.Add(wait)), sendErr.Error(), r.id)
		return err
	}
	s.log.Error("mail could not be sent and was given up", "to", r.out.ToAddress, "kind", r.kind, "ticket", r.ticket, "err", sendErr)
	return s.store.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`, sendErr.Error(), r.id); err != nil {
			return err
		}
		if r.ticket == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO events (ticket_id, at, actor, action, detail) VALUES (?, ?, 'patrondesk', 'mail failed', ?)`,
			r.ticket, unix(now), fmt.Sprintf("%s to %s: %v", r.kind, r.out.ToAddress, sendErr))
		return err
	})
}

// Run sends mail until ctx ends: whenever kicked, and when the next retry is
// due.
func (s *Sender) Run(ctx context.Context) {
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sending paused", "err", err)
		}
		wait := s.untilNext(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// untilNext is how long until the next queued row is due (at most a minute,
// so a clock change or a row added by another process is noticed).
func (s *Sender) untilNext(ctx context.Context) time.Duration {
	var next sql.NullInt64
	_ = s.store.db.QueryRowContext(ctx, `SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'`).Scan(&next)
	if !next.Valid {
		return time.Minute
	}
	d := time.Unix(next.Int64, 0).Sub(s.clock.Now())
	return max(min(d, time.Minute), 100*time.Millisecond)
}
