//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"os"
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
