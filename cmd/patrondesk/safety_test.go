package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitForceWritesPrivate: a config replaced with --force is 0600 even
// when the old file was readable by everyone.
func TestInitForceWritesPrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if err := os.WriteFile(p, []byte("# old, world-readable\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "init", "--force", "--config", p); code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, stderr)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("config after init --force: mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "[library]") {
		t.Errorf("the example config was not written")
	}
}

// TestKeysRotateAndHeldCommands: `keys rotate` keeps the old key as the
// previous one; `held` answers on an empty desk and refuses bad input.
func TestKeysRotateAndHeldCommands(t *testing.T) {
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	if code, _, stderr := runCLI(t, "run", "--once", "--config", p); code == 2 {
		t.Fatalf("run --once: %s", stderr) // makes the key; the example's servers are not there, so 1 is fine
	}
	db, err := sql.Open("sqlite3", filepath.Join(filepath.Dir(p), "patrondesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := func(name string) string {
		var v []byte
		db.QueryRow(`SELECT value FROM settings WHERE key = ?`, name).Scan(&v)
		return string(v)
	}
	before := key("signing_key")
	code, stdout, stderr := runCLI(t, "keys", "rotate", "--config", p)
	if code != 0 || !strings.Contains(stdout, "keep working for 90 days") {
		t.Fatalf("keys rotate: exit %d %q %q", code, stdout, stderr)
	}
	if after := key("signing_key"); after == before || len(after) != 32 || key("signing_key_previous") != before || before == "" {
		t.Errorf("after rotation: current changed %v, previous kept %v", after != before, key("signing_key_previous") == before)
	}
	if code, _, _ := runCLI(t, "keys", "--config", p); code != 2 {
		t.Errorf("keys without an action: exit %d, want 2", code)
	}
	if code, stdout, _ := runCLI(t, "held", "list", "--config", p); code != 0 || !strings.Contains(stdout, "No acknowledgements are held") {
		t.Errorf("held list: exit %d %q", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "held", "list", "--json", "--config", p); code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("held list --json: exit %d %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "held", "release", "x1", "--config", p); code != 2 || !strings.Contains(stderr, "not the number") {
		t.Errorf("held release x1: exit %d %q", code, stderr)
	}
}
