//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// useFormRelay makes webform@library.test the library's web-form relay in
// e's config.
func (e *e2e) useFormRelay() {
	e.t.Helper()
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := strings.Replace(string(b), "[intake]\n", "[intake]\nform_senders = [\"webform@library.test\"]\n", 1)
	if err := os.WriteFile(e.cfg, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// TestE2EWebFormSearchAndMerge: a web form's mail becomes the patron's
// request (acknowledged and answered at the Reply-To address), search finds
// it by a word of its body, and a merged request receives the reply to the
// other one.
func TestE2EWebFormSearchAndMerge(t *testing.T) {
	e := newE2E(t)
	e.useFormRelay()
	now := func() string { return time.Now().Format(time.RFC1123Z) }
	send(t, "webform@library.test", "From: Seymour Library website <webform@library.test>\nReply-To: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Ask a librarian: old maps\nAuto-Submitted: auto-generated\nMessage-ID: <e2e-form-1@library.test>\nDate: "+now()+"\n\nName: Marco Ruiz\nEmail: marco@patrons.test\nQuestion: Do you have maps of the harbour from 1890?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	ack := waitInbox(t, "marco@patrons.test", 1)[0]
	if !strings.HasPrefix(ack.msg.Subject, "[Seymour #1]") {
		t.Errorf("Marco's acknowledgement: %q", ack.msg.Subject)
	}
	notice := waitInbox(t, "bob@library.test", 1)[0]
	reply(t, "Bob Jones <bob@library.test>", notice, "Yes, we have two harbour maps from 1890 in the local history room.")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	answer := waitInbox(t, "marco@patrons.test", 2)[1]
	if !strings.Contains(answer.msg.Text, "two harbour maps from 1890") {
		t.Errorf("Marco's answer:\n%s", answer.msg.Text)
	}

	var hits []struct {
		ID      int64  `json:"id"`
		Status  string `json:"status"`
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "search", "harbour", "--json")), &hits); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != 1 || hits[0].Subject != "Ask a librarian: old maps" {
		t.Errorf("search harbour = %+v", hits)
	}

	// Marco writes again on a new thread; staff merge it into the first.
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: maps\nMessage-ID: <e2e-form-2@patrons.test>\nDate: "+now()+"\n\nCan I see the maps on Saturday?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	ack2 := waitInbox(t, "marco@patrons.test", 3)[2]
	if out := e.patrondesk("tickets", "merge", "1", "2"); !strings.Contains(out, "Ticket 2 is now part of ticket 1") {
		t.Errorf("merge said %q", out)
	}
	send(t, "marco@patrons.test", fmt.Sprintf("From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <e2e-form-2@patrons.test> <%s>\nMessage-ID: <e2e-form-3@patrons.test>\nDate: %s\n\nOr on Sunday.\n",
		ack2.msg.Subject, ack2.msg.MessageID, ack2.msg.MessageID, now()))
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	var shown struct {
		Messages int `json:"messages"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", "1", "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Messages < 4 {
		t.Errorf("ticket 1 has %d messages; the merged request and the reply to it should be there", shown.Messages)
	}
}

// TestE2EDeskCommandsByEmail: saved answers in English and Spanish with the
// staff member's own line first, a colliding answer held and then sent with
// #send, #mine as the first line of a new email, and #merge by email, all
// through Postfix and Dovecot.
func TestE2EDeskCommandsByEmail(t *testing.T) {
	e := newE2E(t)
	now := func() string { return time.Now().Format(time.RFC1123Z) }
	take := func() {
		t.Helper()
		waitInbox(t, "help@library.test", 1)
		e.patrondesk("run", "--once")
	}
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-cmd-1@patrons.test>\nDate: "+now()+"\n\nCan I keep Middlemarch two more weeks?\n")
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Libros\nMessage-ID: <e2e-cmd-2@patrons.test>\nDate: "+now()+"\n\nHola, ¿cómo puedo renovar mis libros? Muchas gracias por la ayuda.\n")
	waitInbox(t, "help@library.test", 2)
	e.patrondesk("run", "--once")
	aliceNotice := waitInbox(t, "alice@library.test", 1)[0]
	marcoNotice := waitInbox(t, "bob@library.test", 1)[0]

	// Saved answers, in each patron's language, the staff line first.
	reply(t, "Alice Smith <alice@library.test>", aliceNotice, "Here is how renewing works:\n#answer renewals\n\nAlice")
	take()
	annMail := waitInbox(t, "ann@patrons.test", 2)
	// Postfix may deliver Ann's and Marco's first mails in either order.
	annTicket := regexp.MustCompile(`#(\d+)\]`).FindStringSubmatch(annMail[0].msg.Subject)
	if annTicket == nil {
		t.Fatalf("Ann's acknowledgement: %q", annMail[0].msg.Subject)
	}
	answer := annMail[1].msg.Text
	if i, j := strings.Index(answer, "Here is how renewing works:"), strings.Index(answer, "You can renew your books online"); i < 0 || j < i || strings.Contains(answer, "#answer") {
		t.Errorf("Ann's saved answer:\n%s", answer)
	}
	reply(t, "Bob Jones <bob@library.test>", marcoNotice, "#answer renewals")
	take()
	if answer := waitInbox(t, "marco@patrons.test", 2)[1].msg.Text; !strings.Contains(answer, "Puede renovar sus libros en línea") {
		t.Errorf("Marco's saved answer is not in Spanish:\n%s", answer)
	}

	// Alice hands Ann's request to Bob, who answers; Alice then answers from
	// her first notice: hers is held until she sends it with #send.
	reply(t, "Alice Smith <alice@library.test>", aliceNotice, "#assign Bob")
	take()
	bobNotice := waitInbox(t, "bob@library.test", 2)[1]
	reply(t, "Bob Jones <bob@library.test>", bobNotice, "I have renewed Middlemarch until the 28th.")
	take()
	waitInbox(t, "ann@patrons.test", 3)
	reply(t, "Alice Smith <alice@library.test>", aliceNotice, "Your book is renewed for two more weeks.")
	take()
	held := waitInbox(t, "alice@library.test", 2)[1]
	if !strings.Contains(held.msg.Text, "Bob answered Ann at") || !strings.Contains(held.msg.Text, "#send") {
		t.Fatalf("Alice was told:\n%s", held.msg.Text)
	}
	if n := len(inbox(t, "ann@patrons.test")); n != 3 {
		t.Errorf("Ann got %d mails before #send, want 3", n)
	}
	reply(t, "Alice Smith <alice@library.test>", held, "#send")
	take()
	if sent := waitInbox(t, "ann@patrons.test", 4)[3].msg.Text; !strings.Contains(sent, "Your book is renewed for two more weeks.") {
		t.Errorf("after #send Ann got:\n%s", sent)
	}

	// #mine as the first line of a new email: exactly Bob's open requests.
	send(t, "bob@library.test", "From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: list\nMessage-ID: <e2e-cmd-mine@library.test>\nDate: "+now()+"\n\n#mine\n")
	take()
	mine := waitInbox(t, "bob@library.test", 3)[2].msg.Text
	if !strings.Contains(mine, "#1 ") || !strings.Contains(mine, "#2 ") || strings.Contains(mine, "@patrons.test") {
		t.Errorf("Bob's #mine:\n%s", mine)
	}

	// #merge by email: Ann's new request becomes part of her first one.
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Middlemarch\nMessage-ID: <e2e-cmd-3@patrons.test>\nDate: "+now()+"\n\nDid you see my email about Middlemarch?\n")
	take()
	ack3 := waitInbox(t, "ann@patrons.test", 5)[4]
	reply(t, "Bob Jones <bob@library.test>", bobNotice, "#merge 3")
	take()
	send(t, "ann@patrons.test", fmt.Sprintf("From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <%s>\nMessage-ID: <e2e-cmd-4@patrons.test>\nDate: %s\n\nIt is the 1871 edition.\n",
		ack3.msg.Subject, ack3.msg.MessageID, ack3.msg.MessageID, now()))
	take()
	var shown struct {
		Thread []struct {
			Text string `json:"text"`
		} `json:"thread"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", annTicket[1], "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range shown.Thread {
		found = found || strings.Contains(m.Text, "1871 edition")
	}
	if !found {
		t.Errorf("the reply to the merged request is not on Ann's first request (%s)", annTicket[1])
	}
}
