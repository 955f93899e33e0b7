package tickets

import (
	"context"
	"strings"
	"testing"
	"time"
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
