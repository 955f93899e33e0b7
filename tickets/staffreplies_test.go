package tickets

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// staffCase is one reply of the staff-reply corpus (testdata/staffreplies,
// see its README) with what the desk must do with it.
type staffCase struct {
	name, context, patron, handover, greeting, answer string
	commands                                          []string
	raw                                               []byte
}

func readStaffCases(t *testing.T) []staffCase {
	t.Helper()
	dir := filepath.Join("testdata", "staffreplies")
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 48 {
		t.Fatalf("the corpus has %d replies, want at least 48", len(names))
	}
	var out []staffCase
	for _, eml := range names {
		raw, err := os.ReadFile(eml)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(eml, ".eml") + ".want")
		if err != nil {
			t.Fatal(err)
		}
		c := staffCase{name: strings.TrimSuffix(filepath.Base(eml), ".eml"), raw: raw}
		head, answer, _ := strings.Cut(strings.ReplaceAll(string(want), "\r\n", "\n"), "\n---\n")
		c.answer = trimLines(answer)
		for _, l := range strings.Split(head, "\n") {
			k, v, _ := strings.Cut(l, ":")
			if i := strings.Index(v, " #"); i >= 0 && k != "commands" && k != "handover" {
				v = v[:i] // a comment
			}
			v = strings.TrimSpace(v)
			switch k {
			case "context":
				c.context = v
			case "patron":
				c.patron = v
			case "handover":
				c.handover = v
			case "greeting":
				c.greeting = v
			case "commands":
				if v != "none" {
					for _, cmd := range strings.Split(v, ";") {
						c.commands = append(c.commands, strings.TrimSpace(cmd))
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// trimLines drops trailing spaces on each line and blank lines at both ends.
func trimLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

const (
	corpusPatron = "ann@patrons.test"
	corpusTicket = 42
)

// corpusDesk sets up the corpus's situation: ticket 42 from Ann Lee, owned
// by Alice (who also writes as alice.smith@), then the case's context. It
// returns the Message-ID of the notice the reply answers.
func corpusDesk(t *testing.T, context string) (*harness, string) {
	h := newHarness(t, nil)
	opts := h.desk.opts
	opts.Staff = append([]Staff(nil), opts.Staff...)
	opts.Staff[0].Aliases = []string{"alice.smith@library.test"}
	h.desk.Reload(opts, h.desk.tpl)
	if _, err := h.store.db.Exec(`INSERT INTO tickets (id, status, subject, patron_name, patron_email, created_at, updated_at) VALUES (41, 'closed', 'earlier', 'Earlier', 'earlier@example.test', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := h.store.syncIDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.deliver("From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <ann-42@patrons.test>\n\nCan I keep my three books two more weeks?\n")
	h.runOnce()
	notice := h.last(alice)
	if !strings.Contains(headerValue(notice, "Subject"), "#42]") {
		t.Fatalf("the notice is not about request 42: %s", headerValue(notice, "Subject"))
	}
	switch context {
	case "note-then-notice":
		h.replyTo("Bob Jones <bob@library.test>", notice, "#note Ann's PIN is 4417, card blocked until fine paid", 900)
		h.runOnce()
		if n := h.count(`SELECT COUNT(*) FROM messages WHERE ticket_id = 42 AND kind = 'staff_note' AND body LIKE '%4417%'`); n != 1 {
			t.Fatalf("Bob's note was not kept (%d)", n)
		}
		notice = h.last(alice)
	case "solved-then-notice":
		h.replyTo("Alice Smith <alice@library.test>", notice, "#close\nAll three books are renewed until 21 December.", 901)
		h.runOnce()
		if s := h.ticket(corpusTicket).Status; s != "solved" {
			t.Fatalf("status after #close = %s", s)
		}
	}
	return h, headerValue(notice, "Message-Id")
}

// patronAnswer is the staff member's part of a mail to the patron: between
// the greeting line and the signature (a sign-off line, the first name, the
// library), without the desk's own closing paragraph.
func patronAnswer(body string) (greeting, answer string) {
	lines := strings.Split(trimLines(body), "\n")
	greeting, lines = lines[0], lines[1:]
	end := len(lines)
	for i := range lines {
		if i+1 < len(lines) && lines[i] == "Alice" && lines[i+1] == "Seymour Library" {
			end = i
			break
		}
	}
	lines = lines[:end]
	for i, l := range lines {
		if strings.HasPrefix(l, "We think we have sorted out your request") {
			lines = lines[:i]
			break
		}
	}
	out := trimLines(strings.Join(lines, "\n"))
	// The staff member's own sign-off sits on its own line over the name.
	if i := strings.LastIndex(out, "\n"); i >= 0 && !strings.Contains(out[i:], ".") && len(strings.Fields(out[i:])) <= 4 {
		if j := strings.LastIndex(out[:i], "\n\n"); j < 0 || j < i {
			out = trimLines(out[:i])
		}
	}
	return greeting, out
}

func TestStaffReplyCorpus(t *testing.T) {
	for _, c := range readStaffCases(t) {
		t.Run(c.name, func(t *testing.T) {
			h, noticeID := corpusDesk(t, c.context)
			noticeID = strings.Trim(noticeID, "<>")
			before := h.ticket(corpusTicket)
			annBefore, bobBefore := len(h.mailTo(corpusPatron)), len(h.mailTo(bob))
			raw := bytes.ReplaceAll(c.raw, []byte("{{NOTICE_ID}}"), []byte(noticeID))
			if err := h.srv.Append(helpAddr, "INBOX", raw, h.clock.Now()); err != nil {
				t.Fatal(err)
			}
			h.runOnce()
			after := h.ticket(corpusTicket)
			annMail := h.mailTo(corpusPatron)[annBefore:]

			switch c.patron {
			case "nothing":
				if len(annMail) != 0 {
					t.Fatalf("the patron got %d mail(s), want none:\n%s", len(annMail), text(t, annMail[0]))
				}
				if len(c.commands) == 0 && after.Status != before.Status {
					t.Errorf("status %s -> %s, want unchanged", before.Status, after.Status)
				}
				if len(c.commands) == 0 && after.FirstResponseAt != nil && before.FirstResponseAt == nil {
					t.Errorf("the ticket counts as answered")
				}
				if len(c.commands) == 0 {
					// Held back: kept as a note, and Alice is told why.
					if s := headerValue(h.last(alice), "Subject"); !strings.Contains(s, "Not sent to the patron") {
						t.Errorf("Alice was not told her reply was held; her last mail: %s", s)
					}
					if !hasEvent(after, alice, "held") {
						t.Errorf("no held event")
					}
				}
			case "answer":
				if len(annMail) != 1 {
					t.Fatalf("the patron got %d mails, want 1 answer; Alice got:\n%s", len(annMail), text(t, h.last(alice)))
				}
				body := text(t, annMail[0])
				greeting, answer := patronAnswer(body)
				if answer != c.answer {
					t.Errorf("the patron got:\n%s\n\nwant the answer:\n%s", body, c.answer)
				}
				wantGreeting := "Hello Ann,"
				if c.greeting != "" {
					wantGreeting = c.greeting
				}
				if greeting != wantGreeting || strings.Count(body, wantGreeting) != 1 || wantGreeting != "Hello Ann," && strings.Contains(body, "Hello Ann,") {
					t.Errorf("greeting %q, want %q once:\n%s", greeting, wantGreeting, body)
				}
				// The whole mail but its ids (random letters and digits could
				// spell "555").
				shown := withoutIDs(annMail[0])
				for _, secret := range []string{"alice@", "alice.smith@", "555", "4417", "Staff only", "##-", "Librarian", "Sent from", "Outlook for"} {
					if strings.Contains(shown, secret) {
						t.Errorf("the patron's mail shows %q:\n%s", secret, body)
					}
				}
			}
			checkCommands(t, h, c, before, after)
			if c.handover != "" {
				bobMail := h.mailTo(bob)[bobBefore:]
				if len(bobMail) != 1 {
					t.Fatalf("Bob got %d mails, want the hand-over notice", len(bobMail))
				}
				top, _, _ := strings.Cut(text(t, bobMail[0]), "To answer")
				if !strings.Contains(top, c.handover) {
					t.Errorf("Bob's notice does not start with the hand-over %q:\n%s", c.handover, text(t, bobMail[0]))
				}
				for _, m := range h.mailTo(corpusPatron) {
					if strings.Contains(text(t, m), "She is a teacher") {
						t.Errorf("the hand-over reached the patron")
					}
				}
			}
		})
	}
}

// checkCommands asserts what each listed command did, and that no other
// command acted.
func checkCommands(t *testing.T, h *harness, c staffCase, before, after *Detail) {
	t.Helper()
	acted := func(action string) bool {
		return slices.ContainsFunc(after.Events[len(before.Events):], func(e EventView) bool { return e.Action == action })
	}
	want := map[string]bool{}
	for _, cmd := range c.commands {
		word, _, _ := strings.Cut(cmd, " ")
		want[word] = true
		switch word {
		case "#priority":
			if after.Priority != "urgent" {
				t.Errorf("priority = %s, want urgent", after.Priority)
			}
			if after.Status != before.Status {
				t.Errorf("status %s -> %s, want unchanged", before.Status, after.Status)
			}
		case "#assign":
			if after.Owner == nil || *after.Owner != bob {
				t.Errorf("owner = %v, want Bob", after.Owner)
			}
		case "#reopen":
			if after.Status != "open" || after.DueAt == nil {
				t.Errorf("status %s, due %v: want open with a due date", after.Status, after.DueAt)
			}
		case "#wait":
			if !acted("no reminders until") {
				t.Errorf("no #wait event")
			}
		case "#close":
			if after.Status != "solved" {
				t.Errorf("status = %s, want solved", after.Status)
			}
		case "#note":
			if after.Status != before.Status || acted("answered the patron") {
				t.Errorf("a note changed the status (%s -> %s) or answered", before.Status, after.Status)
			}
		case "#status":
			reply := text(t, h.last(alice))
			if !strings.Contains(reply, "Status:       "+after.Status) {
				t.Errorf("#status reply does not give the status after the reply (%s):\n%s", after.Status, reply)
			}
		}
	}
	for word, action := range map[string]string{"#priority": "priority", "#assign": "assigned", "#reopen": "reopened", "#wait": "no reminders until", "#close": "solved"} {
		if !want[word] && acted(action) {
			t.Errorf("%s acted, but the reply does not ask for it", word)
		}
	}
}

// withoutIDs is a raw mail without its Message-ID, In-Reply-To and
// References lines (and their folded continuations).
func withoutIDs(raw string) string {
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	var kept []string
	skip := false
	for _, l := range strings.Split(head, "\r\n") {
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			if !skip {
				kept = append(kept, l)
			}
			continue
		}
		k, _, _ := strings.Cut(l, ":")
		k = strings.ToLower(k)
		skip = k == "message-id" || k == "in-reply-to" || k == "references"
		if !skip {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\r\n") + "\r\n\r\n" + body
}
