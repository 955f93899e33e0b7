package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/config"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets/calendar"
	"patrondesk/tickets/clock"
)

// TestRunOnceAt: `run --once --at` an open Thursday ten days on sends the
// owner a reminder and the supervisor a summary, and says so; purge
// --dry-run lists nothing, since nothing is closed.
func TestRunOnceAt(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.System{}.Now()
	raw := "From: Ann Lee <ann@patrons.test>\r\nTo: help@library.test\r\nSubject: Please renew my books\r\nMessage-ID: <at-1@patrons.test>\r\nDate: " + now.Format(time.RFC1123Z) + "\r\n\r\nCan I keep them?\r\n"
	if err := srv.Append("help@library.test", "INBOX", []byte(raw), now); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}

	code, _, stderr := runCLI(t, "run", "--at", "2030-01-01T09:00:00Z", "--config", cfg.Path)
	if code != 2 || !strings.Contains(stderr, "--at works only with --once") {
		t.Errorf("--at without --once: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "run", "--once", "--at", "next monday", "--config", cfg.Path); code != 2 || !strings.Contains(stderr, "is not a moment") {
		t.Errorf("bad --at: exit %d, %q", code, stderr)
	}
	cal, err := cfg.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	at := now.In(cfg.Location()).AddDate(0, 0, 10)
	for at.Weekday() != time.Thursday || !cal.IsOpenDay(calendar.DateOf(at)) {
		at = at.AddDate(0, 0, 1)
	}
	moment := time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, cfg.Location()).Format(time.RFC3339)
	code, stdout, stderr := runCLI(t, "run", "--once", "--at", moment, "--commit", "--config", cfg.Path)
	if code != 0 || !strings.Contains(stdout, "#1 reminder to alice@library.test") || !strings.Contains(stdout, "daily summary to boss@library.test") {
		t.Errorf("run --once --at %s: exit %d\n%s%s", moment, code, stdout, stderr)
	}
	var nags int
	for _, r := range srv.Received() {
		if strings.Contains(string(r.Raw), "Reminder: Ann Lee is waiting") {
			nags++
		}
	}
	if nags != 1 {
		t.Errorf("the mail server got %d reminders, want 1", nags)
	}
	if code, stdout, _ := runCLI(t, "purge", "--dry-run", "--config", cfg.Path); code != 0 || !strings.Contains(stdout, "Would anonymise 0 closed request(s)") {
		t.Errorf("purge --dry-run: exit %d, %s", code, stdout)
	}
}

func TestTemplatesCommands(t *testing.T) {
	code, stdout, _ := runCLI(t, "templates", "list", "--config", "/nonexistent.toml")
	if code != 0 || !strings.Contains(stdout, "ack             patron       en,es") {
		t.Errorf("templates list: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "templates", "preview", "ack", "--lang", "es")
	if code != 0 || !strings.Contains(stdout, "Hola, Ann:") || !strings.Contains(stdout, "Le responderemos mañana por la tarde.") {
		t.Errorf("templates preview ack --lang es: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "templates", "preview", "nag", "--lang", "es")
	if code != 0 || !strings.Contains(stdout, "there is no es/nag") {
		t.Errorf("preview of a staff template in Spanish: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "templates", "preview", "nope"); code != 2 || !strings.Contains(stderr, `no template named "nope"`) {
		t.Errorf("preview nope: exit %d %s", code, stderr)
	}
	code, stdout, _ = runCLI(t, "templates", "lint")
	if code != 0 || !strings.Contains(stdout, "GRADE") || strings.Contains(stdout, "problem(s)") {
		t.Errorf("templates lint on the defaults: exit %d\n%s", code, stdout)
	}
	// A library's own template that reads badly gets a warning, not a refusal.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tpl", "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "tpl", "en", "ack.txt"), []byte("Subject: x\n\nYour interlibrary loan request has been registered in our bibliographic circulation management infrastructure and will subsequently be processed according to institutional prioritisation.\n"), 0o644)
	cfg := strings.Replace(string(config.Example), `dir = ""`, `dir = "tpl"`, 1)
	os.WriteFile(filepath.Join(dir, "patrondesk.toml"), []byte(cfg), 0o600)
	code, stdout, _ = runCLI(t, "templates", "lint", "--config", filepath.Join(dir, "patrondesk.toml"))
	if code != 0 || !strings.Contains(stdout, `en/ack: library jargon "interlibrary loan"`) || !strings.Contains(stdout, "1 template(s) to look at") {
		t.Errorf("lint of a bad override: exit %d\n%s", code, stdout)
	}
}
