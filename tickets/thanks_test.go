package tickets

import (
	"context"
	"strings"
	"testing"
	"time"

	"patrondesk/templates"
)

func testReplyWords(t *testing.T) replyWords {
	t.Helper()
	d := &Desk{tpl: templates.New("")}
	w := d.replyWords()
	if len(w.thanks) == 0 || len(w.sorted) == 0 {
		t.Fatal("no thanks words in the built-in languages")
	}
	return w
}

func TestOnlyThanks(t *testing.T) {
	w := testReplyWords(t)
	names := []string{"ann", "lee", "alice", "smith", "seymour", "library"}
	tests := []struct {
		name, text string
		want       bool
	}{
		{"thank you so much", "Thank you so much!", true},
		{"thanks with a name under it", "Thanks!!\n\nAnn", true},
		{"greeting, thanks and sign-off", "Hi Alice,\n\nThank you so much for your help, that's perfect.\n\nBest regards,\nAnn Lee", true},
		{"greeting, thanks, kind regards", "Hi Alice,\n\nMany thanks for all your help!\n\nKind regards,\nAnn Lee", true},
		{"emoji", "Thanks 🙏🙂", true},
		{"a name the desk does not know signed under it", "Thank you!\nMargaret", true},
		{"Spanish", "¡Muchas gracias por todo!\n\nSaludos", true},
		{"Spanish with a question", "Gracias, pero ¿dónde está mi libro?", false},
		{"thanks, but it still fails", "Thanks, but it still doesn't work", false},
		{"thanks and a new request without a question mark", "Thanks. Can you also renew my card", false},
		{"thanks and another question", "Thank you! I have another question about my fines", false},
		{"a question only", "When do you open tomorrow?", false},
		{"praise without thanks", "Great", false},
		{"empty", "", false},
		{"a long letter that thanks", strings.Repeat("Thank you so much ", 10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := onlyThanks(tt.text, w, names); got != tt.want {
				t.Errorf("onlyThanks(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestFollowupAnswer(t *testing.T) {
	w := testReplyWords(t)
	tests := []struct {
		name, text string
		want       replyMeaning
	}{
		{"yes thanks", "Yes, thanks!", meansSorted},
		{"it's sorted", "Yes it's sorted", meansSorted},
		{"just thanks", "Thank you", meansSorted},
		{"no problem is a yes", "No problem, all good", meansSorted},
		{"plain no", "No", meansNotSorted},
		{"no with a reason", "No, the fine is still on my account.", meansNotSorted},
		{"not yet", "Not yet", meansNotSorted},
		{"yes but", "Yes but the DVD is missing", meansNotSorted},
		{"Spanish yes", "Sí, gracias", meansSorted},
		{"Spanish no", "No, todavía no", meansNotSorted},
		{"a question", "What about my DVD?", meansMore},
		{"something else", "My daughter has the card now", meansMore},
		{"a long message", strings.Repeat("yes ", 30), meansMore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := followupAnswer(tt.text, w); got != tt.want {
				t.Errorf("followupAnswer(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// closedTicket is ticket 1, closed by Alice with an answer; it returns the
// closing mail Ann got.
func closedTicket(t *testing.T) (*harness, string) {
	h, notice := newTicket(t)
	h.replyTo("Alice Smith <alice@library.test>", notice, "#close\nAll three books are renewed until 4 January.", 1)
	h.runOnce()
	if st := h.ticket(1).Status; st != "solved" {
		t.Fatalf("status after #close = %s", st)
	}
	return h, h.last(ann)
}

func TestThanksAfterCloseDoesNotReopen(t *testing.T) {
	h, closing := closedTicket(t)
	mailsToAnn, mailsToAlice := len(h.mailTo(ann)), len(h.mailTo(alice))
	h.replyTo("Ann Lee <ann@example.test>", closing, "Thank you so much!\n\nAnn", 2)
	h.runOnce()

	d := h.ticket(1)
	if d.Status != "solved" || d.DueAt != nil {
		t.Errorf("after thanks: status %s, due %v; want still solved with nothing due", d.Status, d.DueAt)
	}
	var thanked, reopened bool
	for _, e := range d.Events {
		thanked = thanked || e.Action == "patron thanked"
		reopened = reopened || e.Action == "reopened"
	}
	if !thanked || reopened {
		t.Errorf("events: thanked %v, reopened %v", thanked, reopened)
	}
	if n := len(h.mailTo(ann)); n != mailsToAnn {
		t.Errorf("Ann got %d more mails; a thank-you needs no answer", n-mailsToAnn)
	}
	if n := len(h.mailTo(alice)); n != mailsToAlice+1 {
		t.Fatalf("Alice got %d more mails, want the thanks notice", n-mailsToAlice)
	}
	notice := h.last(alice)
	if body := text(t, notice); !strings.HasPrefix(body, "Ann Lee thanked you for request 1.") || !strings.Contains(body, "Thank you so much!") {
		t.Errorf("thanks notice:\n%s", body)
	}
	for _, days := range []int{1, 2, 5, 10} {
		h.clock.Set(h.clock.Now().Add(time.Duration(days) * 24 * time.Hour))
		if _, err := h.desk.Schedule(context.Background(), h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"nag", "followup", "patron_update", "escalation"} {
		if n := h.count(`SELECT COUNT(*) FROM outbox WHERE kind = ?`, kind); n != 0 {
			t.Errorf("%d %s mails after a thank-you", n, kind)
		}
	}
	if st := h.ticket(1).Status; st != "closed" {
		t.Errorf("status %s days later, want closed as usual after close_after", st)
	}
}

func TestThanksToAClosedRequestKeepsItClosed(t *testing.T) {
	h, closing := closedTicket(t)
	if _, err := h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = 1`, unix(h.clock.Now())); err != nil {
		t.Fatal(err)
	}
	h.replyTo("Ann Lee <ann@example.test>", closing, "Muchas gracias!", 2)
	h.runOnce()
	if d := h.ticket(1); d.Status != "closed" || d.DueAt != nil {
		t.Errorf("status %s, due %v; want closed, nothing due", d.Status, d.DueAt)
	}
	if body := text(t, h.last(alice)); !strings.HasPrefix(body, "Ann Lee thanked you") {
		t.Errorf("owner not told:\n%s", body)
	}
}

func TestQuestionAfterCloseReopens(t *testing.T) {
	h, closing := closedTicket(t)
	h.replyTo("Ann Lee <ann@example.test>", closing, "Thanks! But where is my second book?", 2)
	h.runOnce()
	d := h.ticket(1)
	if d.Status != "open" || d.DueAt == nil {
		t.Errorf("after a question: status %s, due %v; want open with a promise", d.Status, d.DueAt)
	}
	if body := text(t, h.last(alice)); !strings.HasPrefix(body, "Ann Lee wrote again about request 1.") {
		t.Errorf("notice:\n%s", body)
	}
}

func TestFollowupAnswers(t *testing.T) {
	for _, tt := range []struct {
		name, answer, status, event string
		sorted                      float64
	}{
		{"yes", "Yes, all sorted, thanks!", "closed", "sorted on follow-up", 1},
		{"no", "No, one book is still not renewed.", "open", "not sorted on follow-up", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newSchedHarness(t)
			renewRequest(h, 1)
			h.replyTo(alice, h.last(alice), "#close\nAll renewed.", 1)
			h.runOnce()
			h.pass("2026-12-10 10:00")
			if h.kinds("followup", ann) != 1 {
				t.Fatal("no follow-up sent")
			}
			h.replyTo("Ann Lee <ann@example.test>", h.last(ann), tt.answer, 2)
			h.runOnce()
			d := h.ticket(1)
			found := false
			for _, e := range d.Events {
				found = found || e.Action == tt.event
			}
			if d.Status != tt.status || !found {
				t.Errorf("status %s, event %q found %v; want %s", d.Status, tt.event, found, tt.status)
			}
			rep, err := h.store.Report(context.Background(), h.clock.Now().Add(-30*24*time.Hour), h.clock.Now().Add(time.Hour), h.desk.opts.Calendar)
			if err != nil {
				t.Fatal(err)
			}
			if rep.FollowupsSent != 1 || rep.SortedOnFollowup == nil || *rep.SortedOnFollowup != tt.sorted {
				t.Errorf("report: %d follow-ups, sorted share %v; want 1 and %v", rep.FollowupsSent, rep.SortedOnFollowup, tt.sorted)
			}
		})
	}
}

func TestThanksWithAFileReopens(t *testing.T) {
	h, closing := closedTicket(t)
	id := headerValue(closing, "Message-Id")
	head := "From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Re: " + headerValue(closing, "Subject") +
		"\nDate: Mon, 07 Dec 2026 11:00:00 -0600\nMessage-ID: <thx-file@example.test>\nIn-Reply-To: " + id + "\nReferences: " + id
	h.deliver(mailWithFiles(head, "Thanks!", file{"receipt.jpg", "image/jpeg", fileBytes(5000, 1)}))
	h.runOnce()
	if st := h.ticket(1).Status; st != "open" {
		t.Errorf("status %s after thanks with a file; want open", st)
	}
}
