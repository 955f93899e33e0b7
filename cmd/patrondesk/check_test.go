package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
)

// TestCheckCreatesNothing: `check` with a database path where there is no
// file fails and says what to run, and leaves no file behind; a config
// others can read while it holds a password gets a WARN with the chmod.
func TestCheckCreatesNothing(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	cfg, err := demoConfig(dir, srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.Path = "typo/patrondesk.db"
	writeConfig(t, cfg)
	code, out, _ := runCLI(t, "check", "--config", cfg.Path)
	if code == 0 || !strings.Contains(out, "FAIL  database "+filepath.Join(dir, "typo/patrondesk.db")+": no database") ||
		!strings.Contains(out, `"patrondesk init"`) {
		t.Errorf("check with a missing database: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "typo")); err == nil {
		t.Errorf("check created %s", filepath.Join(dir, "typo"))
	}
	cfg.Database.Path = "patrondesk.db"
	writeConfig(t, cfg)
	code, out, _ = runCLI(t, "check", "--config", cfg.Path)
	if code == 0 || !strings.Contains(out, "FAIL  database") {
		t.Errorf("check with no database yet: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "patrondesk.db")); err == nil {
		t.Error("check created the database")
	}
	if _, err := srv.User("help@library.test").Status("Processed", nil); err == nil {
		t.Error("check created the Processed folder")
	}

	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: %s", stderr)
	}
	os.Chmod(cfg.Path, 0o644)
	code, out, _ = runCLI(t, "check", "--config", cfg.Path)
	want := "WARN  config " + cfg.Path + " holds a password and other users can read it (mode 0644); run: chmod 600 " + cfg.Path
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "OK    database") {
		t.Errorf("check of a readable config: exit %d\n%s", code, out)
	}
	os.Chmod(cfg.Path, 0o600)
	if _, out, _ = runCLI(t, "check", "--config", cfg.Path); strings.Contains(out, "WARN  config") {
		t.Errorf("a private config warned:\n%s", out)
	}
}
