package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// OAuth2 says how patrondesk gets tokens for logins with auth = "oauth2".
// [oauth2] holds the keys for every such login; a [mailbox.oauth2] table
// overrides some of them for one mailbox.
type OAuth2 struct {
	Provider          string   `toml:"provider"` // "microsoft", "google" or "generic"
	Flow              string   `toml:"flow"`     // "client_credentials", "service_account" or "device"
	Tenant            string   `toml:"tenant"`   // microsoft: the tenant id or domain
	TokenURL          string   `toml:"token_url"`
	DeviceURL         string   `toml:"device_url"` // generic with flow "device"
	ClientID          string   `toml:"client_id"`
	ClientSecret      string   `toml:"client_secret"`
	ClientSecretFile  string   `toml:"client_secret_file"`
	Certificate       string   `toml:"certificate"`         // microsoft: PEM with certificate and private key
	ServiceAccountKey string   `toml:"service_account_key"` // google: the JSON key file
	TokenFile         string   `toml:"token_file"`          // flow "device": where `patrondesk login` keeps the refresh token
	Scopes            []string `toml:"scopes"`
	Mechanism         string   `toml:"mechanism"` // "xoauth2" (default) or "oauthbearer"
	User              string   `toml:"user"`      // the mailbox to act as; default: the login's username
}

// Provider endpoints and scopes (the mailer package has the same; config is
// read only by the command and does not import it).
const (
	microsoftScope = "https://outlook.office365.com/.default"
	googleScope    = "https://mail.google.com/"
)

var microsoftDelegated = []string{"https://outlook.office365.com/IMAP.AccessAsUser.All", "https://outlook.office365.com/SMTP.Send", "offline_access"}

// Sending-rate presets: what the providers accept from one mailbox.
// Exchange Online: 30 messages a minute, 10,000 recipients a day. Google
// Workspace: 2,000 messages a day; it publishes no per-minute figure, so a
// cautious one.
var ratePresets = map[string][2]int{"microsoft": {30, 10000}, "google": {20, 2000}}

// resolveOAuth2 fills the client secret from the environment or its file.
func (c *Config) resolveOAuth2() Problems {
	var probs Problems
	secret := func(key string, o *OAuth2, env string) {
		if env != "" {
			if v := os.Getenv(env); v != "" {
				o.ClientSecret = v
				return
			}
		}
		if o.ClientSecretFile != "" {
			b, err := os.ReadFile(c.Rel(o.ClientSecretFile))
			if err != nil {
				probs = append(probs, fmt.Sprintf("%s.client_secret_file: cannot read %s: %v", key, o.ClientSecretFile, err))
				return
			}
			o.ClientSecret = strings.TrimSpace(string(b))
		}
	}
	secret("oauth2", &c.OAuth2, "PATRONDESK_OAUTH2_CLIENT_SECRET")
	for i := range c.Mailboxes {
		if o := c.Mailboxes[i].OAuth2; o != nil {
			secret(fmt.Sprintf("mailbox[%d].oauth2", i+1), o, "")
		}
	}
	return probs
}

// IMAPOAuth2 is [imap]'s OAuth2 login, when imap.auth is "oauth2".
func (c *Config) IMAPOAuth2() (OAuth2, bool) {
	return c.oauthFor(c.IMAP.Auth, nil, c.IMAP.Username)
}

// SMTPOAuth2 is [smtp]'s OAuth2 login, when smtp.auth is "oauth2". The user
// is smtp.username, else the shared mailbox's login.
func (c *Config) SMTPOAuth2() (OAuth2, bool) {
	return c.oauthFor(c.SMTP.Auth, nil, firstNonEmpty(c.SMTP.Username, c.IMAP.Username))
}

// MailboxOAuth2 is the OAuth2 login of the i-th [[mailbox]] (auth defaults
// to [imap]'s).
func (c *Config) MailboxOAuth2(i int) (OAuth2, bool) {
	m := c.Mailboxes[i]
	return c.oauthFor(firstNonEmpty(m.Auth, c.IMAP.Auth), m.OAuth2, m.Username)
}

// SendingRate is the most mails per minute and per day (0 = no limit): the
// preset's, with rate_per_minute and rate_per_day taking precedence.
func (c *Config) SendingRate() (perMinute, perDay int) {
	p := ratePresets[c.SMTP.RatePreset]
	perMinute, perDay = p[0], p[1]
	if c.SMTP.RatePerMinute > 0 {
		perMinute = c.SMTP.RatePerMinute
	}
	if c.SMTP.RatePerDay > 0 {
		perDay = c.SMTP.RatePerDay
	}
	return perMinute, perDay
}

func (c *Config) oauthFor(auth string, over *OAuth2, username string) (OAuth2, bool) {
	if auth != "oauth2" {
		return OAuth2{}, false
	}
	o := c.OAuth2
	if over != nil {
		o = merge(o, *over)
	}
	o.User = firstNonEmpty(o.User, username)
	return c.withDefaults(o), true
}

// merge lays the keys set in over on top of base.
func merge(base, over OAuth2) OAuth2 {
	pick := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	pick(&base.Provider, over.Provider)
	pick(&base.Flow, over.Flow)
	pick(&base.Tenant, over.Tenant)
	pick(&base.TokenURL, over.TokenURL)
	pick(&base.DeviceURL, over.DeviceURL)
	pick(&base.ClientID, over.ClientID)
	pick(&base.ClientSecret, over.ClientSecret)
	pick(&base.Certificate, over.Certificate)
	pick(&base.ServiceAccountKey, over.ServiceAccountKey)
	pick(&base.TokenFile, over.TokenFile)
	pick(&base.Mechanism, over.Mechanism)
	pick(&base.User, over.User)
	if len(over.Scopes) > 0 {
		base.Scopes = over.Scopes
	}
	return base
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// withDefaults fills in what the provider implies: flow, endpoints, scopes,
// mechanism, and the paths taken from the config's folder.
func (c *Config) withDefaults(o OAuth2) OAuth2 {
	if o.Provider == "" {
		o.Provider = "generic"
	}
	if o.Flow == "" {
		o.Flow = "client_credentials"
		if o.Provider == "google" {
			o.Flow = "service_account"
		}
	}
	if o.Mechanism == "" {
		o.Mechanism = "xoauth2"
	}
	switch o.Provider {
	case "microsoft":
		if o.Tenant != "" && o.TokenURL == "" {
			o.TokenURL = "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/token"
		}
		if o.Tenant != "" && o.DeviceURL == "" {
			o.DeviceURL = "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/devicecode"
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{microsoftScope}
			if o.Flow == "device" {
				o.Scopes = microsoftDelegated
			}
		}
	case "google":
		if len(o.Scopes) == 0 {
			o.Scopes = []string{googleScope}
		}
	}
	if o.Flow == "device" && o.TokenFile == "" {
		o.TokenFile = "oauth2-" + unsafeFileChars.ReplaceAllString(o.User, "_") + ".token"
	}
	o.TokenFile = c.Rel(o.TokenFile)
	o.Certificate = c.Rel(o.Certificate)
	o.ServiceAccountKey = c.Rel(o.ServiceAccountKey)
	return o
}

// validateOAuth2 checks auth keys and, when any login uses OAuth2, what its
// provider and flow need.
func (c *Config) validateOAuth2(report func(string, string, ...any)) {
	// [imap] and [smtp] usually share [oauth2]: say each problem once.
	said := map[string]bool{}
	add := func(key, format string, args ...any) {
		msg := key + fmt.Sprintf(format, args...)
		if !said[msg] {
			said[msg] = true
			report(key, format, args...)
		}
	}
	checkAuth := func(key, v string) {
		if v != "" && v != "password" && v != "oauth2" {
			add(key, "%q must be \"password\" or \"oauth2\"", v)
		}
	}
	c.validateGmailFolders(add)
	checkAuth("imap.auth", c.IMAP.Auth)
	checkAuth("smtp.auth", c.SMTP.Auth)
	if _, ok := ratePresets[c.SMTP.RatePreset]; !ok && c.SMTP.RatePreset != "" {
		add("smtp.rate_preset", "%q must be \"microsoft\", \"google\" or \"\" (no preset)", c.SMTP.RatePreset)
	}
	if c.SMTP.RatePerMinute < 0 || c.SMTP.RatePerDay < 0 {
		add("smtp.rate_per_minute", "and rate_per_day must not be negative (0 = no limit)")
	}
	if c.Intake.IdleRenew.Duration < 10*time.Second {
		add("intake.idle_renew", "must be at least \"10s\" (Exchange Online drops an IDLE after about 30 minutes; the default is \"25m\")")
	}
	if o, ok := c.IMAPOAuth2(); ok {
		checkOAuth2(add, "oauth2", o)
	}
	if o, ok := c.SMTPOAuth2(); ok {
		checkOAuth2(add, "oauth2", o)
	}
	for i, m := range c.Mailboxes {
		checkAuth(fmt.Sprintf("mailbox[%d].auth", i+1), m.Auth)
		if o, ok := c.MailboxOAuth2(i); ok {
			key := "oauth2"
			if m.OAuth2 != nil {
				key = fmt.Sprintf("mailbox[%d].oauth2", i+1)
			}
			checkOAuth2(add, key, o)
		}
	}
}

func checkOAuth2(add func(string, string, ...any), key string, o OAuth2) {
	switch o.Provider {
	case "microsoft", "google", "generic":
	default:
		add(key+".provider", "%q must be \"microsoft\", \"google\" or \"generic\"", o.Provider)
		return
	}
	switch o.Mechanism {
	case "xoauth2", "oauthbearer":
	default:
		add(key+".mechanism", "%q must be \"xoauth2\" (Microsoft 365, Gmail) or \"oauthbearer\"", o.Mechanism)
	}
	if o.TokenURL == "" && o.Provider == "microsoft" {
		add(key+".tenant", "is empty; write the Directory (tenant) ID from the app registration's Overview page")
	} else if o.TokenURL == "" && o.Provider == "generic" {
		add(key+".token_url", "is empty; write the token endpoint of your provider")
	}
	switch o.Flow {
	case "client_credentials":
		if o.ClientID == "" {
			add(key+".client_id", "is empty; write the Application (client) ID of the app registration")
		}
		if o.ClientSecret == "" && o.Certificate == "" {
			add(key+".client_secret", "is empty; write the secret (better: client_secret_file, or PATRONDESK_OAUTH2_CLIENT_SECRET), or give a certificate")
		}
	case "service_account":
		if o.ServiceAccountKey == "" {
			add(key+".service_account_key", "is empty; write the path of the service account's JSON key file")
		}
	case "device":
		if o.ClientID == "" {
			add(key+".client_id", "is empty; write the client id of the app the administrator consents to")
		}
		if o.Provider == "google" {
			add(key+".flow", "Google does not allow mail scopes in the device flow; use a service account (flow = \"service_account\")")
		} else if o.DeviceURL == "" {
			add(key+".device_url", "is empty; write the device authorization endpoint of your provider")
		}
	default:
		add(key+".flow", "%q must be \"client_credentials\", \"service_account\" or \"device\"", o.Flow)
	}
	if o.User == "" {
		add(key+".user", "is empty; write the mailbox address the token acts as")
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
