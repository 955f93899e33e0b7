package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"patrondesk/tickets/clock"
)

// Lease is one daemon's hold on a mailbox, as the database has it.
type Lease struct {
	Name, Holder                  string
	ExpiresAt, RenewedAt, TakenAt time.Time
}

// DaemonName names this daemon in leases and claims: its host and process
// id, so two daemons on one machine differ too.
func DaemonName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// stoppedHere reports whether daemon by (named host:pid) ran on the same
// machine as me and its process is gone: its leases and claims are free
// at once, with no need to wait them out (a daemon restarted after a
// crash). Another machine's daemon, or one named with run --name, cannot
// be checked and its leases expire as usual.
func stoppedHere(by, me string) bool {
	host, pid, ok := strings.Cut(by, ":")
	myHost, _, myOK := strings.Cut(me, ":")
	if !ok || !myOK || host != myHost || by == me {
		return false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return false
	}
	err = syscall.Kill(n, 0) // EPERM: it runs, as another user
	return errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone)
}

// TakeLease takes or renews the lease name for holder until now+d, in one
// statement: it succeeds when the lease is free, expired, or already
// holder's. It reports whether holder now holds it. This is no session lock:
// it keeps working behind a connection pooler.
func (s *Store) TakeLease(ctx context.Context, name, holder string, now time.Time, d time.Duration) (bool, error) {
	at, until := now.UnixMilli(), now.Add(d).UnixMilli()
	res, err := s.db.ExecContext(ctx, sqlTakeLease, name, holder, until, at, at, at, holder)
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives up holder's lease name, so another daemon need not
// wait for it to expire (a clean stop).
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, sqlGiveUpLease, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leases lists every lease, held or expired, by name.
func (s *Store) Leases(ctx context.Context) ([]Lease, error) {
	rows, err := s.db.QueryContext(ctx, sqlLeases)
	if err != nil {
		return nil, fmt.Errorf("read leases: %w", err)
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var l Lease
		var exp, ren, took int64
		if err := rows.Scan(&l.Name, &l.Holder, &exp, &ren, &took); err != nil {
			return nil, fmt.Errorf("read leases: %w", err)
		}
		l.ExpiresAt, l.RenewedAt, l.TakenAt = time.UnixMilli(exp).UTC(), time.UnixMilli(ren).UTC(), time.UnixMilli(took).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// MailboxLease is the lease name of a watched mailbox.
func MailboxLease(mailbox string) string { return "mailbox:" + mailbox }

// Leaser keeps this daemon's leases: it takes each one when it is free,
// renews it every third of the lease time, and runs the work that needs it
// only while it holds it.
type Leaser struct {
	store *Store
	clock clock.Clock
	name  string
	lease time.Duration
	log   *slog.Logger
	mu    sync.Mutex
	held  map[string]bool
}

// NewLeaser returns a Leaser for the daemon name with leases of d.
func NewLeaser(store *Store, clk clock.Clock, name string, d time.Duration, log *slog.Logger) *Leaser {
	return &Leaser{store: store, clock: clk, name: name, lease: d, log: log, held: map[string]bool{}}
}

// Name is the daemon's name in the leases table.
func (l *Leaser) Name() string { return l.name }

// As is the same Leaser under another daemon name (run --name), before it
// holds anything.
func (l *Leaser) As(name string) *Leaser { return NewLeaser(l.store, l.clock, name, l.lease, l.log) }

// Held lists the leases this daemon holds now, by name.
func (l *Leaser) Held() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for n, ok := range l.held {
		if ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (l *Leaser) setHeld(name string, held bool) {
	l.mu.Lock()
	l.held[name] = held
	l.mu.Unlock()
}

// Hold runs work while this daemon holds the lease name, until ctx ends:
// it tries to take the lease every third of the lease time; once held,
// work runs with a context that ends as soon as the lease is lost (taken
// by another, or not renewed before it expired). On a clean stop the
// lease is given up, so another daemon takes over at once.
func (l *Leaser) Hold(ctx context.Context, name string, work func(context.Context)) {
	every := l.lease / 3
	for {
		until, held, _ := l.take(ctx, name)
		if held {
			l.log.Info("took the lease; watching", "lease", name, "daemon", l.name)
			l.setHeld(name, true)
			l.holdWhile(ctx, name, until, work)
			l.setHeld(name, false)
		}
		if ctx.Err() != nil {
			break
		}
		if held {
			l.log.Warn("lost the lease (another daemon took it, or it ran out while the database did not answer); stopped watching", "lease", name, "daemon", l.name)
		}
		if !sleep(ctx, every) {
			break
		}
	}
	rel, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.store.ReleaseLease(rel, name, l.name); err != nil {
		l.log.Warn("could not give up the lease; another daemon takes it when it expires", "lease", name, "err", err)
	}
}

// take tries once to take or renew the lease; it returns until when it
// is held, and the error when the database did not answer.
func (l *Leaser) take(ctx context.Context, name string) (time.Time, bool, error) {
	now := l.clock.Now()
	ok, err := l.store.TakeLease(ctx, name, l.name, now, l.lease)
	if err == nil && !ok && l.freeIfStopped(ctx, name) {
		ok, err = l.store.TakeLease(ctx, name, l.name, now, l.lease)
	}
	if err != nil && ctx.Err() == nil {
		l.log.Warn("could not reach the database for the lease", "lease", name, "err", err)
	}
	return now.Add(l.lease), ok, err
}

// holdWhile runs work and renews the lease until it is lost or ctx ends;
// it returns once work has stopped.
func (l *Leaser) holdWhile(ctx context.Context, name string, until time.Time, work func(context.Context)) {
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); work(wctx) }()
	defer func() { cancel(); <-done }()
	for {
		// Renew every third of the lease, and never sleep past its end.
		wait := min(l.lease/3, until.Sub(l.clock.Now()))
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-done:
			t.Stop()
			return
		case <-t.C:
		}
		u, ok, err := l.take(ctx, name)
		switch {
		case ok:
			until = u
		case err == nil || !l.clock.Now().Before(until):
			// Another daemon holds it, or it ran out while the database
			// did not answer: another may hold it now.
			return
		}
	}
}

// sleep waits d or until ctx ends; it reports whether ctx is still going.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// freeIfStopped frees the lease name when its holder was a daemon on this
// machine whose process is gone, and reports whether it did.
func (l *Leaser) freeIfStopped(ctx context.Context, name string) bool {
	var holder string
	err := l.store.db.QueryRowContext(ctx, sqlLeaseHolder, name).Scan(&holder)
	if err != nil || !stoppedHere(holder, l.name) {
		if err != nil && !errors.Is(err, sql.ErrNoRows) && ctx.Err() == nil {
			l.log.Warn("could not read the lease", "lease", name, "err", err)
		}
		return false
	}
	if err := l.store.ReleaseLease(ctx, name, holder); err != nil {
		l.log.Warn("could not free the lease of a stopped daemon", "lease", name, "daemon", holder, "err", err)
		return false
	}
	l.log.Info("freed the lease of a daemon on this machine that stopped", "lease", name, "daemon", holder)
	return true
}
