package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
)

func TestFindConfig(t *testing.T) {
	dir := t.TempDir()
	here, etc := filepath.Join(dir, "here.toml"), filepath.Join(dir, "etc.toml")
	os.WriteFile(etc, nil, 0o600)
	tests := []struct {
		name, flag, env string
		hereExists      bool
		want            string
	}{
		{"--config wins", "x.toml", "y.toml", true, "x.toml"},
		{"then the environment", "", "y.toml", true, "y.toml"},
		{"then the current folder", "", "", true, here},
		{"then /etc/patrondesk", "", "", false, etc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(here)
			if tt.hereExists {
				os.WriteFile(here, nil, 0o600)
			}
			if got := findConfig(tt.flag, tt.env, []string{here, etc}); got != tt.want {
				t.Errorf("findConfig = %q, want %q", got, tt.want)
			}
		})
	}
	os.Remove(etc)
	os.Remove(here)
	if got := findConfig("", "", []string{here, etc}); got != here {
		t.Errorf("with no file anywhere: %q, want the current folder's (for init)", got)
	}
}

func TestGlobalOptionsBeforeOrAfter(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"--config", "f", "run", "--once"}, []string{"run", "--once", "--config", "f"}},
		{[]string{"--config=f", "tickets", "show", "4"}, []string{"tickets", "show", "4", "--config=f"}},
		{[]string{"run", "--once", "--config", "f"}, []string{"run", "--once", "--config", "f"}},
		{[]string{"--version"}, []string{"version"}},
		{[]string{"--help"}, []string{"--help"}},
	}
	for _, tt := range tests {
		if got := globalOptionsLast(slices.Clone(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("%q became %q, want %q", tt.in, got, tt.want)
		}
	}

	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "--config", cfg.Path, "run", "--once")
	if code != 0 || !strings.Contains(stdout, "messages quarantined") {
		t.Errorf("patrondesk --config FILE run --once: exit %d %s%s", code, stdout, stderr)
	}
	t.Setenv("PATRONDESK_CONFIG", cfg.Path)
	if code, stdout, _ := runCLI(t, "tickets", "list"); code != 0 || !strings.Contains(stdout, "no tickets") {
		t.Errorf("tickets list with $PATRONDESK_CONFIG: exit %d %s", code, stdout)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(stdout, "patrondesk ") || !strings.Contains(stdout, "(commit ") {
			t.Errorf("%v: exit %d %q", args, code, stdout)
		}
	}
}
