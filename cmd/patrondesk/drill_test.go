package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	_ "github.com/mattn/go-sqlite3"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets"
	"patrondesk/tickets/calendar"
	"patrondesk/tickets/clock"
)

// dbRows is every row of every table of the database at path (an SQLite
// file or a PostgreSQL URL), as text, so two moments can be compared.
func dbRows(t *testing.T, path string) string {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+path+"?mode=ro"
	tablesQuery := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if tickets.IsPostgresURL(path) {
		driver, dsn = "pgx", path
		tablesQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tbl := range tables {
		q, err := db.Query(`SELECT * FROM "` + tbl + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := q.Columns()
		for q.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			q.Scan(ptrs...)
			fmt.Fprintf(&b, "%s %v\n", tbl, vals)
		}
		q.Close()
	}
	return b.String()
}

// mailboxState is what a patrondesk round would change on the IMAP server:
// how many messages, how many unseen, and whether Processed exists.
func mailboxState(t *testing.T, srv *memserver.Servers, user string) string {
	t.Helper()
	st, err := srv.User(user).Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	_, perr := srv.User(user).Status("Processed", &imap.StatusOptions{NumMessages: true})
	return fmt.Sprintf("INBOX %d messages, %d unseen; Processed exists: %v", *st.NumMessages, *st.NumUnseen, perr == nil)
}

// TestDrillChangesNothing: `run --once --dry-run` before the first real
// round, and `run --once --at` a week later, print each mail that would go
// out (to whom, what, why) and leave the database, the mailbox and the mail
// server as they were; --commit then does it for real.
func TestDrillChangesNothing(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	db := cfg.Rel(cfg.Database.Path)
	now := clock.System{}.Now()
	srv.Append("help@library.test", "INBOX", mail("drill-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), now)

	// Before any real round: no database yet, and none is made.
	box := mailboxState(t, srv, "help@library.test")
	code, stdout, stderr := runCLI(t, "run", "--once", "--dry-run", "--config", cfg.Path)
	if code != 0 || !strings.Contains(stdout, "1 new message(s) in the mailboxes would be taken") ||
		!strings.Contains(stdout, `#1 ack to ann@patrons.test: "[Seymour #1] We have your message" (because a new request arrives)`) ||
		!strings.Contains(stdout, "#1 assigned to alice@library.test") {
		t.Fatalf("run --once --dry-run: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("the drill created the database %s", db)
	}
	if got := mailboxState(t, srv, "help@library.test"); got != box {
		t.Errorf("the drill changed the mailbox: %s, was %s", got, box)
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("the drill sent %d mails", n)
	}

	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	sent := len(srv.Received())
	rows, box := dbRows(t, db), mailboxState(t, srv, "help@library.test")

	cal, err := cfg.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	at := now.In(cfg.Location()).AddDate(0, 0, 10)
	for at.Weekday() != time.Thursday || !cal.IsOpenDay(calendar.DateOf(at)) {
		at = at.AddDate(0, 0, 1)
	}
	moment := time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, cfg.Location()).Format(time.RFC3339)
	for i := range 2 { // twice: a drill leaves nothing behind that would hide the next one
		code, stdout, stderr = runCLI(t, "run", "--once", "--at", moment, "--config", cfg.Path)
		if code != 0 || !strings.Contains(stdout, "#1 nag to alice@library.test") || !strings.Contains(stdout, "summary to boss@library.test") ||
			!strings.Contains(stdout, "nothing is sent, marked or recorded") {
			t.Fatalf("drill %d at %s: exit %d\n%s%s", i, moment, code, stdout, stderr)
		}
	}
	if got := dbRows(t, db); got != rows {
		t.Errorf("the drill changed the database:\nbefore:\n%s\nafter:\n%s", rows, got)
	}
	if got := mailboxState(t, srv, "help@library.test"); got != box {
		t.Errorf("the drill changed the mailbox: %s, was %s", got, box)
	}
	if n := len(srv.Received()); n != sent {
		t.Errorf("the drill sent %d mails", n-sent)
	}

	code, stdout, stderr = runCLI(t, "run", "--once", "--at", moment, "--commit", "--config", cfg.Path)
	if code != 0 || !strings.Contains(stdout, "#1 reminder to alice@library.test") {
		t.Errorf("--commit: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := len(srv.Received()); n <= sent {
		t.Errorf("--commit sent nothing")
	}
	for _, bad := range [][]string{{"--dry-run"}, {"--once", "--dry-run", "--commit"}, {"--once", "--commit"}} {
		args := append([]string{"run", "--config", cfg.Path}, bad...)
		if code, _, stderr := runCLI(t, args...); code != 2 {
			t.Errorf("run %v: exit %d, %s", bad, code, stderr)
		}
	}
}
