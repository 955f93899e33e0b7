package tickets

import (
	"context"
	"fmt"
	"testing"

	"patrondesk/mailer"
)

// BenchmarkReceive is one Desk transaction: a new patron email to a ticket
// with its acknowledgement and notice in the outbox.
func BenchmarkReceive(b *testing.B) {
	h := newHarness(&testing.T{}, nil)
	defer h.srv.Close()
	h.desk.opts.AutoReplyLimit = 1 << 30
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		raw := fmt.Sprintf("From: Patron %d <p%d@example.test>\r\nTo: help@library.test\r\nSubject: Please renew my books\r\nMessage-ID: <b%d@example.test>\r\n\r\nCan I keep Middlemarch two more weeks? Thanks\r\n", i, i%500, i)
		if out, err := h.desk.Receive(ctx, mailer.Delivery{Raw: []byte(raw)}); err != nil || out != Created {
			b.Fatalf("%v %v", out, err)
		}
	}
}
