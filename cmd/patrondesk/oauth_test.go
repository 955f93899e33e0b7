package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// TestRefusedLoginAlertsAtOnce: a refused login is on /healthz and in an
// alert at the next check, without waiting for alert_after; a good round
// clears it and the admin hears it is over.
func TestRefusedTokenAlertsAtOnce(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/d.db"
	store, err := tickets.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clk := clock.NewFake(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	desk, err := tickets.NewDesk(ctx, store, clk, tickets.Options{Library: "Seymour Library", Address: "help@library.test", Admin: "it@library.test", Tag: "Seymour"}, templates.New(""), log)
	if err != nil {
		t.Fatal(err)
	}
	mon := newMonitor(store, clk, []string{"INBOX"}, 4*time.Minute)
	w := &healthWatch{mon: mon, store: store, desk: desk, after: 15 * time.Minute, log: log}
	mon.onAlive("INBOX")
	refusal := &mailer.LoginRefusedError{Step: "token", Err: errors.New(`oauth2: "invalid_client" "AADSTS7000222: The provided client secret keys are expired."`), Hint: "make a new secret"}
	mon.refusals.refused("mailbox INBOX", refusal)
	select {
	case <-mon.refusals.kick:
	default:
		t.Error("a refusal must wake the health watch")
	}
	if p := strings.Join(mon.problems(ctx, store), "\n"); !strings.Contains(p, "mailbox INBOX: login refused: no access token") || !strings.Contains(p, "AADSTS7000222") {
		t.Errorf("/healthz problems: %q", p)
	}
	w.check(ctx)
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var body string
	if err := db.QueryRow(`SELECT body_text FROM outbox WHERE kind = 'alert' AND to_email = 'it@library.test'`).Scan(&body); err != nil || !strings.Contains(body, "login refused") {
		t.Errorf("alert (%v):\n%s", err, body)
	}
	mon.onAlive("INBOX")
	if p := mon.problems(ctx, store); len(p) != 0 {
		t.Errorf("after a good round /healthz still says %v", p)
	}
	w.check(ctx)
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'recovered'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d recovery mails, want 1", n)
	}
}

func TestLoginCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	password := write("password.toml", string(config.Example))
	oauth := strings.Replace(string(config.Example), `auth = "password"                   # or "oauth2" (Microsoft`, `auth = "oauth2" # (Microsoft`, 1) +
		"\n[oauth2]\nprovider = \"microsoft\"\ntenant = \"t\"\nclient_id = \"app\"\nclient_secret = \"s\"\n"
	creds := write("creds.toml", oauth)
	device := write("device.toml", strings.Replace(oauth, `client_secret = "s"`, `flow = "device"`, 1))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"login", "--config", password}, 2, `no login uses OAuth2: set auth = "oauth2"`},
		{[]string{"login", "--config", creds}, 2, `only flow = "device" needs`},
		{[]string{"login", "--config", device, "--mailbox", "nosuch"}, 2, `no [[mailbox]] named "nosuch"`},
		{[]string{"login", "--help"}, 0, "--mailbox"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("%v: exit %d, output %q; want %d and %q", tc.args, code, stdout+stderr, tc.code, tc.want)
		}
	}
}

// TestCheckNamesMissingExchangePermission: the token comes, but the app was
// given IMAP.AccessAsApp only; check says SMTP.SendAsApp is missing and
// where to add it.
func TestCheckNamesMissingExchangePermission(t *testing.T) {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"https://outlook.office365.com","roles":["IMAP.AccessAsApp"]}`))
	jwt := "eyJhbGciOiJSUzI1NiJ9." + claims + ".c2ln"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, jwt)
	}))
	defer srv.Close()
	oauth := strings.Replace(string(config.Example), `auth = "password"                   # or "oauth2" (Microsoft`, `auth = "oauth2" # (Microsoft`, 1)
	oauth = strings.Replace(oauth, `auth = "password"                   # or "oauth2"`, `auth = "oauth2"`, 1)
	oauth += fmt.Sprintf("\n[oauth2]\nprovider = \"microsoft\"\ntoken_url = %q\nclient_id = \"app\"\nclient_secret = \"s\"\n", srv.URL)
	p := filepath.Join(t.TempDir(), "p.toml")
	os.WriteFile(p, []byte(oauth), 0o600)
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	checkOAuth2(context.Background(), cfg, func(what string, err error, hint string) {
		line := "OK " + what
		if err != nil {
			line = "FAIL " + what + ": " + err.Error() + " / " + hint
		}
		out = append(out, line)
	})
	got := strings.Join(out, "\n")
	if len(out) != 3 || !strings.HasPrefix(out[0], "OK OAuth2 token for help@library.test ([imap], microsoft") ||
		!strings.HasPrefix(out[1], "OK OAuth2 token for help@library.test ([smtp]") ||
		!strings.Contains(out[2], "FAIL permission SMTP.SendAsApp: the token for help@library.test does not carry SMTP.SendAsApp") ||
		!strings.Contains(out[2], "Grant admin consent") {
		t.Errorf("check said:\n%s", got)
	}
}
