package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"patrondesk/tickets"
)

// healthWatch mails the admin once when the daemon stops being able to do
// its job (a mailbox out of reach for longer than intake.alert_after, mail
// that keeps failing to send) and once when that is over.
type healthWatch struct {
	mon    *monitor
	store  *tickets.Store
	desk   *tickets.Desk
	after  time.Duration
	log    *slog.Logger
	active bool // an alert went out and no recovery yet
	last   []string
}

// troubles lists what is wrong now.
func (w *healthWatch) troubles(ctx context.Context) []string {
	out := append(w.mon.refusedLogins(), w.mon.refusals.list()...) // at once: waiting will not fix a login
	for _, s := range w.mon.stalled(w.after) {
		out = append(out, fmt.Sprintf("mailbox %s could not be reached for %s; new mail there waits", s.name, s.lasted.Round(time.Minute)))
	}
	if !w.reportsShared() {
		return out
	}
	if n, since, err := w.store.Stuck(ctx); err == nil && n > 0 {
		out = append(out, fmt.Sprintf("%d email(s) could not be sent after three tries, the oldest since %s; the mail server may be down", n, since.Format(time.RFC1123)))
	}
	return out
}

// reportsShared says whether this daemon reports the database's problems
// (mail stuck in the outbox): with several daemons on one database, only
// the one watching the first mailbox does, so the admin hears once.
func (w *healthWatch) reportsShared() bool {
	m := w.mon
	return m.leaser == nil || len(m.mailboxes) == 0 || m.watching(m.mailboxes[0])
}

// check sends an alert or a recovery when the state changes.
func (w *healthWatch) check(ctx context.Context) {
	now := w.troubles(ctx)
	var err error
	switch {
	case len(now) > 0 && !w.active:
		w.active, w.last = true, now
		w.log.Warn("patrondesk needs a person", "problems", now)
		err = w.desk.Alert(ctx, "alert", now)
	case len(now) == 0 && w.active:
		w.active = false
		w.log.Info("patrondesk is working normally again")
		err = w.desk.Alert(ctx, "recovered", w.last)
	}
	if err != nil {
		w.log.Error("could not queue the alert", "err", err)
	}
}

// run checks every half minute until ctx ends.
func (w *healthWatch) run(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.check(ctx)
		case <-w.mon.refusals.kick: // a refused login will not mend itself: say so now
			w.check(ctx)
		}
	}
}
