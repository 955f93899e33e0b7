// Package config reads patrondesk's one TOML file: strict decoding (an unknown
// key is an error naming the key and its line), defaults, passwords from files or
// the environment, and validation that reports every problem at once.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"patrondesk/tickets/caps"
)

// Config is the whole file. Field comments name the TOML keys users write.
type Config struct {
	Library   Library   `toml:"library"`
	IMAP      IMAP      `toml:"imap"`
	SMTP      SMTP      `toml:"smtp"`
	Database  Database  `toml:"database"`
	Intake    Intake    `toml:"intake"`
	Hours     Hours     `toml:"hours"`
	Policy    Policy    `toml:"policy"`
	StaffMail StaffMail `toml:"staff_mail"`
	Templates Templates `toml:"templates"`
	Staff     []Staff   `toml:"staff"`
	Routes    []Route   `toml:"route"`
	Mailboxes []Mailbox `toml:"mailbox"`
	HTTP      HTTP      `toml:"http"`
	Safety    Safety    `toml:"safety"`
	// Attachments: [attachments] max_size, mail_total.
	Attachments Attachments `toml:"attachments"`
	OAuth2      OAuth2      `toml:"oauth2"`

	// Path is the file the config was read from; relative paths in it
	// (database, password files, templates) are taken from its folder.
	Path string `toml:"-"`
}

// Library describes the library and its shared mailbox.
type Library struct {
	Name     string `toml:"name"`
	Address  string `toml:"address"`
	Timezone string `toml:"timezone"`
	Tag      string `toml:"tag"`
	Language string `toml:"language"`
	Admin    string `toml:"admin"` // who gets alerts about mail that needs a person
}

// IMAP is the connection to the shared mailbox.
type IMAP struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	Mailbox      string `toml:"mailbox"`
	Processed    string `toml:"processed"`
	Auth         string `toml:"auth"` // "password" (default) or "oauth2"
}

// SMTP is the server patrondesk sends through.
type SMTP struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	HELO         string `toml:"helo"`
	Connections  int    `toml:"connections"` // SMTP connections used at once to send a backlog
	Auth         string `toml:"auth"`        // "password" (default) or "oauth2"
	// Sending limits: a provider preset and/or mails per minute and day.
	RatePreset    string `toml:"rate_preset"` // "microsoft", "google" or "" (none)
	RatePerMinute int    `toml:"rate_per_minute"`
	RatePerDay    int    `toml:"rate_per_day"`
}

// Mailbox is one more address watched at once, beside [imap]. Host, port
// and security default to [imap]'s.
type Mailbox struct {
	Name         string `toml:"name"` // short and unique: "ill"
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	Folder       string `toml:"folder"`
	Processed    string `toml:"processed"`
	Team         string `toml:"team"` // its mail goes to this team
	Auth         string `toml:"auth"` // default: [imap]'s
	// OAuth2 overrides [oauth2]'s keys for this mailbox ([mailbox.oauth2]).
	OAuth2 *OAuth2 `toml:"oauth2"`
}

// HTTP is the optional listener for health checks, metrics and the
// supervisors' desk page.
type HTTP struct {
	Listen string `toml:"listen"` // "127.0.0.1:8025"; "" = off
	// PublicURL is where people reach the listener, for desk page links
	// ("https://desk.library.test" behind a reverse proxy); "" = http://LISTEN.
	PublicURL       string   `toml:"public_url"`
	LinkLifetime    Duration `toml:"link_lifetime"`    // how long a desk page link works
	SessionLifetime Duration `toml:"session_lifetime"` // how long a browser stays signed in after a link
	// TrustedProxy is the reverse proxy's address; only its X-Forwarded-For
	// and X-Forwarded-Proto are believed.
	TrustedProxy string `toml:"trusted_proxy"`
}

// Database is where everything is kept: an SQLite file (path, the
// default), or PostgreSQL (url) when several daemons share one database.
type Database struct {
	Path string `toml:"path"`
	// URL selects PostgreSQL: "postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable".
	URL string `toml:"url"`
	// Lease is how long a daemon's hold on a mailbox lasts unless renewed:
	// when a daemon dies, another takes its mailboxes after this.
	Lease Duration `toml:"lease"`
}

// DatabaseTarget is where the database is: the PostgreSQL URL, or the SQLite file's
// path (relative to the config's folder).
func (c *Config) DatabaseTarget() string {
	if c.Database.URL != "" {
		return c.Database.URL
	}
	return c.Rel(c.Database.Path)
}

// DatabaseName is the database as messages may show it: the path, or the
// URL without its password.
func (c *Config) DatabaseName() string {
	if c.Database.URL == "" {
		return c.Rel(c.Database.Path)
	}
	u, err := url.Parse(c.Database.URL)
	if err != nil {
		return "(database.url)"
	}
	return u.Redacted()
}

// Intake says how the mailbox is watched.
type Intake struct {
	PollInterval Duration `toml:"poll_interval"`
	Since        Duration `toml:"since"`
	BatchSize    int      `toml:"batch_size"`
	Timeout      Duration `toml:"timeout"`     // longest wait for the IMAP server to answer one command
	AlertAfter   Duration `toml:"alert_after"` // a mailbox out of reach this long: alert library.admin
	// FormSenders are web-form relays: mail from them is the Reply-To's
	// (or the body's "Email:" field's) request, not the website's.
	FormSenders []string `toml:"form_senders"`
	IdleRenew   Duration `toml:"idle_renew"` // longest single IDLE; providers drop longer ones
}

// Week is opening hours per weekday: "09:00-17:00", several ranges as
// "09:00-12:00, 13:00-17:00", or "" for closed.
type Week struct {
	Monday    string `toml:"monday"`
	Tuesday   string `toml:"tuesday"`
	Wednesday string `toml:"wednesday"`
	Thursday  string `toml:"thursday"`
	Friday    string `toml:"friday"`
	Saturday  string `toml:"saturday"`
	Sunday    string `toml:"sunday"`
}

// Days returns the hours indexed by time.Weekday (Sunday first).
func (w Week) Days() [7]string {
	return [7]string{w.Sunday, w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday}
}

// Hours is when the library is open: every deadline counts open hours only.
type Hours struct {
	Week
	Country string   `toml:"country"` // public holidays of this country ("" = none)
	Closed  []string `toml:"closed"`  // the library's own closed days, "2026-12-24"
	Periods []Period `toml:"period"`
}

// Period is a stretch of dates with other hours (summer, exam weeks). Its
// days replace the usual week; a day it does not name is closed.
type Period struct {
	Week
	Name  string `toml:"name"`
	From  string `toml:"from"`
	Until string `toml:"until"` // the last day of the period
}

// Policy holds the promises, the follow-up ladder and the limits on
// automated mail. Hours here are open hours (see [hours]).
type Policy struct {
	FirstAnswer       Duration `toml:"first_answer"` // normal priority
	FirstAnswerUrgent Duration `toml:"first_answer_urgent"`
	FirstAnswerLow    Duration `toml:"first_answer_low"`
	NagEvery          Duration `toml:"nag_every"`
	EscalateAfter     Duration `toml:"escalate_after"`
	PatronUpdateAfter Duration `toml:"patron_update_after"`
	FollowupAfter     Duration `toml:"followup_after"`
	CloseAfter        Duration `toml:"close_after"`
	SummaryAt         string   `toml:"summary_at"`
	Retention         Duration `toml:"retention"`
	AutoReplyLimit    int      `toml:"auto_reply_limit"`
	AutoReplyWindow   Duration `toml:"auto_reply_window"`
	ThreadReplyLimit  int      `toml:"thread_reply_limit"`
	ReopenWithin      Duration `toml:"reopen_within"`
	// Safety caps (defaults in tickets/caps): acknowledgements to first-time
	// senders, floods of near-identical mail from new senders, spam score.
	FirstAckLimit  int      `toml:"first_ack_limit"`
	FirstAckWindow Duration `toml:"first_ack_window"`
	FloodSenders   int      `toml:"flood_senders"`
	FloodWindow    Duration `toml:"flood_window"`
	SpamScore      float64  `toml:"spam_score"`
}

// StaffMail says when a staff member's reply may act on a ticket.
type StaffMail struct {
	TokenLifetime        Duration `toml:"token_lifetime"`
	RequireAuthenticated bool     `toml:"require_authenticated"`
	TrustedAuthserv      string   `toml:"trusted_authserv"`
	// Banners are regular expressions (case is ignored) for the notices a
	// mail gateway puts on top of mail, read off staff replies before their
	// commands; common ones are built in.
	Banners []string `toml:"banners"`
}

// Safety names the library's own mail server (MX): its verdicts in
// Authentication-Results decide who may get mail from patrondesk.
type Safety struct {
	// TrustedAuthserv is the name the MX writes first in
	// Authentication-Results (the library-wide form of
	// staff_mail.trusted_authserv, which is still read).
	TrustedAuthserv string `toml:"trusted_authserv"`
}

// Templates points at a folder whose files override the built-in ones.
type Templates struct {
	Dir string `toml:"dir"`
}

// Staff is one member of staff who can own tickets.
type Staff struct {
	Name       string   `toml:"name"`
	Email      string   `toml:"email"`
	Teams      []string `toml:"teams"`
	Supervisor bool     `toml:"supervisor"`
	Away       []Away   `toml:"away"`
	// Aliases are other addresses of theirs: their mail is theirs, and
	// the addresses are never shown to patrons.
	Aliases []string `toml:"aliases"`
	// Signature is their usual signature, cut from their answers.
	Signature string `toml:"signature"`
}

// Away is a stretch of days a staff member is away: new requests skip them
// and their open ones go to someone else in their team.
type Away struct {
	From  string `toml:"from"`
	Until string `toml:"until"` // the first day back
}

// Route sends matching mail to a team. Every condition given must match; a
// route with no condition matches everything. The first matching route wins.
type Route struct {
	Team         string   `toml:"team"`
	To           []string `toml:"to"`
	SubjectWords []string `toml:"subject_words"`
	BodyWords    []string `toml:"body_words"`
	Senders      []string `toml:"senders"`
}

// Duration is a time.Duration written as a string such as "30s" or "72h".
// A bare number is refused: it would silently mean nanoseconds.
type Duration struct{ time.Duration }

// UnmarshalTOML accepts only strings, so `poll_interval = 60` is a problem.
// It marks a bad value instead of failing, so that Load reports it with
// every other problem of the file (badDurations).
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		d.Duration = durationBareNumber
		return nil
	}
	parsed, err := parseDuration(s)
	if err != nil {
		d.Duration = durationUnreadable
		return nil
	}
	d.Duration = parsed
	return nil
}

// parseDuration is time.ParseDuration plus whole days ("30d") and weeks
// ("2w"), which is how people write retention and reopening periods.
func parseDuration(s string) (time.Duration, error) {
	for unit, size := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			if v, err := strconv.Atoi(n); err == nil && v >= 0 {
				return time.Duration(v) * size, nil
			}
		}
	}
	return time.ParseDuration(s)
}

// Problems is every problem found in a config file, reported together.
type Problems []string

func (p Problems) Error() string {
	return "the config file has problems:\n  - " + strings.Join(p, "\n  - ")
}

// Load reads, decodes and validates the file at path. Every problem found is
// returned at once as Problems.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg := Default()
	cfg.Path = path
	md, err := toml.Decode(string(src), cfg)
	var probs Problems
	var failed map[string]bool // tables that could not be decoded
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			where := fmt.Sprintf("%s line %d", path, pe.Position.Line)
			if pe.LastKey != "" {
				where += " (" + pe.LastKey + ")"
			}
			return nil, Problems{where + ": " + pe.Message}
		}
		md, probs, failed = decodeBySection(string(src), cfg) // a wrong type: find the others too
	}
	for _, k := range md.Undecoded() {
		if len(k) > 0 && failed[k[0]] {
			continue // the rest of a table that failed is not unknown
		}
		probs = append(probs, fmt.Sprintf("%s line %d: unknown key %q (check the spelling; `patrondesk init` writes an example with every key)",
			path, keyLine(string(src), k), k.String()))
	}
	probs = append(probs, cfg.resolveSecrets()...)
	probs = append(probs, cfg.resolveOAuth2()...)
	bad := cfg.badDurations(&probs)
	for name := range failed { // a table not read says nothing about its values
		bad = append(bad, name)
	}
	if failed["staff"] {
		// Routes are checked against the staff's teams: with no staff read,
		// every route would be reported as a team nobody is in.
		bad = append(bad, "route")
	}
	probs = append(probs, withoutKeys(cfg.Validate(), bad)...)
	if len(probs) > 0 {
		return nil, probs
	}
	return cfg, nil
}

// Default is the configuration before the file is read.
func Default() *Config {
	limits := caps.Default()
	return &Config{
		Library:  Library{Timezone: "UTC", Tag: "Help", Language: "en"},
		IMAP:     IMAP{Port: 993, Security: "tls", Mailbox: "INBOX", Processed: "Processed"},
		SMTP:     SMTP{Port: 587, Security: "starttls", Connections: 3},
		Database: Database{Path: "patrondesk.db", Lease: Duration{15 * time.Second}},
		Intake: Intake{
			PollInterval: Duration{time.Minute},
			Since:        Duration{24 * time.Hour},
			BatchSize:    50,
			Timeout:      Duration{time.Minute},
			AlertAfter:   Duration{15 * time.Minute},
			IdleRenew:    Duration{25 * time.Minute},
		},
		Hours: Hours{Week: Week{Monday: "09:00-17:00", Tuesday: "09:00-17:00", Wednesday: "09:00-17:00",
			Thursday: "09:00-17:00", Friday: "09:00-17:00"}},
		Policy: Policy{
			FirstAnswer:       Duration{16 * time.Hour},
			FirstAnswerUrgent: Duration{4 * time.Hour},
			FirstAnswerLow:    Duration{40 * time.Hour},
			NagEvery:          Duration{8 * time.Hour},
			EscalateAfter:     Duration{8 * time.Hour},
			PatronUpdateAfter: Duration{24 * time.Hour},
			FollowupAfter:     Duration{24 * time.Hour},
			CloseAfter:        Duration{40 * time.Hour},
			SummaryAt:         "08:30",
			Retention:         Duration{365 * 24 * time.Hour},
			AutoReplyLimit:    limits.AutoReplyLimit,
			AutoReplyWindow:   Duration{limits.AutoReplyWindow},
			ThreadReplyLimit:  limits.ThreadReplyLimit,
			ReopenWithin:      Duration{30 * 24 * time.Hour},
			FirstAckLimit:     limits.FirstAckLimit,
			FirstAckWindow:    Duration{limits.FirstAckWindow},
			FloodSenders:      limits.FloodSenders,
			FloodWindow:       Duration{limits.FloodWindow},
			SpamScore:         limits.SpamScore,
		},
		StaffMail:   StaffMail{TokenLifetime: Duration{90 * 24 * time.Hour}},
		Attachments: Attachments{MaxSize: Size{10 << 20}, MailTotal: Size{7 << 20}},
		HTTP:        HTTP{LinkLifetime: Duration{7 * 24 * time.Hour}, SessionLifetime: Duration{12 * time.Hour}},
	}
}

// resolveSecrets fills passwords from password_file or the environment. The
// environment wins over the file, which wins over an inline password.
func (c *Config) resolveSecrets() Problems {
	var probs Problems
	load := func(section, inline, file, env string) string {
		if v := os.Getenv(env); v != "" {
			return v
		}
		if file != "" {
			b, err := os.ReadFile(c.Rel(file))
			if err != nil {
				probs = append(probs, fmt.Sprintf("%s.password_file: cannot read %s: %v", section, file, err))
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		return inline
	}
	c.IMAP.Password = load("imap", c.IMAP.Password, c.IMAP.PasswordFile, "PATRONDESK_IMAP_PASSWORD")
	c.SMTP.Password = load("smtp", c.SMTP.Password, c.SMTP.PasswordFile, "PATRONDESK_SMTP_PASSWORD")
	for i := range c.Mailboxes {
		m := &c.Mailboxes[i]
		env := "PATRONDESK_IMAP_PASSWORD_" + strings.ToUpper(strings.ReplaceAll(m.Name, "-", "_"))
		m.Password = load(fmt.Sprintf("mailbox[%d]", i+1), m.Password, m.PasswordFile, env)
		if m.Host == "" {
			m.Host, m.Port, m.Security = c.IMAP.Host, c.IMAP.Port, c.IMAP.Security
		}
		if m.Port == 0 {
			m.Port = c.IMAP.Port
		}
		if m.Security == "" {
			m.Security = c.IMAP.Security
		}
		if m.Folder == "" {
			m.Folder = "INBOX"
		}
	}
	return probs
}

// TrustedAuthserv is the library's MX as named in the config:
// safety.trusted_authserv, else staff_mail.trusted_authserv (the older key).
func (c *Config) TrustedAuthserv() string {
	if v := strings.TrimSpace(c.Safety.TrustedAuthserv); v != "" {
		return v
	}
	return strings.TrimSpace(c.StaffMail.TrustedAuthserv)
}

// Rel resolves a path from the config relative to the config file's folder.
func (c *Config) Rel(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Path == "" {
		return p
	}
	return filepath.Join(filepath.Dir(c.Path), p)
}

// keyLine finds the line that defines key k, for error messages. The TOML
// library knows key positions but does not export them. It returns 0 when the
// key cannot be found (for example a dotted key written inline).
func keyLine(src string, k toml.Key) int {
	table, name := strings.Join(k[:len(k)-1], "."), k[len(k)-1]
	current := ""
	for i, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(strings.SplitN(line, "#", 2)[0])
		if strings.HasPrefix(t, "[") {
			current = strings.Trim(t, "[] \t")
			if current == k.String() {
				return i + 1 // a misspelt table such as [imapp]
			}
			continue
		}
		before, _, found := strings.Cut(t, "=")
		if found && current == table && strings.Trim(strings.TrimSpace(before), `"'`) == name {
			return i + 1
		}
	}
	return 0
}

// MarshalText writes a Duration the way it is read: "48h0m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
