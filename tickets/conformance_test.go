package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets/calendar"
	"patrondesk/tickets/testdb"
)

// TestConformance runs the same days of a desk on both engines, SQLite and
// PostgreSQL, and asserts the store behaves alike: every behaviour the
// daemon relies on (dedupe, threading, outbox sent once, scheduler keys,
// purge, reports, search) is checked on each, then the two engines' rows
// are compared whole. Without PATRONDESK_TEST_POSTGRES the PostgreSQL half
// is skipped (it fails in CI). The rest of the package's tests run on
// PostgreSQL too with PATRONDESK_TEST_ENGINE=postgres.
func TestConformance(t *testing.T) {
	digests := map[string]string{}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			target := t.TempDir() + "/desk.db"
			if engine == "postgres" {
				target = testdb.Schema(t)
			}
			h := newHarnessOn(t, startServers(t), target)
			withOpeningHours(t, h)
			digests[engine] = conformanceDays(t, h)
		})
	}
	if len(digests) == 2 && digests["sqlite"] != digests["postgres"] {
		a, b := strings.Split(digests["sqlite"], "\n"), strings.Split(digests["postgres"], "\n")
		for i := 0; i < max(len(a), len(b)); i++ {
			if i >= len(a) || i >= len(b) || a[i] != b[i] {
				t.Errorf("the engines differ from line %d:\nsqlite:   %s\npostgres: %s", i+1, line(a, i), line(b, i))
				break
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(nothing)"
}

// conformanceDays is a desk's first days: requests (one delivered twice),
// a patron's reply, a staff answer, a close, reminders, a purge. It checks
// each behaviour and returns the rows that must be alike on both engines.
func conformanceDays(t *testing.T, h *harness) string {
	ctx := context.Background()
	ann := patronMail("Ann Lee <ann@example.test>", "Please renew my books", "Can I keep Middlemarch two more weeks? My card is 1234.", 1)
	h.deliver(ann)
	h.deliver(ann) // the same mail twice in the mailbox (a client's resend)
	h.deliver(patronMail("Marco Ruiz <marco@example.test>", "Photos of Main Street", "Do you have photographs from the 1950s?", 2))
	h.runOnce()
	if got := h.tickets("all"); len(got) != 2 {
		t.Fatalf("dedupe: %d tickets from three mails (one twice), want 2", len(got))
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'ack'`); n != 2 {
		t.Errorf("dedupe: %d acknowledgements, want 2", n)
	}

	// Threading: Ann answers the acknowledgement; it lands on her ticket.
	h.replyTo("Ann Lee <ann@example.test>", h.last("ann@example.test"), "Also, is the library open on Saturday?", 3)
	h.runOnce()
	if got := h.tickets("all"); len(got) != 2 || got[0].Messages != 2 {
		t.Fatalf("threading: the reply did not land on ticket 1: %+v", got)
	}

	// A staff answer reaches the patron; Bob closes Marco's request.
	h.replyTo("Alice Smith <alice@library.test>", h.last("alice@library.test"), "Yes, they are renewed until 21 December, and we open 10-4 on Saturdays.", 4)
	h.replyTo("Bob Jones <bob@library.test>", h.last("bob@library.test"), "#close", 5)
	h.runOnce()
	if got := text(t, h.last("ann@example.test")); !strings.Contains(got, "renewed until 21 December") {
		t.Errorf("the staff answer did not reach Ann:\n%s", got)
	}

	// The outbox: every row sent once, nothing left.
	if n, err := h.sender.Drain(ctx); err != nil || n != 0 {
		t.Errorf("outbox: a second drain sent %d (%v), want 0", n, err)
	}
	if sent, got := h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`), len(h.srv.Received()); sent != got {
		t.Errorf("outbox: %d rows sent, the SMTP server took %d mails", sent, got)
	}

	// Scheduler keys: two passes at the same moment queue each reminder
	// once; a follow-up and 40 open hours on, the solved request is closed.
	h.pass("2026-12-09 10:00")
	before := h.count(`SELECT COUNT(*) FROM outbox`)
	h.pass("2026-12-09 10:00")
	if after := h.count(`SELECT COUNT(*) FROM outbox`); after != before {
		t.Errorf("scheduler: a second pass at the same time queued %d more mails", after-before)
	}
	h.pass("2026-12-10 10:00") // the follow-up to Marco
	h.pass("2026-12-17 10:00") // 40 open hours on: closed
	if got := h.tickets("closed"); len(got) != 1 || got[0].ID != 2 {
		t.Errorf("scheduler: closed after a week: %+v", got)
	}

	// Search before and after the purge.
	hits, err := h.store.Search(ctx, "renew middlemarch", 0)
	if err != nil || len(hits) != 1 || hits[0].ID != 1 || !strings.Contains(hits[0].Snippet, "[Middlemarch]") {
		t.Errorf("search: %v %+v", err, hits)
	}
	cal, _ := calendar.New(calendar.Options{Location: h.desk.opts.Location})
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	report, err := h.store.Report(ctx, from, from.AddDate(0, 0, 30), cal)
	if err != nil || report.Received != 2 || report.Answered != 1 || report.Solved < 1 {
		t.Errorf("report: %v %+v", err, report)
	}
	purged, err := h.store.Purge(ctx, h.clock.Now().Add(time.Hour), h.clock.Now(), false)
	if err != nil || len(purged) != 1 || purged[0].ID != 2 {
		t.Errorf("purge: %v %+v", err, purged)
	}
	if hits, _ := h.store.Search(ctx, "photographs", 0); len(hits) != 0 {
		t.Errorf("search found the purged request: %+v", hits)
	}
	// Running totals survive restarts: they add up in the database.
	for i := 0; i < 2; i++ {
		if err := h.store.AddCounter(ctx, "fetched:INBOX", 3); err != nil {
			t.Fatalf("counter: %v", err)
		}
	}
	if got, err := h.store.Counters(ctx, "fetched:"); err != nil || got["INBOX"] != 6 {
		t.Errorf("counters: %v %v, want INBOX 6", err, got)
	}
	return conformanceDigest(t, h, report, hits)
}

// conformanceDigest is the desk's rows that must be alike on both engines
// (not Message-IDs or tokens: each database has its own signing key).
func conformanceDigest(t *testing.T, h *harness, report *Report, hits []Hit) string {
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, status, COALESCE(owner_email, ''), team, subject, patron_email, created_at, updated_at, COALESCE(due_at, 0), COALESCE(next_check_at, 0) FROM tickets ORDER BY id`,
		`SELECT id, COALESCE(ticket_id, 0), direction, kind, sender, subject, body FROM messages ORDER BY id`,
		`SELECT COALESCE(ticket_id, 0), at, actor, action, detail FROM events ORDER BY id`,
		`SELECT id, COALESCE(ticket_id, 0), kind, to_email, subject, status, attempts FROM outbox ORDER BY id`,
		`SELECT key, at FROM scheduled ORDER BY key`,
	} {
		rows, err := h.store.db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					vals[i] = string(bs)
				}
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		rows.Close()
	}
	r, _ := json.Marshal(report)
	fmt.Fprintf(&b, "report %s\nsearch %d hits\n", r, len(hits))
	return b.String()
}
