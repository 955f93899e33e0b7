package tickets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"patrondesk/mailer"
	"patrondesk/mailer/memserver"
	"patrondesk/templates"
	"patrondesk/tickets/clock"
	"patrondesk/tickets/testdb"
)

const helpAddr = "help@library.test"

// harness is a whole patrondesk in process: real IMAP and SMTP servers, a
// real SQLite file, a desk, intake and sender, and a fake clock.
type harness struct {
	t      *testing.T
	srv    *memserver.Servers
	store  *Store
	desk   *Desk
	sender *Sender
	clock  *clock.Fake
	imap   mailer.IMAPOptions
	now    time.Time
	target string // the database, for a second daemon on it
}

var testStaff = []Staff{
	{Name: "Alice Smith", Email: "alice@library.test", Teams: []string{"circulation"}},
	{Name: "Bob Jones", Email: "bob@library.test", Teams: []string{"reference"}},
	{Name: "Dana Boss", Email: "boss@library.test", Supervisor: true},
}

func newHarness(t *testing.T, caps imap.CapSet) *harness {
	t.Helper()
	srv, err := memserver.Start(caps, helpAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return newHarnessOn(t, srv, testdb.Target(t, t.TempDir()))
}

// newHarnessOn is a harness on the given mail servers and database.
func newHarnessOn(t *testing.T, srv *memserver.Servers, target string) *harness {
	t.Helper()
	ctx := context.Background()
	store, err := Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := Options{
		Library: "Seymour Library", Address: helpAddr, Tag: "Seymour", Language: "en",
		Location: mustLoc("America/Chicago"), Since: 24 * time.Hour,
		FirstAnswer:    map[string]time.Duration{"normal": 48 * time.Hour, "urgent": 4 * time.Hour, "low": 96 * time.Hour},
		AutoReplyLimit: 10, AutoReplyWindow: 3 * time.Hour, ThreadReplyLimit: 5,
		TokenLifetime: 90 * 24 * time.Hour, ReopenWithin: 30 * 24 * time.Hour,
		Staff:  append([]Staff(nil), testStaff...),
		Routes: []Route{{Team: "circulation", SubjectWords: []string{"renew", "card"}}, {Team: "reference"}},
	}
	desk, err := NewDesk(ctx, store, clk, opts, templates.New(""), log)
	if err != nil {
		t.Fatal(err)
	}
	host, port := splitAddr(t, srv.SMTPAddr)
	sender := NewSender(store, clk, mailer.SMTPOptions{Host: host, Port: port, Security: "none", Timeout: 5 * time.Second}, log)
	ihost, iport := splitAddr(t, srv.IMAPAddr)
	return &harness{t: t, srv: srv, store: store, desk: desk, sender: sender, clock: clk, now: now, target: target,
		imap: mailer.IMAPOptions{Host: ihost, Port: iport, Security: "none", Username: helpAddr, Password: memserver.Password,
			Mailbox: "INBOX", Processed: "Processed", Timeout: 5 * time.Second}}
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func splitAddr(t *testing.T, addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func (h *harness) intake() *mailer.Intake {
	return mailer.NewIntake(mailer.IntakeOptions{IMAP: h.imap, BatchSize: 7, PollInterval: time.Second,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, h.desk)
}

// deliver puts a patron's mail in the shared mailbox, arrived now.
func (h *harness) deliver(raw string) {
	h.t.Helper()
	if err := h.srv.Append(helpAddr, "INBOX", []byte(strings.ReplaceAll(raw, "\n", "\r\n")), h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
}

// runOnce is `patrondesk run --once`: take the mailbox, then send.
func (h *harness) runOnce() {
	h.t.Helper()
	if err := h.intake().Once(context.Background()); err != nil {
		h.t.Fatalf("intake: %v", err)
	}
	if _, err := h.sender.Drain(context.Background()); err != nil {
		h.t.Fatalf("send: %v", err)
	}
}

func (h *harness) tickets(status string) []View {
	h.t.Helper()
	v, err := h.store.List(context.Background(), status, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// mailTo returns the raw mails the SMTP server accepted for addr.
func (h *harness) mailTo(addr string) []string {
	var out []string
	for _, r := range h.srv.Received() {
		for _, to := range r.To {
			if strings.EqualFold(to, addr) {
				out = append(out, string(r.Raw))
			}
		}
	}
	return out
}

func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.store.db.QueryRow(query, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func patronMail(from, subject, body string, n int) string {
	return fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: %s\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <m%d@example.test>\n\n%s\n", from, subject, n, body)
}

// headerValue reads one header from a raw mail (unfolded).
func headerValue(raw, key string) string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	head = strings.ReplaceAll(head, "\r\n ", " ")
	for _, line := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// text is the decoded text of a raw mail.
func text(t *testing.T, raw string) string {
	t.Helper()
	m, err := mailer.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// last returns the newest mail addr received, or fails.
func (h *harness) last(addr string) string {
	h.t.Helper()
	got := h.mailTo(addr)
	if len(got) == 0 {
		h.t.Fatalf("%s received nothing", addr)
	}
	return got[len(got)-1]
}

// replyTo writes from's reply to a mail patrondesk sent, as a mail client
// would: threaded on its Message-ID, quoting it under the answer.
func (h *harness) replyTo(from, sent, answer string, n int) {
	h.t.Helper()
	h.deliver(h.reply(from, sent, answer, n))
}

// reply is the raw mail replyTo delivers.
func (h *harness) reply(from, sent, answer string, n int) string {
	h.t.Helper()
	id := headerValue(sent, "Message-Id")
	var quoted strings.Builder
	for _, l := range strings.Split(text(h.t, sent), "\n") {
		quoted.WriteString("> " + l + "\n")
	}
	return fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Re: %s\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <r%d@mail.test>\nIn-Reply-To: %s\nReferences: %s\n\n%s\n\nOn Mon, Dec 7, 2026 at 9:00 AM Seymour Library <help@library.test> wrote:\n%s",
		from, headerValue(sent, "Subject"), n, id, id, answer, quoted.String())
}
