//go:build e2e

// OAuth2 logins end to end: the built binary logs in to a real Dovecot with
// XOAUTH2 and OAUTHBEARER, and sends through a Postfix submission port that
// requires a login (SASL from Dovecot). Dovecot checks each token at an
// introspection endpoint served by this test, beside the token endpoint
// patrondesk gets its tokens from. The test starts its own mail stack in
// .ci/mailstack's OAuth2 mode (the default stack stays as the other tests
// want it).
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"patrondesk/mailer"
)

// oauthServer is the provider: a token endpoint (client credentials for the
// app granted help@library.test, device consent and refresh tokens for a
// public client), and the introspection endpoint Dovecot asks.
type oauthServer struct {
	*httptest.Server
	mu        sync.Mutex
	lifetime  time.Duration
	tokens    map[string]issued
	refresh   map[string]bool
	revoked   bool // the app itself: no new tokens, none accepted
	dropped   bool // the tokens issued so far only, as when sessions are revoked
	grants    map[string]int
	inactive  int // tokens Dovecot asked about that were refused
	stale     int // of those, tokens offered after they expired
	issuedN   int
	deviceOKs int
}

type issued struct {
	user    string
	expires time.Time
}

const grantedMailbox = "help@library.test"

func newOAuthServer(t *testing.T) *oauthServer {
	s := &oauthServer{lifetime: time.Hour, tokens: map[string]issued{}, refresh: map[string]bool{}, grants: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", s.token)
	mux.HandleFunc("/device", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"device_code":"dev-1","user_code":"WDJB-MJHT","verification_uri":"https://login.example/device","expires_in":300,"interval":1}`)
	})
	mux.HandleFunc("/introspect", s.introspect)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *oauthServer) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fail := func(code, desc string) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	grant := r.Form.Get("grant_type")
	s.grants[grant]++
	if s.revoked {
		fail("invalid_client", "The client secret has expired or the app was disabled.")
		return
	}
	resp := map[string]any{"token_type": "Bearer", "expires_in": int(s.lifetime.Seconds())}
	switch grant {
	case "client_credentials":
		if r.Form.Get("client_id") != "patrondesk-app" || r.Form.Get("client_secret") != "app-secret" {
			fail("invalid_client", "Invalid client secret provided.")
			return
		}
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.deviceOKs++
	case "refresh_token":
		rt := r.Form.Get("refresh_token")
		if !s.refresh[rt] {
			fail("invalid_grant", "The refresh token is not valid.")
			return
		}
		delete(s.refresh, rt) // rotated: the old one stops working
	default:
		fail("unsupported_grant_type", grant)
		return
	}
	if grant != "client_credentials" {
		rt := fmt.Sprintf("refresh-%d", len(s.refresh)+s.issuedN)
		s.refresh[rt] = true
		resp["refresh_token"] = rt
	}
	s.issuedN++
	tok := fmt.Sprintf("access-%d-%d", s.issuedN, time.Now().UnixNano())
	s.tokens[tok] = issued{user: grantedMailbox, expires: time.Now().Add(s.lifetime)}
	resp["access_token"] = tok
	json.NewEncoder(w).Encode(resp)
}

func (s *oauthServer) introspect(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	tok, ok := s.tokens[r.Form.Get("token")]
	expired := ok && time.Now().After(tok.expires)
	if s.dropped {
		s.tokens, s.dropped = map[string]issued{}, false
		ok = false
	}
	if !ok || expired || s.revoked {
		s.inactive++
		if expired {
			s.stale++
		}
		fmt.Fprint(w, `{"active":false}`)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": tok.user})
}

func (s *oauthServer) set(f func(s *oauthServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *oauthServer) count(f func(s *oauthServer) int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s)
}

// oauthStack is a Dovecot and Postfix in OAuth2 mode, on ports of its own.
type oauthStack struct {
	dir                          string
	imap, smtp, submission, lmtp int
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startOAuthStack(t *testing.T, introspect string) *oauthStack {
	dir, err := os.MkdirTemp("", "mailstack-oauth2-")
	if err != nil {
		t.Fatal(err)
	}
	s := &oauthStack{dir: dir, imap: freePort(t), smtp: freePort(t), submission: freePort(t), lmtp: freePort(t)}
	t.Cleanup(func() { s.run(t, "stop"); os.RemoveAll(dir) })
	s.run(t, "start", "MAILSTACK_OAUTH2_URL="+introspect)
	return s
}

// run runs a .ci/mailstack step; its output goes to a file, as servers it
// starts keep the descriptors open.
func (s *oauthStack) run(t *testing.T, what string, env ...string) {
	t.Helper()
	out, err := os.CreateTemp("", "mailstack-out")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	args := strings.Fields(what)
	cmd := exec.Command("bash", append([]string{"../../.ci/mailstack"}, args...)...)
	cmd.Env = append(os.Environ(), "MAILSTACK_DIR="+s.dir, "MAILSTACK_IMAP_PORT="+strconv.Itoa(s.imap), "MAILSTACK_SMTP_PORT="+strconv.Itoa(s.smtp),
		"MAILSTACK_LMTP_PORT="+strconv.Itoa(s.lmtp), "MAILSTACK_SUBMISSION_PORT="+strconv.Itoa(s.submission))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("mailstack %s: %v\n%s", what, err, b)
	}
}

func (s *oauthStack) log(t *testing.T, name string) string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "log", name))
	return string(b)
}

func (s *oauthStack) dial(t *testing.T, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(fmt.Sprintf("127.0.0.1:%d", s.imap), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func (s *oauthStack) empty(t *testing.T, users ...string) {
	for _, u := range users {
		c := s.dial(t, u)
		for _, folder := range []string{"INBOX", "Processed"} {
			if sel, err := c.Select(folder, nil).Wait(); err == nil && sel.NumMessages > 0 {
				c.Store(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
				c.Expunge().Close()
			}
		}
		c.Close()
	}
}

func (s *oauthStack) inbox(t *testing.T, user string) []gotMail {
	c := s.dial(t, user)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil
	}
	bufs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []gotMail
	for _, b := range bufs {
		raw := b.FindBodySection(&imap.FetchItemBodySection{Peek: true})
		m, err := mailer.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, gotMail{string(raw), m})
	}
	return out
}

func (s *oauthStack) waitInbox(t *testing.T, user string, n int) []gotMail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := s.inbox(t, user)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d messages after 15 s, want %d", user, len(got), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// send hands a patron's mail to the open port (no login), as the Internet
// would.
func (s *oauthStack) send(t *testing.T, from, subject, body string) {
	t.Helper()
	raw := fmt.Sprintf("From: %s\r\nTo: help@library.test\r\nSubject: %s\r\nMessage-ID: <oauth-%d@patrons.test>\r\nDate: %s\r\n\r\n%s\r\n",
		from, subject, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z), body)
	addr := regexp.MustCompile(`<(.*)>`).FindStringSubmatch(from)[1]
	if err := smtp.SendMail(fmt.Sprintf("127.0.0.1:%d", s.smtp), nil, addr, []string{"help@library.test"}, []byte(raw)); err != nil {
		t.Fatalf("send from %s: %v", from, err)
	}
}
