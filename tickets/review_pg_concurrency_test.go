package tickets

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"patrondesk/mailer"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets/testdb"
)

// On PostgreSQL two daemons (or two watched mailboxes) take mail at the same
// time, in READ COMMITTED transactions that do not see each other until
// they commit. SQLite runs one writer at a time. These tests make two
// transactions decide at once, and check that the desk still decides as it
// does one at a time.

// pgHarness is a harness on PostgreSQL, whatever engine the run uses
// (skipped without PostgreSQL, failed in CI).
func pgHarness(t *testing.T) *harness {
	t.Helper()
	target := testdb.Schema(t)
	srv, err := memserver.Start(nil, helpAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return newHarnessOn(t, srv, target)
}

// together takes the mails, each from a mailbox of its own (as two daemons
// would), in concurrent transactions that all get past
// their reads before any commits: the outbox is locked until every one of
// them waits for a lock (on the outbox, or on what another one holds).
func together(t *testing.T, h *harness, raws ...string) []Outcome {
	t.Helper()
	ctx := context.Background()
	gate, err := h.store.db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gate.Rollback()
	if _, err := gate.ExecContext(ctx, `LOCK TABLE outbox IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	outs, errs := make([]Outcome, len(raws)), make([]error, len(raws))
	var wg sync.WaitGroup
	for i, raw := range raws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := mailer.Delivery{Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n")), Mailbox: fmt.Sprintf("box%d", i), UIDValidity: 1, UID: uint32(100 + i), InternalDate: h.clock.Now()}
			outs[i], errs[i] = h.desk.Receive(ctx, in)
		}()
	}
	if err := waitForWaiters(h.store.db, len(raws)); err != nil {
		gate.Rollback()
		wg.Wait()
		t.Fatalf("%v (the mails were taken: %v %v)", err, outs, errs)
	}
	if err := gate.Commit(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
	}
	if _, err := h.sender.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	return outs
}

// waitForWaiters polls until n transactions of this database wait for a
// lock. (Each poll is a transaction of its own: one transaction sees one
// snapshot of pg_stat_activity.)
func waitForWaiters(db *DB, n int) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var waiting int
		err := db.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil {
			return err
		}
		if waiting >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d transactions wait for a lock, want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReviewPGCrossingAnswersAtOnceReachThePatronOnce(t *testing.T) {
	h := pgHarness(t)
	h.deliver("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Please renew my books\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-1@example.test>\n\nCan I keep Middlemarch two more weeks?\n")
	h.runOnce()
	aliceNotice := h.last(alice)
	h.clock.Advance(time.Hour)
	h.replyTo("Alice Smith <alice@library.test>", aliceNotice, "#assign Bob", 2)
	h.runOnce()
	bobNotice := h.last(bob)
	h.clock.Advance(time.Hour)

	together(t, h,
		h.reply("Bob Jones <bob@library.test>", bobNotice, "I renewed Middlemarch until 4 January.", 3),
		h.reply("Alice Smith <alice@library.test>", aliceNotice, "Your book is renewed for two more weeks.", 4))
	if n := len(h.mailTo(ann)); n != 2 {
		t.Errorf("Ann got %d mails, want her acknowledgement and one answer (the other held as crossing)", n)
	}
}

func TestReviewPGFirstTimeSendersAtOnceKeepTheCap(t *testing.T) {
	h := pgHarness(t)
	h.desk.opts.FirstAckLimit = 1
	together(t, h,
		patronMail("Ann Lee <ann@example.test>", "Renew my books", "Can I keep Middlemarch two more weeks?", 1),
		patronMail("Marco Ruiz <marco@example.test>", "Lost card", "I lost my library card at the café yesterday.", 2))
	acks := len(h.mailTo(ann)) + len(h.mailTo("marco@example.test"))
	if acks != 1 {
		t.Errorf("%d first-time senders were acknowledged at once, want the cap of 1 (the other held)", acks)
	}
	var held int
	if err := h.store.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'held'`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 1 {
		t.Errorf("%d acknowledgements held, want 1", held)
	}
}

func TestReviewPGFloodArrivingAtOnceIsStillAFlood(t *testing.T) {
	h := pgHarness(t)
	h.desk.opts.FloodSenders = 2
	words := "Dear library, I am writing to ask whether you could renew every book on my card for another month please."
	outs := together(t, h,
		patronMail("Bot One <one@example.test>", "Renewal 1", words, 1),
		patronMail("Bot Two <two@example.test>", "Renewal 2", words, 2))
	if outs[0] == Created && outs[1] == Created {
		t.Errorf("two senders wrote the same words at once and both were taken as requests (%v); want the second as a flood", outs)
	}
}

func TestReviewPGOneMailInTwoMailboxesAtOnceIsOneTicket(t *testing.T) {
	h := pgHarness(t)
	mail := patronMail("Ann Lee <ann@example.test>", "Renew my books", "Can I keep Middlemarch two more weeks?", 1)
	outs := together(t, h, mail, mail)
	if !(outs[0] == Created && outs[1] == Duplicate || outs[0] == Duplicate && outs[1] == Created) {
		t.Errorf("outcomes %v, want one ticket and one duplicate", outs)
	}
	if n := len(h.mailTo(ann)); n != 1 {
		t.Errorf("Ann got %d acknowledgements, want 1", n)
	}
}
