package main

import (
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

// TestLogsAPersonCanFollow: at INFO a round logs one line per ticket made,
// per mail sent and per command applied, each with the ticket number, and
// never the patron's address.
func TestLogsAPersonCanFollow(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Append("help@library.test", "INBOX", mail("log-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), clock.System{}.Now())
	code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path)
	if code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	for _, want := range []string{`msg="ticket: created" ticket=1`, `msg="ticket: assigned" ticket=1 by=patrondesk`, `msg="mail sent" ticket=1 mail=ack`, `msg="mail sent" ticket=1 mail=assigned`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the log lacks %s:\n%s", want, stderr)
		}
	}
	all := stderr
	code, _, stderr = runCLI(t, "tickets", "priority", "1", "urgent", "--config", cfg.Path)
	all += stderr
	if code != 0 || !strings.Contains(stderr, `msg="ticket: priority" ticket=1 by=admin`) {
		t.Errorf("tickets priority logged:\n%s", stderr)
	}
	if strings.Contains(all, "ann@patrons.test") {
		t.Errorf("the patron's address is in the log:\n%s", all)
	}
}
