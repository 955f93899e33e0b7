package tickets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/mailer"
)

// TestOpenOddPath: characters that mean something in a URI must still name
// the file, not cut its name short.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "desk #2 ?50%")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "patrondesk.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SigningKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("database file %s: %v, %v", path, st, err)
	}
}

// TestLargeMessageKeptInParts: a message over 1 MiB is kept whole, in
// parts, and the parts go with the retention purge.
func TestLargeMessageKeptInParts(t *testing.T) {
	h := newHarness(t, nil)
	body := strings.Repeat("0123456789abcdef", 200_000) // 3.2 MB
	raw := "From: Ann Lee <ann@example.test>\r\nTo: help@library.test\r\nSubject: Big\r\nMessage-ID: <big@example.test>\r\n\r\n" + body + "\r\n"
	if _, err := h.desk.Receive(context.Background(), mailer.Delivery{Raw: []byte(raw)}); err != nil {
		t.Fatal(err)
	}
	var joined []byte
	rows, err := h.store.db.Query(`SELECT data FROM raw_parts ORDER BY part`)
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		joined = append(joined, b...)
		parts++
	}
	rows.Close()
	if parts != 4 || string(joined) != raw {
		t.Errorf("%d parts holding %d bytes; want 4 holding the %d bytes exactly", parts, len(joined), len(raw))
	}
	h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = 1 WHERE id = 1`)
	if _, err := h.store.Purge(context.Background(), h.clock.Now(), h.clock.Now(), false); err != nil {
		t.Fatal(err)
	}
	if n := h.count(`SELECT COUNT(*) FROM raw_parts`); n != 0 {
		t.Errorf("%d parts left after the purge", n)
	}
}
