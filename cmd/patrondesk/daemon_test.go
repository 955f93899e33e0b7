package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

// startDaemon runs `patrondesk run` until the returned stop is called.
func startDaemon(t *testing.T, cfgPath string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(ctx, []string{"run", "--config", cfgPath}, &out, &errb)
	}()
	return func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("run exited %d", code)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("run did not stop")
		}
	}
}

// TestDeliverAcknowledgedAtOnceAndTotalsSurvive: a message taken by
// `deliver` while the daemon runs is acknowledged within two seconds, and
// the fetch total in /metrics is the same after a restart.
func TestDeliverAcknowledgedAtOnceAndTotalsSurvive(t *testing.T) {
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
	cfg.HTTP.Listen = freeAddr(t)
	writeConfig(t, cfg)
	srv.Append("help@library.test", "INBOX", mail("imap-1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?"), clock.System{}.Now())
	base := "http://" + cfg.HTTP.Listen
	stop := startDaemon(t, cfg.Path)
	waitFor(t, base+"/metrics", `patrondesk_messages_fetched_total{mailbox="INBOX"} 1`)
	waitFor(t, base+"/metrics", "patrondesk_acknowledgements_sent_total 1")

	msg := filepath.Join(dir, "msg.eml")
	os.WriteFile(msg, mail("deliver-2@patrons.test", "Lu Chen <lu@patrons.test>", "Opening hours", "When do you open on Saturday?"), 0o600)
	start := time.Now()
	if code, out, stderr := runCLI(t, "deliver", "--file", msg, "--config", cfg.Path); code != 0 || strings.TrimSpace(out) != "created" {
		t.Fatalf("deliver: exit %d, %q %q", code, out, stderr)
	}
	acked := false
	for !acked && time.Since(start) < 2*time.Second {
		for _, r := range srv.Received() {
			acked = acked || len(r.To) == 1 && r.To[0] == "lu@patrons.test"
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !acked {
		t.Errorf("the delivered message was not acknowledged within 2 s")
	}
	stop()

	stop = startDaemon(t, cfg.Path)
	defer stop()
	metrics := waitFor(t, base+"/metrics", "patrondesk_tickets_created_total 2")
	if !strings.Contains(metrics, `patrondesk_messages_fetched_total{mailbox="INBOX"} 1`) {
		t.Errorf("the fetch total did not survive the restart:\n%s", metrics)
	}
}
