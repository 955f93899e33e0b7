package tickets

import (
	"fmt"
	"testing"
)

// TestSendOverSeveralConnections: a backlog sent over four connections
// reaches the server once each, and each recipient's mails keep their
// order (the acknowledgement before the answer).
func TestSendOverSeveralConnections(t *testing.T) {
	h := newHarness(t, nil)
	h.sender.Connections = 4
	h.desk.opts.FirstAckLimit = 100 // thirty first-time senders at once: not a backscatter test
	for i := range 30 {
		// Each patron's own words: thirty near-identical mails from new
		// senders would be a flood, kept as spam.
		word := string(rune('a'+i%26)) + string(rune('a'+i/26)) + "book"
		h.deliver(patronMail(fmt.Sprintf("Patron %d <p%d@example.test>", i, i), "Where is my hold?", "Where is my "+word+"?", i))
	}
	h.runOnce()
	got := h.srv.Received()
	seen := map[string]bool{}
	for _, r := range got {
		id := headerValue(string(r.Raw), "Message-Id")
		if seen[id] {
			t.Errorf("%s sent twice", id)
		}
		seen[id] = true
	}
	if len(got) != 60 || h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`) != 60 {
		t.Errorf("%d mails reached the server, want 60 (30 acknowledgements, 30 notices)", len(got))
	}
	if h.sender.Sent() != 60 {
		t.Errorf("Sent() = %d", h.sender.Sent())
	}
}
