package tickets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer"
	"patrondesk/tickets/testdb"
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

// SQLite keeps text as it came, NUL bytes and broken UTF-8 included;
// PostgreSQL's text refuses both. A desk moved over must still move.
func TestReviewPGBrokenTextMovesFromSQLite(t *testing.T) {
	ctx := context.Background()
	h := newHarnessOn(t, startServers(t), filepath.Join(t.TempDir(), "desk.db"))
	raw := "From: Ann \xff Lee <ann@example.test>\r\nTo: help@library.test\r\nSubject: Renew \x00 my \xc3 books\r\n" +
		"Message-ID: <bro\xffken@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCan I keep \x00 Middlemarch \xe2\x82 longer?\r\n"
	if out, err := h.desk.Receive(ctx, mailer.Delivery{Raw: []byte(raw)}); err != nil || out != Created {
		t.Fatalf("on SQLite: %s, %v", out, err)
	}
	var subject, body string
	if err := h.store.db.QueryRow(`SELECT subject, body FROM messages`).Scan(&subject, &body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "\x00") {
		t.Fatalf("SQLite should keep the subject as it came: %q", subject)
	}
	pg, err := Open(ctx, testdb.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, err := h.store.CopyTo(ctx, pg); err != nil {
		t.Fatalf("the copy to PostgreSQL failed: %v", err)
	}
	hits, err := pg.Search(ctx, "middlemarch", 0)
	if err != nil || len(hits) != 1 {
		t.Errorf("search after the move: %+v, %v", hits, err)
	}
}

// pg_restore (the README's backup) rebuilds indexes with an empty
// search_path: a function behind the search index must find what it calls
// without one, or the restored desk has no search index.
func TestReviewPGSearchFunctionWorksWithoutASearchPath(t *testing.T) {
	h := pgHarness(t)
	ctx := context.Background()
	tx, err := h.store.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var schema string
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL search_path = ''`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT length(`+schema+`.pd_search_vector('Renew MY books'))`).Scan(&n); err != nil {
		t.Fatalf("as pg_restore builds the index: %v", err)
	}
	if n != 3 {
		t.Errorf("%d words indexed, want 3", n)
	}
}

// Unix time passes 2^31 in January 2038: a number PostgreSQL deduces as a
// 32-bit integer (a parameter compared with 0) overflows from then on.
func TestReviewPGPurgeWorksAfter2038(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Renew", "My card number is 29990001234567.", 1))
	h.runOnce()
	if _, err := h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	later := time.Date(2038, 3, 1, 12, 0, 0, 0, time.UTC)
	purged, err := h.store.Purge(ctx, later, later, false)
	if err != nil {
		t.Fatalf("the retention purge in March 2038: %v", err)
	}
	if len(purged) != 1 || h.count(`SELECT COUNT(*) FROM tickets WHERE patron_email = ''`) != 1 {
		t.Errorf("purged %+v; the patron's address is still kept", purged)
	}
}
