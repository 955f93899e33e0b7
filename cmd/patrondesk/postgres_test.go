package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets"
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

// TestLeaseLinesSayWhoWatches: check on a shared database names the daemon
// watching each mailbox, or says none does.
func TestLeaseLinesSayWhoWatches(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	leases := []tickets.Lease{
		{Name: tickets.MailboxLease("INBOX"), Holder: "desk2:4121", ExpiresAt: now.Add(9 * time.Second)},
		{Name: tickets.MailboxLease("ill"), Holder: "desk1:977", ExpiresAt: now.Add(-time.Minute)},
	}
	got := leaseLines(leases, []watched{{name: "INBOX"}, {name: "ill"}, {name: "it"}}, now)
	want := []string{
		"mailbox INBOX: watched by the daemon desk2:4121 (lease until 2026-12-07T15:00:09Z)",
		"mailbox ill: no daemon watches it now (desk1:977's lease ran out at 2026-12-07T14:59:00Z)",
		"mailbox it: no daemon watches it now (a running daemon takes it within a few seconds)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
