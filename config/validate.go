package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var tagPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,19}$`)

// Validate checks the values (not the syntax) and returns every problem found,
// each naming its key and what to write instead.
func (c *Config) Validate() Problems {
	var p Problems
	add := func(key, format string, args ...any) {
		p = append(p, key+": "+fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(c.Library.Name) == "" {
		add("library.name", "is empty; write the library's name as patrons know it")
	}
	if !validAddress(c.Library.Address) {
		add("library.address", "%q is not an email address; write the shared mailbox's address, such as help@library.example", c.Library.Address)
	}
	if strings.TrimSpace(c.Library.Timezone) == "" {
		add("library.timezone", "is empty; opening hours need a time zone, such as \"America/Chicago\"")
	} else if _, err := time.LoadLocation(c.Library.Timezone); err != nil {
		add("library.timezone", "%q is not a known time zone; write one such as \"America/Chicago\" or \"Europe/London\"", c.Library.Timezone)
	}
	if c.Library.Admin != "" && !validAddress(c.Library.Admin) {
		add("library.admin", "%q is not an email address; write the address that gets alerts, or \"\" for none", c.Library.Admin)
	}
	if !tagPattern.MatchString(c.Library.Tag) {
		add("library.tag", "%q must be one short word of letters, digits or '-', such as \"Seymour\"", c.Library.Tag)
	}
	checkServer(add, "imap", c.IMAP.Host, c.IMAP.Port, c.IMAP.Security)
	checkServer(add, "smtp", c.SMTP.Host, c.SMTP.Port, c.SMTP.Security)
	if c.SMTP.Connections < 1 || c.SMTP.Connections > 16 {
		add("smtp.connections", "%d is not between 1 and 16; 3 suits most mail servers (Microsoft 365 refuses a fourth)", c.SMTP.Connections)
	}
	if c.IMAP.Username == "" {
		add("imap.username", "is empty; write the login of the shared mailbox")
	}
	if c.IMAP.Mailbox == "" {
		add("imap.mailbox", "is empty; write the folder to watch, usually \"INBOX\"")
	}
	if c.IMAP.Processed == c.IMAP.Mailbox && c.IMAP.Mailbox != "" {
		add("imap.processed", "must differ from imap.mailbox (or be \"\" to only mark mail as read)")
	}
	switch u := c.Database.URL; {
	case u == "" && c.Database.Path == "":
		add("database.path", "is empty; write a file name such as \"patrondesk.db\"")
	case u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://"):
		add("database.url", "must be a PostgreSQL URL like \"postgres://patrondesk:PASSWORD@db.example.org:5432/patrondesk?sslmode=require\" (or leave it out to use the file in database.path)")
	}
	if c.Database.Lease.Duration < 5*time.Second {
		add("database.lease", "must be at least \"5s\" (how long a daemon holds a mailbox before another may take it)")
	}
	if c.Intake.PollInterval.Duration < time.Second {
		add("intake.poll_interval", "must be at least \"1s\"")
	}
	if c.Intake.Since.Duration < 0 {
		add("intake.since", "must not be negative")
	}
	if c.Intake.AlertAfter.Duration < time.Minute {
		add("intake.alert_after", "must be at least \"1m\"")
	}
	if c.Intake.Timeout.Duration < time.Second {
		add("intake.timeout", "must be at least \"1s\"")
	}
	for _, f := range c.Intake.FormSenders {
		if !strings.Contains(f, "@") {
			add("intake.form_senders", "%q is not an email address", f)
		}
	}
	if c.Intake.BatchSize < 1 || c.Intake.BatchSize > 1000 {
		add("intake.batch_size", "must be between 1 and 1000 (got %d)", c.Intake.BatchSize)
	}
	c.calendarOptions(add)
	c.validatePolicy(add)
	if c.Policy.AutoReplyLimit < 1 {
		add("policy.auto_reply_limit", "must be at least 1")
	}
	if c.Policy.ThreadReplyLimit < 1 {
		add("policy.thread_reply_limit", "must be at least 1 (raise it rather than switching the cap off)")
	}
	c.validateSafety(add)
	if c.Policy.AutoReplyWindow.Duration <= 0 {
		add("policy.auto_reply_window", "must be more than zero, such as \"3h\"")
	}
	if c.Policy.ReopenWithin.Duration < 0 {
		add("policy.reopen_within", "must not be negative")
	}
	if c.Attachments.MaxSize.Bytes <= 0 {
		add("attachments.max_size", "must be more than 0, such as \"10MB\"")
	}
	if c.Attachments.MailTotal.Bytes <= 0 {
		add("attachments.mail_total", "must be more than 0, such as \"7MB\"")
	}
	if c.StaffMail.TokenLifetime.Duration < 0 {
		add("staff_mail.token_lifetime", "must not be negative (\"0s\" means no limit)")
	}
	for i, b := range c.StaffMail.Banners {
		if strings.TrimSpace(b) == "" {
			add(fmt.Sprintf("staff_mail.banners[%d]", i+1), "is empty; remove it or write a few words of the banner")
		} else if _, err := regexp.Compile(b); err != nil {
			add(fmt.Sprintf("staff_mail.banners[%d]", i+1), "%q is not a regular expression (%v); to match the words as written, put a backslash before characters such as ( [ . *", b, err)
		}
	}
	if c.StaffMail.RequireAuthenticated && c.TrustedAuthserv() == "" {
		add("staff_mail.trusted_authserv", "is empty; with require_authenticated = true, write the name your mail server puts in Authentication-Results (or set safety.trusted_authserv)")
	}
	c.validateMailboxes(add)
	c.validateOAuth2(add)
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			add("http.listen", "%q is not host:port; write it like \"127.0.0.1:8025\", or \"\" for off", c.HTTP.Listen)
		}
	}
	c.validateDeskPage(add)
	p = append(p, c.validateStaff()...)
	return p
}

var mailboxName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`)

func (c *Config) validateMailboxes(add func(string, string, ...any)) {
	names := map[string]bool{c.IMAP.Mailbox: true}
	teams := map[string]bool{}
	for _, s := range c.Staff {
		for _, t := range s.Teams {
			teams[t] = true
		}
	}
	for i, m := range c.Mailboxes {
		key := fmt.Sprintf("mailbox[%d].", i+1)
		switch {
		case !mailboxName.MatchString(m.Name):
			add(key+"name", "%q must be a short name of lower-case letters, digits or '-', such as \"ill\"", m.Name)
		case names[m.Name]:
			add(key+"name", "%q is used twice (or is [imap]'s folder name)", m.Name)
		}
		names[m.Name] = true
		checkServer(add, strings.TrimSuffix(key, "."), m.Host, m.Port, m.Security)
		if m.Username == "" {
			add(key+"username", "is empty; write the login of this mailbox")
		}
		if m.Processed == m.Folder {
			add(key+"processed", "must differ from folder (or be \"\" to only mark mail as read)")
		}
		if m.Team != "" && !teams[m.Team] {
			add(key+"team", "no staff member is in team %q; add it to someone's teams", m.Team)
		}
	}
}

func checkServer(add func(string, string, ...any), section, host string, port int, security string) {
	if host == "" {
		add(section+".host", "is empty; write the server's name or address")
	}
	if port < 1 || port > 65535 {
		add(section+".port", "%d is not a port; write a number from 1 to 65535", port)
	}
	switch security {
	case "none", "starttls", "tls":
	default:
		add(section+".security", "%q must be one of \"none\", \"starttls\" or \"tls\"", security)
	}
}

func (c *Config) validateStaff() Problems {
	var p Problems
	if len(c.Staff) == 0 {
		p = append(p, "staff: no [[staff]] entries; add at least one person who can answer patrons")
	}
	teams := map[string]bool{}
	seen := map[string]bool{}
	for i, s := range c.Staff {
		key := fmt.Sprintf("staff[%d]", i+1)
		if strings.TrimSpace(s.Name) == "" {
			p = append(p, key+".name: is empty")
		}
		email := strings.ToLower(s.Email)
		switch {
		case !validAddress(s.Email):
			p = append(p, fmt.Sprintf("%s.email: %q is not an email address", key, s.Email))
		case seen[email]:
			p = append(p, fmt.Sprintf("%s.email: %s is listed twice", key, s.Email))
		case strings.EqualFold(s.Email, c.Library.Address):
			p = append(p, fmt.Sprintf("%s.email: must be the person's own address, not the shared mailbox", key))
		}
		seen[email] = true
		for j, a := range s.Aliases {
			akey := fmt.Sprintf("%s.aliases[%d]", key, j+1)
			switch low := strings.ToLower(a); {
			case !validAddress(a):
				p = append(p, fmt.Sprintf("%s: %q is not an email address", akey, a))
			case seen[low]:
				p = append(p, fmt.Sprintf("%s: %s is listed twice (as a staff address or alias)", akey, a))
			case strings.EqualFold(a, c.Library.Address):
				p = append(p, akey+": must be the person's own address, not the shared mailbox")
			default:
				seen[low] = true
			}
		}
		for _, t := range s.Teams {
			teams[t] = true
		}
	}
	for i, r := range c.Routes {
		key := fmt.Sprintf("route[%d]", i+1)
		if r.Team == "" {
			p = append(p, key+".team: is empty; name the team that gets this mail")
		} else if !teams[r.Team] {
			p = append(p, fmt.Sprintf("%s.team: no staff member is in team %q; add it to someone's teams", key, r.Team))
		}
	}
	return p
}

func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// Location is the library's time zone. Call it only on a validated config.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Library.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// validateSafety checks the caps on automated mail and the trusted MX.
func (c *Config) validateSafety(add func(string, string, ...any)) {
	p := c.Policy
	if p.FirstAckLimit < 1 {
		add("policy.first_ack_limit", "must be at least 1 (the default is 10)")
	}
	if p.FirstAckWindow.Duration <= 0 {
		add("policy.first_ack_window", "must be more than zero, such as \"10m\"")
	}
	if p.FloodSenders < 2 {
		add("policy.flood_senders", "must be at least 2 (the default is 3)")
	}
	if p.FloodWindow.Duration <= 0 {
		add("policy.flood_window", "must be more than zero, such as \"30m\"")
	}
	if p.SpamScore <= 0 {
		add("policy.spam_score", "must be more than zero (the default, 5, is SpamAssassin's own)")
	}
	mx, old := strings.TrimSpace(c.Safety.TrustedAuthserv), strings.TrimSpace(c.StaffMail.TrustedAuthserv)
	if mx != "" && old != "" && !strings.EqualFold(mx, old) {
		add("safety.trusted_authserv", "is %q but staff_mail.trusted_authserv is %q; keep one (safety.trusted_authserv replaces the other)", mx, old)
	}
	if strings.ContainsAny(mx+old, " ;=()") {
		add("safety.trusted_authserv", "must be the server name alone, as it starts the Authentication-Results header (such as \"mx.library.org\")")
	}
}

// validateDeskPage checks the [http] keys of the supervisors' desk page.
func (c *Config) validateDeskPage(add func(string, string, ...any)) {
	h := c.HTTP
	if h.PublicURL != "" {
		u, err := url.Parse(h.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
			add("http.public_url", "%q is not a site address; write it like \"https://desk.library.test\" (no path: the proxy passes /desk on as it is), or \"\" to use http.listen", h.PublicURL)
		}
	}
	if h.LinkLifetime.Duration <= 0 {
		add("http.link_lifetime", "must be longer than zero; write it like \"7d\"")
	}
	if h.SessionLifetime.Duration <= 0 {
		add("http.session_lifetime", "must be longer than zero; write it like \"12h\"")
	}
	if h.TrustedProxy != "" && net.ParseIP(h.TrustedProxy) == nil {
		add("http.trusted_proxy", "%q is not an IP address; write your reverse proxy's address, like \"127.0.0.1\", or \"\" for none", h.TrustedProxy)
	}
}
