package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"patrondesk/mailer"
)

var capSets = map[string]imap.CapSet{
	"IMAP4rev2":                   nil,
	"IMAP4rev1+IDLE+MOVE+UIDPLUS": {imap.CapIMAP4rev1: {}, imap.CapIdle: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
	"bare IMAP4rev1":              {imap.CapIMAP4rev1: {}},
}

func TestPatronMailBecomesAcknowledgedTicket(t *testing.T) {
	for name, caps := range capSets {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, caps)
			h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Please renew my books\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nCan I keep Middlemarch two more weeks?\n")
			h.runOnce()

			list := h.tickets("active")
			if len(list) != 1 {
				t.Fatalf("want 1 ticket, got %d", len(list))
			}
			tk := list[0]
			if tk.Status != "open" || tk.Patron != "ann@example.test" || tk.Owner == nil || *tk.Owner != "alice@library.test" || tk.Team != "circulation" {
				t.Errorf("ticket = %+v", tk)
			}
			acks := h.mailTo("ann@example.test")
			if len(acks) != 1 {
				t.Fatalf("patron got %d mails, want 1", len(acks))
			}
			ack := acks[0]
			for key, want := range map[string]string{
				"Subject":        "[Seymour #1] We have your message", // no MX named: nothing the sender wrote
				"Auto-Submitted": "auto-replied",
				"In-Reply-To":    "<ann-1@example.test>",
				"From":           `"Seymour Library" <help@library.test>`,
			} {
				if got := headerValue(ack, key); got != want {
					t.Errorf("ack %s = %q, want %q", key, got, want)
				}
			}
			if !strings.Contains(headerValue(ack, "References"), "<ann-1@example.test>") {
				t.Errorf("ack References = %q", headerValue(ack, "References"))
			}
			for _, s := range testStaff {
				if strings.Contains(strings.ToLower(ack), s.Email) {
					t.Errorf("ack shows staff address %s:\n%s", s.Email, ack)
				}
			}
			for _, w := range []string{"Hello,", "request number is 1", "Alice is looking after it", "reply to this email"} {
				if !strings.Contains(ack, w) {
					t.Errorf("ack lacks %q", w)
				}
			}
			notices := h.mailTo("alice@library.test")
			if len(notices) != 1 || !strings.Contains(notices[0], "Middlemarch") || headerValue(notices[0], "Auto-Submitted") != "auto-generated" {
				t.Fatalf("owner notices = %q", notices)
			}
			if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`); n != 2 {
				t.Errorf("%d sent rows, want 2", n)
			}
			// The message left the inbox only after it was committed.
			st, err := h.srv.User(helpAddr).Status("INBOX", &imap.StatusOptions{NumMessages: true})
			if err != nil || *st.NumMessages != 0 {
				t.Errorf("INBOX still holds %v messages (err %v)", *st.NumMessages, err)
			}
			st, _ = h.srv.User(helpAddr).Status("Processed", &imap.StatusOptions{NumMessages: true})
			if *st.NumMessages != 1 {
				t.Errorf("Processed holds %d messages, want 1", *st.NumMessages)
			}
		})
	}
}

func TestSameMessageTwiceIsOneTicket(t *testing.T) {
	h := newHarness(t, nil)
	raw := patronMail("ann@example.test", "Lost card", "I lost my card.", 1)
	h.deliver(raw)
	h.deliver(raw) // the same email again (say it reached two of our addresses)
	h.runOnce()
	h.deliver(raw) // and once more, fetched in a later run
	h.runOnce()
	if n := len(h.tickets("all")); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	if n := len(h.mailTo("ann@example.test")); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
}

func TestReusedMessageIDFromAnotherSenderIsNotDropped(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(patronMail("ann@example.test", "Hours", "When do you open?", 1))
	h.deliver(patronMail("bob@example.test", "Printing", "Can I print here?", 1)) // same Message-ID
	h.runOnce()
	if n := len(h.tickets("all")); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
}

// crashingSink commits like the desk, then reports a failure for one message,
// as if the daemon died between the commit and marking the message.
type crashingSink struct {
	*Desk
	crashOn uint32
}

func (c crashingSink) Deliver(ctx context.Context, batch []mailer.Delivery) error {
	err := c.Desk.Deliver(ctx, batch)
	for _, d := range batch {
		if d.UID == c.crashOn {
			return errors.New("simulated crash after commit")
		}
	}
	return err
}

func TestRestartInTheMiddleOfABatch(t *testing.T) {
	h := newHarness(t, nil)
	for i := 1; i <= 10; i++ {
		h.deliver(patronMail(fmt.Sprintf("p%d@example.test", i), "Question", "Hello", i))
	}
	crashing := mailer.NewIntake(mailer.IntakeOptions{IMAP: h.imap, BatchSize: 4}, crashingSink{h.desk, 6})
	if err := crashing.Once(context.Background()); err == nil {
		t.Fatal("expected the simulated crash")
	}
	h.runOnce() // the restart
	if n := len(h.tickets("all")); n != 10 {
		t.Errorf("%d tickets, want 10", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'ack'`); n != 10 {
		t.Errorf("%d acknowledgements queued, want 10", n)
	}
	if n := len(h.srv.Received()); n != 20 {
		t.Errorf("%d mails sent, want 20 (10 acks + 10 notices)", n)
	}
}

func TestAutomatedMailIsNeverAnswered(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver("From: ann@example.test\nTo: help@library.test\nSubject: Out of Office\nAuto-Submitted: auto-replied\nMessage-ID: <oof@example.test>\n\nI am away.\n")
	h.deliver("From: MAILER-DAEMON@mx.example.test\nTo: help@library.test\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <b@mx.example.test>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--b--\n")
	h.deliver("From: news@books.example.test\nTo: help@library.test\nSubject: [books] weekly\nList-Id: <books.example.test>\nMessage-ID: <l@example.test>\n\nNews.\n")
	h.deliver("From: Seymour Library <help@library.test>\nTo: help@library.test\nSubject: [Seymour #9] loop\nMessage-ID: <own@library.test>\n\nOur own mail.\n")
	h.deliver("From: MAILER-DAEMON\nTo: help@library.test\nSubject: Delivery Status Notification (Delay)\nMessage-ID: <nofrom@mx.example.test>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\ndelayed\n--b--\n")
	h.runOnce()
	if n := len(h.srv.Received()); n != 0 {
		t.Errorf("%d mails sent, want none", n)
	}
	if n := len(h.tickets("all")); n != 0 {
		t.Errorf("%d tickets, want none", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind IN ('auto_reply','bounce','list_or_bulk','own')`); n != 5 {
		t.Errorf("%d automated messages recorded, want 5", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM quarantine`); n != 0 {
		t.Errorf("%d quarantined; a bounce without a sender address is automated mail, not unreadable", n)
	}
}

func TestReadableTextFromHTMLAndWindows1252(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver("From: ann@example.test\nSubject: Card\nMessage-ID: <h@example.test>\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>My card <b>stopped</b> working.</p></body></html>\n")
	h.deliver("From: bob@example.test\nSubject: Fine\nMessage-ID: <w@example.test>\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\nWhy is there a =80 2 fine =96 I returned it=92s on time.\n")
	h.runOnce()
	for id, want := range map[int64]string{1: "My card stopped working.", 2: "Why is there a € 2 fine – I returned it’s on time."} {
		d, err := h.store.Show(context.Background(), id, h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Thread[0].Text; got != want {
			t.Errorf("ticket %d text = %q, want %q", id, got, want)
		}
	}
}

func TestFirstRunSkipsOldMail(t *testing.T) {
	h := newHarness(t, nil)
	old := h.clock.Now().Add(-72 * time.Hour)
	for i := 1; i <= 5; i++ {
		raw := patronMail("old@example.test", "Old question", "from last week", i)
		if err := h.srv.Append(helpAddr, "INBOX", []byte(strings.ReplaceAll(raw, "\n", "\r\n")), old); err != nil {
			t.Fatal(err)
		}
	}
	h.deliver(patronMail("new@example.test", "New question", "from today", 99))
	h.runOnce()
	if n := len(h.mailTo("old@example.test")); n != 0 {
		t.Errorf("old mail answered %d times", n)
	}
	if n := len(h.mailTo("new@example.test")); n != 1 {
		t.Errorf("new mail answered %d times, want 1", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'old'`); n != 5 {
		t.Errorf("%d old messages recorded, want 5", n)
	}
}

func TestSMTPDownMailWaits(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.StopSMTP()
	h.deliver(patronMail("ann@example.test", "Hours", "When do you open?", 1))
	if err := h.intake().Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sender.Drain(context.Background()); err == nil {
		t.Fatal("Drain with the SMTP server down should report it")
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND attempts = 1`); n != 2 {
		t.Fatalf("%d mails waiting after one attempt, want 2", n)
	}
	if err := h.srv.StartSMTP(); err != nil {
		t.Fatal(err)
	}
	if sent, _ := h.sender.Drain(context.Background()); sent != 0 {
		t.Errorf("sent %d before the retry was due", sent)
	}
	h.clock.Advance(time.Minute)
	if sent, err := h.sender.Drain(context.Background()); sent != 2 || err != nil {
		t.Errorf("after the wait: sent %d, err %v; want 2, nil", sent, err)
	}
	if n := len(h.mailTo("ann@example.test")); n != 1 {
		t.Errorf("patron got %d acknowledgements, want 1", n)
	}
}

func TestPermanentFailureIsRecordedOnTicket(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.Reject(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
	h.deliver(patronMail("ghost@example.test", "Hello", "hi", 1))
	h.runOnce()
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); n != 2 {
		t.Errorf("%d failed rows, want 2", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE action = 'mail failed' AND ticket_id = 1`); n != 2 {
		t.Errorf("%d failure events on the ticket, want 2", n)
	}
}

func TestThreading(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(patronMail("ann@example.test", "Interlibrary loan", "Can you get this book?", 1))
	h.runOnce()
	ackID := headerValue(h.mailTo("ann@example.test")[0], "Message-ID")

	// The patron answers the acknowledgement: same ticket.
	h.deliver("From: ann@example.test\nSubject: Re: [Seymour #1] Interlibrary loan\nIn-Reply-To: " + ackID + "\nMessage-ID: <r1@example.test>\n\nThe ISBN is 123.\n")
	// Someone else uses the subject tag: a new ticket, nothing revealed.
	h.deliver("From: mallory@example.test\nSubject: Re: [Seymour #1] Interlibrary loan\nMessage-ID: <f1@example.test>\n\nWhat did Ann ask?\n")
	// The patron uses only the subject tag: same ticket.
	h.deliver("From: ann@example.test\nSubject: [Seymour #1] one more thing\nMessage-ID: <r2@example.test>\n\nAlso a DVD.\n")
	h.runOnce()

	d, err := h.store.Show(context.Background(), 1, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Thread) != 3 {
		t.Errorf("ticket 1 has %d messages, want 3", len(d.Thread))
	}
	if n := len(h.tickets("all")); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
	for _, m := range h.mailTo("mallory@example.test") {
		if strings.Contains(m, "get this book") || strings.Contains(m, "ann@") || strings.Contains(m, "[Seymour #1]") {
			t.Errorf("mallory learned about ticket 1:\n%s", m)
		}
	}
	if n := len(h.mailTo("alice@library.test")) + len(h.mailTo("bob@library.test")); n < 4 {
		t.Errorf("owners got %d mails, want 2 new-request notices and 2 'wrote again' notices", n)
	}
}

func TestAcknowledgementsAreRateLimited(t *testing.T) {
	h := newHarness(t, nil)
	for i := 1; i <= 15; i++ {
		h.deliver(patronMail("robot@example.test", "Ticket update", "automatic text", i))
	}
	h.runOnce()
	if n := len(h.mailTo("robot@example.test")); n != 10 {
		t.Errorf("robot got %d acknowledgements, want the limit of 10", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE action = 'acknowledgement not sent'`); n != 5 {
		t.Errorf("%d skipped acknowledgements recorded, want 5", n)
	}
}

func TestUnreadableMailIsQuarantined(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver("this is not an email at all, just words\n")
	h.deliver("Content-Type: text/plain\n\nno sender at all\n")
	h.deliver(patronMail("ann@example.test", "Fine", "still fine", 1))
	h.runOnce()
	// (go-imap's memory server hands out garbage as an empty body, so only
	// the no-sender message can be checked for its bytes here.)
	if n := h.count(`SELECT COUNT(*) FROM quarantine WHERE reason != ''`); n != 2 {
		t.Errorf("%d quarantined, want 2", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM quarantine WHERE raw LIKE '%no sender at all%'`); n != 1 {
		t.Errorf("the quarantined message's raw bytes were not kept")
	}
	if n := len(h.tickets("all")); n != 1 {
		t.Errorf("%d tickets, want 1: one bad message must not stop the rest", n)
	}
}

func TestUIDValidityChangeRescansWithoutDuplicates(t *testing.T) {
	h := newHarness(t, nil)
	h.imap.Processed = "" // mail stays in INBOX, only marked \Seen
	for i := 1; i <= 3; i++ {
		h.deliver(patronMail("ann@example.test", "Q", "q", i))
	}
	h.runOnce()
	// The server rebuilds the folder: new UIDVALIDITY, same messages.
	u := h.srv.User(helpAddr)
	if err := u.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	u.Create("INBOX", nil)
	for i := 1; i <= 4; i++ {
		h.deliver(patronMail("ann@example.test", "Q", "q", i))
	}
	h.runOnce()
	if n := len(h.tickets("all")); n != 4 {
		t.Errorf("%d tickets, want 4", n)
	}
}

// flakyProxy forwards to the IMAP server and cuts the first connections in
// the middle of the server's reply.
func TestIMAPDroppedMidFetchLosesNothing(t *testing.T) {
	h := newHarness(t, nil)
	for i := 1; i <= 20; i++ {
		h.deliver(patronMail(fmt.Sprintf("p%d@example.test", i), "Q", longText(i), i))
	}
	var cuts atomic.Int32
	proxy := startCuttingProxy(t, h.srv.IMAPAddr, 3, 20_000, &cuts)
	h.imap.Host, h.imap.Port = splitAddr(t, proxy)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.intake().Run(ctx) }()
	deadline := time.Now().Add(15 * time.Second)
	for len(h.tickets("all")) < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if cuts.Load() == 0 {
		t.Fatal("the proxy never cut a connection; the test proves nothing")
	}
	if n := len(h.tickets("all")); n != 20 {
		t.Errorf("%d tickets after %d dropped connections, want 20", n, cuts.Load())
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'ack'`); n != 20 {
		t.Errorf("%d acknowledgements, want 20", n)
	}
	// No message was cut short by a dropped connection.
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE length(body) != ?`, len(longText(1))); n != 0 {
		t.Errorf("%d messages were stored truncated", n)
	}
}

func TestQuarantineKeepsRawBytes(t *testing.T) {
	h := newHarness(t, nil)
	raw := []byte("\x00\x01 not mail \xff")
	out, err := h.desk.Receive(context.Background(), mailer.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 7, Raw: raw})
	if err != nil || out != Quarantined {
		t.Fatalf("Receive = %v, %v", out, err)
	}
	var got []byte
	var reason string
	if err := h.store.db.QueryRow(`SELECT raw, reason FROM quarantine WHERE uid = 7`).Scan(&got, &reason); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(raw) || reason == "" {
		t.Errorf("quarantine kept %q with reason %q", got, reason)
	}
}

func TestIdlePicksUpNewMailQuickly(t *testing.T) {
	h := newHarness(t, nil)
	in := mailer.NewIntake(mailer.IntakeOptions{IMAP: h.imap, PollInterval: time.Hour}, h.desk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// Wait until intake has looked once and is idling, then send mail.
	for h.count(`SELECT COUNT(*) FROM mailboxes`) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	h.deliver(patronMail("ann@example.test", "Hours", "Open on Sunday?", 1))
	for len(h.tickets("all")) == 0 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("no ticket 2 s after the mail arrived: IDLE did not wake intake (poll interval is 1 h)")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// longText is a long request of the same length for each patron i, in words
// of their own (twenty patrons writing the very same text would be a flood).
func longText(i int) string {
	return strings.TrimSpace(strings.Repeat(fmt.Sprintf("long text %c ", 'a'+i), 200))
}
