package tickets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// TestLeaseTakenRenewedExpiresTakenByAnother walks one mailbox lease
// between two daemons on the run's engine, on a fake clock.
func TestLeaseTakenRenewedExpiresTakenByAnother(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	const lease = 15 * time.Second
	name := MailboxLease("INBOX")
	steps := []struct {
		name    string
		advance time.Duration
		who     string
		want    bool
		holder  string
	}{
		{"a free lease is taken", 0, "a", true, "a"},
		{"a held lease is not taken by another", time.Second, "b", false, "a"},
		{"the holder renews it", 4 * time.Second, "a", true, "a"},
		{"not taken just before the renewed lease ends", 14 * time.Second, "b", false, "a"},
		{"taken by another once it expired", 2 * time.Second, "b", true, "b"},
		{"the old holder cannot renew it", time.Second, "a", false, "b"},
	}
	var bTook time.Time
	for _, s := range steps {
		h.clock.Advance(s.advance)
		got, err := h.store.TakeLease(ctx, name, s.who, h.clock.Now(), lease)
		if err != nil {
			t.Fatal(err)
		}
		if s.who == "b" && got && bTook.IsZero() {
			bTook = h.clock.Now()
		}
		ls, err := h.store.Leases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want || len(ls) != 1 || ls[0].Holder != s.holder {
			t.Fatalf("%s: took = %v, leases %+v; want took = %v, held by %s", s.name, got, ls, s.want, s.holder)
		}
	}
	ls, _ := h.store.Leases(ctx)
	if !ls[0].TakenAt.Equal(bTook) || !ls[0].ExpiresAt.Equal(bTook.Add(lease)) {
		t.Errorf("lease taken at %v until %v; want %v until %v", ls[0].TakenAt, ls[0].ExpiresAt, bTook, bTook.Add(lease))
	}
	if err := h.store.ReleaseLease(ctx, name, "a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := h.store.TakeLease(ctx, name, "a", h.clock.Now(), lease); ok {
		t.Error("a release by a daemon that does not hold the lease freed it")
	}
	if err := h.store.ReleaseLease(ctx, name, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := h.store.TakeLease(ctx, name, "a", h.clock.Now(), lease); !ok {
		t.Error("a lease given up by its holder could not be taken at once")
	}
}

// TestLeaserStopsWatchingWhenTheLeaseIsLost: the work runs while the
// daemon holds the lease and stops as soon as another daemon takes it.
func TestLeaserStopsWatchingWhenTheLeaseIsLost(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const lease = 300 * time.Millisecond
	name := MailboxLease("INBOX")
	l := NewLeaser(h.store, h.clock, "a", lease, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var watching atomic.Bool
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		l.Hold(ctx, name, func(wctx context.Context) {
			watching.Store(true)
			<-wctx.Done()
			watching.Store(false)
		})
	}()
	poll(t, "the daemon watches", func() bool { return watching.Load() && len(l.Held()) == 1 })
	// The holder's renewals are on the fake clock: move past its lease,
	// and another daemon takes the mailbox (retried if a renewal came first).
	poll(t, "another daemon takes the lease", func() bool {
		h.clock.Advance(time.Second)
		ok, err := h.store.TakeLease(context.Background(), name, "b", h.clock.Now(), time.Hour)
		return err == nil && ok
	})
	poll(t, "the first daemon stops watching", func() bool { return !watching.Load() && len(l.Held()) == 0 })
	cancel()
	<-stopped
	ls, _ := h.store.Leases(context.Background())
	if len(ls) != 1 || ls[0].Holder != "b" {
		t.Errorf("leases %+v; want the mailbox held by b still (a stop frees only one's own lease)", ls)
	}
}

// poll checks cond every 10 ms for at most 5 s.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLeaseOfAStoppedDaemonOnThisMachine: a daemon restarted after a
// crash takes its dead predecessor's mailbox at once; a live daemon's
// lease, or one named otherwise (another machine, run --name), is waited out.
func TestLeaseOfAStoppedDaemonOnThisMachine(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	cases := []struct {
		name, holder string
		want         bool
	}{
		{"a stopped process's lease is taken at once", fmt.Sprintf("%s:%d", host, gone.Process.Pid), true},
		{"a live process's lease is waited out", fmt.Sprintf("%s:%d", host, os.Getppid()), false},
		{"another machine's lease is waited out", fmt.Sprintf("elsewhere:%d", gone.Process.Pid), false},
		{"a named daemon's lease is waited out", "desk2", false},
	}
	l := NewLeaser(h.store, h.clock, DaemonName(), time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i, c := range cases {
		name := MailboxLease(fmt.Sprint("box", i))
		if ok, err := h.store.TakeLease(ctx, name, c.holder, h.clock.Now(), time.Hour); err != nil || !ok {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, got, err := l.take(ctx, name); err != nil || got != c.want {
			t.Errorf("%s: taken = %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}
