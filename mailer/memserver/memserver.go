// Package memserver runs real IMAP and SMTP servers in process (go-imap's
// imapmemserver and go-smtp) on loopback, for `patrondesk demo` and the fast
// tests. Mail sent to its SMTP server is recorded and, when the recipient has
// a mailbox here, delivered to that mailbox's INBOX.
package memserver

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Password is every user's password.
const Password = "secret"

// Received is one mail the SMTP server accepted.
type Received struct {
	From string
	To   []string
	Raw  []byte
}

// Servers is a running IMAP and SMTP server pair.
type Servers struct {
	IMAPAddr, SMTPAddr string

	mem   *imapmemserver.Server
	imap  *imapserver.Server
	users map[string]*imapmemserver.User

	mu       sync.Mutex
	smtp     *smtp.Server
	received []Received
	reject   *smtp.SMTPError
}

// Start runs both servers. caps are the IMAP capabilities to announce (nil =
// IMAP4rev1 and rev2, which imply IDLE, MOVE and UIDPLUS). users are the
// mailbox addresses; each gets INBOX.
func Start(caps imap.CapSet, users ...string) (*Servers, error) {
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	}
	s := &Servers{mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}}
	for _, u := range users {
		s.AddUser(u)
	}
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.IMAPAddr = ln.Addr().String()
	go s.imap.Serve(ln)
	if err := s.StartSMTP(); err != nil {
		s.imap.Close()
		return nil, err
	}
	return s, nil
}

// AddUser creates a mailbox user with an INBOX.
func (s *Servers) AddUser(addr string) {
	u := imapmemserver.NewUser(addr, Password)
	u.Create("INBOX", nil)
	s.mem.AddUser(u)
	s.users[strings.ToLower(addr)] = u
}

// Append puts a message into a user's folder as if it had arrived at t.
func (s *Servers) Append(user, folder string, raw []byte, t time.Time) error {
	u, ok := s.users[strings.ToLower(user)]
	if !ok {
		return fmt.Errorf("no user %s", user)
	}
	_, err := u.Append(folder, bytes.NewReader(raw), &imap.AppendOptions{Time: t})
	return err
}

// User returns the in-memory user, for tests that change its folders.
func (s *Servers) User(addr string) *imapmemserver.User { return s.users[strings.ToLower(addr)] }

// Received returns a copy of every mail accepted so far.
func (s *Servers) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Reject makes the SMTP server answer every recipient with err (nil = accept).
func (s *Servers) Reject(err *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = err
}

// StartSMTP starts the SMTP server, on the same address as before if it ran.
func (s *Servers) StartSMTP() error {
	addr := s.SMTPAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(&backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	s.mu.Lock()
	s.smtp, s.SMTPAddr = srv, ln.Addr().String()
	s.mu.Unlock()
	go srv.Serve(ln)
	return nil
}

// StopSMTP stops the SMTP server; connections to it are then refused.
func (s *Servers) StopSMTP() {
	s.mu.Lock()
	srv := s.smtp
	s.smtp = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Close stops both servers.
func (s *Servers) Close() {
	s.StopSMTP()
	s.imap.Close()
}

type backend struct{ s *Servers }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Servers
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		return reject
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.received = append(ss.s.received, Received{From: ss.from, To: ss.to, Raw: raw})
	ss.s.mu.Unlock()
	for _, to := range ss.to {
		if _, ok := ss.s.users[strings.ToLower(to)]; ok {
			// INTERNALDATE from the server's own clock, as a real server sets it.
			ss.s.Append(to, "INBOX", raw, time.Now())
		}
	}
	return nil
}
