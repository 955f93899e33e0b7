package tickets

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	alice = "alice@library.test"
	bob   = "bob@library.test"
	ann   = "ann@example.test"
)

// newTicket makes ticket 1 from Ann, owned by Alice, and returns the notice
// Alice got.
func newTicket(t *testing.T) (*harness, string) {
	h := newHarness(t, nil)
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Please renew my books\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nCan I keep Middlemarch two more weeks?\n")
	h.runOnce()
	return h, h.last(alice)
}

func (h *harness) ticket(id int64) *Detail {
	h.t.Helper()
	d, err := h.store.Show(context.Background(), id, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func TestStaffAnswerReachesPatron(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo("Alice Smith <alice@library.test>", notice, "Your books are renewed until 4 January.\n\nAlice\nalice@library.test\n-- \nAlice Smith, Circulation, 555-0100", 1)
	h.runOnce()

	got := h.mailTo(ann)
	if len(got) != 2 {
		t.Fatalf("patron got %d mails, want ack + answer", len(got))
	}
	answer := got[1]
	body := text(t, answer)
	if !strings.Contains(body, "Your books are renewed until 4 January.\n\nAlice\nSeymour Library") {
		t.Errorf("answer lacks the staff text:\n%s", body)
	}
	for _, leak := range []string{alice, "Staff only", "Middlemarch two more weeks", "555-0100", "##-"} {
		if strings.Contains(strings.ToLower(answer), strings.ToLower(leak)) {
			t.Errorf("answer shows %q:\n%s", leak, answer)
		}
	}
	for key, want := range map[string]string{
		"From":        `"Alice at Seymour Library" <help@library.test>`,
		"Subject":     "Re: [Seymour #1] Please renew my books",
		"In-Reply-To": "<ann-1@example.test>",
	} {
		if v := headerValue(answer, key); v != want {
			t.Errorf("%s = %q, want %q", key, v, want)
		}
	}
	d := h.ticket(1)
	if d.Status != "waiting" || d.FirstResponseAt == nil || !d.FirstResponseAt.Equal(h.clock.Now()) {
		t.Errorf("ticket after answer: status %s, first response %v", d.Status, d.FirstResponseAt)
	}
	// The patron writes back: the ticket reopens and Alice hears of it.
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Re: [Seymour #1] Please renew my books\nMessage-ID: <ann-2@example.test>\nIn-Reply-To: " + headerValue(answer, "Message-Id") + "\n\nThank you! One more question.\n")
	h.runOnce()
	if d := h.ticket(1); d.Status != "open" {
		t.Errorf("patron reply left status %s", d.Status)
	}
	if n := h.mailTo(alice); len(n) != 2 || !strings.Contains(text(t, n[1]), "One more question") {
		t.Errorf("owner was not told of the patron's reply")
	}
}

func TestStaffCommands(t *testing.T) {
	for _, tc := range []struct {
		name, reply string
		check       func(t *testing.T, h *harness, d *Detail)
		patronMails int // after the ack
	}{
		{"note", "#note\nCalled her; she will come in on Friday.", func(t *testing.T, h *harness, d *Detail) {
			if d.Status != "open" || d.FirstResponseAt != nil || !hasEvent(d, alice, "note") {
				t.Errorf("status %s, first response %v, events %v", d.Status, d.FirstResponseAt, d.Events)
			}
		}, 0},
		{"close with answer", "#close\nAll renewed, enjoy the books.", func(t *testing.T, h *harness, d *Detail) {
			if d.Status != "solved" || !hasEvent(d, alice, "solved") {
				t.Errorf("status %s", d.Status)
			}
			b := text(t, h.last(ann))
			if !strings.Contains(b, "All renewed, enjoy the books.") || !strings.Contains(b, "marked it as done") {
				t.Errorf("final answer:\n%s", b)
			}
		}, 1},
		{"note and close is silent", "#note\n#close", func(t *testing.T, h *harness, d *Detail) {
			if d.Status != "solved" {
				t.Errorf("status %s", d.Status)
			}
		}, 0},
		{"assign to bob", "#assign Bob", func(t *testing.T, h *harness, d *Detail) {
			if d.Owner == nil || *d.Owner != bob || !hasEvent(d, alice, "assigned") {
				t.Errorf("owner %v", d.Owner)
			}
			if n := h.mailTo(bob); len(n) != 1 || !strings.Contains(text(t, n[0]), "Middlemarch") {
				t.Errorf("bob's notice: %d mails", len(n))
			}
		}, 0},
		{"assign to team", "#assign reference", func(t *testing.T, h *harness, d *Detail) {
			if d.Owner == nil || *d.Owner != bob || d.Team != "reference" {
				t.Errorf("owner %v team %s", d.Owner, d.Team)
			}
		}, 0},
		{"bob takes it", "", func(t *testing.T, h *harness, d *Detail) {}, 0},
		{"wait", "#wait 3d", func(t *testing.T, h *harness, d *Detail) {
			if !hasEvent(d, alice, "no reminders until") || h.count(`SELECT COUNT(*) FROM tickets WHERE snoozed_until = ?`, h.clock.Now().Add(72*time.Hour).Unix()) != 1 {
				t.Errorf("not snoozed: %v", d.Events)
			}
		}, 0},
		{"priority and answer combined", "#priority urgent #wait 2026-12-20\nWe are looking into it.", func(t *testing.T, h *harness, d *Detail) {
			if d.Priority != "urgent" || d.Status != "waiting" {
				t.Errorf("priority %s status %s", d.Priority, d.Status)
			}
		}, 1},
		{"status", "#status", func(t *testing.T, h *harness, d *Detail) {
			r := text(t, h.last(alice))
			for _, w := range []string{"Request 1: Please renew my books", "Status:       open", "Looked after: Alice Smith", "Patron:       Ann Lee"} {
				if !strings.Contains(r, w) {
					t.Errorf("status reply lacks %q:\n%s", w, r)
				}
			}
		}, 0},
		{"help", "#help", func(t *testing.T, h *harness, d *Detail) {
			if r := text(t, h.last(alice)); !strings.Contains(r, "#assign NAME") || !strings.Contains(r, "#wait 3d") {
				t.Errorf("help reply:\n%s", r)
			}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			if tc.name == "bob takes it" {
				h.replyTo(bob, notice, "#take", 1) // Alice passed her notice on to Bob
				h.runOnce()
				if d := h.ticket(1); d.Owner == nil || *d.Owner != bob {
					t.Errorf("owner %v", d.Owner)
				}
				return
			}
			h.replyTo(alice, notice, tc.reply, 1)
			h.runOnce()
			tc.check(t, h, h.ticket(1))
			if n := len(h.mailTo(ann)) - 1; n != tc.patronMails {
				t.Errorf("patron got %d mails after the ack, want %d", n, tc.patronMails)
			}
		})
	}
}

func TestStaffCommandNotUnderstood(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo(alice, notice, "#close please\n#asign bob\nDone.", 1)
	h.runOnce()
	d := h.ticket(1)
	if d.Status != "open" || d.Owner == nil || *d.Owner != alice {
		t.Errorf("a bad command changed the ticket: %s %v", d.Status, d.Owner)
	}
	if n := len(h.mailTo(ann)); n != 1 {
		t.Errorf("patron got %d mails, want only the ack", n)
	}
	r := text(t, h.last(alice))
	for _, w := range []string{"did not act", `"#asign bob" is not a command`, "#close takes nothing after it", "kept your email as a note", "#priority low"} {
		if !strings.Contains(r, w) {
			t.Errorf("explanation lacks %q:\n%s", w, r)
		}
	}
	if !hasEvent(d, alice, "not acted on") || d.Thread[len(d.Thread)-1].Kind != "staff_note" {
		t.Errorf("message not kept as a note: %+v", d.Thread)
	}
}

func TestStaffProofRequired(t *testing.T) {
	t.Run("forged From with the subject tag", func(t *testing.T) {
		h, _ := newTicket(t)
		h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Re: [Seymour #1] Please renew my books\nMessage-ID: <f1@evil.test>\n\n#close\nDone.\n")
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" || len(d.Thread) != 1 {
			t.Errorf("ticket 1 was touched: %s, %d messages", d.Status, len(d.Thread))
		}
		if n := len(h.mailTo(ann)); n != 1 {
			t.Errorf("patron got %d mails", n)
		}
	})
	t.Run("patron's token with a staff From", func(t *testing.T) {
		h, _ := newTicket(t)
		ack := h.last(ann)
		h.replyTo("Alice Smith <alice@library.test>", ack, "#close\nDone.", 1)
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" {
			t.Errorf("ticket 1 was closed with a patron's token")
		}
	})
	t.Run("token for another ticket", func(t *testing.T) {
		h, _ := newTicket(t)
		h.deliver(patronMail("Cy <cy@example.test>", "Where is my hold?", "It has been a week.", 2))
		h.runOnce()
		notice2 := h.last(bob)
		forged := strings.Replace(notice2, "[Seymour #2]", "[Seymour #1]", -1)
		h.replyTo(bob, forged, "#close", 1)
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" {
			t.Errorf("ticket 1 closed by a token for ticket 2")
		}
		if d := h.ticket(2); d.Status != "solved" {
			t.Errorf("ticket 2 = %s; the token's own ticket should be the one acted on", d.Status)
		}
	})
	t.Run("expired token", func(t *testing.T) {
		h, notice := newTicket(t)
		h.clock.Advance(91 * 24 * time.Hour)
		h.replyTo(alice, notice, "#close\nDone.", 1)
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" || !hasEvent(d, alice, "not acted on") {
			t.Errorf("expired token acted: %s", d.Status)
		}
		if r := text(t, h.last(alice)); !strings.Contains(r, "older than 90 days") {
			t.Errorf("no explanation:\n%s", r)
		}
	})
	t.Run("patron sends #close", func(t *testing.T) {
		h, _ := newTicket(t)
		h.replyTo("Ann Lee <ann@example.test>", h.last(ann), "#close\n#assign bob", 1)
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" || *d.Owner != alice {
			t.Errorf("patron's command acted: %s %v", d.Status, *d.Owner)
		}
	})
	t.Run("unauthenticated when required", func(t *testing.T) {
		h, notice := newTicket(t)
		h.desk.opts.RequireAuthenticated, h.desk.opts.TrustedAuthserv = true, "mx.library.test"
		h.replyTo(alice, notice, "#close", 1)
		h.runOnce()
		if d := h.ticket(1); d.Status != "open" {
			t.Errorf("closed without DKIM")
		}
		h.deliver("From: alice@library.test\nTo: help@library.test\nSubject: Re: x\nMessage-ID: <ok@library.test>\nAuthentication-Results: mx.library.test; dkim=pass header.d=library.test\nIn-Reply-To: " + headerValue(notice, "Message-Id") + "\n\n#close\n")
		h.runOnce()
		if d := h.ticket(1); d.Status != "solved" {
			t.Errorf("DKIM-signed reply did not act: %s", d.Status)
		}
	})
}

func TestInternalNoteNeverReachesPatron(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo(alice, notice, "#note\nHer account has an unpaid fine from 2019; do not waive it.", 1)
	h.runOnce()
	// Alice answers the patron between quoted lines of the note.
	h.replyTo(alice, notice, "Hi Ann,\n\n> Her account has an unpaid fine from 2019; do not waive it.\n\nYour books are renewed.", 2)
	h.runOnce()
	if got := h.mailTo(ann); len(got) != 1 {
		t.Fatalf("patron got %d mails, want only the acknowledgement; last:\n%s", len(got), text(t, got[len(got)-1]))
	}
	held := text(t, h.last(alice))
	if !strings.Contains(held, "nothing went to the patron") || !strings.Contains(held, "quoted lines that hold staff-only words") {
		t.Errorf("Alice was not told why:\n%s", held)
	}
	if !hasEvent(h.ticket(1), alice, "held") {
		t.Errorf("the hold was not recorded")
	}
	if s := h.ticket(1).Status; s != "open" {
		t.Errorf("status = %s, want open", s)
	}
}

func TestForwardedPatronMail(t *testing.T) {
	const fwd = "From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: Fwd: Lost card\nMessage-ID: <fw1@library.test>\n%s\nShe wrote to me directly.\n\n---------- Forwarded message ---------\nFrom: Ann Lee <ann@example.test>\nDate: Mon, Dec 7, 2026 at 8:00 AM\nSubject: Lost card\nTo: <bob@library.test>\n\nI lost my library card. What do I do?\n"
	t.Run("proven by the MX", func(t *testing.T) {
		h := newHarness(t, nil)
		h.desk.opts.TrustedAuthserv = "mx.library.test"
		h.deliver(fmt.Sprintf(fwd, "Authentication-Results: mx.library.test; dkim=pass header.d=library.test; dmarc=pass header.from=library.test\n"))
		h.runOnce()
		d := h.ticket(1)
		if d.Patron != ann || d.PatronName != "Ann Lee" || d.Subject != "Lost card" || !hasEvent(d, bob, "forwarded") {
			t.Fatalf("ticket = %+v %v", d.View, d.Events)
		}
		if acks := h.mailTo(ann); len(acks) != 1 || !strings.Contains(text(t, acks[0]), "Hello Ann,") {
			t.Errorf("patron acks: %d", len(acks))
		}
		if n := len(h.mailTo(bob)) + len(h.mailTo(alice)); n != 1 {
			t.Errorf("staff got %d mails; want the owner's notice only", n)
		}
	})
	t.Run("unproven: the forwarder confirms", func(t *testing.T) {
		h := newHarness(t, nil)
		h.deliver(fmt.Sprintf(fwd, ""))
		h.runOnce()
		if n := len(h.mailTo(ann)) + len(h.mailTo(alice)); n != 0 {
			t.Fatalf("before confirmation %d mails went to the patron or owner", n)
		}
		ask := h.mailTo(bob)
		if len(ask) != 1 || !strings.Contains(text(t, ask[0]), "reply to this email") || !strings.Contains(text(t, ask[0]), ann) {
			t.Fatalf("forwarder's question: %q", ask)
		}
		h.replyTo(bob, ask[0], "Yes, that was me. Her PIN is 4417.", 1)
		h.runOnce()
		acks := h.mailTo(ann)
		if len(acks) != 1 || strings.Contains(acks[0], "4417") || strings.Contains(acks[0], "that was me") {
			t.Fatalf("after confirmation the patron got %q", acks)
		}
		if n := len(h.mailTo(alice)); n != 1 {
			t.Errorf("owner got %d notices after confirmation, want 1", n)
		}
		if d := h.ticket(1); !hasEvent(d, bob, "forward confirmed") || d.Status != "open" {
			t.Errorf("ticket after confirmation: %s %v", d.Status, d.Events)
		}
	})
}

func TestReplyToClosedTicket(t *testing.T) {
	for _, tc := range []struct {
		name    string
		after   time.Duration
		tickets int
	}{
		{"recently closed reopens", 10 * 24 * time.Hour, 1},
		{"long closed starts a new linked ticket", 40 * 24 * time.Hour, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newTicket(t)
			ack := h.last(ann)
			if _, err := h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = 1`, h.clock.Now().Unix()); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(tc.after)
			h.replyTo("Ann Lee <ann@example.test>", ack, "It happened again.", 1)
			h.runOnce()
			if n := h.count(`SELECT COUNT(*) FROM tickets`); n != tc.tickets {
				t.Errorf("%d tickets, want %d", n, tc.tickets)
			}
			if tc.tickets == 1 && h.ticket(1).Status != "open" {
				t.Errorf("not reopened")
			}
			if tc.tickets == 2 && h.count(`SELECT COUNT(*) FROM tickets WHERE id = 2 AND linked_ticket = 1`) != 1 {
				t.Errorf("new ticket not linked to the old one")
			}
		})
	}
}

func hasEvent(d *Detail, actor, action string) bool {
	for _, e := range d.Events {
		if e.Actor == actor && e.Action == action {
			return true
		}
	}
	return false
}
