package tickets

import (
	"context"
	"testing"
	"time"
)

// Which of two people who both solved a request gets it in the report must
// not depend on how the engine sorts text: PostgreSQL sorts by the
// database's collation ("jo_ann" before "jo.ann" in ICU's order, after it in
// bytes). The first to solve it gets it.
func TestReviewPGReportCreditsTheFirstWhateverTheCollation(t *testing.T) {
	h := newHarness(t, nil)
	if h.store.Engine() == PostgreSQL {
		if _, err := h.store.db.Exec(`ALTER TABLE events ALTER COLUMN actor TYPE TEXT COLLATE "und-x-icu"`); err != nil {
			t.Fatal(err)
		}
	}
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Renew", "Can I keep Middlemarch?", 1))
	h.runOnce()
	at := h.clock.Now().Add(time.Hour)
	for i, actor := range []string{"jo_ann@library.test", "jo.ann@library.test"} {
		if _, err := h.store.db.Exec(`INSERT INTO events (ticket_id, at, actor, action, detail) VALUES (1, ?, ?, 'solved', '')`,
			unix(at.Add(time.Duration(i)*time.Minute)), actor); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := h.store.Report(context.Background(), at.Add(-24*time.Hour), at.Add(24*time.Hour), h.desk.opts.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	solved := map[string]int{}
	for _, g := range rep.ByAnswerer {
		solved[g.Name] = g.Solved
	}
	if rep.Solved != 1 || solved["jo_ann@library.test"] != 1 || solved["jo.ann@library.test"] != 0 {
		t.Errorf("solved %d, by answerer %v; want 1, credited to jo_ann, who solved it first", rep.Solved, solved)
	}
}

// Merging renames a file the kept request has already with SQL that joins
// text and a number ("photo.jpg (from request 2)"): PostgreSQL types each
// parameter once, from every place it is used.
func TestReviewPGMergeRenamesAFileOfTheSameName(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(mailWithFiles(patronHead(1), "The cover is torn.", file{"photo.jpg", "image/jpeg", fileBytes(2_000, 1)}))
	h.deliver(mailWithFiles(patronHead(2), "And the spine.", file{"photo.jpg", "image/jpeg", fileBytes(2_000, 2)}))
	h.runOnce()
	if err := h.desk.Merge(context.Background(), 1, 2); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, err := h.store.db.Query(`SELECT name FROM attachments WHERE ticket_id = 1 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	if len(names) != 2 || names[0] != "photo.jpg" || names[1] != "photo.jpg (from request 2)" {
		t.Errorf("files of the kept request: %q", names)
	}
}
