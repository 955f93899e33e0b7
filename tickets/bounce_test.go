package tickets

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// postfixBounce is a bounce as Postfix writes it: a multipart/report with
// the delivery status and the headers of the mail that failed.
func postfixBounce(n int, action, status, diag, origID string) string {
	return fmt.Sprintf(`From: MAILER-DAEMON@mx.library.test (Mail Delivery System)
To: help@library.test
Subject: Undelivered Mail Returned to Sender
Date: Mon, 07 Dec 2026 09:01:00 -0600
Message-ID: <2026120715010%d.ABC@mx.library.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.library.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.library.test
Arrival-Date: Mon,  7 Dec 2026 09:00:00 -0600 (CST)

Final-Recipient: rfc822; ann@patrons.test
Original-Recipient: rfc822;ann@patrons.test
Action: %s
Status: %s
Remote-MTA: dns; mx.patrons.test
Diagnostic-Code: smtp; %s

--B1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Seymour Library <help@library.test>
To: Ann Lee <ann@patrons.test>
Subject: [Seymour #1] Please renew my books
Message-ID: %s
Auto-Submitted: auto-replied

--B1--
`, n, action, status, diag, origID)
}

// gmailBounce is a bounce without a report part: the failed mail's headers
// are quoted in the text, as some hosted services do.
func gmailBounce(n int, origID string) string {
	return fmt.Sprintf(`From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: help@library.test
Subject: Delivery Status Notification (Failure)
Date: Mon, 07 Dec 2026 09:02:00 -0600
Message-ID: <g%d@mx.google.com>
Content-Type: text/plain; charset=UTF-8

** Address not found **

Your message wasn't delivered to ann@patrons.test because the address couldn't be found, or is unable to receive mail.

The response was:

550 5.1.1 The email account that you tried to reach does not exist.

----- Original message -----

From: Seymour Library <help@library.test>
To: Ann Lee <ann@patrons.test>
Message-ID: %s
Subject: [Seymour #1] Please renew my books
`, n, origID)
}

// TestBounceReachesTheOwner: a bounce of the acknowledgement, in the forms
// mail servers write them, marks the ticket "patron unreachable by email",
// is kept in its history and tells the owner why; a delay report, a forged
// report naming a Message-ID we never used, and a bounce of a staff notice
// tell nobody.
func TestBounceReachesTheOwner(t *testing.T) {
	tests := []struct {
		name        string
		bounce      func(ackID, noticeID string) string
		unreachable bool
		wantReason  string
	}{
		{"postfix report with the headers part", func(ack, _ string) string {
			return postfixBounce(1, "failed", "5.1.1", "550 5.1.1 <ann@patrons.test>: Recipient address rejected: User unknown", ack)
		}, true, "Recipient address rejected: User unknown; status 5.1.1: the address does not exist"},
		{"plain text bounce quoting the headers", func(ack, _ string) string { return gmailBounce(2, ack) }, true, "5.1.1: the address does not exist"},
		{"mailbox full", func(ack, _ string) string {
			return postfixBounce(3, "failed", "5.2.2", "552 5.2.2 Mailbox full", ack)
		}, true, "status 5.2.2: the mailbox is full"},
		{"a delay is no bounce", func(ack, _ string) string {
			return postfixBounce(4, "delayed", "4.4.1", "connect to mx.patrons.test: Connection timed out", ack)
		}, false, ""},
		{"a forged report naming an ID we never sent", func(_, _ string) string {
			return postfixBounce(5, "failed", "5.1.1", "550 User unknown", "<forged-1@library.test>")
		}, false, ""},
		{"a bounce of the owner's notice", func(_, notice string) string {
			return postfixBounce(6, "failed", "5.1.1", "550 User unknown", notice)
		}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them?", 1))
			h.runOnce()
			ack := headerValue(h.last("ann@patrons.test"), "Message-Id")
			notice := headerValue(h.last("alice@library.test"), "Message-Id")
			before := len(h.srv.Received())
			h.deliver(tt.bounce(ack, notice))
			h.runOnce()
			d, err := h.store.Show(context.Background(), 1, h.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Unreachable != ""; got != tt.unreachable {
				t.Fatalf("unreachable = %q, want %v", d.Unreachable, tt.unreachable)
			}
			if n := len(h.mailTo("ann@patrons.test")); n != 1 {
				t.Errorf("the patron got %d mails; a bounce is never answered", n)
			}
			if !tt.unreachable {
				if n := len(h.srv.Received()) - before; n != 0 {
					t.Errorf("%d mails sent for %s", n, tt.name)
				}
				return
			}
			if !strings.Contains(d.Unreachable, tt.wantReason) {
				t.Errorf("reason %q lacks %q", d.Unreachable, tt.wantReason)
			}
			var history []string
			for _, e := range d.Events {
				history = append(history, e.Action+": "+e.Detail)
			}
			if !strings.Contains(strings.Join(history, "\n"), "patron unreachable by email: the acknowledgement came back") {
				t.Errorf("history:\n%s", strings.Join(history, "\n"))
			}
			told := h.last("alice@library.test")
			body := text(t, told)
			if !strings.Contains(headerValue(told, "Subject"), "[Seymour #1] Ann Lee cannot be reached by email") ||
				!strings.Contains(body, "Please phone") || !strings.Contains(body, tt.wantReason) || !strings.Contains(body, "the acknowledgement") {
				t.Errorf("the owner was told:\n%s", told)
			}
		})
	}
}

// FuzzReadBounce: any bytes, a broken report or none at all, give a report
// without a panic.
func FuzzReadBounce(f *testing.F) {
	f.Add([]byte(postfixBounce(1, "failed", "5.1.1", "550 User unknown", "<a@library.test>")))
	f.Add([]byte(gmailBounce(2, "<b@library.test>")))
	f.Add([]byte("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rep := readBounce(raw)
		_ = rep.reason()
		_ = rep.failed()
	})
}
