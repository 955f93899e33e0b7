package tickets

import (
	"context"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets/calendar"
)

// newSchedHarness is a desk with business hours: Monday to Friday 9 to 5 in
// Chicago, US holidays, and the default follow-up ladder. Its clock starts on
// Monday 7 December 2026 at 09:00 there.
func newSchedHarness(t *testing.T) *harness {
	h := newHarness(t, nil)
	withOpeningHours(t, h)
	return h
}

// withOpeningHours gives h's desk the library's week (09:00–17:00 on
// weekdays), the follow-up policy of the scheduler tests, and a Monday
// morning clock.
func withOpeningHours(t *testing.T, h *harness) {
	loc := mustLoc("America/Chicago")
	day, _ := calendar.ParseDay("09:00-17:00")
	var w calendar.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = day
	}
	cal, err := calendar.New(calendar.Options{Location: loc, Week: w, Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	o := &h.desk.opts
	o.Calendar = cal
	o.FirstAnswer = map[string]time.Duration{"normal": 16 * time.Hour, "urgent": 4 * time.Hour, "low": 40 * time.Hour}
	o.NagEvery, o.EscalateAfter, o.PatronUpdateAfter = 8*time.Hour, 8*time.Hour, 24*time.Hour
	o.FollowupAfter, o.CloseAfter, o.SummaryAt = 24*time.Hour, 40*time.Hour, 8*time.Hour+30*time.Minute
	o.Retention = 365 * 24 * time.Hour
	h.setLocal("2026-12-07 09:00")
}

// setLocal moves the clock to a Chicago wall time.
func (h *harness) setLocal(s string) {
	h.t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, mustLoc("America/Chicago"))
	if err != nil {
		h.t.Fatal(err)
	}
	h.clock.Set(v.UTC())
}

// pass moves the clock to a Chicago wall time, runs the scheduler and sends.
func (h *harness) pass(s string) *Planned {
	h.t.Helper()
	h.setLocal(s)
	p, err := h.desk.Schedule(context.Background(), h.clock.Now())
	if err != nil {
		h.t.Fatalf("schedule at %s: %v", s, err)
	}
	if _, err := h.sender.Drain(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// kinds counts the outbox rows of a kind to an address.
func (h *harness) kinds(kind, to string) int {
	return h.count(`SELECT COUNT(*) FROM outbox WHERE kind = ? AND to_email = ?`, kind, to)
}

func renewRequest(h *harness, n int) {
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Please renew my books", "Can I keep Middlemarch?", n))
	h.runOnce()
}

func TestDueCountsOpenHours(t *testing.T) {
	h := newSchedHarness(t)
	h.setLocal("2026-12-04 16:50") // a Friday, ten minutes before closing
	renewRequest(h, 1)
	d := h.ticket(1)
	want := time.Date(2026, 12, 8, 16, 50, 0, 0, mustLoc("America/Chicago"))
	if d.DueAt == nil || !d.DueAt.Equal(want) {
		t.Errorf("due %v, want %v (16 open hours: 10 min Friday, 8 h Monday, 7 h 50 Tuesday)", d.DueAt, want)
	}
	if ack := text(t, h.last(ann)); !strings.Contains(ack, "by Tuesday afternoon") {
		t.Errorf("ack promise:\n%s", ack)
	}
}

func TestReminderLadder(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1) // Monday 09:00; due Tuesday 17:00
	h.pass("2026-12-08 12:00")
	if n := h.kinds("nag", alice); n != 0 {
		t.Fatalf("reminded before the answer was due: %d", n)
	}
	h.pass("2026-12-08 17:30") // due, but closed: no mail at night
	if n := h.kinds("nag", alice); n != 0 {
		t.Fatalf("reminded after closing time: %d", n)
	}
	h.pass("2026-12-09 09:00")
	h.pass("2026-12-09 12:00") // same period: nothing new
	if n := h.kinds("nag", alice); n != 1 {
		t.Fatalf("%d reminders on Wednesday, want 1", n)
	}
	nag := text(t, h.last(alice))
	if !strings.Contains(nag, "It was due Tue 8 Dec 17:00") || !strings.Contains(nag, "#wait 3d") {
		t.Errorf("reminder:\n%s", nag)
	}
	h.pass("2026-12-10 09:00") // a second period; 8 open hours late: first escalation
	if h.kinds("nag", alice) != 2 || h.kinds("escalation", "boss@library.test") != 1 || h.kinds("patron_update", ann) != 1 {
		t.Errorf("Thursday: nags %d, escalations %d, patron updates %d; want 2, 1, 1",
			h.kinds("nag", alice), h.kinds("escalation", "boss@library.test"), h.kinds("patron_update", ann))
	}
	if u := text(t, h.last(ann)); !strings.Contains(u, "We have not forgotten your request.") || !strings.Contains(u, "Alice is working on it.") {
		t.Errorf("patron update:\n%s", u)
	}
	// Alice answers: the ladder stops.
	h.replyTo(alice, h.last(alice), "Renewed until January.", 1)
	h.runOnce()
	for _, at := range []string{"2026-12-11 09:00", "2026-12-14 09:00", "2026-12-15 16:00"} {
		h.pass(at)
	}
	if h.kinds("nag", alice) != 2 || h.kinds("escalation", "boss@library.test") != 1 || h.kinds("patron_update", ann) != 1 {
		t.Errorf("mail after the answer: nags %d, escalations %d, updates %d", h.kinds("nag", alice), h.kinds("escalation", "boss@library.test"), h.kinds("patron_update", ann))
	}
}

func TestEscalationOncePerStepUpToThree(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	for _, at := range []string{"2026-12-10 09:00", "2026-12-10 11:00", "2026-12-10 16:59", "2026-12-11 09:00", "2026-12-14 09:00", "2026-12-15 09:00", "2026-12-16 09:00"} {
		h.pass(at)
	}
	if n := h.kinds("escalation", "boss@library.test"); n != 3 {
		t.Errorf("%d escalations, want 3 (one per step, at most three)", n)
	}
	if n := h.kinds("nag", alice); n != 5 {
		t.Errorf("%d reminders, want one per period passed, Thursday to Wednesday (5)", n)
	}
}

func TestSnoozeAndWaitStopReminders(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.replyTo(alice, h.last(alice), "#note #wait 2026-12-14\nWaiting for the other branch.", 1)
	h.runOnce()
	h.pass("2026-12-09 09:00")
	h.pass("2026-12-11 09:00")
	if n := h.kinds("nag", alice); n != 0 {
		t.Errorf("%d reminders while snoozed", n)
	}
	h.pass("2026-12-14 09:00")
	if n := h.kinds("nag", alice); n != 1 {
		t.Errorf("%d reminders after the snooze ended, want 1", n)
	}
}

func TestTwoDayOutageCatchesUpWithoutAFlood(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.pass("2026-12-11 12:00") // nothing ran since Monday
	if h.kinds("nag", alice) != 1 || h.kinds("escalation", "boss@library.test") != 1 || h.kinds("patron_update", ann) != 1 {
		t.Errorf("after the outage: nags %d, escalations %d, updates %d; want 1 each",
			h.kinds("nag", alice), h.kinds("escalation", "boss@library.test"), h.kinds("patron_update", ann))
	}
}

func TestFollowupThenAutoClose(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.replyTo(alice, h.last(alice), "#close\nAll renewed.", 1)
	h.runOnce()
	h.pass("2026-12-09 16:59") // 23 h 59 open hours after solving: not yet
	if n := h.kinds("followup", ann); n != 0 {
		t.Fatalf("follow-up too early")
	}
	h.pass("2026-12-09 17:30") // due at closing time: it waits for the morning
	if n := h.kinds("followup", ann); n != 0 {
		t.Fatalf("follow-up sent while closed")
	}
	h.pass("2026-12-10 09:00")
	h.pass("2026-12-10 10:00")
	if n := h.kinds("followup", ann); n != 1 {
		t.Fatalf("%d follow-ups, want 1", n)
	}
	if f := text(t, h.last(ann)); !strings.Contains(f, "just reply to this email") {
		t.Errorf("follow-up:\n%s", f)
	}
	h.pass("2026-12-16 16:59")
	if s := h.ticket(1).Status; s != "solved" {
		t.Errorf("closed too early: %s", s)
	}
	h.pass("2026-12-16 17:00") // 40 open hours after the follow-up (Thursday 09:00)
	if s := h.ticket(1).Status; s != "closed" {
		t.Errorf("status %s, want closed", s)
	}
}

func TestDailySummary(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1) // Alice's, due Tue 17:00
	h.deliver(patronMail("cy@example.test", "Where is my hold?", "It has been a week.", 2))
	h.runOnce() // Bob's
	h.setLocal("2026-12-09 08:00")
	h.deliver(patronMail("Dee Fay <dee@example.test>", "Opening hours", "When do you open?", 3))
	h.runOnce() // Bob's, not late yet
	h.pass("2026-12-09 08:29")
	if n := h.kinds("summary", "boss@library.test"); n != 0 {
		t.Fatal("summary before summary_at")
	}
	h.pass("2026-12-09 08:30")
	h.pass("2026-12-09 12:00")
	if n := h.kinds("summary", "boss@library.test"); n != 1 {
		t.Fatalf("%d summaries on Wednesday, want 1", n)
	}
	raw := h.last("boss@library.test")
	s := text(t, raw)
	for _, w := range []string{"2 late", "Alice Smith (1)", "#1  Ann Lee, due Tue 8 Dec 17:00 (less than an open hour late); last: created Mon 7 Dec 09:00", "Bob Jones (1)", "#2  (no name given)", "Since the last summary (Tue 8 Dec 08:30)"} {
		if !strings.Contains(s+headerValue(raw, "Subject"), w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(raw, "#3") || strings.Contains(raw, "@example.test") || strings.Contains(raw, "Middlemarch") {
		t.Errorf("summary lists a ticket that is not late, or shows a patron's address or words:\n%s", raw)
	}
	if !strings.Contains(raw, "text/html") || !strings.Contains(raw, `lang=3D"en"`) && !strings.Contains(raw, `lang="en"`) {
		t.Errorf("summary has no HTML alternative with a language")
	}
	h.pass("2026-12-12 09:00") // Saturday: closed, no summary
	if n := h.kinds("summary", "boss@library.test"); n != 1 {
		t.Errorf("a summary on a closed day")
	}
	// Monday's covers the weekend: everything since Wednesday's.
	h.setLocal("2026-12-13 10:00")
	h.deliver(patronMail("Eve Ray <eve@example.test>", "Sunday question", "Do you have Dune?", 4))
	h.runOnce()
	h.pass("2026-12-14 08:30")
	if n := h.kinds("summary", "boss@library.test"); n != 2 {
		t.Fatalf("%d summaries by Monday, want 2", n)
	}
	if s := text(t, h.last("boss@library.test")); !strings.Contains(s, "Since the last summary (Wed 9 Dec 08:30):\n    1 new,") {
		t.Errorf("Monday's summary does not cover the weekend:\n%s", s)
	}
}

// TestNoSummaryOnStart: the first pass ever, on an open day after
// summary_at, sends no summary; the next day's goes at summary_at.
func TestNoSummaryOnStart(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.pass("2026-12-07 14:00")
	h.pass("2026-12-07 14:01")
	if n := h.kinds("summary", "boss@library.test"); n != 0 {
		t.Fatalf("%d summaries on the first start, want none", n)
	}
	h.pass("2026-12-08 08:29")
	h.pass("2026-12-08 08:31")
	if n := h.kinds("summary", "boss@library.test"); n != 1 {
		t.Errorf("%d summaries at Tuesday's summary_at, want 1", n)
	}
}

func TestAwayStaff(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1) // Alice's
	loc := mustLoc("America/Chicago")
	h.desk.opts.Staff[0].Away = []Away{{From: time.Date(2026, 12, 8, 0, 0, 0, 0, loc), Until: time.Date(2026, 12, 14, 0, 0, 0, 0, loc)}}
	h.pass("2026-12-08 09:00")
	if d := h.ticket(1); d.Owner == nil || *d.Owner != bob || !hasEvent(d, "patrondesk", "handed on") {
		t.Errorf("Alice's ticket while she is away: owner %v", d.Owner)
	}
	if n := h.kinds("assigned", bob); n != 1 {
		t.Errorf("Bob got %d notices", n)
	}
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Renew my card", "It expires soon.", 2))
	h.runOnce()
	if d := h.ticket(2); d.Owner == nil || *d.Owner != bob {
		t.Errorf("a new circulation ticket went to %v while Alice is away", d.Owner)
	}
	// By email: Bob says he is away; his tickets go to Alice once she is back.
	h.pass("2026-12-14 09:00")
	h.replyTo(bob, h.last(bob), "#away 2026-12-21", 1)
	h.runOnce()
	h.pass("2026-12-14 09:05")
	if d := h.ticket(2); d.Owner == nil || *d.Owner != alice {
		t.Errorf("Bob's ticket after #away: owner %v", d.Owner)
	}
}

func TestPurge(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.deliver(patronMail("Cy <cy@example.test>", "Hold", "Where is it?", 2))
	h.runOnce()
	if _, err := h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = 1`, h.clock.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(366 * 24 * time.Hour)
	cutoff := h.clock.Now().Add(-365 * 24 * time.Hour)
	dry, err := h.store.Purge(context.Background(), cutoff, h.clock.Now(), true)
	if err != nil || len(dry) != 1 || dry[0].ID != 1 || h.ticket(1).Patron != ann {
		t.Fatalf("dry run: %v %v, patron %s", dry, err, h.ticket(1).Patron)
	}
	h.pass("2027-12-09 09:00") // the scheduler purges once a day
	d := h.ticket(1)
	if d.Patron != "" || d.PatronName != "" || d.Subject != "(removed)" || d.Thread[0].Text != "" {
		t.Errorf("ticket 1 after purge: %+v", d.View)
	}
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE ticket_id = 1 AND raw IS NOT NULL`); n != 0 {
		t.Errorf("%d raw messages kept", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%Ann%' OR to_email = ?`, ann); n != 0 {
		t.Errorf("%d outgoing mails still name the patron", n)
	}
	if d := h.ticket(2); d.Patron != "cy@example.test" {
		t.Errorf("an open ticket was purged")
	}
	if !hasEvent(d, "patrondesk", "created") && len(h.ticket(1).Events) == 0 {
		t.Errorf("history lost")
	}
}

// TestExampleWeek is the example week in the README, step by step.
func TestExampleWeek(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1) // Monday 7 December, 09:00
	if ack := text(t, h.last(ann)); !strings.Contains(ack, "You will hear from us by tomorrow afternoon.") {
		t.Errorf("ack:\n%s", ack)
	}
	h.pass("2026-12-08 17:00")
	if n := h.kinds("nag", alice); n != 0 {
		t.Errorf("a reminder at closing time")
	}
	h.pass("2026-12-09 08:30")
	if s := text(t, h.last("boss@library.test")); !strings.Contains(s, "#1  Ann Lee, due Tue 8 Dec 17:00") {
		t.Errorf("Wednesday's summary:\n%s", s)
	}
	h.pass("2026-12-09 09:00")
	if nag := text(t, h.last(alice)); !strings.Contains(nag, "It was due Tue 8 Dec 17:00") {
		t.Errorf("Wednesday's reminder:\n%s", nag)
	}
	h.pass("2026-12-09 17:00")
	if n := h.kinds("patron_update", ann); n != 0 {
		t.Errorf("a patron update at closing time")
	}
	h.pass("2026-12-10 09:00")
	if h.kinds("nag", alice) != 2 || h.kinds("escalation", "boss@library.test") != 1 || h.kinds("patron_update", ann) != 1 {
		t.Errorf("Thursday 09:00: nags %d, escalations %d, updates %d", h.kinds("nag", alice), h.kinds("escalation", "boss@library.test"), h.kinds("patron_update", ann))
	}
	h.setLocal("2026-12-10 11:00")
	h.replyTo(alice, h.last(alice), "#close\nYour books are renewed until 7 January.", 1)
	h.runOnce()
	if d := h.ticket(1); d.Status != "solved" {
		t.Fatalf("status %s after #close", d.Status)
	}
	h.pass("2026-12-15 10:59")
	if n := h.kinds("followup", ann); n != 0 {
		t.Errorf("follow-up before next Tuesday 11:00")
	}
	h.pass("2026-12-15 11:00")
	if n := h.kinds("followup", ann); n != 1 {
		t.Errorf("%d follow-ups on Tuesday 11:00", n)
	}
	h.pass("2026-12-22 10:59")
	if s := h.ticket(1).Status; s != "solved" {
		t.Errorf("closed early: %s", s)
	}
	h.pass("2026-12-22 11:00")
	if s := h.ticket(1).Status; s != "closed" {
		t.Errorf("the Tuesday after, 11:00: %s, want closed", s)
	}
	if n := h.kinds("nag", alice); n != 2 {
		t.Errorf("%d reminders in all, want 2", n)
	}
}

func TestAlertAdmin(t *testing.T) {
	h := newSchedHarness(t)
	h.desk.opts.Admin = "it@library.test"
	h.deliver("To: help@library.test\nSubject: who am I\nMessage-ID: <q1@x.test>\n\nno sender here\n")
	h.runOnce()
	h.pass("2026-12-07 09:10")
	h.pass("2026-12-07 09:40")
	if n := h.kinds("alert", "it@library.test"); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	if a := text(t, h.last("it@library.test")); !strings.Contains(a, "1 incoming email(s) could not be read") || !strings.Contains(a, "no sender address") {
		t.Errorf("alert:\n%s", a)
	}
	h.pass("2026-12-07 10:30") // nothing new: no alert
	h.deliver("To: help@library.test\nSubject: me neither\nMessage-ID: <q2@x.test>\n\nstill no sender\n")
	h.runOnce()
	h.pass("2026-12-07 10:40") // new, and the last alert went in the 09:00 hour
	if n := h.kinds("alert", "it@library.test"); n != 2 {
		t.Errorf("%d alerts after a new problem in a new hour, want 2", n)
	}
}
