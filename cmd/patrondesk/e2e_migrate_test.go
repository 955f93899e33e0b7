//go:build e2e

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets/testdb"
)

// TestE2EMoveToPostgres: the built binary takes mail on SQLite, is stopped,
// `migrate --to` moves the desk to PostgreSQL, the config is switched to the
// URL (and the SQLite file put aside), and the next round on PostgreSQL puts
// a patron's reply to the acknowledgement sent before the move on the same
// ticket; a drill on PostgreSQL changes nothing; numbering goes on.
func TestE2EMoveToPostgres(t *testing.T) {
	pgURL := testdb.Schema(t)
	e := newE2E(t)
	e.onSQLite() // the move starts from the SQLite file, in either pass of the suite
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-move-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Photos of Main Street\nMessage-ID: <e2e-move-2@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nDo you have photos from the 1950s?\n")
	waitInbox(t, "help@library.test", 2)
	e.patrondesk("run", "--once")
	ack := waitInbox(t, "ann@patrons.test", 1)[0]
	waitInbox(t, "alice@library.test", 1)
	waitInbox(t, "marco@patrons.test", 1)

	if out := e.patrondesk("migrate", "--to", pgURL); !strings.Contains(out, "All counts match") {
		t.Fatalf("migrate --to said:\n%s", out)
	}
	e.useDatabaseURL(pgURL)

	reply(t, "ann@patrons.test", ack, "One of them is a DVD.")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	// Postfix may deliver the two first mails in either order: Ann's request
	// is the number her acknowledgement gave.
	var ann int64
	if _, err := fmt.Sscanf(ack.msg.Subject, "[Seymour #%d]", &ann); err != nil {
		t.Fatalf("Ann's acknowledgement %q has no request number", ack.msg.Subject)
	}
	if got := waitInbox(t, "alice@library.test", 2)[1]; got.msg.Subject != fmt.Sprintf("[Seymour #%d] Please renew my books", ann) || !strings.Contains(got.msg.Text, "DVD") {
		t.Errorf("Alice was told %q:\n%s", got.msg.Subject, got.msg.Text)
	}
	var list []struct {
		ID       int64 `json:"id"`
		Messages int   `json:"messages"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || messagesOf(list, ann) != 2 {
		t.Errorf("tickets on PostgreSQL = %+v, want 2 with Ann's reply on #%d", list, ann)
	}

	// A drill on PostgreSQL: it sees the new mail and changes nothing.
	send(t, "marco@patrons.test", "From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: A rare atlas\nMessage-ID: <e2e-move-3@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCould you borrow an atlas of Patagonia?\n")
	waitInbox(t, "help@library.test", 1)
	users := []string{"help@library.test", "alice@library.test", "bob@library.test", "ann@patrons.test", "marco@patrons.test"}
	rows, boxes := dbRows(t, pgURL), imapState(t, users...)
	out := e.patrondesk("run", "--once", "--dry-run")
	if !strings.Contains(out, "1 new message(s) in the mailboxes would be taken") || !strings.Contains(out, `#3 ack to marco@patrons.test: "[Seymour #3] We have your message"`) {
		t.Errorf("the drill on PostgreSQL said:\n%s", out)
	}
	time.Sleep(time.Second) // anything sent by mistake would reach Dovecot by now
	if got := dbRows(t, pgURL); got != rows {
		t.Errorf("the drill changed the database:\nbefore:\n%s\nafter:\n%s", rows, got)
	}
	if got := imapState(t, users...); got != boxes {
		t.Errorf("the drill changed the mailboxes:\nbefore:\n%s\nafter:\n%s", boxes, got)
	}
	e.patrondesk("run", "--once")
	if got := waitInbox(t, "marco@patrons.test", 2)[1]; got.msg.Subject != "[Seymour #3] We have your message" {
		t.Errorf("the first request after the move was acknowledged as %q, want #3", got.msg.Subject)
	}
}

// useDatabaseURL points the config at PostgreSQL and puts the SQLite file
// aside, so nothing can use it by mistake.
func (e *e2e) useDatabaseURL(url string) {
	e.t.Helper()
	f, err := os.OpenFile(e.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = fmt.Fprintf(f, "\n[database]\nurl = %q\n", url)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(e.dbPath(), e.dbPath()+".before-postgres"); err != nil {
		e.t.Fatal(err)
	}
}

func messagesOf(list []struct {
	ID       int64 `json:"id"`
	Messages int   `json:"messages"`
}, id int64) int {
	for _, l := range list {
		if l.ID == id {
			return l.Messages
		}
	}
	return 0
}
