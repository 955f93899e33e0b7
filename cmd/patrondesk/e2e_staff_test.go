//go:build e2e

package main

import (
	"bytes"
	"encoding/json"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// staffCorpus reads one reply of the staff-reply corpus and its sidecar's
// answer text.
func staffCorpus(t *testing.T, name string) (raw []byte, answer string) {
	t.Helper()
	dir := filepath.Join("..", "..", "tickets", "testdata", "staffreplies")
	raw, err := os.ReadFile(filepath.Join(dir, name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, name+".want"))
	if err != nil {
		t.Fatal(err)
	}
	_, answer, _ = strings.Cut(strings.ReplaceAll(string(want), "\r\n", "\n"), "\n---\n")
	return raw, strings.TrimSpace(answer)
}

// sendStaffReply hands a client's reply to Postfix as it is, answering the
// notice with that Message-ID.
func sendStaffReply(t *testing.T, raw []byte, noticeID string) {
	t.Helper()
	raw = bytes.ReplaceAll(raw, []byte("{{NOTICE_ID}}"), []byte(noticeID))
	if err := smtp.SendMail(smtpAddr, nil, "alice@library.test", []string{"help@library.test"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
}

type e2eTicket struct {
	Status, Priority string
	Owner            *string
	FirstResponseAt  *time.Time `json:"first_response_at"`
	Thread           []struct{ Kind, Text string }
}

func (e *e2e) ticket(id string) e2eTicket {
	e.t.Helper()
	var d e2eTicket
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", id, "--json")), &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// TestE2EStaffRepliesFromRealClients sends four replies of the corpus, as
// Outlook, Outlook on the web and Thunderbird wrote them, through Postfix
// and Dovecot, and reads every mailbox afterwards.
func TestE2EStaffRepliesFromRealClients(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-sm-ann-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep my three books two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	notice := waitInbox(t, "alice@library.test", 1)[0]
	waitInbox(t, "ann@patrons.test", 1)

	deliver := func(name string) string {
		raw, answer := staffCorpus(t, name)
		sendStaffReply(t, raw, notice.msg.MessageID)
		waitInbox(t, "help@library.test", 1)
		e.patrondesk("run", "--once")
		return answer
	}

	// Outlook: only "#priority urgent" and Outlook's signature.
	deliver("02-outlook-desktop-priority-urgent-signature")
	if d := e.ticket("1"); d.Priority != "urgent" || d.Status != "open" || d.FirstResponseAt != nil {
		t.Errorf("after the signature-only command: %+v", d)
	}
	// Outlook on the web, HTML only: a bold #note.
	deliver("13-owa-html-only-bold-note")
	if n := len(inbox(t, "ann@patrons.test")); n != 1 {
		t.Fatalf("Ann got %d mails after a command and a note, want only her acknowledgement", n)
	}
	if d := e.ticket("1"); d.Status != "open" || d.Thread[len(d.Thread)-1].Kind != "staff_note" {
		t.Errorf("after the bold #note: status %s, last message %+v", d.Status, d.Thread[len(d.Thread)-1])
	}

	// Thunderbird, bottom-posted under the quoted notice.
	answer := deliver("32-thunderbird-bottom-posted")
	got := waitInbox(t, "ann@patrons.test", 2)
	body := got[1].msg.Text
	if !strings.Contains(body, answer) || strings.Count(body, "Hi Ann,") != 1 || strings.Contains(body, "Hello Ann") {
		t.Errorf("Ann's answer:\n%s\nwant, under her one greeting:\n%s", body, answer)
	}
	for _, leak := range []string{"alice@", "Librarian", "Staff only", "##-", "| Seymour Library"} {
		if strings.Contains(got[1].raw, leak) {
			t.Errorf("Ann's answer shows %q:\n%s", leak, body)
		}
	}
	if d := e.ticket("1"); d.Status != "waiting" || d.FirstResponseAt == nil {
		t.Errorf("after the answer: %+v", d)
	}

	// Outlook: "#assign Bob" and a line for Bob.
	deliver("06-outlook-desktop-assign-bob-handover")
	bobs := waitInbox(t, "bob@library.test", 1)
	top, _, _ := strings.Cut(bobs[0].msg.Text, "To answer")
	if !strings.Contains(top, "Bob, can you take this one? She is a teacher.") {
		t.Errorf("Bob's notice does not start with the hand-over:\n%s", bobs[0].msg.Text)
	}
	if d := e.ticket("1"); d.Owner == nil || *d.Owner != "bob@library.test" {
		t.Errorf("owner after #assign Bob: %v", d.Owner)
	}
	for _, m := range inbox(t, "ann@patrons.test") {
		if strings.Contains(m.msg.Text, "teacher") {
			t.Errorf("the hand-over reached Ann:\n%s", m.msg.Text)
		}
	}
	if n := len(inbox(t, "ann@patrons.test")); n != 2 {
		t.Errorf("Ann has %d mails, want the acknowledgement and one answer", n)
	}
}
