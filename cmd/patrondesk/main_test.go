package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/config"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMisspeltConfigKeyExits2AndNamesIt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	bad := strings.Replace(string(config.Example), "mailbox = \"INBOX\"", "mailbx = \"INBOX\"", 1)
	if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"check"}, {"run", "--once"}, {"tickets", "list"}} {
		code, _, stderr := runCLI(t, append(cmd, "--config", p)...)
		if code != 2 || !strings.Contains(stderr, `unknown key "imap.mailbx"`) || !strings.Contains(stderr, "line 19") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming imap.mailbx on line 19", cmd, code, stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"tickets"}, 2, "tickets needs a subcommand"},
		{[]string{"tickets", "show", "abc", "--config", "x.toml"}, 2, "needs a ticket number"},
		{[]string{"run", "--config", "/nonexistent/p.toml"}, 2, "patrondesk init"},
		{[]string{"--help"}, 0, "Commands:"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%v: exit %d, output %q; want %d and %q", tt.args, code, stdout+stderr, tt.code, tt.want)
		}
	}
}

func TestInitThenTicketsJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v (err %v), want 0600", st.Mode().Perm(), err)
	}
	db := filepath.Join(filepath.Dir(p), "patrondesk.db")
	if st, err := os.Stat(db); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v (err %v), want 0600", st.Mode().Perm(), err)
	}
	if code, _, _ := runCLI(t, "init", "--config", p); code != 2 {
		t.Errorf("second init without --force: exit %d, want 2", code)
	}
	code, stdout, stderr := runCLI(t, "tickets", "list", "--json", "--config", p)
	if code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("empty list: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "tickets", "show", "7", "--config", p); code != 1 || !strings.Contains(stderr, "no ticket 7") {
		t.Errorf("show missing: exit %d %q", code, stderr)
	}
}

// TestDemoShowsTheWholeLoop runs `patrondesk demo` and checks what each
// person received, then that `tickets list --json` has the contract fields.
func TestDemoShowsTheWholeLoop(t *testing.T) {
	code, stdout, stderr := runCLI(t, "demo", "--keep")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"=== To ann@patrons.test", "[Seymour #1] Can I renew my books?", "Alice is looking after it",
		"=== To alice@library.test", "=== To marco@patrons.test", "I’m writing a short history",
		"Ann Lee wrote again", "never answers automated mail",
		"from Alice at Seymour Library <help@library.test>", "DVDs can be renewed too",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(stdout, "=== To busy@patrons.test") {
		t.Error("the demo answered the out-of-office robot")
	}
	_, answer, _ := strings.Cut(stdout, "from Alice at Seymour Library")
	answer, _, _ = strings.Cut(answer, "The tickets now")
	if strings.Contains(answer, "alice@library.test") || strings.Contains(answer, "Circulation desk") {
		t.Errorf("the staff answer shows Alice's address or signature:\n%s", answer)
	}
	i := strings.Index(stdout, "patrondesk tickets show 1 --config ")
	if i < 0 {
		t.Fatal("demo --keep did not say where its files are")
	}
	cfgPath := strings.Fields(stdout[i+len("patrondesk tickets show 1 --config "):])[0]
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(cfgPath)) })
	code, stdout, stderr = runCLI(t, "tickets", "list", "--json", "--config", cfgPath)
	if code != 0 {
		t.Fatalf("tickets list: exit %d: %s", code, stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) != 2 {
		t.Fatalf("tickets list --json: %v, %d tickets:\n%s", err, len(list), stdout)
	}
	for _, f := range []string{"id", "status", "subject", "patron", "owner", "created_at", "first_response_at", "due_at", "messages"} {
		if _, ok := list[0][f]; !ok {
			t.Errorf("tickets list --json lacks field %q", f)
		}
	}
	if list[0]["messages"] != float64(3) {
		t.Errorf("ticket 1 has %v messages, want 3 (Ann wrote twice, Alice answered)", list[0]["messages"])
	}
	code, stdout, _ = runCLI(t, "tickets", "show", "1", "--json", "--config", cfgPath)
	var one map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &one) != nil || one["id"] != float64(1) || one["patron"] != "ann@patrons.test" {
		t.Errorf("tickets show 1 --json: exit %d:\n%s", code, stdout)
	}
	testAdminCommands(t, cfgPath)
}

// testAdminCommands: assign, take, priority, wait, note, close and reopen
// from the terminal act on the ticket, say its new state in words and show
// in its history.
func testAdminCommands(t *testing.T, cfgPath string) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tickets", "assign", "2", "Bob", "--config", cfgPath}, 0, "Ticket 2 now belongs to Bob Jones"},
		{[]string{"tickets", "take", "2", "alice", "--config", cfgPath}, 0, "Ticket 2 now belongs to Alice Smith"},
		{[]string{"tickets", "priority", "2", "urgent", "--config", cfgPath}, 0, "Ticket 2 is now urgent priority; an answer is due "},
		{[]string{"tickets", "wait", "2", "3d", "--config", cfgPath}, 0, "Ticket 2: no reminders until "},
		{[]string{"tickets", "note", "2", "Called him; no answer.", "--config", cfgPath}, 0, "Ticket 2: note added"},
		{[]string{"tickets", "assign", "2", "Bob", "--config", cfgPath}, 0, "Ticket 2 now belongs to Bob Jones"},
		{[]string{"tickets", "close", "2", "--config", cfgPath}, 0, "Ticket 2 is solved; the patron was not written to."},
		{[]string{"tickets", "reopen", "2", "--config", cfgPath}, 0, "Ticket 2 is open again and belongs to Bob Jones"},
		{[]string{"tickets", "close", "2", "--config", cfgPath}, 0, "Ticket 2 is solved"},
		{[]string{"tickets", "assign", "2", "Zed", "--config", cfgPath}, 2, `nobody on the staff list is called "Zed"`},
		{[]string{"tickets", "take", "2", "reference", "--config", cfgPath}, 2, `"reference" is nobody on the staff list`},
		{[]string{"tickets", "priority", "2", "huge", "--config", cfgPath}, 2, "huge"},
		{[]string{"tickets", "wait", "2", "--config", cfgPath}, 2, "usage: patrondesk tickets wait N UNTIL"},
		{[]string{"tickets", "close", "99", "--config", cfgPath}, 1, "no ticket 99"},
		{[]string{"tickets", "note", "2", "--config", cfgPath}, 2, "usage: patrondesk tickets note N TEXT"},
	} {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args[:3], code, stdout+stderr, c.code, c.want)
		}
	}
	_, stdout, _ := runCLI(t, "tickets", "show", "2", "--json", "--config", cfgPath)
	var d struct {
		Status string
		Owner  string
		Events []struct{ Actor, Action, Detail string }
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, e := range d.Events {
		if e.Actor == "admin" {
			history = append(history, e.Action)
		}
	}
	if d.Status != "solved" || d.Owner != "bob@library.test" || strings.Join(history, ",") != "assigned,assigned,priority,no reminders until,note,assigned,solved,reopened,solved" {
		t.Errorf("ticket 2 after admin commands: %s, %s, admin history %v", d.Status, d.Owner, history)
	}
}
