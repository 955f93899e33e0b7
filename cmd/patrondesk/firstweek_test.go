package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/config"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// demoKeep runs `demo --keep` and returns its config, which names a database
// with two tickets (1: Ann's, open; 2: Marco's).
func demoKeep(t *testing.T) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, "demo", "--keep")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	const marker = "patrondesk tickets show 1 --config "
	i := strings.Index(stdout, marker)
	if i < 0 {
		t.Fatal("demo --keep did not say where its files are")
	}
	cfgPath := strings.Fields(stdout[i+len(marker):])[0]
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(cfgPath)) })
	return cfgPath
}

// queued is the mail waiting in the outbox of the database cfgPath names.
func queued(t *testing.T, cfgPath string) []tickets.QueuedMail {
	t.Helper()
	store, _, err := openStore(context.Background(), cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	q, err := store.Queued(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestTerminalActionsSayHowToWriteThemAtTheTerminal: a mistake in `tickets
// assign|priority|wait` is answered with the terminal's syntax, not the
// email #command's; a past date is called past; nothing is changed.
func TestTerminalActionsSayHowToWriteThemAtTheTerminal(t *testing.T) {
	cfgPath := demoKeep(t)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"nobody by that name", []string{"tickets", "assign", "1", "Zed"}, `nobody on the staff list is called "Zed", and no team has that name. Write it like this: patrondesk tickets assign N WHO`},
		{"no such priority", []string{"tickets", "priority", "1", "high"}, `"high" is not a priority. Write it like this: patrondesk tickets priority N low|normal|urgent`},
		{"no such time", []string{"tickets", "wait", "1", "tomorrow"}, `"tomorrow" is not a time patrondesk understands. Write it like this: patrondesk tickets wait N UNTIL (48h, 3d, 2 weeks or 2026-12-24)`},
		{"a past date", []string{"tickets", "wait", "1", "2020-01-01"}, "2020-01-01 is in the past; give a later date"},
		{"take is for people", []string{"tickets", "take", "1", "reference"}, `"reference" is nobody on the staff list`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := queued(t, cfgPath)
			code, stdout, stderr := runCLI(t, append(c.args, "--config", cfgPath)...)
			if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "#") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q, with no #command", code, stdout, stderr, c.want)
			}
			if after := queued(t, cfgPath); len(after) != len(before) {
				t.Errorf("a refused action queued %d mail(s)", len(after)-len(before))
			}
		})
	}
}

// TestReopenOfAnOpenTicketMailsNobody: `tickets reopen` on a request that is
// not solved or closed says so and does not mail the patron "reopened" (run
// twice by mistake, it used to queue the patron two such mails); on a solved
// one it queues exactly one.
func TestReopenOfAnOpenTicketMailsNobody(t *testing.T) {
	cfgPath := demoKeep(t)
	reopened := func() int {
		n := 0
		for _, m := range queued(t, cfgPath) {
			if m.Ticket == 1 && m.Kind == "reopened" {
				n++
			}
		}
		return n
	}
	code, stdout, stderr := runCLI(t, "tickets", "reopen", "1", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "not solved or closed: nothing changed, and the patron was not written to.") {
		t.Errorf("reopen of an open ticket: exit %d, %q %q", code, stdout, stderr)
	}
	if n := reopened(); n != 0 {
		t.Errorf("reopen of an open ticket queued %d mail(s) to the patron", n)
	}
	runCLI(t, "tickets", "close", "1", "--config", cfgPath)
	for range 2 {
		runCLI(t, "tickets", "reopen", "1", "--config", cfgPath)
	}
	if n := reopened(); n != 1 {
		t.Errorf("close, then reopen twice: %d \"reopened\" mails queued to the patron, want 1", n)
	}
}

// TestInitAfterEditingCreatesOnlyTheDatabase: `check` with a database path
// where there is none says to run `init`; doing so keeps the edited config
// byte for byte and creates the database, and check's database line is OK.
func TestInitAfterEditingCreatesOnlyTheDatabase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	src, _ := os.ReadFile(p)
	edited := strings.Replace(string(src), `path = "patrondesk.db"`, `path = "data/desk.db"`, 1)
	if err := os.WriteFile(p, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := runCLI(t, "check", "--config", p); !strings.Contains(out, `for a new install run "patrondesk init" (it keeps your config`) {
		t.Errorf("check with no database does not say init keeps the config:\n%s", out)
	}
	code, stdout, stderr := runCLI(t, "init", "--config", p)
	if code != 0 || !strings.Contains(stdout, "Kept "+p+" as it is and created the database") {
		t.Errorf("init with an edited config: exit %d, %q %q", code, stdout, stderr)
	}
	if now, _ := os.ReadFile(p); string(now) != edited {
		t.Error("init changed the edited config")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "data", "desk.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
	if _, out, _ := runCLI(t, "check", "--config", p); !strings.Contains(out, "OK    database") {
		t.Errorf("check after init:\n%s", out)
	}
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 2 || !strings.Contains(stderr, "already exist") {
		t.Errorf("init with config and database: exit %d, %q", code, stderr)
	}
}

// TestCheckMissingFolderNamesTheKey: a folder that does not exist on the
// server is a FAIL that says the login worked and which key to fix.
func TestCheckMissingFolderNamesTheKey(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "ill@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IMAP.Mailbox = "Helpdesk"
	cfg.Mailboxes = []config.Mailbox{{Name: "ill", Host: cfg.IMAP.Host, Port: cfg.IMAP.Port, Security: cfg.IMAP.Security,
		Username: "ill@library.test", Password: cfg.IMAP.Password, Folder: "Loans", Team: "reference"}}
	writeConfig(t, cfg)
	code, out, _ := runCLI(t, "check", "--config", cfg.Path)
	for _, want := range []string{
		"imap.mailbox, written as your mail client shows the folder (names are case-sensitive",
		`folder in the [[mailbox]] named "ill", written as your mail client shows the folder`,
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("check with missing folders: exit %d, want %q\n%s", code, want, out)
		}
	}
}

// TestUsageListsEveryTicketsSubcommand: the main --help names each tickets
// subcommand that exists, and tickets --help too.
func TestUsageListsEveryTicketsSubcommand(t *testing.T) {
	_, main, _ := runCLI(t, "--help")
	_, sub, _ := runCLI(t, "tickets", "--help")
	for _, w := range []string{"list", "show", "search", "merge", "assign", "take", "close", "reopen", "priority", "wait", "note", "attachment"} {
		if !strings.Contains(main, "  tickets "+w+" ") {
			t.Errorf("patrondesk --help does not list tickets %s", w)
		}
		if !strings.Contains(sub, "patrondesk tickets "+w+" ") {
			t.Errorf("patrondesk tickets --help does not list tickets %s", w)
		}
	}
	for _, opt := range []string{"--patron ADDR", "--owner WHO"} {
		if !strings.Contains(main, opt) {
			t.Errorf("patrondesk --help does not name tickets list %s", opt)
		}
	}
}

// TestPurgeWritesRetentionAsConfigured: purge says the retention as the
// config writes it (365d), not as Go prints a duration (8760h0m0s).
func TestPurgeWritesRetentionAsConfigured(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "purge", "--dry-run", "--config", p)
	if code != 0 || !strings.Contains(stdout, "(policy.retention = 365d)") {
		t.Errorf("purge --dry-run: exit %d, %q %q", code, stdout, stderr)
	}
}

// TestEveryHelpExitsZero: `patrondesk COMMAND --help` prints how to use the
// command and exits 0, deliver's too (its 75 is for failures only, and help
// is none: a script checking the exit code took it for a failing install).
func TestEveryHelpExitsZero(t *testing.T) {
	for _, cmd := range []string{"demo", "init", "check", "login", "run", "deliver", "report", "backup", "purge",
		"templates", "answers", "spam", "held", "keys", "quarantine", "version", "link", "tickets"} {
		t.Run(cmd, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, cmd, "--help")
			if code != 0 || !strings.Contains(stdout+stderr, "Usage") {
				t.Errorf("%s --help: exit %d, %q", cmd, code, stdout+stderr)
			}
		})
	}
	if code, _, _ := runCLI(t, "deliver", "--nope"); code != exTempFail {
		t.Errorf("deliver with a bad option: exit %d, want %d so the mail server keeps the message", code, exTempFail)
	}
}

// TestConfigFromTheEnvironmentIsNamedWhenMissing: a $PATRONDESK_CONFIG that
// leads nowhere is named as the variable's, so the admin knows what to fix.
func TestConfigFromTheEnvironmentIsNamedWhenMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "desk.toml")
	t.Setenv("PATRONDESK_CONFIG", missing)
	code, _, stderr := runCLI(t, "tickets", "list")
	if code != 2 || !strings.Contains(stderr, "no config file at "+missing+", the file $PATRONDESK_CONFIG names: correct the variable") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// TestHeldNamesNumbersThatAreNotHeld: `held drop 5` or `held release 5` when
// nothing numbered 5 is held says so and exits 1 instead of a quiet
// "Dropped 0"; releasing when nothing is held says there was nothing.
func TestHeldNamesNumbersThatAreNotHeld(t *testing.T) {
	cfgPath := demoKeep(t)
	for _, verb := range []string{"drop", "release"} {
		code, stdout, stderr := runCLI(t, "held", verb, "5", "--config", cfgPath)
		if code != 1 || !strings.Contains(stderr, "held "+verb+": 1 of the 1 number(s) named are not held acknowledgements") {
			t.Errorf("held %s 5: exit %d, %q %q", verb, code, stdout, stderr)
		}
	}
	code, stdout, _ := runCLI(t, "held", "release", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "No acknowledgements are held; nothing was released.") {
		t.Errorf("held release with nothing held: exit %d, %q", code, stdout)
	}
}

// TestUnreadableConfigSaysWhatToDo: a config this user may not read (the
// tests run as root, who reads anything, so the words are checked here; the
// manual run as nobody printed them) says whose it is to run as, and, found
// in the current folder, that it was taken before /etc's.
func TestUnreadableConfigSaysWhatToDo(t *testing.T) {
	for _, c := range []struct {
		name string
		here bool
		want []string
	}{
		{"named", false, []string{"cannot read the config file /etc/x.toml (permission denied); run the command as the user who owns it (on a systemd install: sudo -u patrondesk patrondesk ...)"}},
		{"found in this folder", true, []string{"this folder's patrondesk.toml is used before /etc/patrondesk/patrondesk.toml", "name the file with --config"}},
	} {
		err := unreadableConfig("/etc/x.toml", c.here)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%s: %v is not a usage error (exit 2)", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
	}
}

// TestLogsOfADrillSayDrillAndJSONIsJSON: every line a drill logs says
// drill=true (it logs "ticket: created" for tickets it throws away), and with
// PATRONDESK_LOG_FORMAT=json, as the systemd unit sets it, every line of a
// real round is one JSON object with msg and ticket, and no patron address.
func TestLogsOfADrillSayDrillAndJSONIsJSON(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Append("help@library.test", "INBOX", mail("drill-log@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), clock.System{}.Now())
	code, stdout, stderr := runCLI(t, "run", "--once", "--dry-run", "--config", cfg.Path)
	if code != 0 || !strings.Contains(stdout, "would go out") || !strings.Contains(stderr, `msg="ticket: created"`) {
		t.Fatalf("drill: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.Contains(line, "drill=true") {
			t.Errorf("a drill's log line does not say drill=true: %s", line)
		}
	}
	t.Setenv("PATRONDESK_LOG_FORMAT", "json")
	code, _, stderr = runCLI(t, "run", "--once", "--config", cfg.Path)
	if code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	created := false
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not JSON: %s", line)
			continue
		}
		if rec["msg"] == "ticket: created" && rec["ticket"] == float64(1) {
			created = true
		}
		if _, ok := rec["drill"]; ok {
			t.Errorf("a real round says drill: %s", line)
		}
	}
	if !created || strings.Contains(stderr, "ann@patrons.test") {
		t.Errorf("JSON log lacks ticket 1 created, or names the patron:\n%s", stderr)
	}
}
