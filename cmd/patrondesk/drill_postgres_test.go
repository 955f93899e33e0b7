package main

import (
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"patrondesk/config"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets/calendar"
	"patrondesk/tickets/clock"
	"patrondesk/tickets/testdb"
)

// weekLater is 10:00 on an open Thursday at least ten days after now, when
// a ticket nobody answered is owed a reminder and the summary goes out.
func weekLater(t *testing.T, cfg *config.Config, now time.Time) string {
	cal, err := cfg.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	at := now.In(cfg.Location()).AddDate(0, 0, 10)
	for at.Weekday() != time.Thursday || !cal.IsOpenDay(calendar.DateOf(at)) {
		at = at.AddDate(0, 0, 1)
	}
	return time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, cfg.Location()).Format(time.RFC3339)
}

// TestDrillOnPostgresChangesNothing: with database.url, `run --once --at`
// prints what would go out and leaves the PostgreSQL database, the mailbox
// and the mail server as they were.
func TestDrillOnPostgresChangesNothing(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL = testdb.Schema(t)
	writeConfig(t, cfg)
	now := clock.System{}.Now()
	srv.Append("help@library.test", "INBOX", mail("pgdrill-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), now)
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	srv.Append("help@library.test", "INBOX", mail("pgdrill-2@patrons.test", "Marco Ruiz <marco@patrons.test>", "A rare atlas", "Can you borrow it?"), now)
	sent, rows, box := len(srv.Received()), dbRows(t, cfg.Database.URL), mailboxState(t, srv, "help@library.test")

	code, stdout, stderr := runCLI(t, "run", "--once", "--at", weekLater(t, cfg, now), "--config", cfg.Path)
	for _, want := range []string{"1 new message(s) in the mailboxes would be taken", "#2 ack to marco@patrons.test", "#1 nag to alice@library.test", "nothing is sent, marked or recorded"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("drill on PostgreSQL lacks %q: exit %d\n%s%s", want, code, stdout, stderr)
		}
	}
	if got := dbRows(t, cfg.Database.URL); got != rows {
		t.Errorf("the drill changed the database:\nbefore:\n%s\nafter:\n%s", rows, got)
	}
	if got := mailboxState(t, srv, "help@library.test"); got != box {
		t.Errorf("the drill changed the mailbox: %s, was %s", got, box)
	}
	if n := len(srv.Received()); n != sent {
		t.Errorf("the drill sent %d mails", n-sent)
	}
}
