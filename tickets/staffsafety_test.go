package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// staffReply delivers a staff member's reply to a notice with its own
// MIME header lines (Content-Type, …) and body, as a client writes it.
func (h *harness) staffReply(from, sent, header, body string, n int) {
	h.t.Helper()
	id := headerValue(sent, "Message-Id")
	h.deliver(fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Re: %s\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <s%d@mail.test>\nIn-Reply-To: %s\nReferences: %s\nMIME-Version: 1.0\n%s\n\n%s\n",
		from, headerValue(sent, "Subject"), n, id, id, header, body))
}

// quotedNotice is the notice as a client quotes it under a reply.
func quotedNotice(t *testing.T, notice string) string {
	var b strings.Builder
	b.WriteString("On Mon, Dec 7, 2026 at 9:00 AM Seymour Library <help@library.test> wrote:\n")
	for _, l := range strings.Split(text(t, notice), "\n") {
		b.WriteString("> " + l + "\n")
	}
	return b.String()
}

const plainHeader = "Content-Type: text/plain; charset=utf-8"

// TestStaffOnlyTextNeverReachesPatron tries every way a note or staff-only
// words could slip out. Each case asserts Ann got nothing after her
// acknowledgement, the ticket did not move, and Alice was told why.
func TestStaffOnlyTextNeverReachesPatron(t *testing.T) {
	const note = "#note\nHer account is blocked for a fine from 2019. PIN 4821."
	for _, tc := range []struct {
		name, header, body string
		note               bool   // make Alice's note first
		told               string // words of the mail Alice gets; "" = no mail expected
	}{
		{"bold note in HTML-only mail", "Content-Type: text/html; charset=utf-8",
			"<html><body><div><b>#note</b></div><div>She owes $40, PIN 4821.</div></body></html>", false, ""},
		{"starred note from a plain part", plainHeader, "*#note*\nShe owes $40, PIN 4821.", false, ""},
		{"italic note", plainHeader, "_#note_\nShe owes $40.", false, ""},
		{"note under a gateway banner", plainHeader,
			"CAUTION: This email originated from outside of the organization. Do not click links or open attachments unless you recognize the sender.\n\n#note\nShe owes $40.", false, ""},
		{"note under a one-line external tag", plainHeader, "[EXTERNAL]\n#note\nShe owes $40.", false, ""},
		{"note under a greeting", plainHeader, "Hi team,\n\n#note\nShe owes $40.", false, ""},
		{"note after leading blank lines and a zero-width space", plainHeader, "\n\n\u200b#note\nShe owes $40.", false, ""},
		{"note with text on its line", plainHeader, "#note: she owes $40", false, ""},
		{"note in an HTML table cell", "Content-Type: text/html; charset=utf-8",
			"<table><tr><td><span style='font-weight:bold'>#note</span></td></tr></table><p>She owes $40.</p>", false, ""},
		{"command under the answer", plainHeader, "Your books are renewed.\n\n#note she owes $40", false, "was not on the first lines"},
		{"close under the answer", plainHeader, "Your books are renewed.\n#close", false, "was not on the first lines"},
		{"signature only", plainHeader, "Alice Smith\nCirculation Librarian\nSeymour Library | (555) 010-0100", false, "nothing for the patron"},
		{"thanks and name only", plainHeader, "Thanks!\n\nAlice", false, "nothing for the patron"},
		{"greeting only", plainHeader, "Hi Ann,\n\nBest,\nAlice", false, "nothing for the patron"},
		{"note pasted bare", plainHeader, "Your books are renewed.\nHer account is blocked for a fine from 2019.", true, "internal note"},
		{"note re-wrapped and re-cased", plainHeader, "Renewed. Her account\nis BLOCKED for a\nfine from 2019!", true, "internal note"},
		{"note flowed", "Content-Type: text/plain; charset=utf-8; format=flowed", "Renewed. Her account is blocked \nfor a fine from 2019.", true, "internal note"},
		{"note flowed with delsp", "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes", "Renewed. Her account is blo \ncked for a fine from 2019.", true, "internal note"},
		{"note in an HTML answer", "Content-Type: text/html; charset=utf-8", "<p>Renewed.</p><p><i>Her account is blocked</i> for a <b>fine from 2019</b>.</p>", true, "internal note"},
		{"four-digit PIN alone", plainHeader, "Your new PIN is 4821.", true, "internal note"},
		{"a few words of the note in a sentence", plainHeader, "Sorry: blocked for a fine from 2019.", true, "internal note"},
		{"note quoted between the answer's lines", plainHeader, "Hi Ann,\n\n> Her account is blocked for a fine from 2019. PIN 4821.\n\nYour books are renewed.", true, "quoted lines"},
		{"the notice's staff-only part pasted", plainHeader, "Renewed.\n\n===== Staff only: the patron never sees what follows =====\nFrom: Ann Lee", false, "internal note or of a mail patrondesk sent to staff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			if tc.note {
				h.replyTo(alice, notice, note, 100)
				h.runOnce()
			}
			aliceBefore, bobBefore := len(h.mailTo(alice)), len(h.mailTo(bob))
			h.staffReply("Alice Smith <alice@library.test>", notice, tc.header, tc.body, 1)
			h.runOnce()
			if got := h.mailTo(ann); len(got) != 1 {
				t.Fatalf("Ann got %d mails, want only her acknowledgement; the last:\n%s", len(got), text(t, got[len(got)-1]))
			}
			if got := h.mailTo(bob); len(got) != bobBefore {
				t.Errorf("Bob got mail")
			}
			d := h.ticket(1)
			if d.Status != "open" || d.FirstResponseAt != nil {
				t.Errorf("status %s, first response %v: want open and unanswered", d.Status, d.FirstResponseAt)
			}
			got := h.mailTo(alice)[aliceBefore:]
			if tc.told == "" {
				if len(got) != 0 {
					t.Errorf("Alice got %d mails for a note:\n%s", len(got), text(t, got[0]))
				}
				if !hasEvent(d, alice, "note") {
					t.Errorf("the note was not recorded: %v", d.Events)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(strings.Join(strings.Fields(text(t, got[0])), " "), tc.told) {
				t.Fatalf("Alice got %d mails, want one saying %q", len(got), tc.told)
			}
			if !strings.Contains(headerValue(got[0], "Subject"), "Not sent to the patron") || !hasEvent(d, alice, "held") {
				t.Errorf("subject %q, events %v", headerValue(got[0], "Subject"), d.Events)
			}
			if n := h.count(`SELECT COUNT(*) FROM messages WHERE ticket_id = 1 AND kind = 'staff_note' AND sender = ?`, alice); n == 0 {
				t.Errorf("the held reply was not kept as a note")
			}
		})
	}
}

// TestStaffAnswerReadRight sends answers as clients write them and checks
// the exact words Ann gets: one greeting, one sign-off, no signature,
// quote, phone line or staff address.
func TestStaffAnswerReadRight(t *testing.T) {
	for _, tc := range []struct {
		name, header, body string
		want               string // Ann's mail between the first line and the library's name
		greeting           string
	}{
		{"Outlook signature without dashes", plainHeader,
			"Your books are renewed.\n\nKind regards,\n\nAlice Smith\nCirculation Librarian\nSeymour Library\nTel: (555) 010-0100",
			"Your books are renewed.\n\nKind regards,\nAlice", "Hello Ann,"},
		{"triple sign-off", plainHeader,
			"Hi Ann,\n\nYour books are renewed.\n\nThanks,\nAlice\n\nAlice Smith | Circulation Librarian\nalice@library.test | 555-010-0100",
			"Your books are renewed.\n\nThanks,\nAlice", "Hi Ann,"},
		{"staff greeting is the only greeting", plainHeader, "Dear Ms. Lee,\n\nRenewed.", "Renewed.\n\nAlice", "Dear Ms. Lee,"},
		{"bottom-posted", plainHeader, "__QUOTE__\nRenewed until 4 January.\n\n-- \nAlice Smith", "Renewed until 4 January.\n\nAlice", "Hello Ann,"},
		{"inline under the patron's words", plainHeader,
			"On Mon, Dec 7, 2026 Seymour Library wrote:\n> Can I keep Middlemarch two more weeks?\n\nYes, it is renewed until 4 January.",
			"Yes, it is renewed until 4 January.\n\nAlice", "Hello Ann,"},
		{"flowed text joined", "Content-Type: text/plain; charset=utf-8; format=flowed",
			"Your books are renewed until \n4 January.   \n\nAlice", "Your books are renewed until 4 January.\n\nAlice", "Hello Ann,"},
		{"phone lines go", plainHeader, "Renewed.\n\nSent from my iPhone\n\nEnvoyé de mon iPad\nDownload Outlook for Android", "Renewed.\n\nAlice", "Hello Ann,"},
		{"Outlook web HTML list", "Content-Type: text/html; charset=utf-8",
			`<div class="elementToProof">Bring:</div><ul><li><div class="elementToProof">your card</div></li><li><div class="elementToProof">a photo ID</div></li></ul><div id="Signature"><div>Alice Smith</div><div>Circulation</div></div>`,
			"Bring:\n- your card\n- a photo ID\n\nAlice", "Hello Ann,"},
		{"staff addresses in every form hidden", plainHeader,
			"Write to Alice+Desk@Library.Test or alice.smith@library.test, or BOB@library.test.",
			"Write to help@library.test or help@library.test, or help@library.test.\n\nAlice", "Hello Ann,"},
		{"the patron's own words quoted back are fine", plainHeader,
			"You asked: Can I keep Middlemarch two more weeks? Yes, you can.", "You asked: Can I keep Middlemarch two more weeks? Yes, you can.\n\nAlice", "Hello Ann,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			opts := h.desk.opts
			opts.Staff = append([]Staff(nil), opts.Staff...)
			opts.Staff[0].Aliases = []string{"alice.smith@library.test"}
			h.desk.Reload(opts, h.desk.tpl)
			body := strings.ReplaceAll(tc.body, "__QUOTE__", quotedNotice(t, notice))
			h.staffReply("Alice Smith <alice@library.test>", notice, tc.header, body, 1)
			h.runOnce()
			got := h.mailTo(ann)
			if len(got) != 2 {
				t.Fatalf("Ann got %d mails, want the ack and the answer; Alice's last:\n%s", len(got), text(t, h.last(alice)))
			}
			b := trimLines(text(t, got[1]))
			first, rest, _ := strings.Cut(b, "\n")
			answer, _, _ := strings.Cut(rest, "\nSeymour Library")
			if first != tc.greeting || strings.TrimSpace(answer) != tc.want {
				t.Errorf("Ann got:\n%s\n\nwant %q then:\n%s", b, tc.greeting, tc.want)
			}
			if strings.Count(b, "Hello")+strings.Count(b, "Hi Ann")+strings.Count(b, "Dear") > 1 {
				t.Errorf("more than one greeting:\n%s", b)
			}
			if d := h.ticket(1); d.Status != "waiting" || d.FirstResponseAt == nil {
				t.Errorf("status %s: want waiting and answered", d.Status)
			}
		})
	}
}

func TestSignatureFromConfigAndLearned(t *testing.T) {
	t.Run("configured", func(t *testing.T) {
		h, notice := newTicket(t)
		opts := h.desk.opts
		opts.Staff = append([]Staff(nil), opts.Staff...)
		opts.Staff[0].Signature = "~ A ~\nReading is dreaming with open eyes"
		h.desk.Reload(opts, h.desk.tpl)
		h.replyTo(alice, notice, "Renewed.\n\n~ A ~\nReading is dreaming with open eyes", 1)
		h.runOnce()
		if b := text(t, h.last(ann)); strings.Contains(b, "dreaming") || !strings.Contains(b, "Renewed.") {
			t.Errorf("Ann got:\n%s", b)
		}
	})
	t.Run("learned from her earlier replies", func(t *testing.T) {
		h, notice := newTicket(t)
		h.replyTo(alice, notice, "#note\nCalled her.\n\n~ A ~\nReading is dreaming with open eyes", 1)
		h.runOnce()
		h.replyTo(alice, notice, "Renewed.\n\n~ A ~\nReading is dreaming with open eyes", 2)
		h.runOnce()
		if b := text(t, h.last(ann)); strings.Contains(b, "dreaming") || strings.Contains(b, "~ A ~") || !strings.Contains(b, "Renewed.") {
			t.Errorf("Ann got:\n%s", b)
		}
	})
}

func TestHandoverIsStaffTalk(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo(alice, notice, "#assign Bob\nBob, can you take this one? She is a teacher and owes $40.\n\nThanks,\nAlice", 1)
	h.runOnce()
	if got := h.mailTo(ann); len(got) != 1 {
		t.Fatalf("Ann got %d mails, want only her ack:\n%s", len(got), text(t, got[len(got)-1]))
	}
	b := text(t, h.last(bob))
	top, _, _ := strings.Cut(b, "To answer")
	if !strings.Contains(top, "Alice wrote to you when handing it over") || !strings.Contains(top, "Bob, can you take this one? She is a teacher and owes $40.") {
		t.Errorf("Bob's notice does not start with the hand-over:\n%s", b)
	}
	if d := h.ticket(1); d.Owner == nil || *d.Owner != bob || d.Status != "open" {
		t.Errorf("owner %v status %s", d.Owner, d.Status)
	}
	// Bob answers and pastes the hand-over: held, since it was staff talk.
	h.replyTo(bob, h.last(bob), "She is a teacher and owes $40, so no renewal yet.", 2)
	h.runOnce()
	if got := h.mailTo(ann); len(got) != 1 {
		t.Errorf("the hand-over reached Ann:\n%s", text(t, got[len(got)-1]))
	}
}

func TestHandoverWithNote(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo(alice, notice, "#note #assign Bob\nShe owes $40; please call her.", 1)
	h.runOnce()
	if got := h.mailTo(ann); len(got) != 1 {
		t.Fatalf("Ann got %d mails", len(got))
	}
	if top, _, _ := strings.Cut(text(t, h.last(bob)), "To answer"); !strings.Contains(top, "She owes $40; please call her.") {
		t.Errorf("Bob's notice lacks the hand-over:\n%s", text(t, h.last(bob)))
	}
}

func TestCommandsApplyInOrder(t *testing.T) {
	t.Run("reopen then assign ends open and Bob's", func(t *testing.T) {
		h, notice := newTicket(t)
		h.replyTo(alice, notice, "#close\nRenewed.", 1)
		h.runOnce()
		h.replyTo(alice, notice, "#reopen #assign Bob", 2)
		h.runOnce()
		d := h.ticket(1)
		if d.Status != "open" || d.Owner == nil || *d.Owner != bob || d.DueAt == nil {
			t.Errorf("status %s owner %v due %v", d.Status, d.Owner, d.DueAt)
		}
	})
	t.Run("status tells the state after the reply", func(t *testing.T) {
		h, notice := newTicket(t)
		h.replyTo(alice, notice, "#status #priority urgent\nWe are on it.", 1)
		h.runOnce()
		r := text(t, h.last(alice))
		if !strings.Contains(r, "Status:       waiting") || !strings.Contains(r, "Priority:     urgent") {
			t.Errorf("status reply:\n%s", r)
		}
	})
	t.Run("close then status says solved", func(t *testing.T) {
		h, notice := newTicket(t)
		h.replyTo(alice, notice, "#status\n#close", 1)
		h.runOnce()
		if r := text(t, h.last(alice)); !strings.Contains(r, "Status:       solved") {
			t.Errorf("status reply:\n%s", r)
		}
	})
}

func TestAdminActHoldsWhatIsInDoubt(t *testing.T) {
	h, _ := newTicket(t)
	err := h.desk.Act(context.Background(), 1, "Renewed.\n#close")
	var ce *ErrCommand
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "was not on the first lines") {
		t.Fatalf("err = %v", err)
	}
	if d := h.ticket(1); d.Status != "open" || h.count(`SELECT COUNT(*) FROM outbox WHERE to_email = 'admin'`) != 0 {
		t.Errorf("status %s; mail queued to the admin actor", d.Status)
	}
	if err := h.desk.Act(context.Background(), 1, "#note\nCalled her."); err != nil {
		t.Errorf("a note from the terminal: %v", err)
	}
}

func TestStaffKnownByAliasAndTag(t *testing.T) {
	for _, from := range []string{"Alice <ALICE@library.test>", "Alice <alice+desk@library.test>", "Alice <alice.smith@library.test>"} {
		t.Run(from, func(t *testing.T) {
			h, notice := newTicket(t)
			opts := h.desk.opts
			opts.Staff = append([]Staff(nil), opts.Staff...)
			opts.Staff[0].Aliases = []string{"alice.smith@library.test"}
			h.desk.Reload(opts, h.desk.tpl)
			h.replyTo(from, notice, "#note\nShe owes $40.", 1)
			h.runOnce()
			if got := h.mailTo(ann); len(got) != 1 {
				t.Fatalf("Ann got %d mails: a staff note was taken for a patron's mail", len(got))
			}
			if !hasEvent(h.ticket(1), alice, "note") {
				t.Errorf("not recorded as Alice's note: %v", h.ticket(1).Events)
			}
		})
	}
}

func TestConfiguredBanner(t *testing.T) {
	const reply = "Scanned by Seymour MailGuard 3.1\n\n#note\nShe owes $40."
	for _, configured := range []bool{false, true} {
		t.Run(fmt.Sprintf("configured=%v", configured), func(t *testing.T) {
			h, notice := newTicket(t)
			if configured {
				opts := h.desk.opts
				opts.Banners = []string{`^scanned by seymour mailguard`, `[unclosed`}
				h.desk.Reload(opts, h.desk.tpl)
			}
			h.replyTo(alice, notice, reply, 1)
			h.runOnce()
			if got := h.mailTo(ann); len(got) != 1 {
				t.Fatalf("Ann got %d mails", len(got))
			}
			d := h.ticket(1)
			// Without the pattern the banner is text, so the #note under it
			// is not at the top: held, and Alice is told.
			if configured != hasEvent(d, alice, "note") || configured == hasEvent(d, alice, "held") {
				t.Errorf("events %v", d.Events)
			}
		})
	}
}

// TestWhatReachesThePatronPerCommand checks the README's table: what the
// patron gets for each command, with and without words under it.
func TestWhatReachesThePatronPerCommand(t *testing.T) {
	for _, tc := range []struct {
		name, reply string
		solvedFirst bool
		want        string // in Ann's new mail; "" = no new mail
	}{
		{"answer", "Renewed until 4 January.", false, "Renewed until 4 January."},
		{"note", "#note\nCalled her.", false, ""},
		{"close with words", "#close\nRenewed until 4 January.", false, "Renewed until 4 January."},
		{"close alone", "#close", false, "We think we have sorted out your request"},
		{"assign with words", "#assign Bob\nBob, please call her.", false, ""},
		{"take with words", "#take\nRenewed.", false, "Renewed."},
		{"wait with words", "#wait 3d\nWe are looking.", false, "We are looking."},
		{"priority alone", "#priority urgent", false, ""},
		{"a command word inside a note is just words", "#note\nRemember to #close it after pickup.", false, ""},
		{"reopen alone", "#reopen", true, "We have opened your request 1 again."},
		{"reopen with words", "#reopen\nSorry, one book was missed.", true, "Sorry, one book was missed."},
		{"status alone", "#status", false, ""},
		{"help with words", "#help\nRenewed.", false, "Renewed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			if tc.solvedFirst {
				h.replyTo(alice, notice, "#note\n#close", 100)
				h.runOnce()
			}
			before := len(h.mailTo(ann))
			h.replyTo(alice, notice, tc.reply, 1)
			h.runOnce()
			got := h.mailTo(ann)[before:]
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("Ann got:\n%s", text(t, got[0]))
			case tc.want != "" && (len(got) != 1 || !strings.Contains(text(t, got[0]), tc.want)):
				t.Errorf("Ann got %d mails, want one with %q", len(got), tc.want)
			}
			for _, m := range got {
				if strings.Contains(m, "Called her") || strings.Contains(m, "please call her") {
					t.Errorf("staff words reached Ann:\n%s", text(t, m))
				}
			}
		})
	}
}

func TestCommandWordInsideANoteIsKept(t *testing.T) {
	h, notice := newTicket(t)
	before := len(h.mailTo(alice))
	h.replyTo(alice, notice, "#note\nRemember to #close it after pickup.", 1)
	h.runOnce()
	d := h.ticket(1)
	if !hasEvent(d, alice, "note") || hasEvent(d, alice, "held") || d.Status != "open" {
		t.Errorf("status %s, events %v", d.Status, d.Events)
	}
	if n := len(h.mailTo(alice)) - before; n != 0 || len(h.mailTo(ann)) != 1 {
		t.Errorf("Alice got %d mails, Ann %d", n, len(h.mailTo(ann)))
	}
}
