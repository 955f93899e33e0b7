package tickets

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSavedAnswerInThePatronsLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, mail, reply string
		wantFirst         string // the staff member's own line, first
		wantSaved         string // the saved answer's words, after it
	}{
		{"English, staff line above",
			"From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Renewing\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <sa1@example.test>\n\nHow do I renew my books? They are due on Friday.\n",
			"Yes, here is how renewing works:\n#answer renewals\n\nAlice", "Yes, here is how renewing works:", "You can renew your books online"},
		{"Spanish, saved answer alone",
			"From: Marta Gil <ann@example.test>\nTo: help@library.test\nSubject: Renovar\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <sa2@example.test>\n\nHola, ¿cómo puedo renovar mis libros? Gracias por su ayuda.\n",
			"#answer renewals", "", "Puede renovar sus libros en línea"},
		{"bold command from HTML, words below it too",
			"From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Renewing\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <sa3@example.test>\n\nHow do I renew my books?\n",
			"Hi Ann,\n\nOf course.\n\n*#answer renewals*\n\nI have also renewed the two that were due today.\n\nBest,\nAlice", "Of course.", "You can renew your books online"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.deliver(tc.mail)
			h.runOnce()
			owner := *h.tickets("all")[0].Owner
			h.replyTo(owner, h.last(owner), tc.reply, 2)
			h.runOnce()
			got := h.mailTo(ann)
			if len(got) != 2 {
				t.Fatalf("the patron got %d mails, want the acknowledgement and the answer; the owner got:\n%s", len(got), text(t, h.last(owner)))
			}
			body := text(t, got[1])
			saved := strings.Index(body, tc.wantSaved)
			if saved < 0 || tc.wantFirst != "" && strings.Index(body, tc.wantFirst) > saved || strings.Contains(body, "#answer") || strings.Contains(body, "pdsavedanswer") {
				t.Errorf("the answer:\n%s", body)
			}
			if tc.name == "bold command from HTML, words below it too" && !strings.Contains(body, "I have also renewed the two") {
				t.Errorf("the words under the saved answer are lost:\n%s", body)
			}
		})
	}
}

func TestUnknownSavedAnswerSendsNothing(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo("Alice Smith <alice@library.test>", notice, "#answer renewalz", 2)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 1 {
		t.Errorf("the patron got %d mails, want only the acknowledgement", n)
	}
	if body := text(t, h.last(alice)); !strings.Contains(body, `no saved answer called "renewalz"`) || !strings.Contains(body, "renewals") {
		t.Errorf("Alice was told:\n%s", body)
	}
}

func TestMergeByEmail(t *testing.T) {
	h, _ := newTicket(t)
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Middlemarch again\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <ann-2@example.test>\n\nDid you get my email about Middlemarch?\n")
	h.runOnce()
	ack2 := h.mailTo(ann)[1]
	notice1 := h.mailTo(alice)[0]
	before := len(h.mailTo(ann))
	h.replyTo("Alice Smith <alice@library.test>", notice1, "#merge 2", 3)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != before {
		t.Errorf("merging wrote to the patron (%d mails)", n-before)
	}
	if d := h.ticket(2); d.Status != "closed" || d.Messages != 0 {
		t.Errorf("ticket 2 after the merge: %s with %d messages", d.Status, d.Messages)
	}
	h.replyTo("Ann Lee <ann@example.test>", ack2, "It is the 1871 edition.", 4)
	h.runOnce()
	if d := h.ticket(1); d.Messages != 4 {
		t.Errorf("ticket 1 has %d messages, want Ann's two, Alice's #merge and Ann's reply to the merged one", d.Messages)
	}
	if n := len(h.tickets("all")); n != 2 {
		t.Errorf("%d tickets; the reply to the merged request made a new one", n)
	}
	// Another patron's request is not merged.
	h.deliver("From: Marco <marco@example.test>\nTo: help@library.test\nSubject: Hello\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <m-1@example.test>\n\nAre you open on Sunday?\n")
	h.runOnce()
	h.replyTo("Alice Smith <alice@library.test>", notice1, "#merge 3", 5)
	h.runOnce()
	if body := text(t, h.last(alice)); !strings.Contains(body, "another patron") {
		t.Errorf("Alice was told:\n%s", body)
	}
	if d := h.ticket(3); d.Status == "closed" {
		t.Error("another patron's request was merged")
	}
}

func TestCollisionHoldsTheSecondAnswerUntilSend(t *testing.T) {
	h, aliceNotice := newTicket(t)
	h.clock.Advance(time.Hour)
	h.replyTo("Alice Smith <alice@library.test>", aliceNotice, "#assign Bob", 2)
	h.runOnce()
	bobNotice := h.last(bob)
	h.clock.Advance(time.Hour)
	h.replyTo("Bob Jones <bob@library.test>", bobNotice, "I renewed Middlemarch until 4 January.", 3)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 2 {
		t.Fatalf("Ann got %d mails, want Bob's answer", n)
	}
	// Alice answers from her first notice, not knowing Bob did.
	h.clock.Advance(time.Hour)
	h.replyTo("Alice Smith <alice@library.test>", aliceNotice, "Your book is renewed for two more weeks.", 4)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 2 {
		t.Fatalf("Ann got Alice's crossing answer (%d mails)", n)
	}
	held := h.last(alice)
	if body := text(t, held); !strings.Contains(body, "Bob answered Ann at") || !strings.Contains(body, "I renewed Middlemarch until 4 January.") || !strings.Contains(body, "#send") {
		t.Fatalf("Alice was told:\n%s", body)
	}
	h.replyTo("Alice Smith <alice@library.test>", held, "#send", 5)
	h.runOnce()
	got := h.mailTo(ann)
	if len(got) != 3 || !strings.Contains(text(t, got[2]), "Your book is renewed for two more weeks.") {
		t.Fatalf("after #send Ann got %d mails", len(got))
	}
	// #send again sends nothing more.
	h.replyTo("Alice Smith <alice@library.test>", held, "#send", 6)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 3 {
		t.Errorf("a second #send sent again (%d mails)", n)
	}
}

func TestQueueByEmail(t *testing.T) {
	h, notice := newTicket(t)
	h.deliver("From: Marco <marco@example.test>\nTo: help@library.test\nSubject: Local history\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <m-1@example.test>\n\nDo you have photos of Main Street?\n")
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Card\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <ann-2@example.test>\n\nMy card does not work.\n")
	h.runOnce()
	owners := map[int64]string{}
	for _, v := range h.tickets("all") {
		owners[v.ID] = *v.Owner
	}

	// #mine as the first line of a new email.
	h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: my list\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <q-1@library.test>\n\n#mine\n\nAlice\n")
	h.runOnce()
	if n := len(h.tickets("all")); n != 3 {
		t.Errorf("#mine made a ticket: %d tickets", n)
	}
	mine := text(t, h.last(alice))
	for id, owner := range owners {
		listed := strings.Contains(mine, "#"+itoa(id)+" ")
		if listed != (owner == alice) {
			t.Errorf("ticket %d (owner %s) listed=%v in Alice's #mine:\n%s", id, owner, listed, mine)
		}
	}
	if strings.Contains(mine, "@example.test") {
		t.Errorf("#mine shows a patron's address:\n%s", mine)
	}

	// #history in a reply lists Ann's other request.
	h.replyTo("Alice Smith <alice@library.test>", notice, "#history", 3)
	h.runOnce()
	if hist := text(t, h.last(alice)); !strings.Contains(hist, "#3") || !strings.Contains(hist, "Card") || strings.Contains(hist, "ann@example.test") {
		t.Errorf("#history:\n%s", hist)
	}

	// #late is for supervisors.
	h.clock.Advance(10 * 24 * time.Hour)
	h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: late\nDate: Thu, 17 Dec 2026 10:00:00 -0600\nMessage-ID: <q-2@library.test>\n\n#late\n")
	h.deliver("From: Dana Boss <boss@library.test>\nTo: help@library.test\nSubject: late\nDate: Thu, 17 Dec 2026 10:00:00 -0600\nMessage-ID: <q-3@library.test>\n\n#late\n")
	h.runOnce()
	if s := text(t, h.last(alice)); !strings.Contains(s, "#late is for supervisors") {
		t.Errorf("Alice's #late:\n%s", s)
	}
	if s := text(t, h.last("boss@library.test")); !strings.Contains(s, "3 requests are late") || !strings.Contains(s, "Alice Smith") {
		t.Errorf("Dana's #late:\n%s", s)
	}
}

func TestSpamCommandClosesSilentlyAndBlocks(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo("Alice Smith <alice@library.test>", notice, "#spam", 2)
	h.runOnce()
	if d := h.ticket(1); d.Status != "closed" {
		t.Errorf("ticket after #spam: %s", d.Status)
	}
	if n := len(h.mailTo(ann)); n != 1 {
		t.Errorf("the sender got %d mails, want only the first acknowledgement", n)
	}
	h.deliver("From: Ann Lee <ANN+promo@example.test>\nTo: help@library.test\nSubject: Cheap books\nDate: Tue, 08 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-9@example.test>\n\nBuy cheap books now.\n")
	h.runOnce()
	if n := len(h.tickets("all")); n != 1 {
		t.Errorf("%d tickets; a blocked sender's mail made one", n)
	}
	if n, _ := h.store.SpamCount(context.Background()); n != 1 {
		t.Errorf("spam queue holds %d, want the blocked sender's mail", n)
	}
	if n := len(h.mailTo(ann)) + len(h.mailTo("ann+promo@example.test")); n != 1 {
		t.Errorf("the blocked sender got mail: %d", n)
	}
}

func TestNoticeSuggestsSavedAnswersAndShowsHistory(t *testing.T) {
	h, notice := newTicket(t)
	if body := text(t, notice); !strings.Contains(body, "This looks like: renewals. Reply #answer renewals to send it.") {
		t.Errorf("the notice suggests nothing:\n%s", body)
	}
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Room booking\nDate: Mon, 07 Dec 2026 09:00:00 -0600\nMessage-ID: <ann-2@example.test>\n\nCan I book the meeting room for twelve people?\n")
	h.runOnce()
	var second string
	for _, m := range append(h.mailTo(alice), h.mailTo(bob)...) {
		if strings.Contains(headerValue(m, "Subject"), "#2]") {
			second = text(t, m)
		}
	}
	if !strings.Contains(second, "Earlier requests from this patron:") || !strings.Contains(second, "#1") || !strings.Contains(second, "Please renew my books") {
		t.Errorf("the second notice does not show the first request:\n%s", second)
	}
	if strings.Contains(second, "This looks like") {
		t.Errorf("a room booking suggests a saved answer:\n%s", second)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReopenAndAssignThatChangeNothingMailNobody(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo("Alice Smith <alice@library.test>", notice, "#reopen", 2)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != 1 {
		t.Errorf("#reopen of an open request mailed the patron (%d mails)", n)
	}
	aliceMails := len(h.mailTo(alice))
	h.replyTo("Bob Jones <bob@library.test>", notice, "#assign Alice", 3)
	h.runOnce()
	if n := len(h.mailTo(alice)); n != aliceMails {
		t.Errorf("#assign to the owner sent her another notice (%d)", n-aliceMails)
	}
	h.replyTo("Bob Jones <bob@library.test>", notice, "#assign Alice\nAlice, she prefers a phone call.", 4)
	h.runOnce()
	if n := len(h.mailTo(alice)); n != aliceMails+1 || !strings.Contains(text(t, h.last(alice)), "she prefers a phone call") {
		t.Errorf("a hand-over note to the owner did not reach her (%d mails)", n-aliceMails)
	}
	// Solved, then reopened: the patron is told.
	h.replyTo("Alice Smith <alice@library.test>", notice, "#close", 5)
	h.runOnce()
	before := len(h.mailTo(ann))
	h.replyTo("Alice Smith <alice@library.test>", notice, "#reopen", 6)
	h.runOnce()
	if n := len(h.mailTo(ann)); n != before+1 {
		t.Errorf("#reopen of a solved request: %d mails to the patron, want 1", n-before)
	}
}
