package mailer

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// b64 wraps base64 at 76 columns, as mail clients do.
func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}

// photo is some bytes that are not text: every byte value, twice.
var photo = func() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

var pdf = append([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte("form field \x00\xff"), 40)...)

func crlfs(s string) string { return string(crlf(s)) }

type wantAttachment struct {
	name, typ string
	data      []byte
	inline    bool
}

func TestParseAttachments(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		text string // what Text must contain ("" = must be empty)
		want []wantAttachment
	}{
		{
			name: "Gmail photo beside a plain and HTML text",
			raw:  crlfs("From: Ann <ann@example.test>\nSubject: my card\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"000a\"\n\n--000a\nContent-Type: multipart/alternative; boundary=\"000b\"\n\n--000b\nContent-Type: text/plain; charset=\"UTF-8\"\n\nHere is the photo of my card.\n\n--000b\nContent-Type: text/html; charset=\"UTF-8\"\n\n<div dir=\"ltr\">Here is the photo of my card.</div>\n\n--000b--\n--000a\nContent-Type: image/jpeg; name=\"card.jpg\"\nContent-Disposition: attachment; filename=\"card.jpg\"\nContent-Transfer-Encoding: base64\nX-Attachment-Id: f_abc\nContent-ID: <f_abc>\n\n") + b64(photo) + "--000a--\r\n",
			text: "Here is the photo of my card.",
			want: []wantAttachment{{"card.jpg", "image/jpeg", photo, false}},
		},
		{
			name: "iPhone Apple Mail photo sent inline with a file name, text after it",
			raw:  crlfs("From: Ann <ann@example.test>\nSubject: damaged book\nContent-Type: multipart/mixed; boundary=\"Apple-Mail-1\"\nMime-Version: 1.0 (1.0)\n\n--Apple-Mail-1\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nThe cover came off.\n--Apple-Mail-1\nContent-Type: image/jpeg; name=IMG_0042.jpeg; x-apple-part-url=ABC\nContent-Disposition: inline; filename=IMG_0042.jpeg\nContent-Transfer-Encoding: base64\n\n") + b64(photo) + crlfs("--Apple-Mail-1\nContent-Type: text/plain; charset=us-ascii\n\n\n\nSent from my iPhone\n--Apple-Mail-1--\n"),
			text: "The cover came off.",
			want: []wantAttachment{{"IMG_0042.jpeg", "image/jpeg", photo, false}},
		},
		{
			name: "Outlook HTML with a picture pasted in the text and a logo in the signature",
			raw:  crlfs("From: Bob <bob@example.test>\nSubject: screen\nContent-Type: multipart/related; boundary=\"_004_\"; type=\"multipart/alternative\"\nMIME-Version: 1.0\n\n--_004_\nContent-Type: multipart/alternative; boundary=\"_000_\"\n\n--_000_\nContent-Type: text/html; charset=\"us-ascii\"\n\n<html><body><p>The screen says this:</p><img src=\"cid:image001.png@01DB1234.5678\"><p>Bob</p><img src=\"cid:image002.jpg@01DB1234.5678\"></body></html>\n--_000_--\n\n--_004_\nContent-Type: image/png; name=\"image001.png\"\nContent-Description: image001.png\nContent-Disposition: inline; filename=\"image001.png\"; size=512\nContent-ID: <image001.png@01DB1234.5678>\nContent-Transfer-Encoding: base64\n\n") + b64(photo) + crlfs("\n--_004_\nContent-Type: image/jpeg; name=\"image002.jpg\"\nContent-ID: <image002.jpg@01DB1234.5678>\nContent-Transfer-Encoding: base64\n\n") + b64(photo[:40]) + "--_004_--\r\n",
			text: "The screen says this:",
			want: []wantAttachment{{"image001.png", "image/png", photo, true}, {"image002.jpg", "image/jpeg", photo[:40], true}},
		},
		{
			name: "attachment only, no text at all",
			raw:  crlfs("From: ann@example.test\nSubject: \nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename=photo.jpg\nContent-Transfer-Encoding: base64\n\n") + b64(photo) + "--b--\r\n",
			want: []wantAttachment{{"photo.jpg", "image/jpeg", photo, false}},
		},
		{
			name: "single-part PDF with no multipart around it",
			raw:  crlfs("From: ann@example.test\nSubject: form\nContent-Type: application/pdf; name=\"form.pdf\"\nContent-Transfer-Encoding: base64\n\n") + b64(pdf),
			want: []wantAttachment{{"form.pdf", "application/pdf", pdf, false}},
		},
		{
			name: "RFC 2231 encoded name in another script",
			raw:  crlfs("From: ann@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee file\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%D0%A4%D0%BE%D1%80%D0%BC%D0%B0.pdf\nContent-Transfer-Encoding: base64\n\n") + b64(pdf) + "--b--\r\n",
			text: "see file",
			want: []wantAttachment{{"Форма.pdf", "application/pdf", pdf, false}},
		},
		{
			name: "encoded-word name, as Outlook writes it",
			raw:  crlfs("From: ann@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee file\n--b\nContent-Type: application/pdf; name=\"=?utf-8?B?TcOpbW9pcmUucGRm?=\"\nContent-Disposition: attachment; filename=\"=?utf-8?B?TcOpbW9pcmUucGRm?=\"\nContent-Transfer-Encoding: base64\n\n") + b64(pdf) + "--b--\r\n",
			text: "see file",
			want: []wantAttachment{{"Mémoire.pdf", "application/pdf", pdf, false}},
		},
		{
			name: "a path in the name is cut to the file name",
			raw:  crlfs("From: x@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"../../etc/C:\\\\Users\\\\ann\\\\passwd\"\n\nroot\n--b--\n"),
			text: "hi",
			want: []wantAttachment{{"passwd", "application/octet-stream", []byte("root"), false}},
		},
		{
			name: "no name gets one from its type",
			raw:  crlfs("From: x@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n") + b64(photo) + "--b--\r\n",
			text: "hi",
			want: []wantAttachment{{"attachment-1.png", "image/png", photo, false}},
		},
		{
			name: "quoted-printable text file is an attachment, not the text",
			raw:  crlfs("From: x@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nmy list is attached\n--b\nContent-Type: text/plain; charset=utf-8; name=list.txt\nContent-Disposition: attachment; filename=list.txt\nContent-Transfer-Encoding: quoted-printable\n\nB=C3=BCcher one\n--b--\n"),
			text: "my list is attached",
			want: []wantAttachment{{"list.txt", "text/plain", []byte("Bücher one"), false}},
		},
		{
			name: "a Windows-1252 CSV keeps its bytes",
			raw:  crlfs("From: x@example.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nmy list\n--b\nContent-Type: text/csv; charset=windows-1252; name=list.csv\nContent-Disposition: attachment; filename=list.csv\nContent-Transfer-Encoding: base64\n\n") + b64([]byte("Caf\xe9;\x93quoted\x94;\x80 5\r\n")) + "--b--\r\n",
			text: "my list",
			want: []wantAttachment{{"list.csv", "text/csv", []byte("Caf\xe9;\x93quoted\x94;\x80 5\r\n"), false}},
		},
		{
			name: "an S/MIME signature is not an attachment",
			raw:  crlfs("From: x@example.test\nSubject: x\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=b\n\n--b\nContent-Type: text/plain\n\nsigned words\n--b\nContent-Type: application/pkcs7-signature; name=smime.p7s\nContent-Disposition: attachment; filename=smime.p7s\nContent-Transfer-Encoding: base64\n\n") + b64(photo) + "--b--\r\n",
			text: "signed words",
		},
		{
			name: "a forwarded email attached as a file",
			raw:  crlfs("From: x@example.test\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee below\n--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"original.eml\"\n\nFrom: y@example.test\nSubject: inner\n\ninner words\n--b--\n"),
			text: "see below",
			want: []wantAttachment{{"original.eml", "message/rfc822", []byte("From: y@example.test\r\nSubject: inner\r\n\r\ninner words"), false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if tt.text == "" && m.Text != "" || !strings.Contains(m.Text, tt.text) {
				t.Errorf("text = %q, want %q", m.Text, tt.text)
			}
			if len(m.Attachments) != len(tt.want) {
				t.Fatalf("%d attachments, want %d: %+v", len(m.Attachments), len(tt.want), m.Attachments)
			}
			for i, w := range tt.want {
				a := m.Attachments[i]
				if a.Name != w.name || a.Type != w.typ || a.Inline != w.inline || a.Truncated {
					t.Errorf("attachment %d = %q %q inline=%v truncated=%v, want %q %q inline=%v", i, a.Name, a.Type, a.Inline, a.Truncated, w.name, w.typ, w.inline)
				}
				if !bytes.Equal(a.Data, w.data) || a.Size != int64(len(w.data)) {
					t.Errorf("attachment %d: %d bytes (size %d) differ from the %d sent", i, len(a.Data), a.Size, len(w.data))
				}
			}
		})
	}
}

func TestAttachmentName(t *testing.T) {
	tests := []struct{ name, in, ct, want string }{
		{"plain", "photo.jpg", "image/jpeg", "photo.jpg"},
		{"windows path", `C:\Users\ann\Desktop\scan.pdf`, "application/pdf", "scan.pdf"},
		{"traversal", "../../../.bashrc", "text/plain", "bashrc"},
		{"control characters", "a\x00b\r\nc.txt", "text/plain", "abc.txt"},
		{"right-to-left override", "photo\u202egpj.exe", "image/jpeg", "photogpj.exe"},
		{"empty", "", "application/pdf", "attachment-3.pdf"},
		{"only dots", "..", "image/png", "attachment-3.png"},
		{"very long keeps its extension", strings.Repeat("x", 300) + ".pdf", "application/pdf", strings.Repeat("x", 116) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AttachmentName(tt.in, tt.ct, 2); got != tt.want {
				t.Errorf("AttachmentName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestBuildAttachmentsRoundTrip: what Build attaches, Parse reads back with
// the same name, type and bytes.
func TestBuildAttachmentsRoundTrip(t *testing.T) {
	files := []OutAttachment{
		{Name: "form.pdf", Type: "application/pdf", Data: pdf},
		{Name: "Mémoire d’été.jpg", Type: "image/jpeg", Data: photo},
		{Name: "notes.txt", Type: "text/plain", Data: []byte("line one\r\nline two\n\x00end")},
		{Name: "blob", Data: []byte{0, 1, 2, 255}},
	}
	o := &Outgoing{FromName: "Seymour Library", FromAddress: "help@library.test", ToAddress: "ann@example.test",
		Subject: "Re: form", Text: "Here is the form.\n", MessageID: "x1@library.test", Attachments: files}
	m, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := m.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(raw.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "Here is the form.") {
		t.Errorf("text = %q", got.Text)
	}
	if len(got.Attachments) != len(files) {
		t.Fatalf("%d attachments arrived, want %d:\n%s", len(got.Attachments), len(files), raw.String())
	}
	for i, f := range files {
		a := got.Attachments[i]
		wantType := f.Type
		if wantType == "" {
			wantType = "application/octet-stream"
		}
		if a.Name != f.Name || a.Type != wantType || !bytes.Equal(a.Data, f.Data) {
			t.Errorf("attachment %d arrived as %q %q (%d bytes), want %q %q (%d bytes)", i, a.Name, a.Type, len(a.Data), f.Name, wantType, len(f.Data))
		}
	}
}

// FuzzParseAttachments: whatever a mail's parts say, every attachment comes
// out with a safe name, a type, and a size that covers its bytes.
// Run: go test ./mailer -run XXX -fuzz FuzzParseAttachments -fuzztime 60s
func FuzzParseAttachments(f *testing.F) {
	f.Add(crlf("From: a@b.test\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: image/png; name=\"../a.png\"\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b--\n"))
	f.Add(crlf("From: a@b.test\nContent-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n<img src=\"cid:x@y\">\n--r\nContent-Type: image/gif\nContent-ID: <x@y>\n\nGIF89a\n--r--\n"))
	f.Add(crlf("From: a@b.test\nContent-Type: application/pdf; name*=UTF-8''%E2%80%AE.pdf\n\n%PDF"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		for _, a := range m.Attachments {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00\r\n") || utf8.RuneCountInString(a.Name) > 120 || !utf8.ValidString(a.Name) {
				t.Errorf("unsafe name %q", a.Name)
			}
			if a.Size < int64(len(a.Data)) || a.Type == "" {
				t.Errorf("attachment %q: size %d for %d bytes, type %q", a.Name, a.Size, len(a.Data), a.Type)
			}
		}
	})
}
