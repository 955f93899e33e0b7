package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oauthExample is the example config with [imap] and [smtp] on OAuth2 and
// the given [oauth2] body plus extra tables.
func oauthExample(oauth, extra string) string {
	s := strings.Replace(string(Example), `auth = "password"                   # or "oauth2" (Microsoft`, `auth = "oauth2" # (Microsoft`, 1)
	s = strings.Replace(s, `auth = "password"                   # or "oauth2"`, `auth = "oauth2"`, 1)
	return s + "\n[oauth2]\n" + oauth + "\n" + extra
}

func TestOAuth2MicrosoftDefaults(t *testing.T) {
	path := writeConfig(t, oauthExample("provider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"app\"\nclient_secret_file = \"app.secret\"\n", ""))
	os.WriteFile(filepath.Join(filepath.Dir(path), "app.secret"), []byte("from-file\n"), 0o600)
	t.Setenv("PATRONDESK_OAUTH2_CLIENT_SECRET", "")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := cfg.IMAPOAuth2()
	if !ok || o.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" || o.Flow != "client_credentials" ||
		len(o.Scopes) != 1 || o.Scopes[0] != "https://outlook.office365.com/.default" || o.Mechanism != "xoauth2" ||
		o.User != "help@library.test" || o.ClientSecret != "from-file" {
		t.Errorf("[imap]'s login: %+v", o)
	}
	if s, ok := cfg.SMTPOAuth2(); !ok || s.User != "help@library.test" {
		t.Errorf("[smtp]'s login acts as %q, want the shared mailbox", s.User)
	}
	t.Setenv("PATRONDESK_OAUTH2_CLIENT_SECRET", "from-env")
	if cfg, err = Load(path); err != nil || cfg.OAuth2.ClientSecret != "from-env" {
		t.Errorf("the environment's secret must win over the file: %q, %v", cfg.OAuth2.ClientSecret, err)
	}
}

func TestOAuth2PerMailboxOverride(t *testing.T) {
	extra := "[[mailbox]]\nname = \"ill\"\nusername = \"ill@library.test\"\nprocessed = \"Processed\"\n[mailbox.oauth2]\nflow = \"device\"\nmechanism = \"oauthbearer\"\n\n[[mailbox]]\nname = \"it\"\nusername = \"it@library.test\"\nauth = \"password\"\npassword = \"x\"\n"
	cfg, err := Load(writeConfig(t, oauthExample("provider = \"microsoft\"\ntenant = \"t1\"\nclient_id = \"app\"\nclient_secret = \"s\"\n", extra)))
	if err != nil {
		t.Fatal(err)
	}
	ill, ok := cfg.MailboxOAuth2(0)
	if !ok || ill.Flow != "device" || ill.Mechanism != "oauthbearer" || ill.User != "ill@library.test" || ill.ClientID != "app" ||
		!strings.HasSuffix(ill.TokenFile, "oauth2-ill_library.test.token") || !strings.Contains(strings.Join(ill.Scopes, " "), "IMAP.AccessAsUser.All") {
		t.Errorf("ill's login: %+v", ill)
	}
	if _, ok := cfg.MailboxOAuth2(1); ok {
		t.Errorf("mailbox it has auth = \"password\" and must not use OAuth2")
	}
}

func TestOAuth2Problems(t *testing.T) {
	for _, tc := range []struct {
		name, oauth, extra string
		want               []string
	}{
		{"microsoft without tenant", "provider = \"microsoft\"\nclient_id = \"app\"\nclient_secret = \"s\"", "", []string{"oauth2.tenant: is empty"}},
		{"no secret", "provider = \"generic\"\ntoken_url = \"https://id.example/token\"\nclient_id = \"app\"", "", []string{"oauth2.client_secret: is empty"}},
		{"google device flow", "provider = \"google\"\nflow = \"device\"\nclient_id = \"app\"", "", []string{"Google does not allow mail scopes in the device flow"}},
		{"google without key", "provider = \"google\"", "", []string{"oauth2.service_account_key: is empty"}},
		{"unknown mechanism", "provider = \"generic\"\ntoken_url = \"https://id.example/token\"\nclient_id = \"app\"\nclient_secret = \"s\"\nmechanism = \"plain\"", "", []string{`oauth2.mechanism: "plain"`}},
		{"unknown provider", "provider = \"yahoo\"", "", []string{`oauth2.provider: "yahoo"`}},
		{"a good generic config", "provider = \"generic\"\ntoken_url = \"https://id.example/token\"\nclient_id = \"app\"\nclient_secret = \"s\"", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, oauthExample(tc.oauth, tc.extra)))
			if tc.want == nil {
				if err != nil {
					t.Errorf("a good config was refused: %v", err)
				}
				return
			}
			for _, w := range tc.want {
				if err == nil || strings.Count(err.Error(), w) != 1 {
					t.Errorf("error %v, want %q once", err, w)
				}
			}
		})
	}
}

func TestUnknownRatePresetRefused(t *testing.T) {
	_, err := Load(writeConfig(t, strings.Replace(string(Example), `rate_preset = ""`, `rate_preset = "exchange"`, 1)))
	if err == nil || !strings.Contains(err.Error(), `smtp.rate_preset: "exchange" must be "microsoft", "google"`) {
		t.Errorf("error %v", err)
	}
}

func TestSendingRatePresets(t *testing.T) {
	for _, tc := range []struct {
		preset        string
		perMin, perDy int
		wantMin, wDay int
	}{
		{"", 0, 0, 0, 0},
		{"microsoft", 0, 0, 30, 10000},
		{"google", 0, 0, 20, 2000},
		{"microsoft", 10, 0, 10, 10000},
	} {
		c := &Config{SMTP: SMTP{RatePreset: tc.preset, RatePerMinute: tc.perMin, RatePerDay: tc.perDy}}
		if m, d := c.SendingRate(); m != tc.wantMin || d != tc.wDay {
			t.Errorf("preset %q with %d/%d: %d a minute, %d a day; want %d, %d", tc.preset, tc.perMin, tc.perDy, m, d, tc.wantMin, tc.wDay)
		}
	}
}

func TestGmailSystemFolders(t *testing.T) {
	for _, tc := range []struct{ edit, want string }{
		{`mailbox = "INBOX"  `, ""},
		{`mailbox = "[Gmail]/All Mail"`, `imap.mailbox: "[Gmail]/All Mail" is a Gmail system folder`},
		{`processed = "[Gmail]/Trash"`, `imap.processed: "[Gmail]/Trash" would have Gmail delete`},
		{`processed = "[Google Mail]/Bin"`, `imap.processed: "[Google Mail]/Bin" would have Gmail delete`},
		{`processed = "[Gmail]/All Mail"`, ""}, // archiving only: allowed
		{`processed = "Help desk/Done"`, ""},   // a nested label
	} {
		s := string(Example)
		key, _, _ := strings.Cut(tc.edit, " =")
		s = strings.Replace(s, map[string]string{"mailbox": `mailbox = "INBOX"`, "processed": `processed = "Processed"`}[key], strings.TrimSpace(tc.edit), 1)
		_, err := Load(writeConfig(t, s))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.edit, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.edit, err, tc.want)
		}
	}
}

// TestReadmeConfigLoads: the README's full config (OAuth2 keys included)
// is a working file.
func TestReadmeConfigLoads(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "## Configuration")
	_, block, _ := strings.Cut(rest, "```toml\n")
	block, _, _ = strings.Cut(block, "```")
	path := writeConfig(t, block)
	dir := filepath.Dir(path)
	os.WriteFile(filepath.Join(dir, "ill.pass"), []byte("secret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "oauth2.secret"), []byte("app-secret\n"), 0o600)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("the README's config does not load: %v", err)
	}
	if o, ok := cfg.MailboxOAuth2(0); !ok || o.User != "ill@library.test" || o.ClientSecret != "app-secret" || o.Flow != "client_credentials" {
		t.Errorf("the README's ill mailbox: %+v", o)
	}
}
