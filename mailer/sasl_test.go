package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// bearerServers are a real IMAP server (go-imap's, with a memory backend)
// and a real SMTP server (go-smtp) that take XOAUTH2 and OAUTHBEARER logins
// and accept a token while the test says it is good.
type bearerServers struct {
	imapAddr, smtpAddr string
	mu                 sync.Mutex
	good               map[string]bool
	offered            []string
	mechs              []string
}

const saslUser = "help@library.test"

func (b *bearerServers) check(mech, user, token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offered = append(b.offered, token)
	b.mechs = append(b.mechs, mech)
	if user != saslUser || !b.good[token] {
		return errors.New("invalid token")
	}
	return nil
}

func (b *bearerServers) accept(tokens ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.good = map[string]bool{}
	for _, t := range tokens {
		b.good[t] = true
	}
}

// saslServer is the server side of both mechanisms. Like Gmail and
// Dovecot it answers a bad token with a JSON challenge and waits for the
// client's one-line reply before failing.
func (b *bearerServers) saslServer(mech string, login func(user string) error) sasl.Server {
	if mech == sasl.OAuthBearer {
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if err := b.check(mech, o.Username, o.Token); err != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			if err := login(o.Username); err != nil {
				return &sasl.OAuthBearerError{Status: "invalid_request"}
			}
			return nil
		})
	}
	return &xoauth2Server{b: b, login: login}
}

type xoauth2Server struct {
	b      *bearerServers
	login  func(string) error
	failed bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		return nil, true, errors.New("invalid token")
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, f := range bytes.Split(resp, []byte{1}) {
		if u, ok := bytes.CutPrefix(f, []byte("user=")); ok {
			user = string(u)
		}
		if t, ok := bytes.CutPrefix(f, []byte("auth=Bearer ")); ok {
			token = string(t)
		}
	}
	if err := s.b.check("XOAUTH2", user, token); err != nil {
		s.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, s.login(user)
}

type saslIMAPSession struct {
	imapserver.Session
	b *bearerServers
}

func (s *saslIMAPSession) AuthenticateMechanisms() []string {
	return []string{"XOAUTH2", "OAUTHBEARER"}
}

func (s *saslIMAPSession) Authenticate(mech string) (sasl.Server, error) {
	return s.b.saslServer(mech, func(user string) error { return s.Session.Login(user, "secret") }), nil
}

type smtpBackend struct{ b *bearerServers }

func (be smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &saslSMTPSession{b: be.b}, nil
}

type saslSMTPSession struct {
	b      *bearerServers
	authed bool
}

func (s *saslSMTPSession) AuthMechanisms() []string { return []string{"XOAUTH2", "OAUTHBEARER"} }
func (s *saslSMTPSession) Auth(mech string) (sasl.Server, error) {
	return smtpRefusal{s.b.saslServer(mech, func(string) error { s.authed = true; return nil })}, nil
}

// smtpRefusal answers a refused token as Postfix, Gmail and Exchange do:
// 535 5.7.8 (go-smtp would say 454, "try again later").
type smtpRefusal struct{ sasl.Server }

func (r smtpRefusal) Next(resp []byte) ([]byte, bool, error) {
	c, done, err := r.Server.Next(resp)
	if err != nil {
		err = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid: " + err.Error()}
	}
	return c, done, err
}
func (s *saslSMTPSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}
func (s *saslSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *saslSMTPSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (s *saslSMTPSession) Reset()                               {}
func (s *saslSMTPSession) Logout() error                        { return nil }

func startBearerServers(t *testing.T) *bearerServers {
	b := &bearerServers{good: map[string]bool{}}
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(saslUser, "secret")
	u.Create("INBOX", nil)
	mem.AddUser(u)
	isrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &saslIMAPSession{Session: mem.NewSession(), b: b}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapSASLIR: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0), // refusals are the point here
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go isrv.Serve(ln)
	t.Cleanup(func() { isrv.Close() })
	b.imapAddr = ln.Addr().String()
	ssrv := smtp.NewServer(smtpBackend{b})
	ssrv.Domain, ssrv.AllowInsecureAuth = "localhost", true
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ssrv.Serve(sln)
	t.Cleanup(func() { ssrv.Close() })
	b.smtpAddr = sln.Addr().String()
	return b
}

// TestBearerLogins logs in to IMAP and SMTP with each mechanism; a token
// the servers no longer take is renewed once and the login succeeds; a
// token refused even when fresh is a refused login that says so.
func TestBearerLogins(t *testing.T) {
	for _, mech := range []string{MechXOAUTH2, MechOAUTHBEARER} {
		t.Run(mech, func(t *testing.T) {
			b := startBearerServers(t)
			tokens := newTokenServer(t)
			ts := NewTokenSource(OAuth2Options{Provider: "generic", TokenURL: tokens.URL, ClientID: "app", ClientSecret: "s3cret", Mechanism: mech, User: saslUser})
			ihost, iport := splitAddr(t, b.imapAddr)
			shost, sport := splitAddr(t, b.smtpAddr)
			var logins []string // what OnLogin heard
			ts.OnLogin(func(err error) {
				if err == nil {
					logins = append(logins, "ok")
				} else {
					logins = append(logins, err.(*LoginRefusedError).Step)
				}
			})
			iopts := IMAPOptions{Host: ihost, Port: iport, Security: "none", Username: saslUser, Mailbox: "INBOX", Timeout: 5 * time.Second, OAuth2: ts}
			sopts := SMTPOptions{Host: shost, Port: sport, Security: "none", Username: saslUser, OAuth2: ts, Timeout: 5 * time.Second}
			ctx := context.Background()

			b.accept("tok-1")
			mb, err := DialMailbox(ctx, iopts)
			if err != nil {
				t.Fatalf("IMAP login with a good token: %v", err)
			}
			mb.Close()
			sess, err := DialSMTP(ctx, sopts)
			if err != nil {
				t.Fatalf("SMTP login with a good token: %v", err)
			}
			if err := sess.Send(&Outgoing{FromAddress: saslUser, ToAddress: "ann@patrons.test", Subject: "x", Text: "x", MessageID: "s1@library.test", Date: time.Now()}); err != nil {
				t.Errorf("send after the token login: %v", err)
			}
			sess.Close()
			if ts.Fetches() != 1 {
				t.Errorf("IMAP and SMTP fetched %d tokens, want 1 shared", ts.Fetches())
			}

			b.accept("tok-2", "tok-3") // tok-1 revoked early: renewed once, then fine
			if mb, err := DialMailbox(ctx, iopts); err != nil {
				t.Errorf("IMAP login after the token was revoked: %v", err)
			} else {
				mb.Close()
			}
			ts.Invalidate()
			b.accept("tok-4")
			if sess, err := DialSMTP(ctx, sopts); err != nil {
				t.Errorf("SMTP login with a fresh token: %v", err)
			} else {
				sess.Close()
			}

			b.accept() // the mailbox was taken from the app
			_, ierr := DialMailbox(ctx, iopts)
			_, serr := DialSMTP(ctx, sopts)
			for _, err := range []error{ierr, serr} {
				if !IsLoginRefused(err) || !strings.Contains(err.Error(), "login refused by the") {
					t.Errorf("a token refused twice: %v", err)
				}
			}
			if got := strings.Join(logins, " "); got != "ok ok ok ok IMAP SMTP" {
				t.Errorf("OnLogin heard %q, want four good logins then IMAP and SMTP refused", got)
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, m := range b.mechs {
				if !strings.EqualFold(m, mech) {
					t.Errorf("the client used %s, want %s", m, mech)
				}
			}
			// Each rejected token is followed by exactly one fresh one.
			want := "[tok-1 tok-1 tok-1 tok-2 tok-3 tok-4 tok-4 tok-5 tok-6 tok-7]"
			if got := fmt.Sprint(b.offered); got != want {
				t.Errorf("tokens offered %s, want %s", got, want)
			}
		})
	}
}
