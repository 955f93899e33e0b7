package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
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
	// OnDial, when set, is told how each connection to the SMTP server
	// went (nil: it worked).
	OnDial func(err error)
	// Connections is how many SMTP connections a backlog is sent over at
	// once (smtp.connections); 1 sends one mail after the other.
	Connections int
	// refused is set while the server refuses our login, so that it is
	// logged once, not for every mail.
	refused atomic.Bool
	// sent counts every mail sent since the Sender was made.
	sent atomic.Int64
	// Limit caps how fast mail goes out (ratelimit.go).
	Limit RateLimit
	// Name is this daemon in the outbox's claims (claim.go), and ClaimFor
	// how long a claim lasts unless renewed: a dead daemon's mail waits
	// that long before another daemon sends it.
	Name     string
	ClaimFor time.Duration
}

// Sent is how many mails this Sender has handed to the SMTP server.
func (s *Sender) Sent() int64 { return s.sent.Load() }

// NewSender returns a Sender.
func NewSender(store *Store, clk clock.Clock, smtp mailer.SMTPOptions, log *slog.Logger) *Sender {
	return &Sender{store: store, clock: clk, smtp: smtp, log: log, kick: make(chan struct{}, 1),
		MinBackoff: 30 * time.Second, MaxBackoff: 30 * time.Minute, Name: DaemonName(), ClaimFor: 15 * time.Second}
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
// not go stays queued for a later attempt. Drain must not run twice at
// once: Run and a direct call are never mixed on one Sender.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	sent := 0
	k := max(s.Connections, 1)
	if err := s.freeDeadClaims(ctx); err != nil {
		return 0, err
	}
	for {
		rows, until, err := s.due(ctx, 100*k)
		if err != nil || len(rows) == 0 {
			return sent, err
		}
		n, err := s.sendParallel(ctx, rows, k, until)
		sent += n
		if err != nil || n < len(rows) { // a batch stopped early: free the rest for the others
			if rerr := s.releaseClaims(context.WithoutCancel(ctx)); rerr != nil {
				return sent, errors.Join(err, rerr)
			}
		}
		if err != nil {
			return sent, err
		}
	}
}

// minPerConnection is the fewest mails worth a connection of their own.
const minPerConnection = 8

// sendParallel sends rows over up to k connections at once. Each
// recipient's mails go over one connection, in order, so an
// acknowledgement never overtakes the mail it answers.
func (s *Sender) sendParallel(ctx context.Context, rows []outRow, k int, until time.Time) (int, error) {
	k = min(k, max(len(rows)/minPerConnection, 1))
	if k == 1 {
		return s.sendAll(ctx, rows, until)
	}
	parts := make([][]outRow, k)
	for _, r := range rows {
		h := fnv.New32a()
		h.Write([]byte(strings.ToLower(r.out.ToAddress)))
		i := int(h.Sum32() % uint32(k))
		parts[i] = append(parts[i], r)
	}
	var wg sync.WaitGroup
	sent := make([]int, k)
	errs := make([]error, k)
	for i, part := range parts {
		if len(part) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent[i], errs[i] = s.sendAll(ctx, part, until)
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range sent {
		total += n
	}
	return total, errors.Join(errs...)
}

// sendAll sends rows, claimed until until, over one connection.
func (s *Sender) sendAll(ctx context.Context, rows []outRow, until time.Time) (int, error) {
	sess, err := mailer.DialSMTP(ctx, s.smtp)
	if s.OnDial != nil {
		s.OnDial(err)
	}
	switch {
	case mailer.IsLoginRefused(err):
		if !s.refused.Swap(true) {
			s.log.Error("SMTP login refused; check [smtp] username and password; mail waits and is retried slowly", "err", err)
		}
	case err == nil:
		s.refused.Store(false)
	}
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
	for i, r := range rows {
		if held, err := s.pace(ctx); held || err != nil {
			return sent, err
		}
		if until, err = s.keepClaim(ctx, rows[i:], until); err != nil {
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
			s.log.Info("mail sent", "ticket", r.ticket, "mail", r.kind) // no address: logs are read widely
			s.sent.Add(1)
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

// due claims up to limit due rows (claim.go) and reads them; it returns
// them and until when they are this sender's.
func (s *Sender) due(ctx context.Context, limit int) ([]outRow, time.Time, error) {
	ids, until, err := s.claim(ctx, limit)
	if err != nil || len(ids) == 0 {
		return nil, until, err
	}
	rows, err := s.read(ctx, ids)
	return rows, until, err
}

// read reads the claimed rows ids and their files.
func (s *Sender) read(ctx context.Context, ids []int64) ([]outRow, error) {
	in, args := placeholders(ids)
	q, err := s.store.db.QueryContext(ctx, sqlOutboxRows(in), args...)
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
			&o.MessageID, &o.InReplyTo, &refs, &o.AutoSubmitted, &o.Bulk, &created, &o.ContentLanguage); err != nil {
			return nil, err
		}
		r.ticket = ticket.Int64
		o.References = strings.Fields(refs)
		o.Date = time.Unix(created, 0)
		out = append(out, r)
	}
	if err := q.Err(); err != nil {
		return nil, err
	}
	q.Close()
	// The files go with their rows; a batch stops after maxBatchFiles bytes
	// of them (the rest is the next batch), so memory stays bounded.
	var bytes int
	for i := range out {
		files, err := outboxFiles(ctx, s.store.db, out[i].id)
		if err != nil {
			return nil, err
		}
		out[i].out.Attachments = files
		for _, f := range files {
			bytes += len(f.Data)
		}
		if bytes > maxBatchFiles {
			return out[:i+1], nil
		}
	}
	return out, nil
}

// maxBatchFiles bounds the attachment bytes read for one batch of mail.
const maxBatchFiles = 64 << 20

func (s *Sender) markSent(ctx context.Context, r outRow) error {
	_, err := s.store.db.ExecContext(ctx, sqlMarkSent, unix(s.clock.Now()), r.id)
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
		if mailer.IsLoginRefused(sendErr) {
			wait = max(wait, 5*time.Minute) // a person must fix the login: retry slowly
		} else { // a refused login is said once by sendAll
			s.log.Warn("mail not sent yet; will retry", "to", r.out.ToAddress, "kind", r.kind, "ticket", r.ticket, "retry_in", wait, "err", sendErr)
		}
		_, err := s.store.db.ExecContext(ctx, sqlRetryLater,
			unix(now.Add(wait)), sendErr.Error(), r.id)
		return err
	}
	s.log.Error("mail could not be sent and was given up", "to", r.out.ToAddress, "kind", r.kind, "ticket", r.ticket, "err", sendErr)
	return s.store.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, sqlMarkFailed, sendErr.Error(), r.id); err != nil {
			return err
		}
		if r.ticket == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, sqlMailFailedEvent,
			r.ticket, unix(now), fmt.Sprintf("%s to %s: %v", r.kind, r.out.ToAddress, sendErr))
		return err
	})
}

// Run sends mail until ctx ends: whenever kicked, and when the next retry is
// due.
func (s *Sender) Run(ctx context.Context) {
	runQueue(ctx, s.kick, func(ctx context.Context) {
		_, err := s.Drain(ctx)
		switch {
		case errors.Is(err, errClaimLost):
			s.log.Info("another daemon took over part of a batch of mail; it sends it")
		case err != nil && ctx.Err() == nil:
			s.log.Warn("sending paused", "err", err)
		}
	}, s.untilNext)
}

// untilNext is how long until the next queued row is due (at most a
// second, so a row added by another process, such as `deliver` or a
// `tickets` command, goes out within a second or two).
func (s *Sender) untilNext(ctx context.Context) time.Duration {
	now := s.clock.Now()
	// A row another daemon holds is due when its claim runs out.
	return untilDue(ctx, s.store.db, now, 100*time.Millisecond, time.Second, sqlNextSendDue, unix(now), s.Name)
}

// DrainWhileKicked sends what is queued each time the sender is kicked,
// until stop is closed; the drain in hand is finished first. `run --once`
// uses it to send a batch's mail while the next batch is being taken. It
// returns the first sending error (the mail stays queued).
func (s *Sender) DrainWhileKicked(ctx context.Context, stop <-chan struct{}) error {
	var first error
	for {
		select {
		case <-stop:
			return first
		case <-ctx.Done():
			return first
		case <-s.kick:
			if _, err := s.Drain(ctx); err != nil && first == nil {
				first = err
			}
		}
	}
}
