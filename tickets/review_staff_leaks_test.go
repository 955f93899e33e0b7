package tickets

import (
	"strings"
	"testing"
	"time"
)

// TestReviewLeakNumbers tries the leak guard's number rules on their own:
// a note's PIN however an answer writes it, and numbers that are not the
// note's.
func TestReviewLeakNumbers(t *testing.T) {
	for _, tc := range []struct {
		name, note, answer string
		leak               bool
	}{
		{"PIN on a line above another number", "PIN 4821\n2019 fine unpaid", "Your PIN is 4821.", true},
		{"PIN followed by a count", "PIN 4821 2 books", "Use 4821 at the kiosk.", true},
		{"PIN split by a quoted line break", "PIN 4821", "Your PIN is 48\n> 21.", true},
		{"PIN digits spelt out", "PIN 4821", "It is four, eight, two, one.", true},
		{"PIN spelt out with spaces", "PIN 4821", "It is four eight two one.", true},
		{"PIN in Spanish words", "PIN 4821", "Es cuatro ocho dos uno.", true},
		{"PIN in French words", "PIN 4821", "C'est quatre huit deux un.", true},
		{"PIN read in pairs", "PIN 4821", "forty-eight twenty-one", true},
		{"a date of the note is not its year", "called her on 12/03/2026", "Due 4 January 2027.", false},
		{"another number entirely", "PIN 4821", "Call 555-0100 before 4 January 2027.", false},
		{"the patron's own number", "Her card 29384756 is blocked", "Your card 29384756 is renewed.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := leak(tc.answer, guardTexts{notes: []string{tc.note}}); (got != "") != tc.leak {
				t.Errorf("leak(%q) = %q, want a leak: %v", tc.answer, got, tc.leak)
			}
		})
	}
}

// TestReviewCommandInSubject: a command written in the subject is not
// read, so the words under it must not go to the patron as an answer; a
// patron's own subject that holds a command word changes nothing.
func TestReviewCommandInSubject(t *testing.T) {
	for _, tc := range []struct {
		name, patronSubject, replySubject string
		answered                          bool
	}{
		{"#note in the subject", "Please renew my books", "Re: [Seymour #1] Please renew my books #note", false},
		{"#close in front of the subject", "Please renew my books", "#close RE: [Seymour #1] Please renew my books", false},
		{"the patron's subject holds #help", "I need #help with my card", "Re: [Seymour #1] I need #help with my card", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: " + tc.patronSubject + "\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nCan I keep Middlemarch two more weeks?\n")
			h.runOnce()
			notice := h.last(alice)
			id := headerValue(notice, "Message-Id")
			h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: " + tc.replySubject + "\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <s1@mail.test>\nIn-Reply-To: " + id + "\nReferences: " + id + "\n\nShe owes $40, PIN 4821.\n")
			h.runOnce()
			got := len(h.mailTo(ann)) - 1
			if tc.answered != (got == 1) {
				t.Fatalf("Ann got %d mails after her acknowledgement, want an answer: %v", got, tc.answered)
			}
			if !tc.answered && !strings.Contains(text(t, h.last(alice)), "in the subject") {
				t.Errorf("Alice was not told:\n%s", text(t, h.last(alice)))
			}
		})
	}
}

// TestReviewNoteFromThePatronsOtherRequest: a note pasted from the same
// patron's other request is as secret as one of this request.
func TestReviewNoteFromThePatronsOtherRequest(t *testing.T) {
	h, notice1 := newTicket(t)
	h.replyTo(alice, notice1, "#note\nHer account is blocked for a fine from 2019. PIN 4821.", 1)
	h.runOnce()
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Card question\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <ann-2@example.test>\n\nIs my card still valid?\n")
	h.runOnce()
	notice2 := h.last(alice)
	if !strings.Contains(headerValue(notice2, "Subject"), "#2]") {
		t.Fatalf("no notice for request 2: %s", headerValue(notice2, "Subject"))
	}
	before := len(h.mailTo(ann))
	h.replyTo(alice, notice2, "Your card works, but the account is blocked for a fine from 2019.", 2)
	h.runOnce()
	if n := len(h.mailTo(ann)) - before; n != 0 {
		t.Fatalf("Ann got %d mails with words of the other request's note:\n%s", n, text(t, h.last(ann)))
	}
	if !strings.Contains(text(t, h.last(alice)), "internal note") {
		t.Errorf("Alice was not told:\n%s", text(t, h.last(alice)))
	}
	// A plain answer on request 2 still goes.
	h.replyTo(alice, notice2, "Your card is valid until 2028.", 3)
	h.runOnce()
	if n := len(h.mailTo(ann)) - before; n != 1 {
		t.Errorf("Ann got %d mails, want the plain answer", n)
	}
}

// TestReviewForwardedRequestQuotedUnmarked: the patron's request was a
// forward, so the notice shows a "Forwarded message" block; an Outlook
// plain reply copies the notice without quote marks. The answer above it
// must go: the forward is the notice's, not one the staff member added.
func TestReviewForwardedRequestQuotedUnmarked(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Fwd: your overdue notice about my card\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nIs this right?\n\n---------- Forwarded message ---------\nFrom: Catalog <catalog@vendor.test>\nDate: Sun, Dec 6, 2026 at 8:00 AM\nSubject: Overdue\nTo: <ann@example.test>\n\nYou have 3 overdue books.\n")
	h.runOnce()
	notice := h.last(alice)
	if !strings.Contains(text(t, notice), "Forwarded message") {
		t.Skipf("the notice does not show the forward:\n%s", text(t, notice))
	}
	id := headerValue(notice, "Message-Id")
	h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: RE: " + headerValue(notice, "Subject") + "\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <s1@mail.test>\nIn-Reply-To: " + id + "\nReferences: " + id + "\nContent-Type: text/plain; charset=utf-8\n\nNo, those were returned on Friday.\n\n-----Original Message-----\nFrom: Seymour Library <help@library.test>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Alice Smith <alice@library.test>\nSubject: " + headerValue(notice, "Subject") + "\n\n" + text(t, notice) + "\n")
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 2 {
		t.Fatalf("Ann got %d mails, want the ack and the answer; Alice got:\n%s", n, text(t, h.last(alice)))
	}
	if b := text(t, h.last(ann)); !strings.Contains(b, "No, those were returned on Friday.") || strings.Contains(b, "Forwarded") {
		t.Errorf("Ann got:\n%s", b)
	}
}

// TestReviewAnswerRepeatsTheSubjectAfterStatus: the patron's own subject,
// shown to staff in a #status reply, is not staff-only when an answer
// repeats it.
func TestReviewAnswerRepeatsTheSubjectAfterStatus(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Please renew my three books for the holidays\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nCan I?\n")
	h.runOnce()
	notice := h.last(alice)
	h.replyTo(alice, notice, "#status", 1)
	h.runOnce()
	h.replyTo(alice, notice, "You asked: please renew my three books for the holidays. All done.", 2)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 2 {
		t.Fatalf("Ann got %d mails, want the ack and the answer; Alice got:\n%s", n, text(t, h.last(alice)))
	}
}

// TestReviewLeakGuardOnHugeNumbers: a patron's mail of many numbers (the
// guard reads what the patron wrote) must not make the guard slow.
func TestReviewLeakGuardOnHugeNumbers(t *testing.T) {
	huge := strings.Repeat("1 2 ", 100000)
	done := make(chan string, 1)
	go func() {
		done <- leak("Renewed until 4 January.", guardTexts{notes: []string{"PIN 4821 " + huge}, seen: []string{huge}})
	}()
	select {
	case got := <-done:
		if got != "" {
			t.Errorf("leak = %q", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the leak guard took over 20 s on a mail of 200000 numbers")
	}
}

// TestReviewStaffOutOfOffice: a staff member's own automatic reply to a
// notice, without RFC 3834 headers, is never relayed and changes nothing.
func TestReviewStaffOutOfOffice(t *testing.T) {
	for _, tc := range []struct{ name, subject, body string }{
		{"Outlook subject", "Automatic reply: [Seymour #1] New request for you: Please renew my books",
			"I am out of the office until Monday 14 December with limited access to email. For urgent matters, contact the circulation desk."},
		{"French subject", "Réponse automatique : [Seymour #1] Please renew my books",
			"Je suis absente du bureau jusqu'au 14 décembre."},
		{"English first line only", "Re: [Seymour #1] Please renew my books",
			"Hello,\n\nI'm currently out of the office and will be back on 14 December.\n\nAlice"},
		{"Spanish first line only", "RE: [Seymour #1] Please renew my books",
			"Estoy fuera de la oficina hasta el 14 de diciembre. Para asuntos urgentes, escriba a circulación."},
		{"Gmail vacation responder", "Out of office Re: [Seymour #1] Please renew my books",
			"Thanks for your email. I'm away until 14 December."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			id := headerValue(notice, "Message-Id")
			h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: " + tc.subject + "\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <ooo1@mail.test>\nIn-Reply-To: " + id + "\nReferences: " + id + "\nMIME-Version: 1.0\n" + plainHeader + "\n\n" + tc.body + "\n")
			h.runOnce()
			if n := len(h.mailTo(ann)); n != 1 {
				t.Fatalf("Ann got %d mails, want only her acknowledgement:\n%s", n, text(t, h.last(ann)))
			}
			if d := h.ticket(1); d.Status != "open" || d.FirstResponseAt != nil {
				t.Errorf("status %s, first response %v", d.Status, d.FirstResponseAt)
			}
		})
	}
}

// FuzzReviewLeakNumbers: whatever the note and the answer, the guard does
// not panic, and a number of four digits or more from the note, written
// into an answer with its digits spaced out or split over a line, is
// found.
// Run: go test ./tickets -fuzz FuzzReviewLeakNumbers -fuzztime 60s
func FuzzReviewLeakNumbers(f *testing.F) {
	for _, s := range [][2]string{
		{"PIN 4821", "Your PIN is 48\n21."},
		{"card 1234 5678, fine from 2019", "four eight two one"},
		{"due 12/03/2026", "forty-eight twenty-one, 4 January 2027"},
		{"", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, note, answer string) {
		g := guardTexts{notes: []string{note}}
		_ = leak(answer, g)
		codes := digitRuns(note, false)
		for _, code := range codes[:min(len(codes), 3)] {
			if len(code) > 12 || strings.ContainsAny(note, "\r") {
				continue
			}
			spaced := strings.Join(strings.Split(code, ""), " ")
			split := code[:2] + "\n> " + code[2:]
			for _, a := range []string{"It is " + spaced + ".", "It is " + split + "."} {
				if leak(a, g) == "" {
					t.Errorf("note %q: the code %s in %q was not found", note, code, a)
				}
			}
		}
	})
}
