package tickets

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestRateLimitHoldsMailWithoutLosingIt: with 4 mails a minute allowed,
// three patrons' requests (an acknowledgement and an owner notice each)
// go out 4 now and 2 a minute later; none is failed or sent twice.
func TestRateLimitHoldsMailWithoutLosingIt(t *testing.T) {
	h := newHarness(t, nil)
	h.sender.Limit = RateLimit{PerMinute: 4}
	for i, who := range []string{"Ann Lee <ann@patrons.test>", "Marco Ruiz <marco@patrons.test>", "Kim Park <kim@patrons.test>"} {
		h.deliver(patronMail(who, "A question", "Do you have it?", i+1))
	}
	h.runOnce()
	if got := len(h.srv.Received()); got != 4 {
		t.Fatalf("sent %d mails in the first minute, want 4", got)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND next_attempt_at > ?`, unix(h.clock.Now())); n != 2 {
		t.Errorf("%d mails held for later, want 2", n)
	}
	h.clock.Advance(30 * time.Second)
	if n, err := h.sender.Drain(context.Background()); n != 0 || err != nil {
		t.Errorf("half a minute later %d more were sent (%v), want none", n, err)
	}
	h.clock.Advance(32 * time.Second)
	if n, err := h.sender.Drain(context.Background()); n != 2 || err != nil {
		t.Errorf("a minute later %d were sent (%v), want the 2 held", n, err)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status != 'sent' OR attempts != 1`); n != 0 || len(h.srv.Received()) != 6 {
		t.Errorf("%d mails not sent exactly once; the server got %d", n, len(h.srv.Received()))
	}
}

// TestDailyQuotaReplyHoldsTheOutbox: Gmail's "550 5.4.5 Daily user sending
// limit exceeded" must not fail the mail: everything waits an hour and then
// goes.
func TestDailyQuotaReplyHoldsTheOutbox(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "A question", "Do you have it?", 1))
	h.srv.Reject(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 4, 5}, Message: "Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852"})
	if err := h.intake().Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sender.Drain(context.Background()); err == nil {
		t.Fatal("the quota reply should stop sending")
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); n != 0 {
		t.Errorf("%d mails failed for good on a daily quota", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND next_attempt_at >= ?`, unix(h.clock.Now().Add(time.Hour))); n != 2 {
		t.Errorf("%d mails held an hour, want both (the one refused and the one behind it)", n)
	}
	h.srv.Reject(nil)
	h.clock.Advance(30 * time.Minute)
	if n, _ := h.sender.Drain(context.Background()); n != 0 {
		t.Errorf("%d sent within the hold", n)
	}
	h.clock.Advance(31 * time.Minute)
	if n, err := h.sender.Drain(context.Background()); n != 2 || err != nil {
		t.Errorf("after the hold %d sent (%v), want 2", n, err)
	}
}

// TestDailyRateLimit: with 3 mails a day, the fourth waits until the first
// of the day's three is 24 hours old, across restarts (the count is read
// from the outbox).
func TestDailyRateLimit(t *testing.T) {
	h := newHarness(t, nil)
	h.sender.Limit = RateLimit{PerMinute: 30, PerDay: 3}
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "A question", "Do you have it?", 1))
	h.runOnce() // an acknowledgement and an owner notice
	h.clock.Advance(time.Hour)
	h.deliver(patronMail("Marco Ruiz <marco@patrons.test>", "Photos", "Do you have photos?", 2))
	h.runOnce() // one more fits today
	if got := len(h.srv.Received()); got != 3 {
		t.Fatalf("sent %d, want 3 (the day's limit)", got)
	}
	// A new Sender, as after a restart, keeps counting.
	h.sender = NewSender(h.store, h.clock, h.sender.smtp, h.sender.log)
	h.sender.Limit = RateLimit{PerDay: 3}
	h.clock.Advance(22 * time.Hour)
	if n, _ := h.sender.Drain(context.Background()); n != 0 {
		t.Errorf("23 hours after the first, %d more were sent", n)
	}
	h.clock.Advance(time.Hour + 2*time.Second)
	if n, err := h.sender.Drain(context.Background()); n != 1 || err != nil {
		t.Errorf("a day after the first two, %d sent (%v), want the 1 left (the third is still within the day)", n, err)
	}
}
