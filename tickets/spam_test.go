package tickets

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMailServerSpamGoesToTheSpamQueue(t *testing.T) {
	h := safeHarness(t)
	h.deliver(raw("Prize Desk <winner@patrons.test>", "You won a prize", "X-Spam-Status: Yes, score=14.2 required=5.0\n", "Claim your prize at http://spam.test now.", 1))
	h.runOnce()
	if n := len(h.tickets("all")); n != 0 {
		t.Fatalf("%d tickets; spam gets no request number", n)
	}
	if n := len(h.srv.Received()); n != 0 {
		t.Fatalf("%d mails went out for spam", n)
	}
	ctx := context.Background()
	list, err := h.store.ListSpam(ctx, 0)
	if err != nil || len(list) != 1 || list[0].From != "winner@patrons.test" || !strings.Contains(list[0].Reason, "spam") {
		t.Fatalf("spam list = %+v, %v", list, err)
	}
	m, err := h.store.GetSpam(ctx, list[0].ID)
	if err != nil || !strings.Contains(m.Text, "Claim your prize") {
		t.Fatalf("spam show = %+v, %v", m, err)
	}

	// Staff decide it is a real request after all.
	out, err := h.desk.ReleaseSpam(ctx, m.ID)
	if err != nil || out != Created {
		t.Fatalf("release: %v, %v", out, err)
	}
	h.runOnce()
	if list := h.tickets("active"); len(list) != 1 || list[0].Patron != "winner@patrons.test" {
		t.Errorf("after release: tickets %+v", list)
	}
	if n := len(h.mailTo("winner@patrons.test")); n != 1 {
		t.Errorf("the released sender got %d mails, want the acknowledgement", n)
	}
	if n, _ := h.store.SpamCount(ctx); n != 0 {
		t.Errorf("spam count after release = %d", n)
	}
	if _, err := h.desk.ReleaseSpam(ctx, m.ID); err == nil {
		t.Error("a message released twice")
	}
	// The same bytes again (a re-fetch) are a duplicate, not a second request.
	h.deliver(raw("Prize Desk <winner@patrons.test>", "You won a prize", "X-Spam-Status: Yes, score=14.2 required=5.0\n", "Claim your prize at http://spam.test now.", 1))
	h.runOnce()
	if n := len(h.tickets("all")); n != 1 {
		t.Errorf("%d tickets after the same mail came again", n)
	}
}

func TestFloodOfNewSendersGoesToTheSpamQueue(t *testing.T) {
	h := safeHarness(t)
	body := "Dear customer, your mailbox is almost full. Verify your account within 24 hours at the link below to keep receiving mail."
	for i := 1; i <= 8; i++ {
		h.deliver(raw(fmt.Sprintf("Mail Admin <admin%d@patrons.test>", i), fmt.Sprintf("Account notice %d", i), "", body, i))
		h.clock.Advance(time.Minute)
	}
	h.runOnce()
	n, err := h.store.SpamCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tickets := len(h.tickets("all"))
	if n == 0 || tickets+n != 8 || tickets > h.desk.opts.FloodSenders {
		t.Errorf("%d tickets and %d spam of 8 near-identical mails from new senders (flood after %d)", tickets, n, h.desk.opts.FloodSenders)
	}
	sent := 0
	for i := 1; i <= 8; i++ {
		sent += len(h.mailTo(fmt.Sprintf("admin%d@patrons.test", i)))
	}
	if sent > h.desk.opts.FloodSenders {
		t.Errorf("%d acknowledgements went to the flood's senders", sent)
	}
}
