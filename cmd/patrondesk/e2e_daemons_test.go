//go:build e2e

// The three-daemon drill: three `patrondesk run` processes on one PostgreSQL
// schema watch one mailbox while 1,000 emails arrive through Postfix; the
// daemon holding the mailbox's lease is killed with SIGKILL twice.
package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"patrondesk/tickets/testdb"
)

// drillLease is the drill's database.lease: short, so takeovers are quick.
const drillLease = 5 * time.Second

// daemonProc is one running `patrondesk run` of the drill.
type daemonProc struct {
	cfg    string
	listen string // its /healthz and /metrics
	name   string // its name in the leases table (run --name)
	stop   func()
}

// TestE2EThreeDaemonsOnPostgres: 1,000 emails through Postfix, three
// daemons, the lease holder killed twice during the ingest (and started
// again, under the same name, once another daemon has taken over, so three
// run again). The daemons are named (run --name), so a takeover waits the
// lease out as it would across machines. It ends
// with 1,000 tickets, none twice, every acknowledgement sent, duplicate
// acknowledgements no more than the kills, and logs each takeover time
// (kill → another daemon holds the lease and has taken mail).
func TestE2EThreeDaemonsOnPostgres(t *testing.T) {
	e := newE2E(t)
	url := e.dbURL // the PostgreSQL pass of the suite gives each test a schema
	if url == "" {
		url = testdb.Schema(t)
	}
	e.tune("")
	t.Cleanup(func() { mailstack(t, "drain") })
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const messages, kills = 1000, 2
	cfgs := drillConfigs(t, e, url)
	procs := make([]*daemonProc, len(cfgs))
	for i, c := range cfgs {
		procs[i] = startDrillDaemon(t, e, c)
	}
	waitUntil(t, 30*time.Second, "a daemon holds the mailbox", func() bool { return holder(db) != "" })
	sending := make(chan struct{})
	go func() { defer close(sending); sendThroughPostfix(t, "drill", messages) }()
	takeovers := make([]time.Duration, 0, kills)
	for k, at := range []int{messages / 5, messages / 2} {
		waitUntil(t, 60*time.Second, fmt.Sprintf("%d tickets before kill %d", at, k+1), func() bool {
			return countSoon(db, `SELECT COUNT(*) FROM tickets`) >= at
		})
		took := killHolder(t, db, e, procs, k+1)
		takeovers = append(takeovers, took)
	}
	<-sending
	waitUntil(t, 60*time.Second, "1,000 tickets, every acknowledgement sent", func() bool {
		return countSoon(db, `SELECT COUNT(*) FROM tickets`) >= messages &&
			countSoon(db, `SELECT COUNT(*) FROM outbox WHERE kind = 'ack' AND status = 'sent'`) >= messages
	})
	checkDrillDatabase(t, db, messages)
	got := arrivedAcks(t, messages)
	distinct := map[string]bool{}
	for _, s := range got {
		distinct[s] = true
	}
	dups := len(got) - len(distinct)
	if len(distinct) != messages || dups > kills {
		t.Errorf("patrons got %d acknowledgements for %d requests (%d duplicates, at most %d allowed: one per kill)", len(got), len(distinct), dups, kills)
	}
	for _, d := range takeovers {
		if d > drillLease+7*time.Second {
			t.Errorf("a takeover took %.1fs; want within the lease (%s) and a few seconds", d.Seconds(), drillLease)
		}
	}
	checkHealthSaysWhoHolds(t, db, procs)
	t.Logf("three-daemon drill: %d emails through Postfix, %d SIGKILLs of the lease holder (each started again after the takeover) -> %d tickets, %d acknowledgements delivered, %d duplicates",
		messages, kills, countSoon(db, `SELECT COUNT(*) FROM tickets`), len(got), dups)
}

// drillConfigs writes one config per daemon: the e2e config on the
// PostgreSQL schema with a short lease, one SMTP connection (so a kill can
// catch at most one mail between the server's accept and its record), and
// its own health listener.
func drillConfigs(t *testing.T, e *e2e, url string) []string {
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(string(b), "\n[intake]\n", "connections = 1\n\n[intake]\n", 1)
	base = strings.Replace(base, e.dbSection, "", 1) // the drill writes its own
	base += fmt.Sprintf("\n[database]\nurl = %q\nlease = %q\n", url, drillLease.String())
	var out []string
	for i := range 3 {
		path := filepath.Join(filepath.Dir(e.cfg), fmt.Sprintf("daemon%d.toml", i+1))
		cfg := base + fmt.Sprintf("\n[http]\nlisten = %q\n", freeAddr(t)) // read back by listenOf
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	return out
}

// startDrillDaemon starts `patrondesk run` on cfg, named for its config
// (daemon1 …). A named daemon is to the others as one on another machine:
// its lease is waited out, not freed when its process is seen gone.
func startDrillDaemon(t *testing.T, e *e2e, cfg string) *daemonProc {
	name := strings.TrimSuffix(filepath.Base(cfg), ".toml")
	cmd := exec.Command(e.bin, "run", "--config", cfg, "--name", name)
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("log of %s (pid %d):\n%s", name, cmd.Process.Pid, tail(log.String(), 40))
		}
	})
	return &daemonProc{cfg: cfg, listen: listenOf(t, cfg), name: name, stop: stop}
}

// holder is the daemon holding the mailbox's lease now, or "".
func holder(db *sql.DB) string {
	var h string
	db.QueryRow(`SELECT holder FROM leases WHERE name = 'mailbox:INBOX' AND expires_at > $1`, time.Now().UnixMilli()).Scan(&h)
	return h
}

// killHolder kills the lease holder with SIGKILL, waits until another
// daemon holds the lease and has taken mail, starts the killed one again,
// and returns the takeover time.
func killHolder(t *testing.T, db *sql.DB, e *e2e, procs []*daemonProc, n int) time.Duration {
	h := holder(db)
	i := -1
	for j, p := range procs {
		if p.name == h {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("kill %d: the lease is held by %q, not by one of the drill's daemons", n, h)
	}
	killed := time.Now()
	procs[i].stop()
	before := countSoon(db, `SELECT COUNT(*) FROM tickets`)
	var leaseAfter time.Duration
	waitUntil(t, 30*time.Second, fmt.Sprintf("kill %d: another daemon takes the mailbox", n), func() bool {
		now := holder(db)
		if leaseAfter == 0 && now != "" && now != h {
			leaseAfter = time.Since(killed)
		}
		return leaseAfter > 0 && countSoon(db, `SELECT COUNT(*) FROM tickets`) > before
	})
	took := time.Since(killed)
	t.Logf("takeover: kill %d: %.1fs", n, took.Seconds())
	t.Logf("kill %d: %s killed at %d tickets; lease held by %s after %.1fs, mail taken after %.1fs", n, h, before, holder(db), leaseAfter.Seconds(), took.Seconds())
	procs[i] = startDrillDaemon(t, e, procs[i].cfg)
	return took
}

// sendThroughPostfix hands n patrons' mails to Postfix over two SMTP
// connections, alternating between two patrons.
func sendThroughPostfix(t *testing.T, prefix string, n int) {
	var wg sync.WaitGroup
	for part := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(smtpAddr)
			if err != nil {
				t.Errorf("dial Postfix: %v", err)
				return
			}
			defer c.Quit()
			for i := part; i < n; i += 2 {
				if err := sendOne(c, prefix, i); err != nil {
					t.Errorf("mail %d to Postfix: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func sendOne(c *smtp.Client, prefix string, i int) error {
	from := []string{"ann@patrons.test", "marco@patrons.test"}[i%2]
	raw := fmt.Sprintf("From: %s\r\nTo: help@library.test\r\nSubject: %s request %d\r\nMessage-ID: <%s-%d@patrons.test>\r\nDate: %s\r\n"+
		"Authentication-Results: mx.library.test; dkim=pass header.d=patrons.test\r\n\r\nPlease help with request %d. %s\r\n",
		from, prefix, i, prefix, i, time.Now().Format(time.RFC1123Z), i, strings.Repeat("Some words of a real request. ", 10))
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt("help@library.test"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(raw)); err != nil {
		return err
	}
	return w.Close()
}

// checkDrillDatabase: one ticket per email, none twice, one acknowledgement
// each, all sent.
func checkDrillDatabase(t *testing.T, db *sql.DB, messages int) {
	tickets := count(t, db, `SELECT COUNT(*) FROM tickets`)
	taken := count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	twice := count(t, db, `SELECT COUNT(*) FROM (SELECT message_id FROM messages WHERE direction = 'in' GROUP BY message_id HAVING COUNT(*) > 1) AS d`)
	acks := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'ack'`)
	unsent := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'ack' AND status <> 'sent'`)
	if tickets != messages || taken != messages || twice != 0 || acks != messages || unsent != 0 {
		t.Errorf("%d tickets, %d messages taken (%d twice), %d acknowledgements queued, %d not sent; want %d, %d (0), %d, 0",
			tickets, taken, twice, acks, unsent, messages, messages, messages)
	}
}

// arrivedAcks waits until the patrons' mailboxes hold an acknowledgement
// for every request and no more arrive for two seconds (a duplicate from a
// kill is sent before the last original is marked sent, so it is in
// Postfix by now), and returns their subjects.
func arrivedAcks(t *testing.T, messages int) []string {
	var got []string
	acks := func() []string {
		var out []string
		for _, s := range append(subjects(t, "ann@patrons.test"), subjects(t, "marco@patrons.test")...) {
			if strings.Contains(s, "drill request") {
				out = append(out, s)
			}
		}
		return out
	}
	waitUntil(t, 60*time.Second, "acknowledgements delivered", func() bool {
		got = acks()
		return len(got) >= messages
	})
	for still := time.Now(); time.Since(still) < 2*time.Second; time.Sleep(250 * time.Millisecond) {
		if n := acks(); len(n) != len(got) {
			got, still = n, time.Now()
		}
	}
	return got
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// listenOf reads a drill config's [http] listen address.
func listenOf(t *testing.T, cfg string) string {
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(b), "[http]\nlisten = \"")
	addr, _, _ := strings.Cut(after, "\"")
	return addr
}

// checkHealthSaysWhoHolds: every daemon's /healthz?format=json names the
// lease holder, only the holder says it holds the mailbox, and its
// /metrics says so too.
func checkHealthSaysWhoHolds(t *testing.T, db *sql.DB, procs []*daemonProc) {
	h := holder(db)
	holding := 0
	for _, p := range procs {
		var got health
		body := httpGet(t, "http://"+p.listen+"/healthz?format=json")
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Errorf("%s /healthz?format=json: %v: %s", p.name, err, body)
			continue
		}
		if got.Daemon != p.name || len(got.Mailboxes) != 1 || got.Mailboxes[0].Holder != h || got.Mailboxes[0].ExpiresAt == nil {
			t.Errorf("%s /healthz?format=json says %s; want itself, and INBOX held by %s with its expiry", p.name, body, h)
		}
		metric := `patrondesk_mailbox_lease_held{mailbox="INBOX"} 0`
		if p.name == h {
			holding++
			metric = `patrondesk_mailbox_lease_held{mailbox="INBOX"} 1`
			if len(got.Holds) != 1 || got.Holds[0] != "INBOX" || !got.Mailboxes[0].Mine {
				t.Errorf("the holder's /healthz?format=json: %s", body)
			}
		}
		if m := httpGet(t, "http://"+p.listen+"/metrics"); !strings.Contains(m, metric) {
			t.Errorf("%s /metrics lacks %s", p.name, metric)
		}
	}
	if holding != 1 {
		t.Errorf("%d daemons hold the mailbox, want 1", holding)
	}
	t.Logf("/healthz?format=json of %s: %s", procs[0].name, strings.TrimSpace(httpGet(t, "http://"+procs[0].listen+"/healthz?format=json")))
}
