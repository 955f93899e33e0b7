package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// drill is `run --once --dry-run` and `run --once --at T` without --commit:
// the same round as runOnce, done on a private copy of the database that is
// thrown away, reading the mailboxes without marking or moving anything and
// sending nothing. It prints each mail that would go out: to whom, what and
// why.
func drill(ctx context.Context, cfg *config.Config, log *slog.Logger, stdout io.Writer, at time.Time) error {
	// The round logs "ticket: created" and the like as it goes; every line
	// says it was a drill, so nobody reading the log later takes it as real.
	log = log.With(slog.Bool("drill", true))
	// On PostgreSQL too the drill works on a private SQLite copy: the
	// daemons sharing the database go on undisturbed.
	store, fresh, done, err := tickets.OpenCopy(ctx, cfg.DatabaseTarget())
	if err != nil {
		return err
	}
	defer done()
	if fresh {
		fmt.Fprintf(stdout, "There is no database at %s yet: the drill starts from an empty one.\n", cfg.DatabaseName())
	}
	clk := clock.System{}
	a, err := wireStore(ctx, cfg, store, clk, log, nil)
	if err != nil {
		return err
	}
	before, err := store.Queued(ctx)
	if err != nil {
		return err
	}
	taken := 0
	for _, b := range mailboxes(cfg) {
		n, err := drillTake(ctx, a.desk, b)
		if err != nil {
			return fmt.Errorf("read mailbox %s: %w", b.name, err)
		}
		taken += n
	}
	if at.IsZero() {
		at = clk.Now()
	}
	planned, err := a.desk.Schedule(ctx, at)
	if err != nil {
		return fmt.Errorf("follow-up work: %w", err)
	}
	after, err := store.Queued(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Drill as of %s: nothing is sent, marked or recorded (add --commit to do it for real).\n", at.Format(time.RFC3339))
	fmt.Fprintf(stdout, "%d new message(s) in the mailboxes would be taken.\n", taken)
	for _, l := range planned.Lines {
		fmt.Fprintln(stdout, "would do:", l)
	}
	fmt.Fprintf(stdout, "%d mail(s) would go out:\n", len(after))
	isNew := len(before)
	for i, m := range after {
		fmt.Fprintln(stdout, "  "+describeMail(m, i >= isNew, at))
	}
	return nil
}

// describeMail says in one line to whom, what and why.
func describeMail(m tickets.QueuedMail, isNew bool, at time.Time) string {
	why := "already waiting to be sent"
	if isNew {
		why = m.Kind
		for _, info := range templates.Catalog {
			if info.Name == m.Kind {
				why = "because " + info.When
			}
		}
	} else if m.At.After(at) {
		why = "waiting to be retried at " + m.At.Format(time.RFC3339)
	}
	ticket := "-"
	if m.Ticket != 0 {
		ticket = fmt.Sprintf("#%d", m.Ticket)
	}
	return fmt.Sprintf("%s %s to %s: %q (%s)", ticket, m.Kind, m.To, m.Subject, why)
}

// drillTake reads the new messages of one mailbox into the desk without
// creating folders, flagging or moving anything on the server.
func drillTake(ctx context.Context, desk *tickets.Desk, b watched) (int, error) {
	opts := b.imap
	opts.Processed = "" // DialMailbox would create the folder
	mb, err := mailer.DialMailbox(ctx, opts)
	if err != nil {
		return 0, err
	}
	defer mb.Close()
	cursor, err := desk.Cursor(ctx, b.name, mb.UIDValidity())
	if err != nil {
		return 0, err
	}
	pending, err := mb.NewUIDs(ctx, cursor)
	if err != nil {
		return 0, err
	}
	taken := 0
	for len(pending) > 0 {
		n := min(len(pending), 50)
		uids := make([]uint32, n)
		for i, p := range pending[:n] {
			uids[i] = p.UID
		}
		pending = pending[n:]
		msgs, err := mb.Fetch(ctx, uids) // BODY.PEEK: \Seen is not set
		if err != nil {
			return taken, err
		}
		batch := make([]mailer.Delivery, len(msgs))
		for i, f := range msgs {
			batch[i] = mailer.Delivery{Mailbox: b.name, UIDValidity: mb.UIDValidity(), UID: f.UID, InternalDate: f.InternalDate, Raw: f.Raw}
		}
		if err := desk.Deliver(ctx, batch); err != nil {
			return taken, err
		}
		taken += len(batch)
	}
	return taken, nil
}
