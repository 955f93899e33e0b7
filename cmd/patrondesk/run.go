package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"patrondesk/tickets/clock"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("run", "run [--once] [--verbose]", stderr)
	once := fs.Bool("once", false, "take the mailbox once, send what is queued, then exit (for scripts and cron)")
	verbose := fs.Bool("verbose", false, "log every message taken")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	clk := clock.System{}
	a, err := wire(ctx, cfg, clk, log, progressPrinter(stderr, clk))
	if err != nil {
		return err
	}
	defer a.Close()
	if *once {
		return runOnce(ctx, a, stdout)
	}
	log.Info("patrondesk running", "mailbox", cfg.IMAP.Username+"/"+cfg.IMAP.Mailbox, "database", cfg.Rel(cfg.Database.Path))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.sender.Run(ctx) }()
	err = a.intake.Run(ctx)
	wg.Wait()
	log.Info("patrondesk stopped")
	return err
}

// runOnce takes the mailbox, sends the outbox and says what it did.
func runOnce(ctx context.Context, a *app, stdout io.Writer) error {
	if err := a.intake.Once(ctx); err != nil {
		return fmt.Errorf("take mail: %w", err)
	}
	sent, sendErr := a.sender.Drain(ctx)
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
