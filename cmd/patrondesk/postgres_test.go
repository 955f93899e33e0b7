package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigPermissionsSeesDatabasePasswords: a database URL with a
// password is a password in the config like any other.
func TestConfigPermissionsSeesDatabasePasswords(t *testing.T) {
	for _, c := range []struct {
		name, text string
		warn       bool
	}{
		{"URL with a password", "[database]\nurl = \"postgres://desk:s3cret@db.library.test:5432/desk\"\n", true},
		{"postgresql:// with a password", "[database]\nurl = 'postgresql://desk:s3cret@db/desk?sslmode=require'\n", true},
		{"URL without a password", "[database]\nurl = \"postgres://desk@db.library.test/desk\"\n", false},
		{"a file path", "[database]\npath = \"patrondesk.db\"\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "patrondesk.toml")
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got := configPermissions(p)
			if (got != "") != c.warn || c.warn && !strings.Contains(got, "chmod 600 "+p) {
				t.Errorf("configPermissions = %q, want a warning: %v", got, c.warn)
			}
		})
	}
}
