package tickets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestReport(t *testing.T) {
	h := newSchedHarness(t) // Monday 7 December 09:00, Chicago
	renewRequest(h, 1)      // Alice, due Tuesday 17:00
	h.deliver(patronMail("Cy <cy@example.test>", "Where is my hold?", "A week now.", 2))
	h.deliver(patronMail("Dee <dee@example.test>", "Renew my card", "It expires.", 3))
	h.runOnce() // #2 Bob, #3 Alice (fewest open)
	notice := func(id string, to string) string {
		for _, m := range h.mailTo(to) {
			if strings.Contains(headerValue(m, "Subject"), "[Seymour #"+id+"]") {
				return m
			}
		}
		t.Fatalf("no notice for #%s to %s", id, to)
		return ""
	}
	h.setLocal("2026-12-07 11:00")
	h.replyTo(alice, notice("1", alice), "#close\nRenewed.", 1) // answered in 2 open hours, solved
	h.runOnce()
	h.setLocal("2026-12-09 11:00")
	h.replyTo(bob, notice("2", bob), "It is on its way.", 2) // answered late: 18 open hours
	h.runOnce()
	h.replyTo(alice, notice("3", alice), "#assign bob", 3) // one reassignment
	h.runOnce()

	loc := mustLoc("America/Chicago")
	rep, err := h.store.Report(context.Background(), time.Date(2026, 12, 7, 0, 0, 0, 0, loc), time.Date(2026, 12, 14, 0, 0, 0, 0, loc), h.desk.opts.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Received != 3 || rep.Answered != 2 || rep.Solved != 1 {
		t.Errorf("received %d, answered %d, solved %d; want 3, 2, 1", rep.Received, rep.Answered, rep.Solved)
	}
	if rep.FirstAnswer.Count != 2 || *rep.FirstAnswer.Median != 2 || *rep.FirstAnswer.P90 != 18 {
		t.Errorf("first answer: %d, median %v, p90 %v; want 2, 2h, 18h", rep.FirstAnswer.Count, *rep.FirstAnswer.Median, *rep.FirstAnswer.P90)
	}
	if rep.WithinPromise == nil || *rep.WithinPromise != 0.5 {
		t.Errorf("within promise %v, want 0.5", rep.WithinPromise)
	}
	if rep.Solution.Count != 1 || *rep.Solution.Median != 2 {
		t.Errorf("solution %+v", rep.Solution)
	}
	if rep.Reassignments < 0.33 || rep.Reassignments > 0.34 {
		t.Errorf("reassignments per ticket %.2f, want 1/3", rep.Reassignments)
	}
	byOwner := map[string]Group{}
	for _, g := range rep.ByOwner {
		byOwner[g.Name] = g
	}
	if byOwner[alice].Answered != 1 || byOwner[bob].Answered != 1 || byOwner[bob].Received != 2 || byOwner[alice].Solved != 1 {
		t.Errorf("by owner: %+v", rep.ByOwner)
	}
}

// TestReportCountsOnlyAnswersThatArrived: an answer counts only when its
// mail reached the patron's server; a #close with no words is solved, not
// answered; the owner and the one who answered are counted apart.
func TestReportCountsOnlyAnswersThatArrived(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1) // Alice's
	h.deliver(patronMail("Dee <dee@example.test>", "Renew my card", "It expires.", 2))
	h.deliver(patronMail("Eve <eve@example.test>", "Renew my loan", "One more week?", 3))
	h.runOnce()
	notice := func(id string) string {
		for _, m := range append(h.mailTo(alice), h.mailTo(bob)...) {
			if strings.Contains(headerValue(m, "Subject"), "[Seymour #"+id+"]") {
				return m
			}
		}
		t.Fatalf("no notice for #%s", id)
		return ""
	}
	h.setLocal("2026-12-07 11:00")
	h.replyTo(bob, notice("1"), "Renewed until January.", 1) // Bob answers Alice's ticket
	h.replyTo(alice, notice("2"), "#close", 2)               // solved, nothing said
	h.runOnce()
	h.srv.Reject(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
	h.replyTo(alice, notice("3"), "Yes, renewed.", 3) // refused by the server
	h.runOnce()
	h.srv.Reject(nil)

	loc := mustLoc("America/Chicago")
	rep, err := h.store.Report(context.Background(), time.Date(2026, 12, 7, 0, 0, 0, 0, loc), time.Date(2026, 12, 14, 0, 0, 0, 0, loc), h.desk.opts.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Answered != 1 || rep.Solved != 1 {
		t.Errorf("answered %d, solved %d; want 1 (Bob's) and 1 (the #close)", rep.Answered, rep.Solved)
	}
	groups := func(gs []Group) map[string]Group {
		m := map[string]Group{}
		for _, g := range gs {
			m[g.Name] = g
		}
		return m
	}
	owners, answerers := groups(rep.ByOwner), groups(rep.ByAnswerer)
	if owners[alice].Answered != 1 || owners[bob].Answered != 0 || answerers[bob].Answered != 1 || answerers[alice].Answered != 0 || answerers[alice].Solved != 1 {
		t.Errorf("by owner %+v, by answerer %+v", rep.ByOwner, rep.ByAnswerer)
	}
}
