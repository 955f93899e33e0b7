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
		{"a database URL that is not PostgreSQL's, and a lease too short, at once",
			func(s string) string {
				return strings.Replace(s, `path = "patrondesk.db"`, "path = \"patrondesk.db\"\nurl = \"mysql://desk@db/desk\"\nlease = \"1s\"", 1)
			},
			[]string{`database.url: must be a PostgreSQL URL like "postgres://`, `database.lease: must be at least "5s"`}},
		{"a form relay that is not an address",
			func(s string) string { return strings.Replace(s, "form_senders = []", `form_senders = ["webform"]`, 1) },
			[]string{`intake.form_senders: "webform" is not an email address`}},
		{"bad staff alias and banner",
			func(s string) string {
				s = strings.Replace(s, "banners = []", `banners = ["[unclosed", ""]`, 1)
				return strings.Replace(s, "# aliases = [\"alice.smith@library.test\"]", `aliases = ["bob@library.test", "nope", "help@library.test"]`, 1)
			},
			[]string{`staff_mail.banners[1]: "[unclosed" is not a regular expression`, "staff_mail.banners[2]: is empty",
				`staff[1].aliases[2]: "nope" is not an email address`, "staff[1].aliases[3]: must be the person's own address"}},
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
		{"desk page keys",
			func(s string) string {
				s = strings.Replace(s, `public_url = ""`, `public_url = "https://library.test/helpdesk"`, 1)
				s = strings.Replace(s, `link_lifetime = "7d"`, `link_lifetime = "0s"`, 1)
				return strings.Replace(s, `trusted_proxy = ""`, `trusted_proxy = "proxy.library.test"`, 1)
			},
			[]string{`http.public_url: "https://library.test/helpdesk" is not a site address`, "http.link_lifetime: must be longer than zero",
				`http.trusted_proxy: "proxy.library.test" is not an IP address`}},
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

// TestSafetyKeys: every cap has a default when the file leaves it out, the
// trusted MX may be named by either key, and nonsense is refused.
func TestSafetyKeys(t *testing.T) {
	cfg, err := Load(writeConfig(t, strings.Replace(string(Example), "thread_reply_limit = 5", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy
	if p.ThreadReplyLimit != 5 || p.FirstAckLimit != 10 || p.FirstAckWindow.Duration != 10*time.Minute || p.FloodSenders != 3 || p.SpamScore != 5 {
		t.Errorf("defaults: %+v", p)
	}
	old := strings.Replace(string(Example), `trusted_authserv = ""`, `trusted_authserv = "mx.library.test"`, 1)
	if cfg, err := Load(writeConfig(t, old)); err != nil || cfg.TrustedAuthserv() != "mx.library.test" {
		t.Errorf("staff_mail.trusted_authserv: %v %q", err, cfg.TrustedAuthserv())
	}
	alias := strings.Replace(string(Example), "[safety]"+strings.Repeat(" ", 28)+"# see README, Safety\ntrusted_authserv = \"\"", "[safety]\ntrusted_authserv = \"microsoft365\"", 1)
	if cfg, err := Load(writeConfig(t, alias)); err != nil || cfg.TrustedAuthserv() != "microsoft365" {
		t.Errorf("safety.trusted_authserv: %v", err)
	}
	for name, edit := range map[string][2]string{
		"zero first-ack cap": {"first_ack_limit = 10", "first_ack_limit = 0"},
		"thread cap off":     {"thread_reply_limit = 5", "thread_reply_limit = 0"},
		"two different MXs":  {`trusted_authserv = ""`, `trusted_authserv = "a.test"`},
		"header, not a name": {`trusted_authserv = ""`, `trusted_authserv = "mx.test; spf=pass"`},
	} {
		src := strings.Replace(string(Example), edit[0], edit[1], 1)
		if name == "two different MXs" {
			src = strings.Replace(src, `trusted_authserv = ""`, `trusted_authserv = "b.test"`, 1) // [safety]'s
		}
		if _, err := Load(writeConfig(t, src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestDatabaseTarget: url selects PostgreSQL and wins over path; messages
// show the URL without its password.
func TestDatabaseTarget(t *testing.T) {
	c := Default()
	c.Path = "/etc/patrondesk/patrondesk.toml"
	if got := c.DatabaseTarget(); got != "/etc/patrondesk/patrondesk.db" {
		t.Errorf("target without url = %q", got)
	}
	c.Database.URL = "postgres://desk:s3cret@db.library.test:5432/desk?sslmode=require"
	if got := c.DatabaseTarget(); got != c.Database.URL {
		t.Errorf("target with url = %q", got)
	}
	if got := c.DatabaseName(); strings.Contains(got, "s3cret") || !strings.Contains(got, "db.library.test:5432/desk") {
		t.Errorf("name with url = %q", got)
	}
}
