//go:build e2e

// OAuth2 logins end to end: the patrondesk side (config, daemon, database)
// and the tests; the token server and mail stack are in e2e_oauth_test.go.
package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// oauthDesk is one subtest's patrondesk: config, database, binary.
type oauthDesk struct {
	t     *testing.T
	bin   string
	cfg   string
	dir   string
	dbURL string // the PostgreSQL schema's URL, or "" for the SQLite file
}

// newOAuthDesk writes a config whose [imap] logs in with OAuth2 and whose
// [smtp] uses the submission port with OAuth2 (smtpAuth "oauth2") or the
// open port without a login (""). oauth is the [oauth2] table's body.
func newOAuthDesk(t *testing.T, bin string, s *oauthStack, smtpAuth, oauth, extra string) *oauthDesk {
	s.empty(t, "help@library.test", "alice@library.test", "bob@library.test", "it@library.test", "ann@patrons.test", "marco@patrons.test")
	dir := t.TempDir()
	smtpPort, smtpLogin := s.smtp, ""
	if smtpAuth == "oauth2" {
		smtpPort, smtpLogin = s.submission, "username = \"help@library.test\"\nauth = \"oauth2\""
	}
	database, dbURL := databaseSection(t)
	cfg := database + fmt.Sprintf(`[library]
name = "Seymour Library"
address = "help@library.test"
timezone = "America/Chicago"
tag = "Seymour"
admin = "it@library.test"

[imap]
host = "127.0.0.1"
port = %d
security = "none"
username = "help@library.test"
auth = "oauth2"

[smtp]
host = "127.0.0.1"
port = %d
security = "none"
%s
%s

[intake]
poll_interval = "30s"
timeout = "5s"

[oauth2]
%s

[[staff]]
name = "Alice Smith"
email = "alice@library.test"
teams = ["circulation"]

[[route]]
team = "circulation"
`, s.imap, smtpPort, smtpLogin, extra, oauth)
	path := filepath.Join(dir, "patrondesk.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &oauthDesk{t: t, bin: bin, cfg: path, dir: dir, dbURL: dbURL}
}

func (d *oauthDesk) run(args ...string) (string, error) {
	cmd := exec.Command(d.bin, append(args, "--config", d.cfg)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), err
	}
	return string(out), nil
}

func (d *oauthDesk) must(args ...string) string {
	d.t.Helper()
	out, err := d.run(args...)
	if err != nil {
		d.t.Fatalf("patrondesk %v: %v\n%s", args, err, out)
	}
	return out
}

func (d *oauthDesk) daemon() (*exec.Cmd, *lockedBuffer) {
	d.t.Helper()
	cmd := exec.Command(d.bin, "run", "--config", d.cfg)
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { stopDaemon(d.t, cmd) })
	return cmd, logs
}

func (d *oauthDesk) db() *sql.DB { return openTestDatabase(d.t, d.dir, d.dbURL) }

func clientCredentials(tokenURL, mech string) string {
	return fmt.Sprintf("provider = \"generic\"\ntoken_url = %q\nclient_id = \"patrondesk-app\"\nclient_secret_file = \"app.secret\"\nscopes = [\"mail\"]\nmechanism = %q\n", tokenURL, mech)
}

func (d *oauthDesk) secret() {
	if err := os.WriteFile(filepath.Join(d.dir, "app.secret"), []byte("app-secret\n"), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

func TestE2EOAuth2(t *testing.T) {
	provider := newOAuthServer(t)
	stack := startOAuthStack(t, provider.URL+"/introspect")
	bin := filepath.Join(t.TempDir(), "patrondesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sasl := func(t *testing.T, mech string) {
		t.Helper()
		if !strings.Contains(stack.log(t, "dovecot.log"), "user=<help@library.test>, method="+mech) {
			t.Errorf("Dovecot's log shows no %s login of help@:\n%s", mech, stack.log(t, "dovecot.log"))
		}
		if !strings.Contains(stack.log(t, "postfix.log"), "sasl_method="+mech+", sasl_username=help@library.test") {
			t.Errorf("Postfix's log shows no %s submission by help@", mech)
		}
	}

	t.Run("XOAUTH2WithClientCredentials", func(t *testing.T) {
		d := newOAuthDesk(t, bin, stack, "oauth2", clientCredentials(provider.URL+"/token", "xoauth2"), "")
		d.secret()
		d.must("run", "--once") // check opens the database, never makes it
		out := d.must("check")
		if !strings.Contains(out, "OK    OAuth2 token for help@library.test ([imap], generic") || !strings.Contains(out, "OK    mailbox INBOX") || !strings.Contains(out, "OK    SMTP 127.0.0.1") {
			t.Errorf("check:\n%s", out)
		}
		stack.send(t, "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep Middlemarch two more weeks?")
		stack.waitInbox(t, "help@library.test", 1)
		d.must("run", "--once")
		ack := stack.waitInbox(t, "ann@patrons.test", 1)[0]
		// No mail server vouches for Ann here, so her words stay out of it.
		if ack.msg.Subject != "[Seymour #1] We have your message" {
			t.Errorf("acknowledgement subject %q", ack.msg.Subject)
		}
		stack.waitInbox(t, "alice@library.test", 1)
		sasl(t, "XOAUTH2")
	})

	t.Run("OAUTHBEARERWithRefreshTokenFromLogin", func(t *testing.T) {
		oauth := fmt.Sprintf("provider = \"generic\"\nflow = \"device\"\ntoken_url = %q\ndevice_url = %q\nclient_id = \"patrondesk-device\"\nmechanism = \"oauthbearer\"\ntoken_file = \"help.token\"\n",
			provider.URL+"/token", provider.URL+"/device")
		d := newOAuthDesk(t, bin, stack, "oauth2", oauth, "")
		if out, err := d.run("run", "--once"); err == nil || !strings.Contains(out, `run "patrondesk login" once`) {
			t.Errorf("before consent, run --once should say to log in: %v\n%s", err, out)
		}
		out := d.must("login")
		tokenFile := filepath.Join(d.dir, "help.token")
		saved, _ := os.ReadFile(tokenFile)
		st, err := os.Stat(tokenFile)
		if err != nil || st.Mode().Perm() != 0o600 || !strings.Contains(out, "WDJB-MJHT") || !strings.Contains(string(saved), "refresh-") {
			t.Fatalf("login said:\n%s\ntoken file %v (%v): %s", out, st.Mode(), err, saved)
		}
		var kept struct {
			RefreshToken string `json:"refresh_token"`
		}
		json.Unmarshal(saved, &kept)
		if strings.Contains(out, kept.RefreshToken) {
			t.Errorf("login printed the refresh token:\n%s", out)
		}
		stack.send(t, "Marco Ruiz <marco@patrons.test>", "Photos of Main Street", "Do you have photos from the 1950s?")
		stack.waitInbox(t, "help@library.test", 1)
		d.must("run", "--once")
		stack.waitInbox(t, "marco@patrons.test", 1)
		sasl(t, "OAUTHBEARER")
		var rotated struct {
			RefreshToken string `json:"refresh_token"`
		}
		now, _ := os.ReadFile(tokenFile)
		json.Unmarshal(now, &rotated)
		valid := provider.count(func(s *oauthServer) int {
			if s.refresh[rotated.RefreshToken] {
				return 1
			}
			return 0
		})
		if rotated.RefreshToken == kept.RefreshToken || valid != 1 {
			t.Errorf("the file keeps %q; the provider rotated %q to a new one", rotated.RefreshToken, kept.RefreshToken)
		}
		if n := provider.count(func(s *oauthServer) int { return s.deviceOKs }); n != 1 {
			t.Errorf("%d device-code grants, want the one consent", n)
		}
	})

	t.Run("TokenExpiresDuringLongIdle", func(t *testing.T) {
		provider.set(func(s *oauthServer) { s.lifetime = 2 * time.Second })
		defer provider.set(func(s *oauthServer) { s.lifetime = time.Hour })
		d := newOAuthDesk(t, bin, stack, "oauth2", clientCredentials(provider.URL+"/token", "xoauth2"), "")
		d.secret()
		before := provider.count(func(s *oauthServer) int { return s.grants["client_credentials"] })
		staleBefore := provider.count(func(s *oauthServer) int { return s.stale })
		_, logs := d.daemon()
		time.Sleep(500 * time.Millisecond) // logged in and in IDLE
		stack.send(t, "Ann Lee <ann@patrons.test>", "Opening hours", "Are you open on Sunday?")
		stack.waitInbox(t, "ann@patrons.test", 1)
		// The IDLE outlives its token; then the provider drops the session.
		time.Sleep(2500 * time.Millisecond)
		stack.run(t, "kick help@library.test")
		stack.send(t, "Marco Ruiz <marco@patrons.test>", "A lost card", "I lost my library card.")
		stack.waitInbox(t, "marco@patrons.test", 1)
		grants := provider.count(func(s *oauthServer) int { return s.grants["client_credentials"] }) - before
		stale := provider.count(func(s *oauthServer) int { return s.stale }) - staleBefore
		if grants < 3 || stale != 0 {
			t.Errorf("%d tokens fetched (want a new one after expiry for IMAP and SMTP), %d expired tokens offered (want 0)\n%s", grants, stale, logs.String())
		}
		if strings.Contains(logs.String(), "access-") || strings.Contains(logs.String(), "app-secret") {
			t.Errorf("a token or the secret is in the log:\n%s", logs.String())
		}
	})

	t.Run("RateLimitHoldsMailWithoutLosingIt", func(t *testing.T) {
		d := newOAuthDesk(t, bin, stack, "oauth2", clientCredentials(provider.URL+"/token", "xoauth2"), "rate_per_minute = 2")
		d.secret()
		stack.send(t, "Ann Lee <ann@patrons.test>", "Renew please", "Can I keep it longer?")
		stack.send(t, "Marco Ruiz <marco@patrons.test>", "Photos", "Do you have photos?")
		stack.waitInbox(t, "help@library.test", 2)
		out := d.must("run", "--once")
		if !strings.Contains(out, "sent 2 mails") || !strings.Contains(out, "2 mails waiting to send, 0 failed") {
			t.Errorf("first run with 2 mails a minute:\n%s", out)
		}
		if out := d.must("run", "--once"); !strings.Contains(out, "sent 0 mails") {
			t.Errorf("a second run within the minute sent more:\n%s", out)
		}
		// A minute passes: move the outbox's times back rather than wait.
		db := d.db()
		if _, err := db.Exec(`UPDATE outbox SET sent_at = sent_at - 61, next_attempt_at = next_attempt_at - 61`); err != nil {
			t.Fatal(err)
		}
		if out := d.must("run", "--once"); !strings.Contains(out, "sent 2 mails") || !strings.Contains(out, "0 mails waiting to send, 0 failed") {
			t.Errorf("a minute later:\n%s", out)
		}
		stack.waitInbox(t, "alice@library.test", 2)
		if a, m := len(stack.waitInbox(t, "ann@patrons.test", 1)), len(stack.waitInbox(t, "marco@patrons.test", 1)); a != 1 || m != 1 {
			t.Errorf("Ann got %d, Marco %d acknowledgements", a, m)
		}
	})

	t.Run("TokenRevokedEarlyIsRenewedOnce", func(t *testing.T) {
		d := newOAuthDesk(t, bin, stack, "oauth2", clientCredentials(provider.URL+"/token", "xoauth2"), "")
		d.secret()
		stack.send(t, "Ann Lee <ann@patrons.test>", "Opening hours", "Are you open on Sunday?")
		stack.waitInbox(t, "help@library.test", 1)
		d.must("run", "--once")
		stack.waitInbox(t, "ann@patrons.test", 1)
		// An administrator revokes the sessions: the cached token (an hour
		// left) is refused by the server, a fresh one is fetched and works.
		// Each run --once is a new process, so drive one daemon instead.
		_, logs := d.daemon()
		time.Sleep(500 * time.Millisecond)
		before := provider.count(func(s *oauthServer) int { return s.grants["client_credentials"] })
		refusedBefore := provider.count(func(s *oauthServer) int { return s.inactive })
		provider.set(func(s *oauthServer) { s.dropped = true })
		stack.run(t, "kick help@library.test")
		stack.send(t, "Marco Ruiz <marco@patrons.test>", "A lost card", "I lost my library card.")
		stack.waitInbox(t, "marco@patrons.test", 1)
		got := provider.count(func(s *oauthServer) int { return s.grants["client_credentials"] }) - before
		refused := provider.count(func(s *oauthServer) int { return s.inactive }) - refusedBefore
		if got < 1 || refused != 1 || strings.Contains(logs.String(), "login refused") {
			t.Errorf("%d new tokens and %d refused by Dovecot after the revocation (want ≥1 and exactly 1); log:\n%s", got, refused, logs.String())
		}
	})

	t.Run("RevokedAppStopsSendingWithoutLosingMail", func(t *testing.T) {
		listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		d := newOAuthDesk(t, bin, stack, "oauth2", clientCredentials(provider.URL+"/token", "xoauth2"), "\n[http]\nlisten = \""+listen+"\"")
		d.secret()
		provider.set(func(s *oauthServer) { s.revoked = true })
		defer provider.set(func(s *oauthServer) { s.revoked = false })
		_, logs := d.daemon()
		defer func() {
			if t.Failed() {
				t.Logf("daemon log:\n%s", logs.String())
			}
		}()
		// The IMAP refusal queues an alert; sending it finds SMTP refused too.
		health := ""
		waitUntil(t, 15*time.Second, "/healthz names both refused logins", func() bool {
			health = httpGet(t, "http://"+listen+"/healthz")
			return strings.Contains(health, "mailbox INBOX: login refused") && strings.Contains(health, "SMTP: login refused")
		})
		t.Logf("/healthz: %s", health)
		db := d.db()
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND kind = 'alert'`); n != 1 {
			t.Errorf("%d alerts kept in the outbox, want 1 waiting for SMTP\n%s", n, health)
		}
	})

	t.Run("RevokedTokenIsARefusedLoginAndAlerted", func(t *testing.T) {
		listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		// [smtp] sends without a login here so the alert can still go out.
		d := newOAuthDesk(t, bin, stack, "", clientCredentials(provider.URL+"/token", "oauthbearer"), "\n[http]\nlisten = \""+listen+"\"")
		d.secret()
		_, logs := d.daemon()
		waitUntil(t, 10*time.Second, "a first good login", func() bool {
			return regexp.MustCompile(`patrondesk_mailbox_last_success_timestamp_seconds\{mailbox="INBOX"\} [1-9]`).MatchString(httpGet(t, "http://"+listen+"/metrics"))
		})
		provider.set(func(s *oauthServer) { s.revoked = true })
		defer provider.set(func(s *oauthServer) { s.revoked = false })
		asked := func() int { return provider.count(func(s *oauthServer) int { return s.grants["client_credentials"] }) }
		before := asked()
		stack.run(t, "kick help@library.test")
		health := ""
		waitUntil(t, 15*time.Second, "/healthz names the refused login", func() bool {
			health = httpGet(t, "http://"+listen+"/healthz")
			return strings.Contains(health, "login refused")
		})
		if !strings.Contains(health, "mailbox INBOX: ") || !strings.Contains(health, "The client secret has expired") {
			t.Errorf("/healthz: %s", health)
		}
		defer func() {
			if t.Failed() {
				t.Logf("daemon log:\n%s", logs.String())
			}
		}()
		alert := stack.waitInbox(t, "it@library.test", 1)[0]
		if !strings.Contains(alert.msg.Text, "login refused") {
			t.Errorf("the admin's alert does not name the refused login:\n%s", alert.msg.Text)
		}
		// A refused login is logged once and retried slowly; the provider,
		// which said no, is not asked again within seconds.
		waitUntil(t, 15*time.Second, "the refused login in the log", func() bool { return strings.Contains(logs.String(), "login refused") })
		time.Sleep(3 * time.Second) // quick retries, if there were any, would ask the provider again by now
		if n := asked() - before; n != 1 {
			t.Errorf("the provider was asked %d times within seconds of refusing, want once", n)
		}
		out, err := d.run("check")
		t.Logf("check with the app revoked:\n%s", out)
		if err == nil || !strings.Contains(out, "FAIL  OAuth2 token for help@library.test") || !strings.Contains(out, "check [oauth2] token_url, client_id and client_secret") {
			t.Errorf("check with the app revoked (%v):\n%s", err, out)
		}
		if m := httpGet(t, "http://"+listen+"/metrics"); strings.Contains(m, "access-") || strings.Contains(m, "app-secret") {
			t.Errorf("/metrics shows a token or the secret")
		}
		if !strings.Contains(logs.String(), "login refused") {
			t.Errorf("the log does not name the refused login:\n%s", logs.String())
		}
	})
}
