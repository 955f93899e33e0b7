package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "patrondesk.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExampleLoads(t *testing.T) {
	cfg, err := Load(writeConfig(t, string(Example)))
	if err != nil {
		t.Fatalf("the example config does not load: %v", err)
	}
	if cfg.Library.Tag != "Seymour" || cfg.Intake.Since.Duration != 24*time.Hour || len(cfg.Staff) != 3 ||
		cfg.Policy.ReopenWithin.Duration != 30*24*time.Hour || cfg.StaffMail.TokenLifetime.Duration != 90*24*time.Hour {
		t.Errorf("unexpected values: %+v", cfg)
	}
	if cfg.Hours.Saturday != "10:00-13:00" || len(cfg.Hours.Periods) != 1 || cfg.Hours.Periods[0].Wednesday != "10:00-16:00" || cfg.Hours.Periods[0].Tuesday != "" {
		t.Errorf("hours: %+v", cfg.Hours)
	}
	if _, err := cfg.Calendar(); err != nil {
		t.Errorf("calendar: %v", err)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string // every one must appear in the error
	}{
		{"misspelt key names the key and its line",
			func(s string) string { return strings.Replace(s, "port = 1143", "prot = 1143", 1) },
			[]string{`unknown key "imap.prot"`, "line 15"}},
		{"misspelt table",
			func(s string) string { return strings.Replace(s, "[database]", "[databse]", 1) },
			[]string{`unknown key "databse.path"`}},
		{"bare number duration",
			func(s string) string { return strings.Replace(s, `poll_interval = "1m"`, "poll_interval = 60", 1) },
			[]string{"poll_interval", "write a duration in quotes"}},
		{"a bare number duration hides no other problem",
			func(s string) string {
				s = strings.Replace(s, `poll_interval = "1m"`, "poll_interval = 60", 1)
				s = strings.Replace(s, `nag_every = "8h"`, `nag_every = "eight hours"`, 1)
				return strings.Replace(s, `timezone = "America/Chicago"`, `timezone = "Mars/Base"`, 1)
			},
			[]string{"intake.poll_interval: write a duration in quotes", `policy.nag_every: is not a duration`, `library.timezone: "Mars/Base"`}},
		{"a value of the wrong type hides no other problem",
			func(s string) string {
				s = strings.Replace(s, "port = 1143", `port = "imap"`, 1)
				s = strings.Replace(s, `nag_every = "8h"`, `nag_every = 8`, 1)
				return strings.Replace(s, `timezone = "America/Chicago"`, `timezone = "Mars/Base"`, 1)
			},
			[]string{`[imap]`, "line 15", "incompatible types", "policy.nag_every: write a duration in quotes", `library.timezone: "Mars/Base"`}},
		{"every problem at once",
			func(s string) string {
				s = strings.Replace(s, `security = "none"`, `security = "ssl"`, 1)
				s = strings.Replace(s, `timezone = "America/Chicago"`, `timezone = "Mars/Base"`, 1)
				return strings.Replace(s, "[[route]]\nteam = \"reference\"", "[[route]]\nteam = \"nobody\"", 1)
			},
			[]string{`imap.security: "ssl"`, `library.timezone: "Mars/Base"`, `route[2].team: no staff member is in team "nobody"`}},
		{"bad staff address",
			func(s string) string { return strings.Replace(s, "alice@library.test", "alice", 1) },
			[]string{`staff[1].email: "alice" is not an email address`}},
		{"days that are not a number",
			func(s string) string {
				return strings.Replace(s, `reopen_within = "30d"`, `reopen_within = "thirty d"`, 1)
			},
			[]string{"policy.reopen_within", `write it like "30s", "15m", "72h" or "30d"`}},
		{"authentication without a trusted server",
			func(s string) string {
				return strings.Replace(s, "require_authenticated = false", "require_authenticated = true", 1)
			},
			[]string{"staff_mail.trusted_authserv: is empty"}},
		{"bad hours name the day and the period",
			func(s string) string {
				s = strings.Replace(s, `saturday = "10:00-13:00"`, `saturday = "10-1"`, 1)
				s = strings.Replace(s, `country = "US"`, `country = "Atlantis"`, 1)
				return strings.Replace(s, `wednesday = "10:00-16:00"`, `wednesday = "16:00-10:00"`, 1)
			},
			[]string{`hours.saturday: "10-1" is not opening hours`, `hours.country: no public holidays are known for "Atlantis"`, `hours.period[1].wednesday`}},
		{"ladder durations",
			func(s string) string { return strings.Replace(s, `nag_every = "8h"`, `nag_every = "0s"`, 1) },
			[]string{"policy.nag_every: must be more than zero"}},
		{"syntax error has a line",
			func(s string) string { return strings.Replace(s, `name = "Seymour Library"`, `name = "Seymour`, 1) },
			[]string{"line 6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tt.edit(string(Example))))
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "imap.pass"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(Example), `password = "secret"`, `password_file = "imap.pass"`, 1)
	p := filepath.Join(dir, "p.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "from-file" {
		t.Errorf("imap password from file = %q", cfg.IMAP.Password)
	}
	t.Setenv("PATRONDESK_IMAP_PASSWORD", "from-env")
	t.Setenv("PATRONDESK_SMTP_PASSWORD", "smtp-env")
	cfg, err = Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "from-env" || cfg.SMTP.Password != "smtp-env" {
		t.Errorf("env passwords not used: %q %q", cfg.IMAP.Password, cfg.SMTP.Password)
	}
}
