package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnswersCommands(t *testing.T) {
	code, out, _ := runCLI(t, "answers", "list", "--config", filepath.Join(t.TempDir(), "none.toml"))
	if code != 0 || !strings.Contains(out, "renewals") || !strings.Contains(out, "en,es") || !strings.Contains(out, "#answer NAME") {
		t.Errorf("answers list: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "answers", "preview", "renewals", "--lang", "es")
	if code != 0 || !strings.Contains(out, "Puede renovar") {
		t.Errorf("answers preview renewals --lang es: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "answers", "preview", "renewals", "--lang", "fr")
	if code != 0 || !strings.Contains(out, "there is no fr/renewals") || !strings.Contains(out, "You can renew") {
		t.Errorf("preview in a language without it: exit %d\n%s", code, out)
	}
	if code, _, stderr := runCLI(t, "answers", "preview", "../../etc/passwd"); code != 2 || !strings.Contains(stderr, "no saved answer") {
		t.Errorf("a bad name: exit %d %q", code, stderr)
	}
	if code, _, _ := runCLI(t, "answers"); code != 2 {
		t.Errorf("answers without a subcommand: exit %d", code)
	}
}

func TestTemplatesLintCoversSavedAnswers(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tpl", "answers", "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "tpl", "answers", "en", "parking.txt"), []byte("Words: parking\n\nThe bibliographic holdings of the periodicals department are accessible to all patrons who have registered their parking permits with the circulation office in advance of their visit to the building.\n"), 0o644)
	cfg := filepath.Join(dir, "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", cfg); code != 0 {
		t.Fatal(stderr)
	}
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), "dir = \"\"", "dir = \"tpl\"", 1)), 0o600)
	_, out, _ := runCLI(t, "templates", "lint", "--config", cfg)
	if !strings.Contains(out, "answers/parking") || !strings.Contains(out, "en/answers/parking:") {
		t.Errorf("lint does not flag the saved answer:\n%s", out)
	}
}
