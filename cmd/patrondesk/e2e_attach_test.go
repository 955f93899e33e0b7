//go:build e2e

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// e2eFile is some bytes that are not text, different for each seed.
func e2eFile(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed ^ byte(i>>8)
	}
	return b
}

// withFile is a mail as Gmail or Outlook sends one: headers, a text part
// (none when text is "") and one file.
func withFile(head, text, name, typ string, data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	var b strings.Builder
	b.WriteString(head + "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=_e2e_\"\n\n")
	if text != "" {
		b.WriteString("--=_e2e_\nContent-Type: text/plain; charset=utf-8\n\n" + text + "\n")
	}
	fmt.Fprintf(&b, "--=_e2e_\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n--=_e2e_--\n",
		typ, name, name, strings.Join(lines, "\n"))
	return b.String()
}

// staffReplyWithFile is a staff member's reply to a notice, quoting it, with
// a file attached.
func staffReplyWithFile(t *testing.T, who string, to gotMail, answer, name, typ string, data []byte) {
	t.Helper()
	head := fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <%s>\nMessage-ID: <e2e-att-%d@library.test>\nDate: %s",
		who, to.msg.Subject, to.msg.MessageID, to.msg.MessageID, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z))
	quoted := "> " + strings.ReplaceAll(to.msg.Text, "\n", "\n> ")
	send(t, "alice@library.test", withFile(head, answer+"\n\nOn "+time.Now().Format("Mon 2 Jan 2006")+", Seymour Library <help@library.test> wrote:\n"+quoted, name, typ, data))
}

func onlyFile(t *testing.T, m gotMail, name, typ string, data []byte) {
	t.Helper()
	if len(m.msg.Attachments) != 1 {
		t.Fatalf("%d files arrived, want %s:\n%.3000s", len(m.msg.Attachments), name, m.raw)
	}
	a := m.msg.Attachments[0]
	if a.Name != name || a.Type != typ || !bytes.Equal(a.Data, data) {
		t.Errorf("arrived %q %q (%d bytes), want %q %q (%d bytes) byte for byte", a.Name, a.Type, len(a.Data), name, typ, len(data))
	}
}

// TestE2EAttachmentsBothWays: a patron's photo reaches the owner's notice
// and `tickets attachment` writes it out identical; a staff member's PDF
// reaches the patron identical; a program is refused with a plain reply.
func TestE2EAttachmentsBothWays(t *testing.T) {
	e := newE2E(t)
	photo := e2eFile(300_000, 0x5a)
	now := time.Now().Format(time.RFC1123Z)
	send(t, "ann@patrons.test", withFile("From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-att-ann-1@patrons.test>\nDate: "+now,
		"Can I keep these two more weeks? Photo of the covers attached.", "covers.jpg", "image/jpeg", photo))
	scan := e2eFile(50_000, 0x17)
	send(t, "marco@patrons.test", withFile("From: Marco Ruiz <marco@patrons.test>\nTo: help@library.test\nSubject: Old map\nMessage-ID: <e2e-att-marco-1@patrons.test>\nDate: "+now,
		"", "map.png", "image/png", scan))
	waitInbox(t, "help@library.test", 2)
	e.patrondesk("run", "--once")

	notice := waitInbox(t, "alice@library.test", 1)[0]
	onlyFile(t, notice, "covers.jpg", "image/jpeg", photo)
	if !strings.Contains(notice.msg.Text, "covers.jpg (image/jpeg, 293 KB): attached to this email") {
		t.Errorf("Alice's notice does not name the photo:\n%s", notice.msg.Text)
	}
	bobs := waitInbox(t, "bob@library.test", 1)[0]
	onlyFile(t, bobs, "map.png", "image/png", scan)
	if !strings.Contains(bobs.msg.Text, "no text; 1 attachment: map.png, 49 KB") {
		t.Errorf("Bob's notice for a mail with only a file:\n%s", bobs.msg.Text)
	}

	var list []struct {
		ID     int64  `json:"id"`
		Patron string `json:"patron"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, tk := range list {
		if tk.Patron == "ann@patrons.test" {
			id = fmt.Sprint(tk.ID)
		}
	}
	var show struct {
		Attachments []struct {
			Name string `json:"name"`
			Type string `json:"type"`
			Size int64  `json:"size"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", id, "--json")), &show); err != nil {
		t.Fatal(err)
	}
	if len(show.Attachments) != 1 || show.Attachments[0].Name != "covers.jpg" || show.Attachments[0].Type != "image/jpeg" || show.Attachments[0].Size != int64(len(photo)) {
		t.Errorf("tickets show --json attachments = %+v", show.Attachments)
	}
	if out := e.patrondesk("tickets", "attachment", id, "covers.jpg"); out != string(photo) {
		t.Errorf("tickets attachment wrote %d bytes that differ from the %d Ann sent", len(out), len(photo))
	}

	// Alice answers with a PDF form: it reaches Ann byte for byte.
	form := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), e2eFile(120_000, 0x33)...)
	staffReplyWithFile(t, "Alice Smith <alice@library.test>", notice, "Please fill in the attached form and bring it to the desk.", "renewal form.pdf", "application/pdf", form)
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	answer := waitInbox(t, "ann@patrons.test", 2)[1]
	onlyFile(t, answer, "renewal form.pdf", "application/pdf", form)
	if !strings.Contains(answer.msg.Text, "Please fill in the attached form") || strings.Contains(answer.raw, "alice@library.test") {
		t.Errorf("Ann's answer:\n%s", answer.msg.Text)
	}

	// A program is refused in plain words, and Ann gets nothing.
	exe := append([]byte("MZ\x90\x00\x03"), e2eFile(4000, 0x44)...)
	staffReplyWithFile(t, "Alice Smith <alice@library.test>", notice, "Run this to fix your card.", "cardfix.exe", "application/x-msdownload", exe)
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	refusal := waitInbox(t, "alice@library.test", 2)[1]
	if !strings.HasPrefix(refusal.msg.Text, "Not done:") || !strings.Contains(refusal.msg.Text, `"cardfix.exe" is a program file`) ||
		!strings.Contains(refusal.msg.Text, "Nothing went to the patron") || len(refusal.msg.Attachments) != 0 {
		t.Errorf("Alice's refusal:\n%s", refusal.msg.Text)
	}
	if got := inbox(t, "ann@patrons.test"); len(got) != 2 {
		t.Errorf("Ann has %d mails, want 2: the program must not reach her", len(got))
	}
}

// TestE2EThanksAndNoticeThread: after #close, the patron's "Thank you so
// much!" does not reopen the request; Alice's notices about it keep one
// subject and thread on each other.
func TestE2EThanksAndNoticeThread(t *testing.T) {
	e := newE2E(t)
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-thx-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	notice := waitInbox(t, "alice@library.test", 1)[0]
	reply(t, "Alice Smith <alice@library.test>", notice, "#close\nDone: renewed until the 28th.")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")
	closing := waitInbox(t, "ann@patrons.test", 2)[1]
	reply(t, "Ann Lee <ann@patrons.test>", closing, "Thank you so much!\n\nAnn")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")

	thanks := waitInbox(t, "alice@library.test", 2)[1]
	if thanks.msg.Subject != notice.msg.Subject || thanks.msg.Subject != "[Seymour #1] Please renew my books" ||
		len(thanks.msg.InReplyTo) != 1 || thanks.msg.InReplyTo[0] != notice.msg.MessageID ||
		!strings.HasPrefix(thanks.msg.Text, "Ann Lee thanked you for request 1.") {
		t.Errorf("thanks notice: subject %q, In-Reply-To %v (first notice %s):\n%s", thanks.msg.Subject, thanks.msg.InReplyTo, notice.msg.MessageID, thanks.msg.Text)
	}
	var show struct {
		Status string  `json:"status"`
		DueAt  *string `json:"due_at"`
	}
	if err := json.Unmarshal([]byte(e.patrondesk("tickets", "show", "1", "--json")), &show); err != nil {
		t.Fatal(err)
	}
	if show.Status != "solved" || show.DueAt != nil {
		t.Errorf("after thanks: status %s, due %v; want still solved with nothing due", show.Status, show.DueAt)
	}
	if n := len(inbox(t, "ann@patrons.test")); n != 2 {
		t.Errorf("Ann has %d mails; a thank-you gets no answer", n)
	}
}
