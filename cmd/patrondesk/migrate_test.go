package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
	"patrondesk/tickets/testdb"
)

// TestMigrateToPostgresAndBack: `migrate --to URL` copies a desk that took
// mail, says the counts match and what to do next; with the URL in the
// config every command sees the same tickets and numbering goes on; a
// second migrate into the same database is refused; backup writes an SQLite
// copy that migrate --from restores; --from URL --to FILE is the way back.
func TestMigrateToPostgresAndBack(t *testing.T) {
	pgURL := testdb.Schema(t)
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	cfg, err := demoConfig(dir, srv)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.System{}.Now()
	srv.Append("help@library.test", "INBOX", mail("mig-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), now)
	srv.Append("help@library.test", "INBOX", mail("mig-2@patrons.test", "Marco Ruiz <marco@patrons.test>", "A rare atlas", "Can you borrow it?"), now)
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	_, before, _ := runCLI(t, "tickets", "list", "--json", "--config", cfg.Path)

	code, out, stderr := runCLI(t, "migrate", "--to", pgURL, "--config", cfg.Path)
	for _, want := range []string{"All counts match", "tickets", "settings", `url = "postgres://postgres@127.0.0.1`, "patrondesk check"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("migrate lacks %q: exit %d\n%s%s", want, code, out, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "migrate", "--to", pgURL, "--config", cfg.Path); code != 2 || !strings.Contains(stderr, "already holds tickets") {
		t.Errorf("a second migrate into the same database: exit %d %s", code, stderr)
	}

	cfg.Database.URL = pgURL
	writeConfig(t, cfg)
	if _, after, _ := runCLI(t, "tickets", "list", "--json", "--config", cfg.Path); after != before {
		t.Errorf("tickets on PostgreSQL:\n%s\non SQLite:\n%s", after, before)
	}
	srv.Append("help@library.test", "INBOX", mail("mig-3@patrons.test", "Lena Park <lena@patrons.test>", "Museum passes", "Do you lend them?"), now)
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once on PostgreSQL: %s", stderr)
	}
	if code, out, _ := runCLI(t, "tickets", "show", "3", "--config", cfg.Path); code != 0 || !strings.Contains(out, "Museum passes") {
		t.Errorf("the first ticket after the move is not #3: exit %d\n%s", code, out)
	}

	// backup on PostgreSQL writes an SQLite copy; migrate --from restores it.
	bk := filepath.Join(dir, "backup.db")
	if code, out, stderr := runCLI(t, "backup", bk, "--config", cfg.Path); code != 0 || !strings.Contains(out, "migrate --from "+bk+" --to URL") {
		t.Fatalf("backup on PostgreSQL: exit %d\n%s%s", code, out, stderr)
	}
	restored := testdb.Schema(t)
	if code, out, stderr := runCLI(t, "migrate", "--from", bk, "--to", restored); code != 0 || !strings.Contains(out, "All counts match") {
		t.Fatalf("restore the backup: exit %d\n%s%s", code, out, stderr)
	}
	cfg.Database.URL = restored
	writeConfig(t, cfg)
	if code, out, _ := runCLI(t, "tickets", "show", "3", "--config", cfg.Path); code != 0 || !strings.Contains(out, "Museum passes") {
		t.Errorf("the restored database lacks ticket 3: exit %d\n%s", code, out)
	}

	back := filepath.Join(dir, "back.db")
	if code, out, stderr := runCLI(t, "migrate", "--from", pgURL, "--to", back); code != 0 || !strings.Contains(out, "All counts match") || !strings.Contains(out, `path = "`+back) {
		t.Errorf("migrate back: exit %d\n%s%s", code, out, stderr)
	}
}

func TestMigrateRefuses(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	live := *cfg
	live.Path = filepath.Join(filepath.Dir(cfg.Path), "live.toml")
	live.HTTP.Listen = ln.Addr().String()
	writeConfig(t, &live)
	url := "postgres://patrondesk@127.0.0.1:1/patrondesk"
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"migrate", "--config", cfg.Path}, "migrate needs the new database"},
		{"a daemon is running", []string{"migrate", "--to", url, "--config", live.Path}, "stop it first"},
		{"the same database", []string{"migrate", "--to", cfg.Rel(cfg.Database.Path), "--config", cfg.Path}, "uses already"},
		{"a file that exists", []string{"migrate", "--to", cfg.Path, "--config", cfg.Path}, "already exists"},
		{"from no file", []string{"migrate", "--from", cfg.Path + ".missing", "--to", url}, "holds no patrondesk database"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := runCLI(t, tt.args...); code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 2 and %q:\n%s", code, tt.want, stderr)
			}
		})
	}
	if code, _, stderr := runCLI(t, "migrate", "--help"); code != 0 || !strings.Contains(stderr, "stop every patrondesk daemon") {
		t.Errorf("migrate --help: exit %d\n%s", code, stderr)
	}
}
