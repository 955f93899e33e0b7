package tickets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"patrondesk/mailer"
)

// randomText is n characters that do not compress (PostgreSQL compresses
// a long value before it indexes it).
func randomText(n int) string {
	b := make([]byte, n/2+1)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// A mail's Message-ID and addresses are the sender's to choose, of any
// length. PostgreSQL's B-tree indexes refuse a value over about 2.7 KB:
// the mail would not be saved, and the mailbox would stall on it.
func TestReviewPGLongHeaderValuesAreTaken(t *testing.T) {
	cases := []struct {
		name, from, messageID string
		want                  Outcome
	}{
		{"a Message-ID of 5000 characters", "Ann Lee <ann@example.test>", randomText(5000) + "@example.test", Created},
		{"a sender address of 5000 characters", "Ann Lee <" + randomText(5000) + "@example.test>", "long-from@example.test", Quarantined},
		{"a sender address of 254 characters", "Ann Lee <" + randomText(241) + "@example.test>", "254@example.test", Created},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil)
			raw := "From: " + c.from + "\r\nTo: help@library.test\r\nSubject: Hello\r\nMessage-ID: <" + c.messageID + ">\r\n\r\nCan I renew my books?\r\n"
			out, err := h.desk.Receive(context.Background(), mailer.Delivery{Raw: []byte(raw)})
			if err != nil {
				t.Fatalf("the mail was refused, so the mailbox would stall on it: %v", err)
			}
			if out != c.want {
				t.Errorf("outcome %s, want %s", out, c.want)
			}
			again, err := h.desk.Receive(context.Background(), mailer.Delivery{Raw: []byte(raw)})
			if err != nil || again != Duplicate {
				t.Errorf("the same mail again: %s, %v; want %s", again, err, Duplicate)
			}
		})
	}
}
