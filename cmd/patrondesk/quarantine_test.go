package main

import (
	"database/sql"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

// TestQuarantineCommands: a message nobody can answer (no sender at all)
// is listed, shown, exported byte for byte, released (and, still
// unreadable, kept again under a new number) and deleted; a message kept by
// an older version that this one reads becomes a request on release; the
// admin's alert names the commands.
func TestQuarantineCommands(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test", "it@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Library.Admin = "it@library.test"
	writeConfig(t, cfg)
	now := clock.System{}.Now()
	raw := "Subject: =?utf-8?q?Cl=C3=A9?= for my card\r\nMessage-ID: <nosender-1@phone.test>\r\nContent-Type: text/plain\r\n\r\nI lost my card, who do I call?\r\n"
	srv.Append("help@library.test", "INBOX", []byte(raw), now)
	if code, stdout, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 || !strings.Contains(stdout, "1 messages quarantined") {
		t.Fatalf("run --once: exit %d %s%s", code, stdout, stderr)
	}
	alerted := false
	for _, r := range srv.Received() {
		alerted = alerted || strings.Contains(string(r.Raw), "patrondesk quarantine list")
	}
	if !alerted {
		t.Error("the admin's alert does not name patrondesk quarantine list")
	}

	q := func(args ...string) (int, string, string) {
		return runCLI(t, append(append([]string{"quarantine"}, args...), "--config", cfg.Path)...)
	}
	code, out, _ := q("list")
	if code != 0 || !strings.Contains(out, "Clé for my card") || !strings.Contains(out, "no sender address") || !strings.Contains(out, "1 message(s)") {
		t.Errorf("quarantine list: exit %d\n%s", code, out)
	}
	code, out, _ = q("list", "--json")
	var list []struct {
		ID      int64
		Size    int
		Reason  string
		Subject string
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].ID != 1 || list[0].Size != len(raw) {
		t.Errorf("quarantine list --json: exit %d %v\n%s", code, err, out)
	}
	code, out, _ = q("show", "1")
	if code != 0 || !strings.Contains(out, "Reason:   it has no sender address") || !strings.Contains(out, "Message-ID: <nosender-1@phone.test>") ||
		!strings.Contains(out, "Size:     ") || strings.Contains(out, "who do I call") {
		t.Errorf("quarantine show 1: exit %d\n%s", code, out)
	}
	if code, out, _ = q("export", "1"); code != 0 || out != raw {
		t.Errorf("quarantine export 1: exit %d, %q", code, out)
	}
	code, out, _ = q("release", "1")
	if code != 0 || !strings.Contains(out, "still cannot be read") || !strings.Contains(out, "Its new number is 2: patrondesk quarantine show 2") {
		t.Errorf("quarantine release 1: exit %d\n%s", code, out)
	}
	// --all lists the released one too, and says it was released.
	if _, out, _ = q("list", "--all"); !strings.Contains(out, "RELEASED") || !regexp.MustCompile(`(?m)^1 .* \d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(out) ||
		regexp.MustCompile(`(?m)^2 .* \d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(out) {
		t.Errorf("quarantine list --all does not say which was released:\n%s", out)
	}
	if _, out, _ = q("list", "--json"); !strings.Contains(out, `"id": 2`) || strings.Contains(out, `"id": 1,`) {
		t.Errorf("after release, the list is\n%s", out)
	}
	if code, _, stderr := q("release", "1"); code != 1 || !strings.Contains(stderr, "already released") {
		t.Errorf("a second release: exit %d %s", code, stderr)
	}
	if code, out, _ = q("delete", "2"); code != 0 || !strings.Contains(out, "Quarantined message 2 is deleted") {
		t.Errorf("quarantine delete 2: exit %d %s", code, out)
	}
	if code, _, stderr := q("show", "2"); code != 1 || !strings.Contains(stderr, "there is no message 2 in quarantine") {
		t.Errorf("show a deleted one: exit %d %s", code, stderr)
	}
	if code, _, stderr := q("frobnicate"); code != 2 || !strings.Contains(stderr, "list, show, export, release or delete") {
		t.Errorf("quarantine frobnicate: exit %d %s", code, stderr)
	}
	if _, stdout, _ := runCLI(t, "run", "--once", "--config", cfg.Path); !strings.Contains(stdout, "0 messages quarantined") {
		t.Errorf("after delete, run --once says %s", stdout)
	}

	// Kept by an older version that could not read it; this one can.
	db, err := sql.Open("sqlite3", cfg.Rel(cfg.Database.Path))
	if err != nil {
		t.Fatal(err)
	}
	good := mail("older-1@patrons.test", "Ann Lee <ann@patrons.test>", "Renew my books", "Can I keep them?")
	res, err := db.Exec(`INSERT INTO quarantine (received_at, mailbox, reason, raw) VALUES (?, 'INBOX', 'internal error while reading it', ?)`, now.Unix(), good)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if code, out, _ = q("release", strconv.FormatInt(id, 10)); code != 0 || !strings.Contains(out, "it is a new request now") {
		t.Errorf("release of a readable message: exit %d %s", code, out)
	}
	if _, out, _ := runCLI(t, "tickets", "list", "--config", cfg.Path); !strings.Contains(out, "Renew my books") {
		t.Errorf("the released message is no request:\n%s", out)
	}
	if _, out, _ = q("list"); !strings.Contains(out, "Nothing in quarantine") {
		t.Errorf("after release: %s", out)
	}
}
