package tickets

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNoMailLoops pits the desk against robots that answer every mail they
// get, and counts what patrondesk sends them until the exchange stops.
func TestNoMailLoops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func(n int, got string) string // the robot's answer to a mail
		bound int                            // most mails the robots may get
	}{
		{"RFC 3834 auto-responder", func(n int, got string) string {
			return fmt.Sprintf("From: robot@example.test\nTo: help@library.test\nSubject: Auto: %s\nAuto-Submitted: auto-replied\nIn-Reply-To: %s\nMessage-ID: <auto%d@example.test>\n\nI am away.\n",
				headerValue(got, "Subject"), headerValue(got, "Message-Id"), n)
		}, 1},
		{"no headers, same address, threaded", func(n int, got string) string {
			return fmt.Sprintf("From: robot@example.test\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: %s\nMessage-ID: <auto%d@example.test>\n\nThank you for your message. We will answer soon.\n",
				headerValue(got, "Subject"), headerValue(got, "Message-Id"), n)
		}, 1},
		{"no headers, same address, a new subject each time", func(n int, got string) string {
			return fmt.Sprintf("From: robot@example.test\nTo: help@library.test\nSubject: Ticket %d received\nMessage-ID: <auto%d@example.test>\n\nYour ticket %d is open.\n", n, n, n)
		}, 10},
		{"a new address every time, threaded", func(n int, got string) string {
			return fmt.Sprintf("From: robot+%d@example.test\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: %s\nMessage-ID: <auto%d@example.test>\n\nThank you for your message.\n",
				n, headerValue(got, "Subject"), headerValue(got, "Message-Id"), n)
		}, 5},
		{"a new address every time, subject tag only", func(n int, got string) string {
			return fmt.Sprintf("From: robot+%d@example.test\nTo: help@library.test\nSubject: Re: %s\nMessage-ID: <auto%d@example.test>\n\nThank you for your message.\n",
				n, headerValue(got, "Subject"), n)
		}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.deliver("From: robot@example.test\nTo: help@library.test\nSubject: Question\nMessage-ID: <first@example.test>\n\nHello, can you help?\n")
			seen, rounds := 0, 0
			for ; rounds < 40; rounds++ {
				h.runOnce()
				got := h.robotMail()
				if len(got) == seen {
					break // the exchange stopped
				}
				for i, m := range got[seen:] {
					h.deliver(tc.reply(seen+i+1, m))
				}
				seen = len(got)
				h.clock.Advance(time.Minute)
			}
			if seen > tc.bound || rounds == 40 {
				t.Errorf("the robots got %d mails in %d rounds; want at most %d and an end", seen, rounds, tc.bound)
			}
			t.Logf("%s: %d mail(s) to the robot, then silence", tc.name, seen)
		})
	}
}

// robotMail is every mail the SMTP server took for a robot address.
func (h *harness) robotMail() []string {
	var out []string
	for _, r := range h.srv.Received() {
		for _, to := range r.To {
			if strings.HasPrefix(to, "robot") {
				out = append(out, string(r.Raw))
			}
		}
	}
	return out
}
