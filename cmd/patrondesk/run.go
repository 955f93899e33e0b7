package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("run", "run [--once [--dry-run | --at TIME [--commit]]] [--name NAME] [--verbose]", stderr)
	once := fs.Bool("once", false, "take the mailbox once, do the follow-up work that is due, send what is queued, then exit (for scripts and cron)")
	atFlag := fs.String("at", "", "with --once: a drill as if it were this moment, written like 2026-12-07T09:00:00-06:00: prints what would go out and changes nothing")
	dryRun := fs.Bool("dry-run", false, "with --once: a drill now: print what would go out and change nothing (no mail sent, marked or recorded)")
	commit := fs.Bool("commit", false, "with --once --at: do it for real, as if it were that moment (for tests, or on a copy of the database)")
	verbose := fs.Bool("verbose", false, "log every message taken")
	name := fs.String("name", "", "this daemon's name in the mailbox leases and outbox claims, unique among the daemons sharing a database (default: host name and process id)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *atFlag != "" && !*once {
		return usageErr("--at works only with --once")
	}
	if *dryRun && !*once {
		return usageErr("--dry-run works only with --once")
	}
	if *dryRun && *commit {
		return usageErr("--dry-run and --commit contradict each other; choose one")
	}
	if *commit && *atFlag == "" {
		return usageErr("--commit works only with --once --at TIME (plain run --once already does it for real)")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	var at time.Time
	if *atFlag != "" {
		if at, err = parseAt(*atFlag, cfg.Location()); err != nil {
			return err
		}
	}
	log := newLogger(stderr, *verbose)
	limitMemory()
	if *once && (*dryRun || !at.IsZero() && !*commit) {
		return drill(ctx, cfg, log, stdout, at)
	}
	clk := clock.System{}
	a, err := wire(ctx, cfg, clk, log, progressPrinter(stderr, clk))
	if err != nil {
		return err
	}
	defer a.Close()
	if *name != "" {
		a.named(*name)
	}
	if *once {
		return runOnce(ctx, a, stdout, at)
	}
	log.Info("patrondesk running", "mailboxes", len(a.intakes), "database", cfg.DatabaseName(), "daemon", a.leaser.Name())
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if cfg.HTTP.Listen != "" {
		errc := make(chan error, 1)
		run(func() {
			errc <- serveHTTP(ctx, cfg.HTTP.Listen, a.monitor, a.store, log, newDeskPage(cfg, a.desk, a.store, clk, log))
		})
		select { // a listener that cannot start is a config problem: say so at once
		case err := <-errc:
			if err != nil {
				return err
			}
		case <-time.After(200 * time.Millisecond):
		}
	}
	run(func() { a.sender.Run(ctx) })
	run(func() { a.desk.RunScheduler(ctx) })
	run(func() { reloadOnHangup(ctx, a, *cfgPath, cfg, log) })
	watch := &healthWatch{mon: a.monitor, store: a.store, desk: a.desk, after: cfg.Intake.AlertAfter.Duration, log: log}
	run(func() { watch.run(ctx) })
	for i, in := range a.intakes {
		// One daemon at a time watches a mailbox: the one holding its lease.
		name := a.names[i]
		run(func() {
			a.leaser.Hold(ctx, tickets.MailboxLease(name), func(ctx context.Context) {
				a.monitor.startWatching(name)
				if err := in.Run(ctx); err != nil {
					log.Error("mailbox watch stopped", "err", err)
				}
			})
		})
	}
	wg.Wait()
	log.Info("patrondesk stopped")
	return nil
}

// runOnce takes the mailbox, does the follow-up work due at at (zero: now),
// sends the outbox and says what it did.
func runOnce(ctx context.Context, a *app, stdout io.Writer, at time.Time) error {
	// Mail goes out while the next batch is taken (the desk kicks the
	// sender after each committed batch), then whatever is left.
	before := a.sender.Sent()
	stop, sending := make(chan struct{}), make(chan error, 1)
	go func() { sending <- a.sender.DrainWhileKicked(ctx, stop) }()
	err := takeAndSchedule(ctx, a, stdout, at)
	close(stop)
	earlyErr := <-sending
	if err != nil {
		return err
	}
	_, sendErr := a.sender.Drain(ctx)
	sendErr = errors.Join(earlyErr, sendErr)
	sent := a.sender.Sent() - before
	c, err := a.store.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d mails; %d tickets open, %d mails waiting to send, %d failed, %d messages quarantined\n",
		sent, c.Open, c.Queued, c.Failed, c.Quarantined)
	if sendErr != nil {
		return fmt.Errorf("sending stopped (the %d waiting mails are kept and retried): %w", c.Queued, sendErr)
	}
	return nil
}

// takeAndSchedule takes every mailbox once and does the follow-up work due
// at at (zero: now), printing what it planned.
func takeAndSchedule(ctx context.Context, a *app, stdout io.Writer, at time.Time) error {
	for _, in := range a.intakes {
		if err := in.Once(ctx); err != nil {
			return fmt.Errorf("take mail: %w", err)
		}
	}
	if at.IsZero() {
		at = a.clock.Now()
	}
	planned, err := a.desk.Schedule(ctx, at)
	if err != nil {
		return fmt.Errorf("follow-up work: %w", err)
	}
	for _, l := range planned.Lines {
		fmt.Fprintln(stdout, l)
	}
	return nil
}

// progressPrinter shows a long first run's progress when stderr is a
// terminal; elsewhere it prints nothing.
func progressPrinter(stderr io.Writer, clk clock.Clock) func(done, total int) {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var start time.Time
	return func(done, total int) {
		if total < 100 {
			return
		}
		if start.IsZero() {
			start = clk.Now()
		}
		rate := float64(done) / max(clk.Now().Sub(start).Seconds(), 0.001)
		fmt.Fprintf(f, "\rtaking mail: %d of %d (%.0f a second)   ", done, total, rate)
		if done == total {
			fmt.Fprintln(f)
		}
	}
}

// limitMemory asks the Go runtime to collect harder near 64 MB (unless
// GOMEMLIMIT says otherwise): one large message should not double the
// daemon's footprint on a small server. It is a soft limit; nothing fails
// above it.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}

// parseAt reads --at: a full RFC 3339 moment, or a date and time on the
// library's clock (library.timezone), which is how a person asks "what goes
// out on Wednesday at 9?".
func parseAt(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErr("--at %q is not a moment; write a date and a time on the library's clock, like 2026-12-07T09:00, or with its offset, like 2026-12-07T09:00:00-06:00", s)
}
