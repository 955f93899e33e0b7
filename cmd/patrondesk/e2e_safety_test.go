//go:build e2e

package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The safety drills end to end: attack mail through Postfix into Dovecot,
// the built binary, and what arrived in every mailbox afterwards. Postfix
// here adds no Authentication-Results of its own, so the tests write the
// header the library's MX (named in [safety]) would have written.

const e2eMX = "mx.library.test"

var everyMailbox = []string{"help@library.test", "alice@library.test", "bob@library.test", "boss@library.test", "it@library.test",
	"ann@patrons.test", "marco@patrons.test", "robot@patrons.test"}

// safeE2E is an e2e desk whose library named its MX and its admin.
func safeE2E(t *testing.T) *e2e {
	e := newE2E(t)
	for _, u := range []string{"boss@library.test", "it@library.test"} {
		emptyMailbox(t, u)
	}
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `tag = "Seymour"`, "tag = \"Seymour\"\nadmin = \"boss@library.test\"", 1)
	s += "\n[safety]\ntrusted_authserv = \"" + e2eMX + "\"\n"
	if err := os.WriteFile(e.cfg, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// wantEvery fails unless every mailbox holds exactly the counts in want
// (absent = none); it waits a little for mail still on its way.
func wantEvery(t *testing.T, want map[string]int) map[string][]gotMail {
	t.Helper()
	got := map[string][]gotMail{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var diff []string
		for _, u := range everyMailbox {
			got[u] = inbox(t, u)
			if len(got[u]) != want[u] {
				diff = append(diff, fmt.Sprintf("%s has %d, want %d", u, len(got[u]), want[u]))
			}
		}
		if len(diff) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			sort.Strings(diff)
			t.Fatalf("mailboxes: %s", strings.Join(diff, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func date() string { return time.Now().Format(time.RFC1123Z) }

func TestE2ESafety(t *testing.T) {
	e := safeE2E(t)
	pass := "Authentication-Results: " + e2eMX + "; spf=pass smtp.mailfrom=patrons.test; dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test\n"
	forged := "Authentication-Results: " + e2eMX + "; spf=fail smtp.mailfrom=%s; dkim=none; dmarc=fail header.from=%s\n"
	// 1. A verified patron whose client writes quotes and parentheses in
	// her name and an encoded CR/LF in her subject.
	send(t, "ann@patrons.test", "From: \"Lee, Ann \\\"Annie\\\" (Branch)\" <ann@patrons.test>\nTo: help@library.test\nSubject: =?utf-8?q?Renew_my_books=0D=0ABuy_pills_at_http://spam.test?=\nMessage-ID: <safe-1@patrons.test>\nDate: "+date()+"\n"+pass+"\nCan I keep them? SECRET-BODY http://spam.test\n")
	// 2. A forged sender: the MX says DMARC fail.
	send(t, "marco@patrons.test", "From: Bank <marco@patrons.test>\nTo: help@library.test\nSubject: Verify your account\nMessage-ID: <safe-2@patrons.test>\nDate: "+date()+"\n"+fmt.Sprintf(forged, "patrons.test", "patrons.test")+"\nhttp://spam.test\n")
	// 3. Spam by the MX's verdict.
	send(t, "robot@patrons.test", "From: robot@patrons.test\nTo: help@library.test\nSubject: You won\nX-Spam-Flag: YES\nX-Spam-Status: Yes, score=14.2\nMessage-ID: <safe-3@patrons.test>\nDate: "+date()+"\n\nClaim now\n")
	// 4. A forged staff forward naming a victim.
	send(t, "bob@library.test", "From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: Fwd: Cheap pills\nMessage-ID: <safe-4@spam.test>\nDate: "+date()+"\n"+fmt.Sprintf(forged, "library.test", "library.test")+
		"\n---------- Forwarded message ---------\nFrom: Victim <it@library.test>\nSubject: Cheap pills http://spam.test\nTo: <bob@library.test>\n\nBuy now http://spam.test\n")
	waitInbox(t, "help@library.test", 4)
	e.patrondesk("run", "--once")
	got := wantEvery(t, map[string]int{"ann@patrons.test": 1, "alice@library.test": 1, "bob@library.test": 2})
	ack := got["ann@patrons.test"][0]
	// Postfix may hand the four mails to Dovecot in any order: Ann's
	// request number is whatever her acknowledgement says.
	annTicket := regexp.MustCompile(`^\[Seymour #(\d+)\] `).FindStringSubmatch(ack.msg.Subject)
	if annTicket == nil || strings.TrimPrefix(ack.msg.Subject, annTicket[0]) != "Renew my books Buy pills at http://spam.test" || strings.Contains(ack.msg.Text, "SECRET-BODY") ||
		len(ack.msg.To) != 1 || ack.msg.To[0].Name != `Lee, Ann "Annie" (Branch)` || !strings.Contains(ack.msg.Text, "Hello Ann,") {
		t.Errorf("verified ack: subject %q, to %+v\n%s", ack.msg.Subject, ack.msg.To, ack.msg.Text)
	}
	var doubt, question bool
	for _, m := range got["bob@library.test"] {
		doubt = doubt || strings.Contains(m.msg.Text, "DMARC fail") && strings.Contains(m.msg.Text, "Bank <marco@patrons.test>")
		question = question || strings.Contains(m.msg.Text, "reply to this email") && strings.Contains(m.msg.Text, "it@library.test")
		if strings.Contains(m.msg.Text, "Buy now") {
			t.Errorf("the forged forward's words reached staff mail above the marker:\n%s", m.msg.Text)
		}
	}
	if !doubt || !question {
		t.Errorf("bob's mail: doubtful notice %v, forward question %v", doubt, question)
	}

	// 5. Alice's own out-of-office answers her notice (no RFC 3834 headers).
	notice := got["alice@library.test"][0]
	send(t, "alice@library.test", fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Automatic reply: %s\nIn-Reply-To: <%s>\nReferences: <%s>\nMessage-ID: <safe-5@library.test>\nDate: %s\n\nI am out of the office until Monday.\n",
		notice.msg.Subject, notice.msg.MessageID, notice.msg.MessageID, date()))
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	wantEvery(t, map[string]int{"ann@patrons.test": 1, "alice@library.test": 1, "bob@library.test": 2})
	if annTicket == nil {
		t.FailNow()
	}
	if show := e.patrondesk("tickets", "show", annTicket[1]); !strings.Contains(show, "automated mail received") {
		t.Errorf("the out-of-office was not recorded:\n%s", show)
	}
	t.Logf("attacks tried 5, held 5")
}

// TestE2ERotatingRobot is the measured drill through Postfix and Dovecot: a
// robot answers every mail it gets from the next of its addresses with a new
// subject and the same words. It must get at most 20 mails in all.
func TestE2ERotatingRobot(t *testing.T) {
	e := safeE2E(t)
	addrs := []string{"robot@patrons.test", "marco@patrons.test", "ann@patrons.test"}
	words := "Thank you for contacting us. Your message has been received and a ticket has been opened. We will reply shortly."
	send(t, addrs[0], "From: "+addrs[0]+"\nTo: help@library.test\nSubject: Hello\nMessage-ID: <bot-0@patrons.test>\nDate: "+date()+"\n\n"+words+"\n")
	seen := map[string]int{}
	next, sent := 1, 1
	for round := 0; round < 12; round++ {
		waitInbox(t, "help@library.test", 1)
		e.patrondesk("run", "--once")
		quiet := true
		for _, a := range addrs {
			got := inbox(t, a)
			for range got[seen[a]:] {
				from := addrs[next%len(addrs)]
				next++
				send(t, from, fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Ticket %d opened\nMessage-ID: <bot-%d@patrons.test>\nDate: %s\n\n%s\n", from, 1000+next*37, next, date(), words))
				sent++
				quiet = false
			}
			seen[a] = len(got)
		}
		if quiet {
			break
		}
	}
	total := 0
	for _, a := range addrs {
		total += seen[a]
	}
	if total > 20 {
		t.Errorf("the robot got %d mails; want at most 20", total)
	}
	t.Logf("the robot sent %d mails and got %d back, then silence", sent, total)
}
