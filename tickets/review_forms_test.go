package tickets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer"
)

func TestReviewForgedVerdictBelowTheMX(t *testing.T) {
	h := safeHarness(t)
	headers := "Authentication-Results: mx.library.test; spf=none smtp.mailfrom=patrons.test; dkim=none; dmarc=none header.from=patrons.test\n" +
		"Authentication-Results: mx.library.test; dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test\n"
	h.deliver(raw("Ann Lee <ann@patrons.test>", "Visit cheap-pills.test today", headers, "Can I renew my books?", 1))
	h.runOnce()
	h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "bob@library.test": 1})
	noWords(t, h.last("ann@patrons.test"), "cheap-pills")
}

func TestReviewSpamBlockFoldsTheAddress(t *testing.T) {
	h := safeHarness(t)
	h.deliver(raw("Spammer <ann@patrons.test>", "Renew cheap pills", passAR, "Buy cheap pills at pills.test", 1))
	h.runOnce()
	h.replyTo("alice@library.test", h.last("alice@library.test"), "#spam", 2)
	h.runOnce()
	for i, from := range []string{"ANN@patrons.test", "ann+x@Patrons.Test", "Ann Lee <ann+promo@patrons.test>"} {
		h.deliver(raw(from, fmt.Sprintf("Offer %d", i), passAR, fmt.Sprintf("Offer number %d at pills.test", i), 10+i))
	}
	h.runOnce()
	h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "alice@library.test": 1})
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam'`); n != 3 {
		t.Errorf("%d mails in the spam queue, want 3", n)
	}
}

func TestReviewFormRelayInOtherCase(t *testing.T) {
	h := safeHarness(t)
	withFormRelay(h)
	h.deliver(strings.Replace(formMail("Ann Lee <ann@patrons.test>", "Renew question", "Message: Can I renew my books?\n", 1), "webform@library.test", "WebForm@Library.TEST", 1))
	h.runOnce()
	h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "alice@library.test": 1})
}

func TestReviewVerifiedSubjectIsOneCleanLine(t *testing.T) {
	h := safeHarness(t)
	h.deliver(raw("Ann Lee <ann@patrons.test>", "=?utf-8?q?Renew=0D=0ABcc:_x=40evil.test_=E2=80=AEfdp.exe=E2=80=8B?=", passAR, "Can I renew my books?", 1))
	h.runOnce()
	h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "alice@library.test": 1})
	for _, m := range []string{h.last("ann@patrons.test"), h.last("alice@library.test")} {
		s := headerValue(m, "Subject")
		p, err := parseSubject(m)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(p, "\r\n\u202e\u200b") || strings.Contains(strings.ToLower(m), "\r\nbcc:") {
			t.Errorf("subject %q (decoded %q) is not one clean line", s, p)
		}
	}
}

func parseSubject(raw string) (string, error) {
	m, err := mailer.Parse([]byte(raw))
	if err != nil {
		return "", err
	}
	return m.Subject, nil
}

func TestReviewWebFormBoilerplateIsNotAFlood(t *testing.T) {
	h := safeHarness(t)
	withFormRelay(h)
	form := "Submitted on Mon, 12/07/2026 - 08:%02d\nSubmitted by: Anonymous\nSubmitted values are:\n\nYour name: %s\nYour e-mail address: %s\nLibrary card number (optional):\nBranch: Main library\nQuestion:\n%s\n\n" +
		"The results of this submission may be viewed at:\nhttps://library.test/node/12/submission/%d\n\nThis message was sent from the Ask a Librarian form of the Seymour Library website. Please do not reply to the website address. " +
		"Privacy notice: the Seymour Library keeps the information you give in this form only to answer your question. It is stored on the library's own servers, " +
		"seen only by library staff, never shared with anyone else and deleted after two years. You can ask to see or delete it at any time by writing to the library. " +
		"Read the full privacy policy on the library website under About us."
	patrons := []struct{ name, email, q string }{
		{"Ann Lee", "ann@patrons.test", "Can I renew my books?"},
		{"Marco Ruiz", "marco@mail.test", "Is the library open on Sunday?"},
		{"Kim Park", "kim@web.test", "Do you have the new Zadie Smith novel?"},
		{"Olu Ade", "olu@home.test", "How do I get a library card?"},
	}
	for i, p := range patrons {
		h.deliver(formMail(p.name+" <"+p.email+">", "Ask a Librarian submission", fmt.Sprintf(form, i, p.name, p.email, p.q, 500+i), 10+i))
		h.clock.Advance(4 * time.Minute)
		h.runOnce()
	}
	for _, p := range patrons {
		if n := len(h.mailTo(p.email)); n != 1 {
			t.Errorf("%s got %d mails, want the acknowledgement", p.email, n)
		}
	}
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam'`); n != 0 {
		t.Errorf("%d form requests went to the spam queue", n)
	}
}

func TestReviewWebFormRobotIsCapped(t *testing.T) {
	h := safeHarness(t)
	withFormRelay(h)
	for i := 0; i < 30; i++ {
		h.deliver(formMail(fmt.Sprintf("Victim %d <victim%d@elsewhere.test>", i, i), "Cheap pills at evil.test", "Message: Cheap pills at evil.test, buy now!\n", 100+i))
		h.clock.Advance(10 * time.Second)
		h.runOnce()
	}
	sent := 0
	for i := 0; i < 30; i++ {
		for _, m := range h.mailTo(fmt.Sprintf("victim%d@elsewhere.test", i)) {
			sent++
			noWords(t, m, "pills", "evil.test")
		}
	}
	if sent > h.desk.opts.FirstAckLimit {
		t.Errorf("a robot filling the web form with victims' addresses had %d acknowledgements sent, want at most %d", sent, h.desk.opts.FirstAckLimit)
	}
	if n := len(h.mailTo(admin)); n != 1 {
		t.Errorf("the admin was told %d times, want once", n)
	}
}

func TestReviewProvenForwardOfOurOwnMail(t *testing.T) {
	for _, orig := range []string{"Seymour Library <help+loop@library.test>", "HELP@LIBRARY.TEST"} {
		t.Run(orig, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Fwd: Your request\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <fwo@library.test>\n" +
				"Authentication-Results: mx.library.test; dkim=pass header.d=library.test; dmarc=pass header.from=library.test\n\n" +
				"FYI\n\n---------- Forwarded message ---------\nFrom: " + orig + "\nSubject: Your request\n\nWe have your message.\n")
			h.runOnce()
			for addr := range h.mailboxes() {
				if strings.HasPrefix(addr, "help") {
					t.Errorf("the desk wrote to its own address %s", addr)
				}
			}
		})
	}
}

func TestReviewTicketSystemAnsweringOurAcknowledgement(t *testing.T) {
	for _, tc := range []struct{ name, subject, body string }{
		{"Freshdesk", "Ticket Received - %s", "Dear Seymour Library,\nWe would like to acknowledge that we have received your request and a ticket has been created.\nA support representative will be reviewing your request."},
		{"osTicket", "Support Ticket Opened [#%d]", "Seymour Library,\nA request for support has been created and assigned #845123. A representative will follow-up with you as soon as possible."},
		{"Jira", "[JIRA] (HELP-%d) %s", "Your request HELP-77 has been received. Our team will get back to you."},
		{"Zendesk", "[Acme] Re: %s", "##- Please type your reply above this line -##\nYour request (4521) has been received and is being reviewed by our support staff."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(raw("Acme Support <support@acme.test>", "Invoice for the library's e-book licences", "", "Dear library, please find the invoice for your licences attached to our portal.", 1))
			h.runOnce()
			for i := 0; i < 10; i++ {
				got := h.mailTo("support@acme.test")
				ack := got[len(got)-1]
				subject := strings.NewReplacer("%s", headerValue(ack, "Subject"), "%d", fmt.Sprint(1000+i)).Replace(tc.subject)
				id := headerValue(ack, "Message-Id")
				h.deliver(fmt.Sprintf("From: Acme Support <support@acme.test>\nTo: help@library.test\nSubject: %s\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ts%d@acme.test>\nIn-Reply-To: %s\nReferences: %s\n\n%s\n", subject, i, id, id, tc.body))
				h.clock.Advance(time.Minute)
				h.runOnce()
			}
			if n := len(h.mailTo("support@acme.test")); n != 1 {
				t.Errorf("the ticket system got %d mails, want only the first acknowledgement", n)
			}
			if n := len(h.tickets("all")); n != 1 {
				t.Errorf("%d tickets, want 1", n)
			}
		})
	}
}

func TestReviewStaffOutOfOfficeThatAsks(t *testing.T) {
	for _, body := range []string{
		"I'm out of the office until Monday 14 December. Need help sooner? Please write to bob@library.test.",
		"Hi,\nI am on leave until 4 January. Is it urgent? Contact the circulation desk on 555-0100.",
	} {
		h, notice := newTicket(t)
		id := headerValue(notice, "Message-Id")
		h.deliver(fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Re: %s\nMessage-ID: <ooo@library.test>\nIn-Reply-To: %s\nReferences: %s\n\n%s\n",
			headerValue(notice, "Subject"), id, id, body))
		h.runOnce()
		if n := len(h.mailTo(ann)); n != 1 {
			t.Errorf("the patron got %d mails; the out-of-office was relayed:\n%s", n, body)
		}
		if d := h.ticket(1); d.Status != "open" {
			t.Errorf("ticket %s after an out-of-office", d.Status)
		}
	}
}
