package main

import (
	"encoding/json"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

func TestSpamCommands(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "bob@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, cfg)
	spam := mail("spam-1@patrons.test", "Prize Desk <winner@patrons.test>", "You won", "Claim your prize now.")
	spam = []byte(strings.Replace(string(spam), "\r\n\r\n", "\r\nX-Spam-Flag: YES\r\n\r\n", 1))
	srv.Append("help@library.test", "INBOX", spam, clock.System{}.Now())
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatal(stderr)
	}
	code, out, _ := runCLI(t, "spam", "list", "--json", "--config", cfg.Path)
	var list []struct {
		ID     int64  `json:"id"`
		From   string `json:"from"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].From != "winner@patrons.test" {
		t.Fatalf("spam list: exit %d %v %s", code, err, out)
	}
	if _, out, _ := runCLI(t, "spam", "show", "1", "--config", cfg.Path); !strings.Contains(out, "Claim your prize now.") || !strings.Contains(out, "X-Spam-Flag") {
		t.Errorf("spam show:\n%s", out)
	}
	if code, _, stderr := runCLI(t, "spam", "show", "99", "--config", cfg.Path); code != 1 || !strings.Contains(stderr, "no message 99 in the spam queue") {
		t.Errorf("spam show 99: exit %d %q", code, stderr)
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("%d mails went out for spam", n)
	}
	if _, out, _ := runCLI(t, "spam", "release", "1", "--config", cfg.Path); !strings.Contains(out, "it is a new request now") ||
		!strings.Contains(out, "See it with: patrondesk tickets list --patron winner@patrons.test") {
		t.Errorf("spam release: %s", out)
	}
	runCLI(t, "run", "--once", "--config", cfg.Path)
	got := 0
	for _, r := range srv.Received() {
		for _, to := range r.To {
			if to == "winner@patrons.test" {
				got++
			}
		}
	}
	if got != 1 {
		t.Errorf("the released sender got %d mails, want the acknowledgement", got)
	}
	if code, _, stderr := runCLI(t, "spam"); code != 2 || !strings.Contains(stderr, "list, show, release") {
		t.Errorf("spam alone: exit %d %q", code, stderr)
	}
}
