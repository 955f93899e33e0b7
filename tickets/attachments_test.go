package tickets

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"patrondesk/mailer"
)

// fileBytes is n bytes that are not text, different for each seed.
func fileBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// b64Lines is base64 wrapped at 76 columns, as mail clients write it.
func b64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s + "\n"
}

type file struct {
	name, typ string
	data      []byte
}

// mailWithFiles is a Gmail-style mail: a text part (none when text is
// "") and files attached beside it. head holds From, Subject and the rest.
func mailWithFiles(head, text string, files ...file) string {
	var b strings.Builder
	b.WriteString(head + "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"000b0f\"\n\n")
	if text != "" {
		b.WriteString("--000b0f\nContent-Type: text/plain; charset=\"UTF-8\"\n\n" + text + "\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "--000b0f\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s", f.typ, f.name, f.name, b64Lines(f.data))
	}
	b.WriteString("--000b0f--\n")
	return b.String()
}

func patronHead(n int) string {
	return fmt.Sprintf("From: Ann Lee <ann@example.test>\nTo: help@library.test\nSubject: Damaged book\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <att%d@example.test>", n)
}

// attachmentsOf parses a mail that arrived and returns its files.
func attachmentsOf(t *testing.T, raw string) []mailer.Attachment {
	t.Helper()
	m, err := mailer.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m.Attachments
}

func TestPatronPhotoReachesOwnerNoticeAndStore(t *testing.T) {
	h := newHarness(t, nil)
	photo := fileBytes(150_000, 1)
	h.deliver(mailWithFiles(patronHead(1), "The cover came off. Photo attached.", file{"cover.jpg", "image/jpeg", photo}))
	h.runOnce()

	notice := h.last(bob)
	got := attachmentsOf(t, notice)
	if len(got) != 1 || got[0].Name != "cover.jpg" || got[0].Type != "image/jpeg" || !bytes.Equal(got[0].Data, photo) {
		t.Fatalf("notice attachments = %d, want cover.jpg byte for byte", len(got))
	}
	body := text(t, notice)
	for _, want := range []string{"The cover came off. Photo attached.", "1 attachment:", "cover.jpg (image/jpeg, 146 KB): attached to this email"} {
		if !strings.Contains(body, want) {
			t.Errorf("notice lacks %q:\n%s", want, body)
		}
	}
	if n := len(attachmentsOf(t, h.last(ann))); n != 0 {
		t.Errorf("the patron's acknowledgement carries %d files; it should carry none", n)
	}
	d := h.ticket(1)
	if len(d.Attachments) != 1 || d.Attachments[0] != (AttachmentView{Name: "cover.jpg", Type: "image/jpeg", Size: 150_000, From: ann, Kept: true}) {
		t.Errorf("tickets show lists %+v", d.Attachments)
	}
	data, err := h.store.AttachmentData(context.Background(), 1, "cover.jpg")
	if err != nil || !bytes.Equal(data, photo) {
		t.Errorf("AttachmentData: %d bytes, %v", len(data), err)
	}
	if _, err := h.store.AttachmentData(context.Background(), 1, "other.jpg"); err != ErrNoAttachment {
		t.Errorf("a name the ticket lacks: %v", err)
	}
}

func TestAttachmentOnlyMailSaysNoText(t *testing.T) {
	h := newHarness(t, nil)
	photo := fileBytes(2_202_010, 2) // 2.1 MB
	h.deliver(mailWithFiles(patronHead(1), "", file{"photo.jpg", "image/jpeg", photo}))
	h.runOnce()
	body := text(t, h.last(bob))
	if !strings.Contains(body, "----- What they wrote -----\nno text; 1 attachment: photo.jpg, 2.1 MB\n") {
		t.Errorf("notice does not say there is no text:\n%s", body)
	}
	if got := attachmentsOf(t, h.last(bob)); len(got) != 1 || !bytes.Equal(got[0].Data, photo) {
		t.Errorf("the photo is not attached to the notice")
	}
}

func TestAttachmentLimits(t *testing.T) {
	h := newHarness(t, nil)
	h.desk.opts.MaxAttachment, h.desk.opts.MailAttachments = 1<<20, 1<<20+1000
	big, a, b := fileBytes(1<<20+1, 3), fileBytes(600_000, 4), fileBytes(600_000, 5)
	h.deliver(mailWithFiles(patronHead(1), "Three scans.", file{"big.tiff", "image/tiff", big}, file{"a.pdf", "application/pdf", a}, file{"b.pdf", "application/pdf", b}))
	h.runOnce()

	notice := h.last(bob)
	got := attachmentsOf(t, notice)
	if len(got) != 1 || got[0].Name != "a.pdf" || !bytes.Equal(got[0].Data, a) {
		t.Errorf("notice carries %d files; want only a.pdf (big.tiff is over the limit, b.pdf over the total)", len(got))
	}
	body := text(t, notice)
	for _, want := range []string{
		"3 attachments:",
		"big.tiff (image/tiff, 1 MB): larger than the 1 MB limit, so not kept; the original email in the shared mailbox still has it",
		"a.pdf (application/pdf, 586 KB): attached to this email",
		"b.pdf (application/pdf, 586 KB): not attached (the files together are too large for one email); your patrondesk administrator can get it with: patrondesk tickets attachment 1 b.pdf",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("notice lacks %q:\n%s", want, body)
		}
	}
	d := h.ticket(1)
	if len(d.Attachments) != 3 || d.Attachments[0].Kept || !d.Attachments[2].Kept {
		t.Errorf("tickets show lists %+v", d.Attachments)
	}
	if _, err := h.store.AttachmentData(context.Background(), 1, "big.tiff"); err == nil || !strings.Contains(err.Error(), "not kept") {
		t.Errorf("a file over the limit: %v", err)
	}
}

func TestSameFileIsKeptOnce(t *testing.T) {
	h := newHarness(t, nil)
	photo := fileBytes(40_000, 6)
	h.deliver(mailWithFiles(patronHead(1), "Two copies.", file{"p.jpg", "image/jpeg", photo}, file{"p.jpg", "image/jpeg", photo}))
	h.deliver(mailWithFiles(strings.Replace(patronHead(2), "Damaged book", "Another thing", 1), "Same photo.", file{"p.jpg", "image/jpeg", photo}))
	h.runOnce()
	if n := h.count(`SELECT COUNT(*) FROM blobs`); n != 1 {
		t.Errorf("%d copies of the bytes kept, want 1", n)
	}
	d := h.ticket(1)
	if len(d.Attachments) != 2 || d.Attachments[0].Name != "p.jpg" || d.Attachments[1].Name != "p-2.jpg" {
		t.Errorf("names on ticket 1: %+v", d.Attachments)
	}
}

func TestProgramFromPatronIsNotPassedOn(t *testing.T) {
	h := newHarness(t, nil)
	exe := append([]byte("MZ\x90\x00"), fileBytes(2000, 7)...)
	h.deliver(mailWithFiles(patronHead(1), "Please run this.", file{"invoice.pdf", "application/pdf", exe}))
	h.runOnce()
	notice := h.last(bob)
	if n := len(attachmentsOf(t, notice)); n != 0 {
		t.Errorf("a program disguised as a PDF was attached to the notice")
	}
	if body := text(t, notice); !strings.Contains(body, "invoice.pdf (application/pdf, 2 KB): a program file, not attached for safety") {
		t.Errorf("notice does not warn about the program:\n%s", body)
	}
}

// staffReplyWithFiles is Alice's Outlook-style reply to a notice, with files.
func (h *harness) staffReplyWithFiles(sent, answer string, n int, files ...file) {
	h.t.Helper()
	id := headerValue(sent, "Message-Id")
	head := fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: RE: %s\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <sr%d@library.test>\nIn-Reply-To: %s\nReferences: %s",
		headerValue(sent, "Subject"), n, id, id)
	h.deliver(mailWithFiles(head, answer+"\n\n-----Original Message-----\nFrom: Seymour Library <help@library.test>\n\n"+text(h.t, sent), files...))
}

func TestStaffPDFReachesPatron(t *testing.T) {
	h, notice := newTicket(t)
	form := append([]byte("%PDF-1.7\n"), fileBytes(90_000, 8)...)
	h.staffReplyWithFiles(notice, "Please fill in the attached form and bring it to the desk.", 1, file{"renewal form.pdf", "application/pdf", form})
	h.runOnce()

	got := h.mailTo(ann)
	if len(got) != 2 {
		t.Fatalf("patron got %d mails, want the acknowledgement and the answer", len(got))
	}
	files := attachmentsOf(t, got[1])
	if len(files) != 1 || files[0].Name != "renewal form.pdf" || files[0].Type != "application/pdf" || !bytes.Equal(files[0].Data, form) {
		t.Fatalf("the answer carries %d files, want renewal form.pdf byte for byte", len(files))
	}
	if body := text(t, got[1]); !strings.Contains(body, "Please fill in the attached form") {
		t.Errorf("answer text:\n%s", body)
	}
	if d := h.ticket(1); len(d.Attachments) != 1 || d.Attachments[0].From != alice {
		t.Errorf("tickets show lists %+v", d.Attachments)
	}
}

func TestStaffProgramIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    []file
		say  string
	}{
		{"an .exe", []file{{"setup.exe", "application/x-msdownload", append([]byte("MZ"), fileBytes(500, 9)...)}}, `"setup.exe" is a program file`},
		{"a script with an innocent type", []file{{"fix.vbs", "text/plain", []byte("MsgBox 1")}}, `"fix.vbs" is a program file`},
		{"a file over the limit", []file{{"scan.pdf", "application/pdf", fileBytes(1<<20+5, 10)}}, `"scan.pdf" is 1 MB, and the largest file patrondesk sends is 1 MB`},
		{"a file with no words for the patron", []file{{"form.pdf", "application/pdf", fileBytes(2000, 12)}}, "your email has a file but no words for the patron"},
		{"files together over the limit", []file{{"a.pdf", "application/pdf", fileBytes(700_000, 10)}, {"b.pdf", "application/pdf", fileBytes(700_000, 11)}},
			"your files together are 1.3 MB, and the most patrondesk sends in one email is 1.2 MB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, notice := newTicket(t)
			h.desk.opts.MaxAttachment, h.desk.opts.MailAttachments = 1<<20, 1<<20+200_000
			words := "Here is the tool."
			if strings.Contains(tt.name, "no words") {
				words = "#priority urgent"
			}
			h.staffReplyWithFiles(notice, words, 1, tt.f...)
			h.runOnce()
			if n := len(h.mailTo(ann)); n != 1 {
				t.Errorf("patron got %d mails; want only the acknowledgement", n)
			}
			reply := h.last(alice)
			body := text(t, reply)
			if !strings.HasPrefix(body, "Not done:") || !strings.Contains(body, tt.say) || !strings.Contains(body, "Nothing went to the patron") {
				t.Errorf("Alice's reply:\n%s", body)
			}
			if st := h.ticket(1).Status; st != "open" {
				t.Errorf("status = %s, want open (nothing was answered)", st)
			}
		})
	}
}

func TestStaffSignatureLogoStaysBehind(t *testing.T) {
	h, notice := newTicket(t)
	id := headerValue(notice, "Message-Id")
	logo := fileBytes(3000, 11)
	h.deliver(fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: RE: x\nDate: Mon, 07 Dec 2026 10:00:00 -0600\nMessage-ID: <logo@library.test>\nIn-Reply-To: %s\nReferences: %s\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"_rel_\"; type=\"text/html\"\n\n--_rel_\nContent-Type: text/html; charset=\"us-ascii\"\n\n<html><body><p>Your books are renewed.</p><p><img src=\"cid:image001.png@01DB\"></p></body></html>\n--_rel_\nContent-Type: image/png; name=\"image001.png\"\nContent-Disposition: inline; filename=\"image001.png\"\nContent-ID: <image001.png@01DB>\nContent-Transfer-Encoding: base64\n\n%s--_rel_--\n", id, id, b64Lines(logo)))
	h.runOnce()
	got := h.mailTo(ann)
	if len(got) != 2 {
		t.Fatalf("patron got %d mails, want the answer too", len(got))
	}
	if n := len(attachmentsOf(t, got[1])); n != 0 {
		t.Errorf("the signature logo went to the patron")
	}
}

func TestPurgeRemovesAttachments(t *testing.T) {
	h := newHarness(t, nil)
	shared, own := fileBytes(10_000, 12), fileBytes(10_000, 13)
	h.deliver(mailWithFiles(patronHead(1), "First.", file{"s.jpg", "image/jpeg", shared}, file{"o.jpg", "image/jpeg", own}))
	h.deliver(mailWithFiles(strings.Replace(patronHead(2), "Damaged book", "Second", 1), "Second.", file{"s.jpg", "image/jpeg", shared}))
	h.runOnce()
	if _, err := h.store.db.Exec(`UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = 1`, unix(h.clock.Now().AddDate(-2, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Purge(context.Background(), h.clock.Now().AddDate(-1, 0, 0), h.clock.Now(), false); err != nil {
		t.Fatal(err)
	}
	if d := h.ticket(1); len(d.Attachments) != 0 {
		t.Errorf("purged ticket still lists %+v", d.Attachments)
	}
	if n := h.count(`SELECT COUNT(*) FROM blobs`); n != 1 {
		t.Errorf("%d files' bytes left, want 1 (the one ticket 2 still has)", n)
	}
	if data, err := h.store.AttachmentData(context.Background(), 2, "s.jpg"); err != nil || !bytes.Equal(data, shared) {
		t.Errorf("ticket 2 lost its file: %v", err)
	}
	if n := h.count(`SELECT COUNT(*) FROM outbox_attachments`); n != 1 {
		t.Errorf("%d links from mail to files left, want 1 (ticket 2's notice)", n)
	}
}

func TestNewOwnerGetsThePatronsFiles(t *testing.T) {
	h := newHarness(t, nil)
	photo := fileBytes(20_000, 14)
	h.deliver(mailWithFiles(strings.Replace(patronHead(1), "Damaged book", "Please renew my card", 1), "", file{"card.jpg", "image/jpeg", photo}))
	h.runOnce()
	h.replyTo("Alice Smith <alice@library.test>", h.last(alice), "#assign Bob", 1)
	h.runOnce()
	notice := h.last(bob)
	if got := attachmentsOf(t, notice); len(got) != 1 || got[0].Name != "card.jpg" || !bytes.Equal(got[0].Data, photo) {
		t.Errorf("Bob's notice carries %d files, want card.jpg", len(got))
	}
	if body := text(t, notice); !strings.Contains(body, "no text; 1 attachment: card.jpg, 20 KB") {
		t.Errorf("Bob's notice:\n%s", body)
	}
}

func TestForwardedPatronMailKeepsItsFiles(t *testing.T) {
	h := newHarness(t, nil)
	// The library's MX vouches for Bob's forward, so it is taken at once.
	h.desk.opts.TrustedAuthserv = "mx.library.test"
	scan := fileBytes(30_000, 15)
	h.deliver(mailWithFiles("From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: Fwd: Lost card\nMessage-ID: <fwf@library.test>\nAuthentication-Results: mx.library.test; dkim=pass header.d=library.test; dmarc=pass header.from=library.test",
		"She wrote to me directly.\n\n---------- Forwarded message ---------\nFrom: Ann Lee <ann@example.test>\nDate: Mon, Dec 7, 2026 at 8:00 AM\nSubject: Lost card\nTo: <bob@library.test>\n\nI lost my library card. Here is my ID.",
		file{"id.jpg", "image/jpeg", scan}))
	h.runOnce()
	if v := h.tickets("active"); len(v) != 1 || v[0].Patron != ann {
		t.Fatalf("tickets = %+v, want Ann's", v)
	}
	if d := h.ticket(1); len(d.Attachments) != 1 || d.Attachments[0].Name != "id.jpg" {
		t.Errorf("the forwarded request lists %+v", d.Attachments)
	}
	notice := h.last(alice)
	if got := attachmentsOf(t, notice); len(got) != 1 || !bytes.Equal(got[0].Data, scan) {
		t.Errorf("the owner's notice carries %d files, want id.jpg", len(got))
	}
}
