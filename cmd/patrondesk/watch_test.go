package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// TestHealthWatch: one alert when a mailbox stays out of reach, nothing more
// while it lasts, one "working again" when it is over.
func TestHealthWatch(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/d.db"
	store, err := tickets.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clk := clock.NewFake(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	desk, err := tickets.NewDesk(ctx, store, clk, tickets.Options{Library: "Seymour Library", Address: "help@library.test", Admin: "it@library.test", Tag: "Seymour"}, templates.New(""), log)
	if err != nil {
		t.Fatal(err)
	}
	mon := newMonitor(store, clk, []string{"INBOX"}, 4*time.Minute)
	w := &healthWatch{mon: mon, store: store, desk: desk, after: 15 * time.Minute, log: log}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	alerts := func() []string {
		var out []string
		for _, kind := range []string{"alert", "recovered"} {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = ? AND to_email = 'it@library.test'`, kind).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				out = append(out, strings.Repeat(kind+" ", n))
			}
		}
		return out
	}
	mon.onAlive("INBOX")
	clk.Advance(10 * time.Minute)
	w.check(ctx)
	if a := alerts(); len(a) != 0 {
		t.Errorf("an alert after 10 minutes: %v", a)
	}
	clk.Advance(10 * time.Minute)
	w.check(ctx)
	clk.Advance(10 * time.Minute)
	w.check(ctx)
	if a := strings.Join(alerts(), ""); a != "alert " {
		t.Errorf("after 30 minutes out of reach: %q, want one alert", a)
	}
	mon.onAlive("INBOX")
	w.check(ctx)
	w.check(ctx)
	if a := strings.Join(alerts(), ""); a != "alert recovered " {
		t.Errorf("after recovery: %q, want one alert and one recovery", a)
	}
}
