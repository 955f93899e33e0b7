package tickets

import (
	"context"
	"os"
	"path/filepath"
	"testing"
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
