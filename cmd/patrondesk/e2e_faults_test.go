//go:build e2e

// Crash and fault drills: the built binary killed at random moments, and the
// mail servers and database failing under it. Each prints what it measured.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// tune makes the e2e config quick to react and lifts the per-address cap
// (the drills send hundreds of mails to two patrons on purpose).
func (e *e2e) tune(imapHostPort string) {
	e.t.Helper()
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	s := strings.Replace(string(b), `poll_interval = "30s"`, "poll_interval = \"2s\"\ntimeout = \"3s\"", 1)
	if imapHostPort != "" {
		host, port, _ := net.SplitHostPort(imapHostPort)
		s = regexp.MustCompile(`(?m)^\[imap\]\nhost = ".*"\nport = \d+`).ReplaceAllString(s, fmt.Sprintf("[imap]\nhost = %q\nport = %s", host, port))
	}
	s += "\n[policy]\nauto_reply_limit = 1000000\nthread_reply_limit = 1000000\n"
	// The drills' patrons are verified by the MX (appendMail writes its
	// header), so acknowledgements carry the subjects the drills look for.
	s += "\n[safety]\ntrusted_authserv = \"mx.library.test\"\n"
	if err := os.WriteFile(e.cfg, []byte(s), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) db() *sql.DB { return openTestDatabase(e.t, filepath.Dir(e.cfg), e.dbURL) }

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// countSoon is count for polling: a database the daemon has not created yet
// counts 0.
func countSoon(db *sql.DB, q string) int {
	var n int
	db.QueryRow(q).Scan(&n)
	return n
}

// lockedBuffer collects a daemon's log safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// daemon starts `patrondesk run` and returns it with its log.
func (e *e2e) daemon() (*exec.Cmd, *lockedBuffer) {
	cmd := exec.Command(e.bin, "run", "--config", e.cfg)
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, log
}

func stopDaemon(t *testing.T, cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Error("patrondesk did not stop within 20 s of SIGTERM")
	}
}

// appendMail puts n messages in help@'s INBOX over IMAP, as if they had
// arrived, alternating between two patrons.
func appendMail(t *testing.T, prefix string, n int) {
	c := dialUser(t, "help@library.test")
	defer c.Close()
	for i := 0; i < n; i++ {
		from := []string{"Ann Lee <ann@patrons.test>", "Marco Ruiz <marco@patrons.test>"}[i%2]
		raw := fmt.Sprintf("From: %s\r\nTo: help@library.test\r\nSubject: %s request %d\r\nMessage-ID: <%s-%d@patrons.test>\r\nDate: %s\r\n"+
			"Authentication-Results: mx.library.test; dkim=pass header.d=patrons.test\r\n\r\nPlease help with request %d. %s\r\n",
			from, prefix, i, prefix, i, time.Now().Format(time.RFC1123Z), i, strings.Repeat("Some words of a real request. ", 10))
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// subjects returns the subjects in a user's INBOX.
func subjects(t *testing.T, user string) []string {
	c := dialUser(t, user)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	return out
}

// arrived counts the mails in user's INBOX whose subject holds word: mail
// left in flight by an earlier drill does not count.
func arrived(t *testing.T, user, word string) int {
	n := 0
	for _, s := range subjects(t, user) {
		if strings.Contains(s, word) {
			n++
		}
	}
	return n
}

// waitUntil polls cond every 100 ms for at most limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// mailstack runs a fault drill step. Its output goes to a file, not a pipe:
// a server started by it keeps the descriptors open.
func mailstack(t *testing.T, what string) {
	t.Helper()
	if strings.HasPrefix(what, "stop-") {
		// Whatever happens in the test, the next one finds the server up.
		t.Cleanup(func() { mailstack(t, "start-"+strings.TrimPrefix(what, "stop-")) })
	}
	out, err := os.CreateTemp(t.TempDir(), "mailstack")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command("bash", "../../.ci/mailstack", what)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("mailstack %s: %v\n%s", what, err, b)
	}
}

// TestE2ECrashSafety kills the daemon with SIGKILL at random moments while it
// takes 1,000 messages, 20 times, restarting it each time.
func TestE2ECrashSafety(t *testing.T) {
	e := newE2E(t)
	e.tune("")
	t.Cleanup(func() { mailstack(t, "drain") })
	const messages, kills = 1000, 20
	appendMail(t, "crash", messages)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < kills; i++ {
		cmd, _ := e.daemon()
		time.Sleep(time.Duration(150+rng.Intn(600)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	e.patrondesk("run", "--once")
	e.patrondesk("run", "--once")
	db := e.db()
	tickets := count(t, db, `SELECT COUNT(*) FROM tickets`)
	taken := count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	acks := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'ack'`)
	twice := count(t, db, `SELECT COUNT(*) FROM (SELECT ticket_id FROM outbox WHERE kind = 'ack' GROUP BY ticket_id HAVING COUNT(*) > 1) AS twice`)
	unsent := count(t, db, `SELECT COUNT(*) FROM outbox WHERE status <> 'sent'`)
	if tickets != messages || taken != messages || acks != messages || twice != 0 || unsent != 0 {
		t.Errorf("after %d kills: %d tickets, %d messages taken, %d acknowledgements queued (%d tickets with two), %d not sent; want %d, %d, %d, 0, 0",
			kills, tickets, taken, acks, twice, unsent, messages, messages, messages)
	}
	if n := len(inbox(t, "help@library.test")); n != 0 {
		t.Errorf("%d messages left in help@'s INBOX", n)
	}
	var got []string
	waitUntil(t, 90*time.Second, "acknowledgements delivered", func() bool {
		got = append(subjects(t, "ann@patrons.test"), subjects(t, "marco@patrons.test")...)
		return len(got) >= messages
	})
	time.Sleep(time.Second)
	got = append(subjects(t, "ann@patrons.test"), subjects(t, "marco@patrons.test")...)
	distinct := map[string]bool{}
	for _, s := range got {
		distinct[s] = true
	}
	dups := len(got) - len(distinct)
	// A kill can catch each SMTP connection (smtp.connections, 3 by
	// default) between the server's accept and the outbox's record of it.
	const connections = 3
	if len(distinct) != messages || dups > kills*connections {
		t.Errorf("patrons got %d acknowledgements for %d requests (%d duplicates, at most %d allowed)", len(got), len(distinct), dups, kills*connections)
	}
	t.Logf("crash drill (seed %d): %d SIGKILLs while taking %d messages -> %d tickets, %d acknowledgements queued once each, %d delivered, %d duplicate deliveries",
		seed, kills, messages, tickets, acks, len(got), dups)
}

// TestE2EServerFaults stops and breaks the servers under a running daemon.
func TestE2EServerFaults(t *testing.T) {
	if os.Getenv("MAILSTACK_DIR") == "" {
		t.Fatal("MAILSTACK_DIR is not set: the fault drills stop and start the servers with .ci/mailstack")
	}
	// Mail deferred during a drill must not land in a later test's mailboxes.
	t.Cleanup(func() { mailstack(t, "drain") })
	t.Run("Dovecot restarted during IDLE", func(t *testing.T) {
		e := newE2E(t)
		e.tune("")
		cmd, log := e.daemon()
		time.Sleep(time.Second)
		mailstack(t, "stop-imap")
		time.Sleep(3 * time.Second)
		mailstack(t, "start-imap")
		appendMail(t, "idle-restart", 1)
		took := waitUntil(t, 30*time.Second, "acknowledgement after the restart", func() bool { return arrived(t, "ann@patrons.test", "idle-restart") == 1 })
		stopDaemon(t, cmd)
		reconnects := strings.Count(log.String(), "will reconnect")
		if reconnects == 0 || reconnects > 6 {
			t.Errorf("%d reconnect lines for a 3 s outage; want a few (backoff), not a busy loop:\n%s", reconnects, log.String())
		}
		t.Logf("Dovecot down 3 s during IDLE: %d reconnect attempts, acknowledgement %v after the restart", reconnects, took.Round(time.Millisecond))
	})
	t.Run("Dovecot stopped in the middle of a fetch", func(t *testing.T) {
		e := newE2E(t)
		e.tune("")
		appendMail(t, "midfetch", 300)
		cmd, _ := e.daemon()
		time.Sleep(400 * time.Millisecond)
		mailstack(t, "stop-imap")
		time.Sleep(2 * time.Second)
		mailstack(t, "start-imap")
		db := e.db()
		waitUntil(t, 60*time.Second, "all 300 messages taken", func() bool { return countSoon(db, `SELECT COUNT(*) FROM tickets`) == 300 })
		stopDaemon(t, cmd)
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`); n != 300 {
			t.Errorf("%d messages taken, want 300", n)
		}
	})
	t.Run("Postfix down, then back", func(t *testing.T) {
		e := newE2E(t)
		e.tune("")
		mailstack(t, "stop-smtp")
		cmd, log := e.daemon()
		appendMail(t, "smtp-down", 4)
		db := e.db()
		waitUntil(t, 20*time.Second, "tickets while Postfix is down", func() bool { return countSoon(db, `SELECT COUNT(*) FROM tickets`) == 4 })
		time.Sleep(5 * time.Second)
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'queued'`); n != 8 {
			t.Errorf("%d mails waiting while Postfix is down, want 8 (4 acknowledgements, 4 notices)", n)
		}
		mailstack(t, "start-smtp")
		t.Cleanup(func() {
			if t.Failed() {
				rows, _ := db.Query(`SELECT id, status, attempts, next_attempt_at, last_error FROM outbox`)
				for rows != nil && rows.Next() {
					var id, attempts, next int64
					var status, last string
					rows.Scan(&id, &status, &attempts, &next, &last)
					t.Logf("outbox %d: %s, %d attempts, next %s, %s", id, status, attempts, time.Unix(next, 0).Format(time.TimeOnly), last)
				}
				t.Logf("daemon log:\n%s", log.String())
			}
		})
		took := waitUntil(t, 90*time.Second, "mail sent after Postfix came back", func() bool {
			return arrived(t, "ann@patrons.test", "smtp-down")+arrived(t, "marco@patrons.test", "smtp-down") == 4
		})
		stopDaemon(t, cmd)
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'sent'`); n != 8 {
			t.Errorf("%d mails sent, want 8", n)
		}
		t.Logf("Postfix down: mail waited, went %v after it came back; log says: %q", took.Round(time.Second), firstLine(log.String(), "sending paused"))
	})
	t.Run("an IDLE connection silently dropped", func(t *testing.T) {
		p := newFreezingProxy(t, imapAddr)
		e := newE2E(t)
		e.tune(p.addr)
		cmd, log := e.daemon()
		time.Sleep(1500 * time.Millisecond) // logged in and idling
		p.freeze()
		appendMail(t, "deaf", 1)
		took := waitUntil(t, 30*time.Second, "acknowledgement despite the deaf connection", func() bool { return arrived(t, "ann@patrons.test", "deaf") == 1 })
		stopDaemon(t, cmd)
		if took > 15*time.Second {
			t.Errorf("noticed the dead connection after %v; want within poll (2 s) + timeout (3 s) + backoff", took)
		}
		t.Logf("silently dropped IDLE connection: new mail answered %v later (poll_interval 2s, timeout 3s); log: %q", took.Round(time.Millisecond), firstLine(log.String(), "will reconnect"))
	})
	t.Run("the database locked by another process", func(t *testing.T) {
		e := newE2E(t)
		e.tune("")
		cmd, log := e.daemon()
		time.Sleep(time.Second)
		db := e.db()
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// SQLite: another process's write lock on the file. PostgreSQL:
		// another session's lock on the messages table.
		lock, gives := []string{"BEGIN EXCLUSIVE"}, "database is locked"
		if e.dbURL != "" {
			lock, gives = []string{"BEGIN", "LOCK TABLE messages IN ACCESS EXCLUSIVE MODE"}, "lock timeout"
		}
		for _, q := range lock {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		appendMail(t, "locked", 1)
		time.Sleep(13 * time.Second) // longer than the daemon's 10 s busy (lock) timeout
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		waitUntil(t, 40*time.Second, "acknowledgement after the lock", func() bool { return arrived(t, "ann@patrons.test", "locked") == 1 })
		stopDaemon(t, cmd)
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
			t.Errorf("%d tickets, want 1", n)
		}
		if !strings.Contains(log.String(), gives) {
			t.Errorf("the log does not say the database was locked (%q):\n%s", gives, log.String())
		}
		t.Logf("database locked 13 s: taken after the lock; log: %q", firstLine(log.String(), gives))
	})
}

func firstLine(log, word string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, word) {
			return l
		}
	}
	return ""
}

// freezingProxy forwards TCP to a server until freeze: from then on the
// connections open at that moment stay open but carry nothing, like a NAT
// or firewall that forgot them. New connections work.
type freezingProxy struct {
	addr  string
	mu    sync.Mutex
	conns []*atomic.Bool
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &freezingProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			frozen := &atomic.Bool{}
			p.mu.Lock()
			p.conns = append(p.conns, frozen)
			p.mu.Unlock()
			go pipe(c, s, frozen)
			go pipe(s, c, frozen)
		}
	}()
	return p
}

func (p *freezingProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.conns {
		f.Store(true)
	}
}

func pipe(dst, src net.Conn, frozen *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
