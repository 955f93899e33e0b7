//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// e2e tests of safe, observable operation: drills, quarantine, bounces,
// deliver, refused logins.

// imapState is what a round could change on the server, for the users given:
// messages and unseen ones in INBOX, and messages in Processed.
func imapState(t *testing.T, users ...string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		c := dialUser(t, u)
		for _, folder := range []string{"INBOX", "Processed"} {
			st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
			if err != nil {
				fmt.Fprintf(&b, "%s %s: none\n", u, folder)
				continue
			}
			fmt.Fprintf(&b, "%s %s: %d messages, %d unseen\n", u, folder, *st.NumMessages, *st.NumUnseen)
		}
		c.Close()
	}
	return b.String()
}

// TestE2EDrillChangesNothing: with mail waiting in Dovecot and a request
// owed, `run --once --dry-run` and `run --once --at` a week on print what
// would go out and leave the database file's rows, every mailbox and every
// inbox as they were; `--commit` then sends through Postfix.
func TestE2EDrillChangesNothing(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-drill-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	waitInbox(t, "alice@library.test", 1)
	waitInbox(t, "ann@patrons.test", 1)
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Photos of Main Street\nMessage-ID: <e2e-drill-2@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nDo you have photos from the 1950s?\n")
	waitInbox(t, "help@library.test", 1)

	users := []string{"help@library.test", "alice@library.test", "bob@library.test", "ann@patrons.test", "marco@patrons.test"}
	rows, boxes := dbRows(t, e.dbTarget()), imapState(t, users...)
	out := e.patrondesk("run", "--once", "--dry-run")
	if !strings.Contains(out, "1 new message(s) in the mailboxes would be taken") || !strings.Contains(out, `#2 ack to marco@patrons.test: "[Seymour #2] We have your message"`) ||
		!strings.Contains(out, "#2 assigned to bob@library.test") {
		t.Errorf("run --once --dry-run said:\n%s", out)
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	at := time.Now().In(chicago).AddDate(0, 0, 14)
	for at.Weekday() != time.Wednesday {
		at = at.AddDate(0, 0, 1)
	}
	moment := time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, chicago).Format(time.RFC3339)
	out = e.patrondesk("run", "--once", "--at", moment)
	if !strings.Contains(out, "#1 nag to alice@library.test") || !strings.Contains(out, "#1 patron_update to ann@patrons.test") {
		t.Errorf("run --once --at %s said:\n%s", moment, out)
	}
	time.Sleep(time.Second) // anything sent by mistake would reach Dovecot by now
	if got := dbRows(t, e.dbTarget()); got != rows {
		t.Errorf("a drill changed the database:\nbefore:\n%s\nafter:\n%s", rows, got)
	}
	if got := imapState(t, users...); got != boxes {
		t.Errorf("a drill changed the mailboxes:\nbefore:\n%s\nafter:\n%s", boxes, got)
	}

	e.patrondesk("run", "--once", "--at", moment, "--commit")
	nag := waitInbox(t, "alice@library.test", 2)[1]
	if !strings.Contains(nag.msg.Text, "Reminder") || nag.msg.Subject != "[Seymour #1] Please renew my books" {
		t.Errorf("after --commit Alice got %q:\n%s", nag.msg.Subject, nag.msg.Text)
	}
	waitInbox(t, "marco@patrons.test", 1)
}

// TestE2EQuarantineCommands: a message in Dovecot that nobody can answer
// (no sender at all) is quarantined by a real round, then listed, shown,
// exported byte for byte, released (kept again, still unreadable) and
// deleted.
func TestE2EQuarantineCommands(t *testing.T) {
	e := newE2E(t)
	raw := "To: help@library.test\r\nSubject: card lost\r\nMessage-ID: <e2e-q-1@phone.test>\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nI lost my card. Who do I call?\r\n"
	c := dialUser(t, "help@library.test")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if out := e.patrondesk("run", "--once"); !strings.Contains(out, "1 messages quarantined") {
		t.Fatalf("run --once: %s", out)
	}
	var list []struct {
		ID      int64  `json:"id"`
		Size    int    `json:"size"`
		Reason  string `json:"reason"`
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("quarantine", "list", "--json")), &list); err != nil || len(list) != 1 ||
		list[0].Subject != "card lost" || list[0].Size != len(raw) || !strings.Contains(list[0].Reason, "no sender address") {
		t.Fatalf("quarantine list --json: %v %+v", err, list)
	}
	id := fmt.Sprint(list[0].ID)
	if out := e.patrondesk("quarantine", "show", id); !strings.Contains(out, "Message-ID: <e2e-q-1@phone.test>") || !strings.Contains(out, "Reason:   it has no sender address") {
		t.Errorf("quarantine show:\n%s", out)
	}
	if out := e.patrondesk("quarantine", "export", id); out != raw {
		t.Errorf("quarantine export is not the message as it arrived:\n%q", out)
	}
	if out := e.patrondesk("quarantine", "release", id); !strings.Contains(out, "still cannot be read") {
		t.Errorf("quarantine release:\n%s", out)
	}
	if err := json.Unmarshal([]byte(e.patrondesk("quarantine", "list", "--json")), &list); err != nil || len(list) != 1 || fmt.Sprint(list[0].ID) == id {
		t.Fatalf("after release: %v %+v", err, list)
	}
	if out := e.patrondesk("quarantine", "delete", fmt.Sprint(list[0].ID)); !strings.Contains(out, "is deleted") {
		t.Errorf("quarantine delete: %s", out)
	}
	if out := e.patrondesk("quarantine", "list"); !strings.Contains(out, "Nothing in quarantine") {
		t.Errorf("after delete: %s", out)
	}
}

// TestE2EBounceReachesTheOwner: the acknowledgement to Ann comes back as a
// delivery report (the null sender, through Postfix, as a remote server
// would send it); the next round ties it to the request and Alice, the
// owner, is told in words why, so she can phone.
func TestE2EBounceReachesTheOwner(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-bounce-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	ack := waitInbox(t, "ann@patrons.test", 1)[0]
	waitInbox(t, "alice@library.test", 1)
	dsn := fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@mx.patrons.test>\r\nTo: help@library.test\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: %s\r\nMessage-ID: <e2e-dsn-1@mx.patrons.test>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"DSN\"\r\n\r\n--DSN\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--DSN\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.patrons.test\r\n\r\nFinal-Recipient: rfc822; ann@patrons.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--DSN\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Seymour Library <help@library.test>\r\nTo: Ann Lee <ann@patrons.test>\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\n--DSN--\r\n",
		time.Now().Format(time.RFC1123Z), ack.msg.Subject, ack.msg.MessageID)
	if err := smtp.SendMail(smtpAddr, nil, "", []string{"help@library.test"}, []byte(dsn)); err != nil {
		t.Fatal(err)
	}
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	told := waitInbox(t, "alice@library.test", 2)[1]
	if told.msg.Subject != "[Seymour #1] Ann Lee cannot be reached by email" || !strings.Contains(told.msg.Text, "Please phone") ||
		!strings.Contains(told.msg.Text, "552 5.2.2 Mailbox full; status 5.2.2: the mailbox is full") || !strings.Contains(told.msg.Text, "the acknowledgement") {
		t.Errorf("Alice was told:\n%s", told.raw)
	}
	var d struct {
		Unreachable string `json:"unreachable"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", "1", "--json")), &d); err != nil || !strings.Contains(d.Unreachable, "Mailbox full") {
		t.Errorf("tickets show 1: %v %+v", err, d)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(inbox(t, "ann@patrons.test")); n != 1 {
		t.Errorf("Ann got %d mails; a bounce is never answered", n)
	}
}

// TestE2EDeliverAcknowledgedAtOnce: a message handed to `deliver` while the
// daemon runs (polling every 30 s) reaches the patron's Dovecot inbox as an
// acknowledgement within two seconds.
func TestE2EDeliverAcknowledgedAtOnce(t *testing.T) {
	e := newE2E(t)
	cmd, log := e.daemon()
	waitUntil(t, 10*time.Second, "the daemon watches the mailbox", func() bool { return strings.Contains(log.String(), "watching mailbox") })
	raw := "From: Marco Ruiz <marco@patrons.test>\r\nTo: help@library.test\r\nSubject: Photos of Main Street\r\nMessage-ID: <e2e-deliver-1@patrons.test>\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nDo you have photos from the 1950s?\r\n"
	d := exec.Command(e.bin, "deliver", "--config", e.cfg)
	d.Stdin = strings.NewReader(raw)
	start := time.Now()
	if out, err := d.Output(); err != nil || strings.TrimSpace(string(out)) != "created" {
		t.Fatalf("deliver: %v %s", err, out)
	}
	waitUntil(t, 2*time.Second, "the acknowledgement in Marco's inbox", func() bool { return len(inbox(t, "marco@patrons.test")) == 1 })
	t.Logf("acknowledgement in Marco's inbox %v after deliver began", time.Since(start).Round(time.Millisecond))
	stopDaemon(t, cmd)
}

// TestE2EWrongPasswordNamed: with a wrong IMAP password the daemon says
// "login refused for" in /healthz and logs one error, and check names it.
func TestE2EWrongPasswordNamed(t *testing.T) {
	e := newE2E(t)
	listen := "127.0.0.1:" + env("E2E_OPS_HTTP_PORT", "18525")
	b, _ := os.ReadFile(e.cfg)
	s := strings.Replace(string(b), fmt.Sprintf("password = %q", password), `password = "not-the-password"`, 1) + fmt.Sprintf("\n[http]\nlisten = %q\n", listen)
	os.WriteFile(e.cfg, []byte(s), 0o600)
	if out, _ := exec.Command(e.bin, "check", "--config", e.cfg).Output(); !strings.Contains(string(out), "login refused: check the username and password") {
		t.Errorf("check:\n%s", out)
	}
	cmd, log := e.daemon()
	health := ""
	waitUntil(t, 10*time.Second, "/healthz names the refused login", func() bool {
		health = httpGet(t, "http://"+listen+"/healthz")
		return strings.Contains(health, "login refused for help@library.test by the IMAP server")
	})
	stopDaemon(t, cmd)
	if n := strings.Count(log.String(), `level=ERROR msg="login refused`); n != 1 {
		t.Errorf("%d errors for the refused login, want 1:\n%s", n, log.String())
	}
}
