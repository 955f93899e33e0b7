//go:build e2e

// The end-to-end suite: the built patrondesk binary against a real Dovecot and
// Postfix on loopback (start them with .ci/mailstack). Patrons send mail
// through Postfix; the tests read what arrives in each person's Dovecot
// mailbox. Run with: go test -tags e2e ./cmd/patrondesk
// Without the servers it fails: that is the point of the tag.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"patrondesk/mailer"
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

var (
	imapAddr = "127.0.0.1:" + env("MAILSTACK_IMAP_PORT", "1143")
	smtpAddr = "127.0.0.1:" + env("MAILSTACK_SMTP_PORT", "2525")
	password = env("MAILSTACK_PASSWORD", "secret")
)

// e2e is one test's patrondesk: a built binary, a config and a database.
type e2e struct {
	t     *testing.T
	bin   string
	cfg   string
	dbURL string // the PostgreSQL schema's URL, or "" for the SQLite file
	// dbSection is the config's [database] table on PostgreSQL ("" on SQLite).
	dbSection string
}

func newE2E(t *testing.T) *e2e {
	for _, addr := range []string{imapAddr, smtpAddr} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("no mail server at %s (start it with .ci/mailstack start): %v", addr, err)
		}
		c.Close()
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "patrondesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, u := range []string{"help@library.test", "alice@library.test", "bob@library.test", "ann@patrons.test", "marco@patrons.test", "robot@patrons.test"} {
		emptyMailbox(t, u)
	}
	ihost, iport, _ := net.SplitHostPort(imapAddr)
	shost, sport, _ := net.SplitHostPort(smtpAddr)
	database, dbURL := databaseSection(t)
	cfg := database + fmt.Sprintf(`[library]
name = "Seymour Library"
address = "help@library.test"
timezone = "America/Chicago"
tag = "Seymour"

[imap]
host = %q
port = %s
security = "none"
username = "help@library.test"
password = %q

[smtp]
host = %q
port = %s
security = "none"

[intake]
poll_interval = "30s"

[[staff]]
name = "Alice Smith"
email = "alice@library.test"
teams = ["circulation"]

[[staff]]
name = "Bob Jones"
email = "bob@library.test"
teams = ["reference"]

[[route]]
team = "circulation"
subject_words = ["renew"]

[[route]]
team = "reference"
`, ihost, iport, password, shost, sport)
	path := filepath.Join(dir, "patrondesk.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &e2e{t: t, bin: bin, cfg: path, dbURL: dbURL, dbSection: database}
}

// patrondesk runs the binary to completion and returns its stdout.
func (e *e2e) patrondesk(args ...string) string {
	e.t.Helper()
	cmd := exec.Command(e.bin, append(args, "--config", e.cfg)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("patrondesk %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

func dialUser(t *testing.T, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

// emptyMailbox removes every message from a user's INBOX and Processed.
func emptyMailbox(t *testing.T, user string) {
	c := dialUser(t, user)
	defer c.Close()
	for _, folder := range []string{"INBOX", "Processed"} {
		sel, err := c.Select(folder, nil).Wait()
		if err != nil || sel.NumMessages == 0 {
			continue
		}
		all := imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}
		if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Expunge().Close(); err != nil {
			t.Fatal(err)
		}
	}
}

type gotMail struct {
	raw string
	msg *mailer.Message
}

// inbox returns what is in a user's INBOX.
func inbox(t *testing.T, user string) []gotMail {
	c := dialUser(t, user)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
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

// waitInbox waits (at most 15 s) until a user's INBOX holds n messages.
func waitInbox(t *testing.T, user string, n int) []gotMail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := inbox(t, user)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d messages after 15 s, want %d", user, len(got), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// send hands a mail to Postfix, as a patron's mail client would.
func send(t *testing.T, from, raw string) {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	if err := smtp.SendMail(smtpAddr, nil, from, []string{"help@library.test"}, []byte(raw)); err != nil {
		t.Fatalf("send from %s: %v", from, err)
	}
}

func TestE2ERunOnce(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-ann-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")

	acks := waitInbox(t, "ann@patrons.test", 1)
	ack := acks[0]
	if ack.msg.Subject != "[Seymour #1] We have your message" || ack.msg.Header.Get("Auto-Submitted") != "auto-replied" ||
		len(ack.msg.InReplyTo) != 1 || ack.msg.InReplyTo[0] != "e2e-ann-1@patrons.test" || ack.msg.From.Email != "help@library.test" {
		t.Errorf("acknowledgement: subject %q, auto %q, in-reply-to %v, from %s", ack.msg.Subject, ack.msg.Header.Get("Auto-Submitted"), ack.msg.InReplyTo, ack.msg.From.Email)
	}
	if strings.Contains(ack.raw, "alice@") || !strings.Contains(ack.msg.Text, "Alice is looking after it") {
		t.Errorf("acknowledgement text:\n%s", ack.raw)
	}
	notice := waitInbox(t, "alice@library.test", 1)[0]
	if !strings.Contains(notice.msg.Text, "Middlemarch") || notice.msg.Subject != "[Seymour #1] Please renew my books" || !strings.HasPrefix(notice.msg.Text, "New request for you") {
		t.Errorf("owner notice:\n%s", notice.raw)
	}
	if n := len(inbox(t, "help@library.test")); n != 0 {
		t.Errorf("help@ INBOX still holds %d messages; done mail should be in Processed", n)
	}

	// Ann answers from her mail client: the same request, Alice is told.
	send(t, "ann@patrons.test", fmt.Sprintf("From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <e2e-ann-1@patrons.test> <%s>\nMessage-ID: <e2e-ann-2@patrons.test>\nDate: %s\n\nOne of them is a DVD.\n",
		ack.msg.Subject, ack.msg.MessageID, ack.msg.MessageID, time.Now().Format(time.RFC1123Z)))
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	waitInbox(t, "alice@library.test", 2)
	var list []struct {
		ID       int64  `json:"id"`
		Patron   string `json:"patron"`
		Messages int    `json:"messages"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Messages != 2 || list[0].Patron != "ann@patrons.test" {
		t.Errorf("tickets = %+v, want one ticket with 2 messages", list)
	}
	if n := len(inbox(t, "ann@patrons.test")); n != 1 {
		t.Errorf("Ann got %d mails; her reply must not be acknowledged again", n)
	}
}

func TestE2EDaemonWithIdle(t *testing.T) {
	e := newE2E(t)
	cmd := exec.Command(e.bin, "run", "--config", e.cfg)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stderr); logs <- string(b) }()
	time.Sleep(500 * time.Millisecond) // let it log in and start IDLE
	start := time.Now()
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Photos of Main Street\nMessage-ID: <e2e-marco-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nDo you have photos from the 1950s?\n")
	send(t, "robot@patrons.test", "From: robot@patrons.test\nTo: help@library.test\nSubject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <e2e-robot-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nI am away.\n")
	ack := waitInbox(t, "marco@patrons.test", 1)[0]
	t.Logf("acknowledgement in Marco's mailbox %v after his mail was accepted (poll interval 30 s, so IDLE did it)", time.Since(start).Round(time.Millisecond))
	if time.Since(start) > 10*time.Second || ack.msg.Subject != "[Seymour #1] We have your message" {
		t.Errorf("ack %q after %v", ack.msg.Subject, time.Since(start))
	}
	waitInbox(t, "bob@library.test", 1)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("patrondesk run after SIGTERM: %v\n%s", err, <-logs)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("patrondesk run did not stop within 15 s of SIGTERM")
	}
	if n := len(inbox(t, "robot@patrons.test")); n != 0 {
		t.Errorf("the out-of-office robot got %d mails", n)
	}
}

// reply is who's answer to a mail they received, through Postfix, threaded on
// it and quoting it as a mail client does.
func reply(t *testing.T, who string, to gotMail, answer string) {
	t.Helper()
	quoted := "> " + strings.ReplaceAll(to.msg.Text, "\n", "\n> ")
	send(t, who, fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <%s>\nMessage-ID: <e2e-%d@mail.test>\nDate: %s\n\n%s\n\nOn %s, Seymour Library <help@library.test> wrote:\n%s\n",
		who, to.msg.Subject, to.msg.MessageID, to.msg.MessageID, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z), answer, time.Now().Format("Mon 2 Jan 2006"), quoted))
}

func TestE2EStaffAnswerAndCommands(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-staff-ann-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	notice := waitInbox(t, "alice@library.test", 1)[0]

	// Alice answers from her own mail client, with a command on top.
	reply(t, "Alice Smith <alice@library.test>", notice, "#priority urgent\nYes, I have renewed it until the 28th.\n\nAlice\n-- \nAlice Smith, Circulation, alice@library.test")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	got := waitInbox(t, "ann@patrons.test", 2)
	answer := got[1]
	if answer.msg.From.Name != "Alice at Seymour Library" || answer.msg.From.Email != "help@library.test" ||
		!strings.Contains(answer.msg.Text, "Yes, I have renewed it until the 28th.") {
		t.Errorf("answer from %+v:\n%s", answer.msg.From, answer.msg.Text)
	}
	for _, leak := range []string{"alice@library.test", "#priority", "Staff only", "Circulation"} {
		if strings.Contains(answer.raw, leak) {
			t.Errorf("the patron's answer shows %q:\n%s", leak, answer.raw)
		}
	}
	if len(answer.msg.InReplyTo) != 1 || answer.msg.InReplyTo[0] != "e2e-staff-ann-1@patrons.test" {
		t.Errorf("answer In-Reply-To %v, want Ann's message", answer.msg.InReplyTo)
	}
	var d struct {
		Status, Priority string
		FirstResponseAt  *time.Time `json:"first_response_at"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", "1", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Status != "waiting" || d.Priority != "urgent" || d.FirstResponseAt == nil {
		t.Errorf("ticket after the answer: %+v", d)
	}

	// A misspelt command: Alice is told, nothing reaches Ann.
	reply(t, "alice@library.test", notice, "#clsoe")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	errMail := waitInbox(t, "alice@library.test", 2)[1]
	if !strings.Contains(errMail.msg.Text, `"#clsoe" is not a command`) {
		t.Errorf("explanation:\n%s", errMail.msg.Text)
	}
	if n := len(inbox(t, "ann@patrons.test")); n != 2 {
		t.Errorf("Ann got %d mails, want 2", n)
	}

	// Bob forwards a patron's email sent to him directly.
	send(t, "bob@library.test", "From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: Fwd: Photos\nMessage-ID: <e2e-fwd-1@library.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\n---------- Forwarded message ---------\nFrom: Marco Ruiz <marco@patrons.test>\nSubject: Photos\n\nDo you have photos of Main Street?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	// Without a DKIM/DMARC pass the forward could be forged: Bob confirms
	// by replying to the question, then Marco is acknowledged.
	question := waitInbox(t, "bob@library.test", 1)[0]
	reply(t, "Bob Jones <bob@library.test>", question, "Yes, I forwarded it.")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	if ack := waitInbox(t, "marco@patrons.test", 1)[0]; ack.msg.Subject != "[Seymour #2] Photos" || strings.Contains(ack.msg.Text, "forwarded it") {
		t.Errorf("Marco's acknowledgement: %q\n%s", ack.msg.Subject, ack.msg.Text)
	}
}

// TestE2EReminders: a request nobody answers gets the owner a reminder and
// the patron an update when `run --once --at` is a few open days later, through
// Postfix into their Dovecot mailboxes; a second run at the same moment sends
// nothing more.
func TestE2EReminders(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-rem-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	waitInbox(t, "alice@library.test", 1)
	waitInbox(t, "ann@patrons.test", 1)

	// The e2e config has the default hours (Monday to Friday, 9 to 5, no
	// holidays): a Wednesday at 10:00 two weeks on is always open.
	chicago, _ := time.LoadLocation("America/Chicago")
	at := time.Now().In(chicago).AddDate(0, 0, 14)
	for at.Weekday() != time.Wednesday {
		at = at.AddDate(0, 0, 1)
	}
	moment := time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, chicago).Format(time.RFC3339)
	out := e.patrondesk("run", "--once", "--at", moment, "--commit")
	if !strings.Contains(out, "#1 reminder to alice@library.test") || !strings.Contains(out, "#1 patron_update to the patron") {
		t.Errorf("run --once --at %s said:\n%s", moment, out)
	}
	nag := waitInbox(t, "alice@library.test", 2)[1]
	if !strings.HasPrefix(nag.msg.Text, "Reminder: Ann Lee is waiting for an answer") || nag.msg.Header.Get("Precedence") != "bulk" ||
		nag.msg.Subject != "[Seymour #1] Please renew my books" || len(nag.msg.InReplyTo) != 1 || nag.msg.InReplyTo[0] != waitInbox(t, "alice@library.test", 2)[0].msg.MessageID {
		t.Errorf("reminder: %q, first line %q, Precedence %q, In-Reply-To %v", nag.msg.Subject, strings.SplitN(nag.msg.Text, "\n", 2)[0], nag.msg.Header.Get("Precedence"), nag.msg.InReplyTo)
	}
	update := waitInbox(t, "ann@patrons.test", 2)[1]
	if !strings.Contains(update.msg.Text, "We have not forgotten your request.") || strings.Contains(update.raw, "alice@") {
		t.Errorf("patron update:\n%s", update.raw)
	}
	if out := e.patrondesk("run", "--once", "--at", moment, "--commit"); strings.Contains(out, "reminder") {
		t.Errorf("a second run at the same moment sent again:\n%s", out)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(inbox(t, "alice@library.test")); n != 2 {
		t.Errorf("Alice has %d mails, want the notice and one reminder", n)
	}
}

// TestE2ETwoMailboxesAndHealth: the daemon watches help@ and ill@ in
// Dovecot at once; the same email sent to both through Postfix is one
// ticket; /healthz and /metrics tell the truth; the admin's test message
// arrives.
func TestE2ETwoMailboxesAndHealth(t *testing.T) {
	e := newE2E(t)
	emptyMailbox(t, "ill@library.test")
	emptyMailbox(t, "it@library.test")
	listen := "127.0.0.1:" + env("E2E_HTTP_PORT", "18025")
	cfg, _ := os.ReadFile(e.cfg)
	extra := fmt.Sprintf("\n[http]\nlisten = %q\n\n[[mailbox]]\nname = \"ill\"\nusername = \"ill@library.test\"\npassword = %q\nprocessed = \"Processed\"\nteam = \"reference\"\n", listen, password)
	text := string(cfg) + extra
	text = strings.Replace(text, `tag = "Seymour"`, "tag = \"Seymour\"\nadmin = \"it@library.test\"", 1)
	if err := os.WriteFile(e.cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	e.patrondesk("run", "--once") // makes the database: check never does
	if out := e.patrondesk("check", "--send-test"); !strings.Contains(out, "OK    mailbox ill") || !strings.Contains(out, "test message sent to it@library.test") {
		t.Errorf("check:\n%s", out)
	}
	waitInbox(t, "it@library.test", 1)

	cmd := exec.Command(e.bin, "run", "--config", e.cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	raw := "From: Ann Lee <ann@patrons.test>\r\nTo: help@library.test, ill@library.test\r\nSubject: A book from another library\r\nMessage-ID: <e2e-two-1@patrons.test>\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nCan you get it for me?\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "ann@patrons.test", []string{"help@library.test", "ill@library.test"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	waitInbox(t, "ann@patrons.test", 1)
	metrics := ""
	for i := 0; i < 100; i++ {
		metrics = httpGet(t, "http://"+listen+"/metrics")
		if strings.Contains(metrics, `patrondesk_messages_fetched_total{mailbox="ill"} 1`) && strings.Contains(metrics, `patrondesk_messages_fetched_total{mailbox="INBOX"} 1`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(metrics, "patrondesk_tickets_created_total 1") || !strings.Contains(metrics, `patrondesk_messages_fetched_total{mailbox="ill"} 1`) {
		t.Errorf("metrics after one email to two addresses:\n%s", metrics)
	}
	if h := httpGet(t, "http://"+listen+"/healthz"); strings.TrimSpace(h) != "ok" {
		t.Errorf("/healthz: %q", h)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(inbox(t, "ann@patrons.test")); n != 1 {
		t.Errorf("Ann got %d acknowledgements for one email sent to two addresses", n)
	}
}

func httpGet(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
