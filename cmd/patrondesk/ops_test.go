package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"patrondesk/config"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writeConfig(t *testing.T, cfg *config.Config) {
	f, err := os.OpenFile(cfg.Path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := toml.NewEncoder(f).Encode(cfg); err != nil {
		t.Fatal(err)
	}
}

func mail(id, from, subject, body string) []byte {
	return []byte("From: " + from + "\r\nTo: help@library.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\nDate: " +
		clock.System{}.Now().Format(time.RFC1123Z) + "\r\n\r\n" + body + "\r\n")
}

// TestOperations runs the daemon on two mailboxes with the health and
// metrics listener, then deliver, backup, report and check against it.
func TestOperations(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test", "ill@library.test", "alice@library.test", "bob@library.test", "boss@library.test", "it@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	cfg, err := demoConfig(dir, srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Listen = freeAddr(t)
	cfg.Library.Admin = "it@library.test"
	cfg.Mailboxes = []config.Mailbox{{Name: "ill", Username: "ill@library.test", Password: memserver.Password, Folder: "INBOX", Processed: "Processed", Team: "reference"}}
	writeConfig(t, cfg)
	now := clock.System{}.Now()
	same := mail("same-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?")
	srv.Append("help@library.test", "INBOX", same, now)
	srv.Append("ill@library.test", "INBOX", same, now) // the same email at both addresses
	srv.Append("ill@library.test", "INBOX", mail("ill-1@patrons.test", "Marco <marco@patrons.test>", "A book from another library", "Can you borrow it for me?"), now)

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(ctx, []string{"run", "--config", cfg.Path}, &out, &errb)
	}()
	base := "http://" + cfg.HTTP.Listen
	waitFor(t, base+"/metrics", "patrondesk_tickets_created_total 2")
	waitFor(t, base+"/metrics", "patrondesk_acknowledgements_sent_total 2")
	// Each mailbox's figures are written after its own round: wait for each.
	for _, w := range []string{`patrondesk_messages_fetched_total{mailbox="ill"} 2`, `patrondesk_messages_fetched_total{mailbox="INBOX"} 1`,
		`patrondesk_mailbox_last_success_timestamp_seconds{mailbox="ill"}`, "patrondesk_fetch_seconds_bucket", "patrondesk_outbox_queued", `patrondesk_mailbox_backlog{mailbox="ill"} 0`} {
		waitFor(t, base+"/metrics", w)
	}
	if body, code := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	var list []struct {
		ID     int64
		Patron string
		Team   string
	}
	_, out, _ := runCLI(t, "tickets", "list", "--json", "--config", cfg.Path)
	json.Unmarshal([]byte(out), &list)
	if len(list) != 2 {
		t.Fatalf("tickets: %s", out)
	}
	for _, tk := range list {
		if tk.Patron == "marco@patrons.test" && tk.Team != "reference" {
			t.Errorf("mail to ill@ went to team %q, want the mailbox's team", tk.Team)
		}
	}

	// deliver: one message from a file, as Postfix's pipe would hand it.
	msg := filepath.Join(dir, "msg.eml")
	os.WriteFile(msg, mail("deliver-1@patrons.test", "Lu <lu@patrons.test>", "Opening hours", "When do you open?"), 0o600)
	deliver := []string{"deliver", "--file", msg, "--config", cfg.Path}
	if code, out, stderr := runCLI(t, deliver...); code != 0 || strings.TrimSpace(out) != "created" {
		t.Errorf("deliver: exit %d, %q %q", code, out, stderr)
	}
	if code, out, _ := runCLI(t, deliver...); code != 0 || strings.TrimSpace(out) != "duplicate" {
		t.Errorf("deliver again: exit %d, %q", code, out)
	}
	if code, _, _ := runCLI(t, "deliver", "--file", msg, "--config", filepath.Join(dir, "missing.toml")); code != exTempFail {
		t.Errorf("deliver without a config: exit %d, want %d so the mail server keeps the message", code, exTempFail)
	}

	// backup: a consistent copy, owner-only, never over an existing file.
	bk := filepath.Join(dir, "copy.db")
	if code, out, stderr := runCLI(t, "backup", bk, "--config", cfg.Path); code != 0 || !strings.Contains(out, "To restore") {
		t.Fatalf("backup: exit %d %s %s", code, out, stderr)
	}
	if st, err := os.Stat(bk); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v", st, err)
	}
	copyStore, err := tickets.Open(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := copyStore.Stats(context.Background()); err != nil || st.Tickets != 3 {
		t.Errorf("the backup holds %d tickets (%v), want 3", st.Tickets, err)
	}
	copyStore.Close()
	if code, _, stderr := runCLI(t, "backup", bk, "--config", cfg.Path); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup over a file: exit %d %s", code, stderr)
	}

	// report and check.
	_, out, _ = runCLI(t, "report", "--json", "--config", cfg.Path)
	var rep struct{ Received int }
	if json.Unmarshal([]byte(out), &rep); rep.Received != 3 {
		t.Errorf("report --json: %s", out)
	}
	code, out, _ := runCLI(t, "check", "--send-test", "--config", cfg.Path)
	for _, w := range []string{"OK    database", "integrity ok", "OK    mailbox INBOX", "OK    mailbox ill", "test message sent to it@library.test", "OK    templates"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("check lacks %q (exit %d):\n%s", w, code, out)
		}
	}
}

func get(t *testing.T, url string) (string, int) {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error(), 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

// waitFor polls url until its body holds want (at most 10 s).
func waitFor(t *testing.T, url, want string) string {
	t.Helper()
	clk := clock.System{}
	deadline := clk.Now().Add(10 * time.Second)
	for {
		body, _ := get(t, url)
		if strings.Contains(body, want) {
			return body
		}
		if clk.Now().After(deadline) {
			t.Fatalf("%s never showed %q; last:\n%s", url, want, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
