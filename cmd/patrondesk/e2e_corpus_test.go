//go:build e2e

// The shared corpus of real-world mail through Dovecot and the built binary.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2ECorpus puts every real-world message of the shared corpus into
// help@'s Dovecot mailbox (IMAP APPEND keeps the bytes as they are) and runs
// the daemon over them: nothing crashes it, each message is a ticket, an
// append, automated or quarantined with a reason, and the class matches the
// MANIFEST but for the known misses (12, listed in mailer/corpus_test.go).
func TestE2ECorpus(t *testing.T) {
	dir := os.Getenv("PATRONDESK_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpus")
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatalf("the corpus is needed (set PATRONDESK_CORPUS): %v", err)
	}
	e := newE2E(t)
	e.tune("")
	b, _ := os.ReadFile(e.cfg)
	// Answers go nowhere: the corpus senders are strangers on other domains.
	os.WriteFile(e.cfg, []byte(strings.Replace(string(b), "[smtp]\nhost = \"127.0.0.1\"\nport = "+strings.Split(smtpAddr, ":")[1], "[smtp]\nhost = \"127.0.0.1\"\nport = 9", 1)), 0o600)
	c := dialUser(t, "help@library.test")
	type item struct{ path, class string }
	byUID := map[uint32]item{}
	for _, line := range strings.Split(string(manifest), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 5 {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil {
			t.Fatal(err)
		}
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		data, err := cmd.Wait()
		if err != nil {
			t.Fatalf("APPEND %s: %v", f[0], err)
		}
		byUID[uint32(data.UID)] = item{f[0], f[4]}
	}
	c.Close()
	out, err := exec.Command(e.bin, "run", "--once", "--config", e.cfg).Output()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() != 1 {
		t.Fatalf("run --once: %v\n%s\n%s", err, out, ee.Stderr)
	}
	db := e.db()
	kinds := map[uint32]string{}
	reasons := map[uint32]string{}
	rows, err := db.Query(`SELECT uid, kind, reason FROM messages WHERE mailbox = 'INBOX'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var uid uint32
		var kind, reason string
		rows.Scan(&uid, &kind, &reason)
		kinds[uid], reasons[uid] = kind, reason
	}
	rows.Close()
	// What each class may become. A person's mail without any sender
	// address is quarantined with that reason: nobody could be answered.
	noSender := func(uid uint32) bool {
		return kinds[uid] == "unreadable" && strings.Contains(reasons[uid], "no sender")
	}
	fits := func(class string, uid uint32) bool {
		k := kinds[uid]
		switch class {
		case "patron_mail", "reply":
			return k == "personal" || noSender(uid)
		case "malformed_but_readable":
			return k != "unreadable" || noSender(uid)
		}
		return k == class
	}
	type tally struct{ total, personal, automated, quarantined, duplicate, fit int }
	table := map[string]*tally{}
	var misses []string
	for uid, it := range byUID {
		tl := table[it.class]
		if tl == nil {
			tl = &tally{}
			table[it.class] = tl
		}
		tl.total++
		k, ok := kinds[uid]
		switch {
		case !ok:
			tl.duplicate++ // the same email as an earlier file: taken once
			tl.fit++
			continue
		case k == "personal":
			tl.personal++
		case k == "unreadable":
			tl.quarantined++
		default:
			tl.automated++
		}
		if fits(it.class, uid) {
			tl.fit++
		} else {
			misses = append(misses, fmt.Sprintf("%s: %s (%.60s), MANIFEST says %s", it.path, k, reasons[uid], it.class))
		}
	}
	var b2 strings.Builder
	fmt.Fprintf(&b2, "\n%-24s %5s %8s %9s %11s %9s %8s\n", "class", "total", "tickets", "automated", "quarantined", "duplicate", "as class")
	for _, class := range []string{"patron_mail", "reply", "malformed_but_readable", "auto_reply", "bounce", "list_or_bulk"} {
		if tl := table[class]; tl != nil {
			fmt.Fprintf(&b2, "%-24s %5d %8d %9d %11d %9d %8d\n", class, tl.total, tl.personal, tl.automated, tl.quarantined, tl.duplicate, tl.fit)
		}
	}
	t.Log(b2.String())
	if n := len(inbox(t, "help@library.test")); n != 0 {
		t.Errorf("%d messages left in the INBOX", n)
	}
	if len(misses) > 12 {
		t.Errorf("%d messages not taken as their class (12 are known):\n%s", len(misses), strings.Join(misses, "\n"))
	}
	t.Logf("%d messages through Dovecot and the daemon; %d not as the MANIFEST says (known: spam and list copies without bulk headers, one empty message)", len(byUID), len(misses))
}
