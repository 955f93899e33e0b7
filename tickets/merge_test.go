package tickets

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestMergedTicketReceivesRepliesToTheOther(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep them longer?", 1))
	h.runOnce()
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Renewal again", "Did you see my mail about renewing?", 2))
	h.runOnce()
	ackOf2 := h.mailTo("ann@patrons.test")[1]
	ctx := context.Background()
	if err := h.desk.Merge(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	sent := len(h.srv.Received())
	h.runOnce()
	if n := len(h.srv.Received()); n != sent {
		t.Errorf("merging mailed someone: %d mails", n-sent)
	}
	d, err := h.store.Show(ctx, 1, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Messages != 2 || !mergeEvent(d, "merged", "request 2") {
		t.Errorf("kept ticket: %d messages, events %+v", d.Messages, d.Events)
	}
	other, _ := h.store.Show(ctx, 2, h.clock.Now())
	if other.Status != "closed" || !mergeEvent(other, "merged", "merged into request 1") {
		t.Errorf("merged ticket: %s, events %+v", other.Status, other.Events)
	}
	// Ann answers the acknowledgement of the merged ticket: it lands in 1.
	h.replyTo("Ann Lee <ann@patrons.test>", ackOf2, "Here is my card number: 2999.", 3)
	h.runOnce()
	if n := len(h.tickets("all")); n != 2 {
		t.Errorf("%d tickets after the reply, want 2 (no new one)", n)
	}
	d, _ = h.store.Show(ctx, 1, h.clock.Now())
	if d.Messages != 3 {
		t.Errorf("kept ticket has %d messages, want 3", d.Messages)
	}
	// A subject tag of the merged ticket lands there too.
	h.deliver(strings.Replace(patronMail("Ann Lee <ann@patrons.test>", "Re: [Seymour #2] Renewal again", "One more thing.", 4), "Message-ID", "X-Old-Id", 0))
	h.runOnce()
	if d, _ = h.store.Show(ctx, 1, h.clock.Now()); d.Messages != 4 {
		t.Errorf("a reply tagged #2 did not land in 1: %d messages", d.Messages)
	}
}

func TestMergeRefusesOtherPatronsAndItself(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Renew", "Can I renew?", 1))
	h.deliver(patronMail("Marco Ruiz <marco@patrons.test>", "Renew", "Me too?", 2))
	h.runOnce()
	ctx := context.Background()
	var bad *ErrCommand
	if err := h.desk.Merge(ctx, 1, 2); !errors.As(err, &bad) || !strings.Contains(err.Error(), "another patron") {
		t.Errorf("merging two patrons: %v", err)
	}
	if err := h.desk.Merge(ctx, 1, 1); !errors.As(err, &bad) {
		t.Errorf("merging a ticket into itself: %v", err)
	}
	if err := h.desk.Merge(ctx, 1, 99); !errors.As(err, &bad) {
		t.Errorf("merging a missing ticket: %v", err)
	}
	if err := h.desk.Merge(ctx, 99, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("merging into a missing ticket: %v", err)
	}
	if n := len(h.tickets("active")); n != 2 {
		t.Errorf("%d active tickets, want both untouched", n)
	}
}

func mergeEvent(d *Detail, action, detail string) bool {
	for _, e := range d.Events {
		if e.Action == action && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}
