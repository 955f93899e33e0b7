package tickets

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunQueue: a pass at start, at each kick and whenever the next row
// is due; the loop ends with its context.
func TestRunQueue(t *testing.T) {
	cases := []struct {
		name  string
		wait  time.Duration // what next says
		kicks int
		want  int32 // passes at least
	}{
		{"a pass at start", time.Hour, 0, 1},
		{"a pass at each kick", time.Hour, 2, 3},
		{"a pass whenever the next row is due", 5 * time.Millisecond, 0, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			kick := make(chan struct{})
			var passes atomic.Int32
			done := make(chan struct{})
			go func() {
				defer close(done)
				runQueue(ctx, kick, func(context.Context) { passes.Add(1) }, func(context.Context) time.Duration { return c.wait })
			}()
			for range c.kicks {
				kick <- struct{}{} // taken only while the loop waits
			}
			poll(t, "the passes", func() bool { return passes.Load() >= c.want })
			cancel()
			<-done
			if c.wait == time.Hour && passes.Load() > c.want {
				t.Errorf("%d passes, want %d: a pass without a kick or a due row", passes.Load(), c.want)
			}
		})
	}
}

// TestUntilDue: the wait to the earliest due row, within the floor and the
// ceiling, on the run's engine.
func TestUntilDue(t *testing.T) {
	h := newHarness(t, nil)
	q := `SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'`
	wait := func() time.Duration {
		return untilDue(context.Background(), h.store.db, h.clock.Now(), 100*time.Millisecond, time.Minute, q)
	}
	if got := wait(); got != time.Minute {
		t.Errorf("nothing queued: wait %v, want the ceiling, 1m", got)
	}
	h.queueMail(2)
	h.store.db.Exec(`UPDATE outbox SET next_attempt_at = ?`, unix(h.clock.Now().Add(30*time.Second)))
	if got := wait(); got != 30*time.Second {
		t.Errorf("a row due in 30 s: wait %v", got)
	}
	h.clock.Advance(time.Hour)
	if got := wait(); got != 100*time.Millisecond {
		t.Errorf("a row overdue: wait %v, want the floor, 100ms", got)
	}
}
