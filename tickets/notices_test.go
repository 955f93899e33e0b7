package tickets

import (
	"strings"
	"testing"
)

// TestNoticesThreadPerTicket: every notice to one staff member about one
// ticket keeps the ticket's subject, says the event first and answers the
// notice before it, so their mail client shows one conversation.
func TestNoticesThreadPerTicket(t *testing.T) {
	h, first := newTicket(t)
	h.replyTo("Ann Lee <ann@example.test>", h.last(ann), "One of them is a DVD.", 2)
	h.runOnce()
	second := h.last(alice)
	h.replyTo("Alice Smith <alice@library.test>", second, "#status", 3)
	h.runOnce()
	third := h.last(alice)
	h.replyTo("Alice Smith <alice@library.test>", third, "#assign Bob\n#note\nBob, can you take this one?", 4)
	h.runOnce()
	bobs := h.last(bob)

	notices := []struct {
		name, raw, firstLine string
		after                []string // the notices it follows, oldest first
	}{
		{"assigned", first, "New request for you: request 1 from Ann Lee is yours.", nil},
		{"patron wrote again", second, "Ann Lee wrote again about request 1.", []string{first}},
		{"status", third, "Status of request 1, as you asked.", []string{first, second}},
		{"Bob's first notice", bobs, "New request for you: request 1 from Ann Lee is yours.", nil},
	}
	for _, n := range notices {
		if s := headerValue(n.raw, "Subject"); s != "[Seymour #1] Please renew my books" {
			t.Errorf("%s: subject %q", n.name, s)
		}
		if body := text(t, n.raw); !strings.HasPrefix(body, n.firstLine+"\n") {
			t.Errorf("%s: first line is not %q:\n%s", n.name, n.firstLine, body)
		}
		irt, refs := headerValue(n.raw, "In-Reply-To"), headerValue(n.raw, "References")
		if len(n.after) == 0 {
			if irt != "" || refs != "" {
				t.Errorf("%s: a first notice answers %q (%q)", n.name, irt, refs)
			}
			continue
		}
		if want := headerValue(n.after[len(n.after)-1], "Message-Id"); irt != want {
			t.Errorf("%s: In-Reply-To %q, want the previous notice %q", n.name, irt, want)
		}
		var ids []string
		for _, a := range n.after {
			ids = append(ids, headerValue(a, "Message-Id"))
		}
		if refs != strings.Join(ids, " ") {
			t.Errorf("%s: References %q, want %q", n.name, refs, strings.Join(ids, " "))
		}
	}
}

func TestStaffThreadKeepsReferencesShort(t *testing.T) {
	h, _ := newTicket(t)
	for i := 2; i < 16; i++ {
		h.replyTo("Ann Lee <ann@example.test>", h.last(ann), "And another thing.", i)
		h.runOnce()
	}
	refs := strings.Fields(headerValue(h.last(alice), "References"))
	first := headerValue(h.mailTo(alice)[0], "Message-Id")
	if len(refs) != maxThreadRefs || refs[0] != first {
		t.Errorf("References holds %d ids starting %q; want %d starting with the first notice", len(refs), refs[0], maxThreadRefs)
	}
}

// TestEventLineNeverReachesThePatron: the event line sits above the marker,
// so a reply quoting the notice carries it above the cut; it must not reach
// the patron however the client quotes.
func TestEventLineNeverReachesThePatron(t *testing.T) {
	for _, tt := range []struct{ name, quote string }{
		{"quoted with > and no attribution line", "> New request for you: request 1 from Ann Lee is yours.\n> ##- Write your answer above this line -##\n> To answer Ann Lee, reply to this email."},
		{"pasted bare", "New request for you: request 1 from Ann Lee is yours.\n##- Write your answer above this line -##"},
		{"Outlook header block", "________________________________\nFrom: Seymour Library <help@library.test>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Alice Smith\nSubject: [Seymour #1] Please renew my books\n\nNew request for you: request 1 from Ann Lee is yours.\n##- Write your answer above this line -##"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, notice := newTicket(t)
			id := headerValue(notice, "Message-Id")
			h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Re: [Seymour #1] Please renew my books\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <ev@library.test>\nIn-Reply-To: " + id + "\nReferences: " + id + "\n\nDone, renewed until January.\n\n" + tt.quote + "\n")
			h.runOnce()
			got := h.mailTo(ann)
			if tt.name == "pasted bare" {
				// Notice text in the answer is doubt: the patron gets
				// nothing and Alice is told why.
				if len(got) != 1 || !strings.Contains(text(t, h.last(alice)), "staff") {
					t.Fatalf("patron got %d mails; want none beyond the acknowledgement, and Alice told", len(got))
				}
				return
			}
			if len(got) != 2 {
				t.Fatalf("patron got %d mails, want the answer", len(got))
			}
			body := text(t, got[1])
			if !strings.Contains(body, "Done, renewed until January.") || strings.Contains(body, "New request for you") || strings.Contains(body, "is yours") {
				t.Errorf("answer:\n%s", body)
			}
		})
	}
}
