package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
)

// TestOperatorCommandsMakeNoDatabase: with database.path mistyped, every
// operator command says there is no database there and what to run, and
// leaves no file behind (they used to make an empty one and answer "(no
// tickets)", or write an empty backup as if all were well).
func TestOperatorCommandsMakeNoDatabase(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	src, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(src), `path = "patrondesk.db"`, `path = "typo.db"`, 1)), 0o600)
	for _, args := range [][]string{
		{"tickets", "list"}, {"tickets", "show", "1"}, {"tickets", "search", "renew"}, {"tickets", "assign", "1", "Bob"},
		{"tickets", "merge", "1", "2"}, {"tickets", "attachment", "1", "a.pdf"}, {"report"}, {"held", "list"},
		{"quarantine", "list"}, {"spam", "list"}, {"keys", "rotate"}, {"purge", "--dry-run"},
		{"backup", filepath.Join(dir, "copy.db")},
	} {
		code, _, stderr := runCLI(t, append(args, "--config", p)...)
		if code != 2 || !strings.Contains(stderr, "no database at "+filepath.Join(dir, "typo.db")+": check database.path in "+p) {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
			t.Fatalf("%v made a database at the mistyped path", args)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "copy.db")); err == nil {
		t.Error("backup wrote a copy of nothing")
	}
}

// TestOperatorMistakesSayWhatToDo: a report whose --until is not after
// --since, a backup into a folder that is not there, and check --send-test
// with nowhere to send each say what to do instead of printing nonsense or
// blaming SMTP.
func TestOperatorMistakesSayWhatToDo(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Library.Admin = ""
	writeConfig(t, cfg)
	if code, _, stderr := runCLI(t, "init", "--config", cfg.Path); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	missing := filepath.Join(t.TempDir(), "no", "such")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"until before since", []string{"report", "--since", "2026-12-01", "--until", "2026-11-01"}, 2, "--until 2026-11-01 is not after --since 2026-12-01"},
		{"backup folder missing", []string{"backup", filepath.Join(missing, "b.db")}, 2, "there is no folder " + missing + " to write the backup into; make it first: mkdir -p -m 0700 " + missing},
		{"send-test nowhere", []string{"check", "--send-test"}, 1, "FAIL  test message: no address to send it to\n      set library.admin in the config, or give one: patrondesk check --send-test --to ADDRESS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(c.args, "--config", cfg.Path)...)
			if code != c.code || !strings.Contains(stdout+stderr, c.want) {
				t.Errorf("exit %d, %q; want %d and %q", code, stdout+stderr, c.code, c.want)
			}
			if c.name == "send-test nowhere" && !strings.Contains(stdout, "OK    SMTP") {
				t.Errorf("the SMTP login was blamed:\n%s", stdout)
			}
		})
	}
}

// TestShowHistoryInColumns: `tickets show` lists the history in columns as
// wide as their longest entry, so a long action ("acknowledged a new
// sender") does not run into who did it.
func TestShowHistoryInColumns(t *testing.T) {
	cfgPath := demoKeep(t)
	code, stdout, stderr := runCLI(t, "tickets", "show", "1", "--config", cfgPath)
	if code != 0 {
		t.Fatalf("show: %s", stderr)
	}
	_, hist, _ := strings.Cut(stdout, "History:\n")
	col := -1
	for _, line := range strings.Split(strings.TrimRight(hist, "\n"), "\n") {
		fields := strings.Split(strings.TrimSpace(line), "  ") // date, then the action after two spaces
		if len(fields) < 3 {
			t.Errorf("a history line with no two-space gap between its columns: %q", line)
			continue
		}
		// The actor column starts at the same place on every line.
		rest := strings.TrimLeft(line[strings.Index(line, fields[1])+len(fields[1]):], " ")
		at := len(line) - len(rest)
		if col >= 0 && at != col {
			t.Errorf("the actor starts at %d, not %d: %q", at, col, line)
		}
		col = at
	}
	if col < 0 {
		t.Errorf("no history:\n%s", stdout)
	}
}

// TestTerminalWordsAreNeverCommands: the words given to a terminal action are
// data. A # in them used to reach the desk as one more command: "tickets
// priority 2 'urgent #close'" also closed the request; a note beginning with
// # was read as commands. Each is refused, and the ticket and the outbox stay
// as they were; a # inside a note's words is kept as words.
func TestTerminalWordsAreNeverCommands(t *testing.T) {
	cfgPath := demoKeep(t)
	state := func() string {
		_, stdout, _ := runCLI(t, "tickets", "show", "2", "--json", "--config", cfgPath)
		var d struct{ Status, Priority, Owner string }
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatal(err)
		}
		return d.Status + "/" + d.Priority + "/" + d.Owner
	}
	before, mails := state(), len(queued(t, cfgPath))
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"priority then close", []string{"priority", "2", "urgent #close"}, `"urgent #close" holds a # or a line break; give only what priority takes`},
		{"assign then priority", []string{"assign", "2", "Alice", "#priority", "urgent"}, "holds a # or a line break; give only what assign takes"},
		{"take then reopen", []string{"take", "2", "alice #reopen"}, "give only what take takes"},
		{"wait, a line, close", []string{"wait", "2", "3d\n#close"}, "give only what wait takes"},
		{"note that is a close", []string{"note", "2", "#close she phoned"}, "a note cannot begin with #"},
		{"note, bold close under a blank line", []string{"note", "2", "\n  *#close*"}, "a note cannot begin with #"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append(append([]string{"tickets"}, c.args...), "--config", cfgPath)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, %q; want 2 and %q", code, stderr, c.want)
			}
			if now := state(); now != before {
				t.Errorf("ticket 2 went from %s to %s", before, now)
			}
			if n := len(queued(t, cfgPath)); n != mails {
				t.Errorf("%d mail(s) queued", n-mails)
			}
		})
	}
	code, stdout, stderr := runCLI(t, "tickets", "note", "2", "Phoned him. #close once he confirms", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "note added") || state() != before {
		t.Errorf("a note with a # inside: exit %d, %q %q, ticket %s (was %s)", code, stdout, stderr, state(), before)
	}
	_, show, _ := runCLI(t, "tickets", "show", "2", "--config", cfgPath)
	if !strings.Contains(show, "Phoned him. #close once he confirms") {
		t.Errorf("the note's words are not on the ticket:\n%s", show)
	}
}

// TestDrillAtTakesTheLibrarysClock: --at takes a date and time on the
// library's clock (library.timezone), as a person asks "what goes out on
// Wednesday at 9?", as well as a full RFC 3339 moment; a bare date says how
// to write one.
func TestDrillAtTakesTheLibrarysClock(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, cfg) // America/Chicago: -06:00 in December
	for _, c := range []struct{ at, want string }{
		{"2026-12-09T09:00", "Drill as of 2026-12-09T09:00:00-06:00"},
		{"2026-12-09 09:00", "Drill as of 2026-12-09T09:00:00-06:00"},
		{"2026-12-09T15:00:00Z", "Drill as of 2026-12-09T15:00:00Z"},
	} {
		code, stdout, stderr := runCLI(t, "run", "--once", "--at", c.at, "--config", cfg.Path)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("--at %q: exit %d, %q %q; want %q", c.at, code, stdout, stderr, c.want)
		}
	}
	code, _, stderr := runCLI(t, "run", "--once", "--at", "2026-12-09", "--config", cfg.Path)
	if code != 2 || !strings.Contains(stderr, "like 2026-12-07T09:00, or with its offset") {
		t.Errorf("--at a bare date: exit %d, %q", code, stderr)
	}
}

// TestListByPatronNeedsAnAddress: `tickets list --patron ann` (a name, not an
// address) says what --patron takes and how to find by name, instead of
// "(no tickets)" as if she had never written; her address, in any case,
// lists her requests.
func TestListByPatronNeedsAnAddress(t *testing.T) {
	cfgPath := demoKeep(t)
	code, _, stderr := runCLI(t, "tickets", "list", "--patron", "ann", "--config", cfgPath)
	if code != 2 || !strings.Contains(stderr, "--patron takes the patron's whole email address") || !strings.Contains(stderr, "patrondesk tickets search ann") {
		t.Errorf("--patron ann: exit %d, %q", code, stderr)
	}
	code, stdout, _ := runCLI(t, "tickets", "list", "--patron", "ANN@patrons.test", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "Ann Lee") {
		t.Errorf("--patron ANN@patrons.test: exit %d\n%s", code, stdout)
	}
}

// TestInitIntoAMissingFolderSaysMakeIt: init --config into a folder that is
// not there says to make it (with the mode a folder of secrets wants),
// instead of naming a temporary file the user never asked for.
func TestInitIntoAMissingFolderSaysMakeIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "patrondesk")
	code, _, stderr := runCLI(t, "init", "--config", filepath.Join(dir, "patrondesk.toml"))
	if code != 2 || !strings.Contains(stderr, "there is no folder "+dir+" for the config; make it first: mkdir -p -m 0700 "+dir) || strings.Contains(stderr, ".patrondesk-") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// TestMergeTwiceSaysAlreadyMerged: merging the same two tickets again says
// they are one already (the desk, which follows the merge, answered "request
// 3 is this request"); merging the absorbed one elsewhere names where it went.
func TestMergeTwiceSaysAlreadyMerged(t *testing.T) {
	cfgPath := demoKeep(t)
	for i, subject := range []string{"Lost card", "Also my fines"} {
		f := filepath.Join(t.TempDir(), "m.eml")
		os.WriteFile(f, []byte("From: Zoe <zoe@patrons.test>\r\nTo: help@library.test\r\nSubject: "+subject+"\r\nMessage-ID: <merge-"+strconv.Itoa(i)+"@patrons.test>\r\n\r\nHello.\r\n"), 0o600)
		if code, _, stderr := runCLI(t, "deliver", "--file", f, "--config", cfgPath); code != 0 {
			t.Fatalf("deliver: %s", stderr)
		}
	}
	if code, stdout, stderr := runCLI(t, "tickets", "merge", "3", "4", "--config", cfgPath); code != 0 || !strings.Contains(stdout, "Ticket 4 is now part of ticket 3") {
		t.Fatalf("merge: exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI(t, "tickets", "merge", "3", "4", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "Ticket 4 is already part of ticket 3: nothing changed.") {
		t.Errorf("merge again: exit %d %q %q", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "tickets", "merge", "1", "4", "--config", cfgPath)
	if code != 2 || !strings.Contains(stderr, "ticket 4 was merged into ticket 3 already") {
		t.Errorf("merge the absorbed one elsewhere: exit %d %q", code, stderr)
	}
}

// TestConfigBetweenCommandAndSubcommand: --config right after a command
// with subcommands ("patrondesk tickets --config F list") works as it does
// before or after the whole command; it used to be taken for the subcommand.
func TestConfigBetweenCommandAndSubcommand(t *testing.T) {
	cfgPath := demoKeep(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tickets", "--config", cfgPath, "list", "--json"}, `"patron": "ann@patrons.test"`},
		{[]string{"quarantine", "--config=" + cfgPath, "list"}, "Nothing in quarantine."},
		{[]string{"spam", "-config", cfgPath, "list"}, "Nothing in the spam queue."},
		{[]string{"held", "--config", cfgPath, "list"}, "No acknowledgements are held."},
		{[]string{"answers", "--config", cfgPath, "list"}, "renewals"},
		{[]string{"--config", cfgPath, "tickets", "show", "1"}, "Ticket 1:"},
	} {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d, %q %q; want %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// TestConfigThatIsAFolderNamesTheFile: --config naming a folder says to name
// the file in it, as a usage mistake (exit 2).
func TestConfigThatIsAFolderNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "check", "--config", dir)
	if code != 2 || !strings.Contains(stderr, dir+" is a folder; name the config file in it, such as "+filepath.Join(dir, "patrondesk.toml")) {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// TestNoSuchTicketSaysWhereTheNumbersAre: a ticket number that is not there
// says so and how to see the numbers, for show, an action and merge.
func TestNoSuchTicketSaysWhereTheNumbersAre(t *testing.T) {
	cfgPath := demoKeep(t)
	for _, args := range [][]string{{"tickets", "show", "99"}, {"tickets", "close", "99"}, {"tickets", "merge", "99", "1"}} {
		code, _, stderr := runCLI(t, append(args, "--config", cfgPath)...)
		if code != 1 || !strings.Contains(stderr, "there is no ticket 99; see the numbers with: patrondesk tickets list --status all") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}
