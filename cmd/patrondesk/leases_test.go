package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// TestHealthSaysWhoHoldsTheMailbox: /healthz?format=json and /metrics name
// this daemon, what it holds and who holds each mailbox; a mailbox another
// daemon watches is not this daemon's problem however long it goes unread
// here.
func TestHealthSaysWhoHoldsTheMailbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := tickets.Open(ctx, t.TempDir()+"/d.db")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clk := clock.NewFake(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	mon := newMonitor(store, clk, []string{"INBOX", "ill"}, 4*time.Minute)
	l := tickets.NewLeaser(store, clk, "this:1", time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	mon.watchLeases(l)
	if _, err := store.TakeLease(ctx, tickets.MailboxLease("ill"), "other:2", clk.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	go l.Hold(ctx, tickets.MailboxLease("INBOX"), func(ctx context.Context) { mon.startWatching("INBOX"); <-ctx.Done() })
	for deadline := time.Now().Add(5 * time.Second); len(l.Held()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the free mailbox was not taken within 5 s")
		}
	}
	srv := httptest.NewServer(httpMux(mon, store, nil))
	defer srv.Close()
	mon.onAlive("INBOX")
	clk.Advance(time.Minute)
	body, code := get(t, srv.URL+"/healthz?format=json")
	var h health
	if err := json.Unmarshal([]byte(body), &h); err != nil || code != 200 {
		t.Fatalf("/healthz?format=json: %d %v\n%s", code, err, body)
	}
	until := clk.Now().Add(-time.Minute).Add(time.Hour)
	want := []mailboxLease{{Mailbox: "INBOX", Holder: "this:1", ExpiresAt: &until, Mine: true}, {Mailbox: "ill", Holder: "other:2", ExpiresAt: &until}}
	if h.Status != "ok" || h.Daemon != "this:1" || strings.Join(h.Holds, ",") != "INBOX" || len(h.Mailboxes) != 2 {
		t.Fatalf("/healthz?format=json: %s", body)
	}
	for i, m := range h.Mailboxes {
		if m.Mailbox != want[i].Mailbox || m.Holder != want[i].Holder || m.Mine != want[i].Mine || !m.ExpiresAt.Equal(until) {
			t.Errorf("mailbox %d: %+v, want %+v until %v", i, m, want[i], until)
		}
	}
	metrics, _ := get(t, srv.URL+"/metrics")
	for _, line := range []string{`patrondesk_daemon_info{daemon="this:1"} 1`, `patrondesk_mailbox_lease_held{mailbox="INBOX"} 1`,
		`patrondesk_mailbox_lease_held{mailbox="ill"} 0`,
		fmt.Sprintf(`patrondesk_mailbox_lease_expires_timestamp_seconds{mailbox="ill"} %s`, strconv.FormatFloat(float64(until.Unix()), 'g', -1, 64))} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	// An hour on, ill (another daemon's) still is not this daemon's
	// problem; INBOX, watched here and not reached, is.
	clk.Advance(time.Hour)
	if body, code := get(t, srv.URL+"/healthz"); code != 503 || !strings.Contains(body, "mailbox INBOX: not reached") || strings.Contains(body, "ill") {
		t.Errorf("/healthz an hour on: %d %s", code, body)
	}
}

// TestStuckMailReportedByOneDaemon: mail stuck in the shared outbox is
// reported by the daemon watching the first mailbox only, so the admin
// hears of it once, not once per daemon.
func TestStuckMailReportedByOneDaemon(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/d.db"
	store, err := tickets.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO outbox (kind, to_email, from_name, from_email, subject, body_text, message_id, auto_submitted, created_at, next_attempt_at, attempts)
		VALUES ('ack', 'ann@patrons.test', 'Seymour Library', 'help@library.test', 'Re: hold', 'We have it.', '<s1@library.test>', 'auto-replied', 0, 0, 3)`); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	if _, err := store.TakeLease(ctx, tickets.MailboxLease("INBOX"), "other:2", clk.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name   string
		leaser *tickets.Leaser
		want   bool
	}{
		{"one daemon (no leases) reports it", nil, true},
		{"a daemon not watching the first mailbox does not", tickets.NewLeaser(store, clk, "this:1", time.Hour, log), false},
	}
	for _, c := range cases {
		mon := newMonitor(store, clk, []string{"INBOX"}, 4*time.Minute)
		if c.leaser != nil {
			mon.watchLeases(c.leaser)
		}
		w := &healthWatch{mon: mon, store: store, after: 15 * time.Minute, log: log}
		got := strings.Contains(strings.Join(w.troubles(ctx), "\n"), "could not be sent")
		if got != c.want {
			t.Errorf("%s: stuck mail reported = %v", c.name, got)
		}
	}
}
