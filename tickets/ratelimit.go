package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"patrondesk/mailer"
)

// RateLimit caps the mail handed to the SMTP server, as providers do
// (Exchange Online: about 30 a minute per mailbox). 0 means no cap. The
// count is read from the outbox's sent rows, so it holds across restarts.
type RateLimit struct {
	PerMinute, PerDay int
}

// pace holds the outbox when sending one more mail now would break the rate
// limit. held means nothing may be sent now; the queued mail waits, none is
// failed.
func (s *Sender) pace(ctx context.Context) (held bool, err error) {
	now := s.clock.Now()
	var until time.Time
	for _, w := range []struct {
		max    int
		window time.Duration
	}{{s.Limit.PerMinute, time.Minute}, {s.Limit.PerDay, 24 * time.Hour}} {
		if w.max <= 0 {
			continue
		}
		// The max-th most recent send in the window: once it leaves the
		// window, one more may go.
		var at sql.NullInt64
		err := s.store.db.QueryRowContext(ctx, sqlNthLastSent,
			unix(now.Add(-w.window)), w.max-1).Scan(&at)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("count mail sent: %w", err)
		}
		if free := time.Unix(at.Int64, 0).Add(w.window + time.Second); free.After(until) {
			until = free
		}
	}
	if !until.After(now) {
		return false, nil
	}
	s.log.Info("sending rate reached; the outbox waits", "per_minute", s.Limit.PerMinute, "per_day", s.Limit.PerDay, "until", until)
	return true, s.hold(ctx, until)
}

// holdOnLimit returns how long a mail waits after a failed attempt: the
// usual backoff, or, when the server said "slow down" or "quota reached",
// the provider's hold, and then the whole outbox waits that long too.
func (s *Sender) holdOnLimit(ctx context.Context, sendErr error, backoff time.Duration) time.Duration {
	wait, ok := mailer.LimitHold(sendErr)
	if !ok {
		return backoff
	}
	s.log.Warn("the mail server says a sending limit is reached; the outbox waits", "wait", wait, "err", sendErr)
	if err := s.hold(ctx, s.clock.Now().Add(wait)); err != nil {
		s.log.Error("could not hold the outbox", "err", err)
	}
	return wait
}

// hold puts off every queued mail until at least until.
func (s *Sender) hold(ctx context.Context, until time.Time) error {
	_, err := s.store.db.ExecContext(ctx, sqlDelayQueued, unix(until), unix(until))
	if err != nil {
		return fmt.Errorf("hold the outbox: %w", err)
	}
	return nil
}
