package mailer

import (
	"os"
	"strings"
	"testing"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		raw       []byte
		from      string
		subject   string
		text      string // must be contained in Text
		messageID string
	}{
		{"windows-1252 quoted-printable body",
			crlf("From: =?windows-1252?Q?Ren=E9e_O=92Neil?= <renee@example.test>\nTo: help@library.test\nSubject: =?ISO-8859-1?Q?B=FCcher_verl=E4ngern?=\nMessage-ID: <a1@example.test>\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\nCould I renew \x93Middlemarch\x94 =96 it=92s due Friday?\n"),
			"renee@example.test", "Bücher verlängern", "Could I renew “Middlemarch” – it’s due Friday?", "a1@example.test"},
		{"html only becomes readable text",
			crlf("From: Ann <ann@example.test>\nSubject: Card\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>My <b>library card</b> stopped working.</p><ul><li>since Monday</li></ul></body></html>\n"),
			"ann@example.test", "Card", "- since Monday", ""},
		{"bare CR line endings",
			[]byte("From: old@example.test\rSubject: Mac mail\rMessage-ID: <cr@example.test>\r\rHello from 1999\r"),
			"old@example.test", "Mac mail", "Hello from 1999", "cr@example.test"},
		{"mbox From line before the header",
			[]byte("From old@example.test Mon May  2 16:07:05 2005\nFrom: Old <old@example.test>\nSubject: mbox\n\nbody text\n"),
			"old@example.test", "mbox", "body text", ""},
		{"unknown charset keeps the bytes",
			crlf("From: x@example.test\nSubject: odd\nContent-Type: text/plain; charset=x-klingon\n\nplain ascii words\n"),
			"x@example.test", "odd", "plain ascii words", ""},
		{"forwarded message only",
			crlf("From: fw@example.test\nSubject: Fwd: hours\nContent-Type: message/rfc822\n\nFrom: p@example.test\nSubject: hours\n\nWhen are you open on Sunday?\n"),
			"fw@example.test", "Fwd: hours", "When are you open on Sunday?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.From.Email != tt.from || m.Subject != tt.subject || m.MessageID != tt.messageID {
				t.Errorf("got from=%q subject=%q id=%q", m.From.Email, m.Subject, m.MessageID)
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("text %q does not contain %q", m.Text, tt.text)
			}
		})
	}
}

func TestParseHTMLOnlyCorpusFile(t *testing.T) {
	raw, err := os.ReadFile("testdata/enmime__html-only-inline.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !m.FromHTML || strings.Contains(m.Text, "<") || m.Text == "" {
		t.Errorf("HTML not turned into text: fromHTML=%v text=%q", m.FromHTML, m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Type != "image/png" {
		t.Errorf("attachments = %+v", m.Attachments)
	}
}

func TestParseRefusesNonMail(t *testing.T) {
	for _, raw := range []string{"", "   \r\n", "\x00\x01\x02 binary junk with no header"} {
		if _, err := Parse([]byte(raw)); err == nil {
			t.Errorf("Parse(%q) succeeded; want a ParseError", raw)
		}
	}
}
