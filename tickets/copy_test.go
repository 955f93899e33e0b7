package tickets

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/testdb"
)

// A table added by a later migration must be copied too: the copier's list
// is the engine's list of tables.
func TestCopyKnowsEveryTable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, testdb.Target(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got, err := tableNames(ctx, tx, s.Engine())
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(copyTables), notCopied...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the %s schema has tables %v; the copier copies %v (add the new table to copyTables)", s.Engine(), got, want)
	}
}

// busyDesk is a desk on SQLite after real traffic: tickets, a staff answer
// with a file, a patron's photo, a mail large enough to be kept in parts, a
// quarantined mail, a merged ticket and a rotated signing key.
// It returns the acknowledgement Marco got for ticket 2.
func busyDesk(t *testing.T) (*harness, string) {
	h := newHarnessOn(t, startServers(t), filepath.Join(t.TempDir(), "desk.db"))
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep Middlemarch longer?", 1))
	h.deliver(patronMail("Marco Ruiz <marco@patrons.test>", "Interlibrary loan", "Could you borrow a rare atlas of Patagonia for me?", 2))
	h.deliver(patronMail("Ann Lee <ann@patrons.test>", "Renewal again", "Did you see my mail about renewing?", 3))
	h.runOnce()
	marcoAck := h.last("marco@patrons.test")
	h.staffReplyWithFiles(h.mailTo(alice)[0], "Renewed; the receipt is attached.", 1,
		file{"receipt.pdf", "application/pdf", append([]byte("%PDF-1.7\n"), fileBytes(30_000, 3)...)})
	h.deliver(mailWithFiles(patronHead(4), "Here is the damage.", file{"damage.jpg", "image/jpeg", fileBytes(150_000, 1)}))
	h.deliver(mailWithFiles(strings.Replace(patronHead(5), "Damaged book", "Scans of the atlas", 1), "All the pages.", file{"atlas.tif", "image/tiff", fileBytes(1_500_000, 5)}))
	h.deliver("Content-Type: text/plain\n\nno sender at all\n")
	h.runOnce()
	if err := h.desk.Merge(context.Background(), 1, 3); err != nil {
		t.Fatal(err)
	}
	h.runOnce()
	// The key Marco's acknowledgement was signed with is now the previous one.
	if err := h.store.RotateSigningKey(context.Background(), h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if h.count(`SELECT COUNT(*) FROM quarantine`) != 1 || h.count(`SELECT COUNT(*) FROM raw_parts`) < 2 || h.count(`SELECT COUNT(*) FROM attachments`) < 2 || h.count(`SELECT COUNT(*) FROM tickets WHERE merged_into IS NOT NULL`) != 1 {
		t.Fatal("the desk lacks the traffic the test is about")
	}
	return h, marcoAck
}

func startServers(t *testing.T) *memserver.Servers {
	srv, err := memserver.Start(nil, helpAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestCopyMovesADeskToPostgresAndBack(t *testing.T) {
	ctx := context.Background()
	h, marcoAck := busyDesk(t)
	before := dumpTables(t, h.store)
	searched := searchAll(t, h.store, "atlas", "renew", "damage")
	next := int64(h.count(`SELECT MAX(id) FROM tickets`)) + 1
	key, err := h.store.SigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pass := SignPass(key, "desk", "boss@library.test", h.clock.Now().Add(time.Hour))

	pgURL := testdb.Schema(t)
	pg, err := Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := h.store.CopyTo(ctx, pg)
	pg.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, counts, before)

	h2 := newHarnessOn(t, h.srv, pgURL)
	if diff := diffDumps(before, dumpTables(t, h2.store)); diff != "" {
		t.Errorf("PostgreSQL holds other rows than SQLite:\n%s", diff)
	}
	if key, err = h2.store.SigningKey(ctx); err != nil {
		t.Fatal(err)
	}
	if who, _, err := VerifyPass(key, "desk", pass, h2.clock.Now()); err != nil || who != "boss@library.test" {
		t.Errorf("a desk link signed before the move: %q, %v", who, err)
	}
	if got := searchAll(t, h2.store, "atlas", "renew", "damage"); got != searched {
		t.Errorf("search on PostgreSQL finds %s, on SQLite %s", got, searched)
	}
	// Marco answers the acknowledgement he got before the move.
	h2.replyTo("Marco Ruiz <marco@patrons.test>", marcoAck, "Any news about the atlas?", 10)
	h2.deliver(patronMail("Lena Park <lena@patrons.test>", "Museum passes", "Do you lend museum passes?", 11))
	h2.runOnce()
	if d := h2.ticket(2); d.Messages != 2 {
		t.Errorf("Marco's reply to the old acknowledgement: ticket 2 has %d messages, want 2", d.Messages)
	}
	if n := h2.count(`SELECT MAX(id) FROM tickets`); int64(n) != next {
		t.Errorf("the new ticket after the move is #%d, want #%d", n, next)
	}

	back, err := Open(ctx, filepath.Join(t.TempDir(), "back.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	moved := dumpTables(t, h2.store)
	if _, err := h2.store.CopyTo(ctx, back); err != nil {
		t.Fatal(err)
	}
	if diff := diffDumps(moved, dumpTables(t, back)); diff != "" {
		t.Errorf("the copy back to SQLite holds other rows:\n%s", diff)
	}
	if got, want := searchAll(t, back, "atlas", "museum"), searchAll(t, h2.store, "atlas", "museum"); got != want {
		t.Errorf("search on the copy back finds %s, on PostgreSQL %s", got, want)
	}
}

func checkCounts(t *testing.T, counts []TableCount, rows map[string][]string) {
	t.Helper()
	if len(counts) != len(copyTables) {
		t.Errorf("counts for %d tables, want %d", len(counts), len(copyTables))
	}
	for _, c := range counts {
		if c.Source != c.Copied || c.Copied != int64(len(rows[c.Table])) {
			t.Errorf("%s: %d in the source, %d copied, %d rows there", c.Table, c.Source, c.Copied, len(rows[c.Table]))
		}
	}
}

// searchAll is the tickets each search finds, as text.
func searchAll(t *testing.T, s *Store, words ...string) string {
	t.Helper()
	var b strings.Builder
	for _, w := range words {
		hits, err := s.Search(context.Background(), w, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		slices.Sort(ids)
		fmt.Fprintf(&b, "%s:%v ", w, ids)
	}
	return b.String()
}

// dumpTables is every row of every copied table as text, sorted, so two
// databases on different engines can be compared.
func dumpTables(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range copyTables {
		rows, err := s.db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
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
			var b strings.Builder
			for i, v := range vals {
				if x, ok := v.([]byte); ok {
					v = string(x)
				}
				fmt.Fprintf(&b, "%s=%q ", cols[i], fmt.Sprint(v))
			}
			out[table] = append(out[table], b.String())
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

// diffDumps names the first differing row of each table, or is "".
func diffDumps(a, b map[string][]string) string {
	var d strings.Builder
	for _, table := range copyTables {
		x, y := a[table], b[table]
		if len(x) != len(y) {
			fmt.Fprintf(&d, "%s: %d rows and %d\n", table, len(x), len(y))
			continue
		}
		for i := range x {
			if x[i] != y[i] {
				fmt.Fprintf(&d, "%s:\n  %.300s\n  %.300s\n", table, x[i], y[i])
				break
			}
		}
	}
	return d.String()
}

func TestCopyRefuses(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		spoil func(src, dst *Store) error
		want  string
	}{
		{"a target that holds tickets", func(_, dst *Store) error {
			_, err := dst.db.Exec(`INSERT INTO tickets (status, subject, patron_name, patron_email, created_at, updated_at) VALUES ('new', 'x', 'x', 'x@y.test', 0, 0)`)
			return err
		}, "already holds 1 row(s) in tickets"},
		{"a source with a table it does not know", func(src, _ *Store) error {
			_, err := src.db.Exec(`CREATE TABLE wishes (id INTEGER PRIMARY KEY)`)
			return err
		}, `table "wishes"`},
		{"a target at another schema version", func(_, dst *Store) error {
			_, err := dst.db.Exec(`INSERT INTO schema_migrations (version) VALUES (999)`)
			return err
		}, "different schema versions"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(ctx, filepath.Join(t.TempDir(), "src.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := Open(ctx, testdb.Target(t, t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			if _, err := src.SigningKey(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.spoil(src, dst); err != nil {
				t.Fatal(err)
			}
			if _, err := src.CopyTo(ctx, dst); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("copy: %v, want an error saying %q", err, tt.want)
			}
			var n int
			dst.db.QueryRow(`SELECT COUNT(*) FROM settings`).Scan(&n)
			if n != 0 {
				t.Errorf("a refused copy left %d settings rows behind", n)
			}
		})
	}
}
