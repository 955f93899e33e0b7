package tickets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"patrondesk/mailer"
)

// queueMail puts n mails in the outbox, due now, to n/2 patrons in turn.
func (h *harness) queueMail(n int) {
	h.t.Helper()
	for i := range n {
		_, err := h.store.db.Exec(`INSERT INTO outbox (kind, to_email, from_name, from_email, subject, body_text, message_id, auto_submitted, created_at, next_attempt_at)
			VALUES ('ack', ?, 'Seymour Library', ?, ?, 'We have your request.', ?, 'auto-replied', ?, ?)`,
			fmt.Sprintf("p%d@example.test", i%(n/2)), helpAddr, fmt.Sprintf("Request %d", i), fmt.Sprintf("<q%d@library.test>", i),
			unix(h.clock.Now()), unix(h.clock.Now()))
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

// secondSender is another daemon's sender: its own connections to the same
// database, the same SMTP server and clock.
func (h *harness) secondSender(name string) *Sender {
	h.t.Helper()
	store, err := Open(context.Background(), h.target)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { store.Close() })
	host, port := splitAddr(h.t, h.srv.SMTPAddr)
	s := NewSender(store, h.clock, mailer.SMTPOptions{Host: host, Port: port, Security: "none", Timeout: 5 * time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Name = name
	return s
}

// receivedOnce fails when the SMTP server got a mail twice; it returns how
// many it got.
func (h *harness) receivedOnce() int {
	h.t.Helper()
	seen := map[string]bool{}
	got := h.srv.Received()
	for _, r := range got {
		id := headerValue(string(r.Raw), "Message-Id")
		if seen[id] {
			h.t.Errorf("%s sent twice", id)
		}
		seen[id] = true
	}
	return len(got)
}

// TestTwoSendersNeverSendARowTwice: two daemons draining one outbox at
// once share the mail, and the server gets each mail once.
func TestTwoSendersNeverSendARowTwice(t *testing.T) {
	h := newHarness(t, nil)
	const mails = 400
	h.queueMail(mails)
	a := h.sender
	a.Name = "a"
	b := h.secondSender("b")
	var wg sync.WaitGroup
	for _, s := range []*Sender{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Drain(context.Background()); err != nil {
				t.Errorf("%s: %v", s.Name, err)
			}
		}()
	}
	wg.Wait()
	if got := h.receivedOnce(); got != mails || a.Sent()+b.Sent() != mails {
		t.Errorf("server got %d mails, senders say %d + %d; want %d", got, a.Sent(), b.Sent(), mails)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status <> 'sent' OR claimed_by <> ''`); n != 0 {
		t.Errorf("%d rows not sent or still claimed", n)
	}
	if a.Sent() == 0 || b.Sent() == 0 {
		t.Errorf("one daemon sent all the mail (%d and %d): the second had to wait for the first", a.Sent(), b.Sent())
	}
}

// TestClaimOfADeadDaemonExpires: mail claimed by a daemon that died
// before sending waits out the claim, then another daemon sends it once.
func TestClaimOfADeadDaemonExpires(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.queueMail(10)
	dead := h.secondSender("dead")
	ids, _, err := dead.claim(ctx, 100) // claimed, then SIGKILL
	if err != nil || len(ids) != 10 {
		t.Fatalf("claimed %d rows: %v", len(ids), err)
	}
	h.sender.Name = "alive"
	cases := []struct {
		name    string
		advance time.Duration
		want    int
	}{
		{"nothing sent while the claim lasts", h.sender.ClaimFor - time.Second, 0},
		{"all sent once the claim expired", 2 * time.Second, 10},
		{"nothing sent twice", time.Minute, 0},
	}
	for _, c := range cases {
		h.clock.Advance(c.advance)
		n, err := h.sender.Drain(ctx)
		if err != nil || n != c.want {
			t.Errorf("%s: sent %d (%v); want %d", c.name, n, err, c.want)
		}
	}
	if got := h.receivedOnce(); got != 10 {
		t.Errorf("server got %d mails; want 10", got)
	}
}

// TestClaimOfAStoppedProcessOnThisMachineIsFreedAtOnce: a daemon restarted
// after a crash (or `run --once`) sends the mail its dead predecessor on
// the same machine had claimed, without waiting the claim out.
func TestClaimOfAStoppedProcessOnThisMachineIsFreedAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.queueMail(10)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	cases := []struct {
		name string
		by   string
		want int
	}{
		{"a live process's claim is kept", fmt.Sprintf("%s:%d", host, os.Getppid()), 0},
		{"a stopped process's claim is freed", fmt.Sprintf("%s:%d", host, gone.Process.Pid), 10},
	}
	h.sender.Name = DaemonName()
	for _, c := range cases {
		h.store.db.Exec(`UPDATE outbox SET claimed_by = '', claimed_until = 0`)
		if ids, _, err := h.secondSender(c.by).claim(ctx, 100); err != nil || len(ids) != 10 {
			t.Fatalf("claimed %d: %v", len(ids), err)
		}
		if n, err := h.sender.Drain(ctx); err != nil || n != c.want {
			t.Errorf("%s: sent %d (%v); want %d", c.name, n, err, c.want)
		}
	}
}
