package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer"
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

// TestRefusedLoginAlertsAtOnce: a refused login is an alert at the first
// check, without waiting for intake.alert_after, and names the login.
func TestRefusedLoginAlertsAtOnce(t *testing.T) {
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
	mon.onError("INBOX", &mailer.LoginError{Server: "IMAP", Addr: "127.0.0.1:993", User: "help@library.test", Err: errors.New("NO [AUTHENTICATIONFAILED]")})
	w.check(ctx)
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var body string
	if err := db.QueryRow(`SELECT body_text FROM outbox WHERE kind = 'alert' AND to_email = 'it@library.test'`).Scan(&body); err != nil {
		t.Fatalf("no alert at the first check: %v", err)
	}
	if !strings.Contains(body, "login refused for help@library.test by the IMAP server 127.0.0.1:993") {
		t.Errorf("alert:\n%s", body)
	}
	mon.onAlive("INBOX")
	if p := mon.refusedLogins(); len(p) != 0 {
		t.Errorf("refusals after the mailbox was reached: %v", p)
	}
}
