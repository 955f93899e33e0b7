package mailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to Parse and Classify: they may refuse the
// input, never panic. Seeds are the test files and, when present, the corpus.
// Run: go test ./mailer -fuzz FuzzParse -fuzztime 10m
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.eml")
	if dir := os.Getenv("PATRONDESK_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*.eml"))
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: a@b.test\r\nSubject: x\r\n\r\nhi"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		Classify(m, []string{"help@library.test"})
		m.IsReply()
	})
}

// FuzzVerify checks that no input makes a signed-id check panic or accept a
// forgery.
func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "library.test")
	f.Add("pd.1.abc.defgh.aaaaaaaaaaaaaaaa@library.test")
	f.Add("<x@library.test>")
	f.Fuzz(func(t *testing.T, id string) {
		if tok, ok := s.Verify(id); ok && tok.Ticket < 0 {
			t.Errorf("verified %q with ticket %d", id, tok.Ticket)
		}
	})
}

// FuzzStripReply: stripping never panics, never invents text, and never
// returns nothing for a text that has words.
// Run: go test ./mailer -fuzz FuzzStripReply -fuzztime 10m
func FuzzStripReply(f *testing.F) {
	for _, s := range []string{
		"Done.\n\nOn Thu, Dec 3, 2026 Ann wrote:\n> hi\n",
		"> q\nanswer\n",
		"Steps:\n----\n1. x\n",
		"x\n-- \nsig\n",
		"________________________________\nFrom: a\nSent: b\nTo: c\nSubject: d\n\nbody",
	} {
		f.Add(s)
	}
	if dir := os.Getenv("PATRONDESK_CORPUS"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "replies", "*.eml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				if m, err := Parse(b); err == nil {
					f.Add(m.Text)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := StripReply(text)
		if strings.TrimSpace(text) != "" && out == "" {
			t.Errorf("StripReply(%q) lost everything", text)
		}
		// Invalid UTF-8 comes back as U+FFFD, which is longer; the desk
		// only passes valid text (testdata/fuzz/FuzzStripReply/85fec98ec756d661).
		if utf8.ValidString(text) && len(out) > len(text) {
			t.Errorf("StripReply(%q) = %q: longer than its input", text, out)
		}
	})
}

// FuzzReadReply: the staff-reply reader and the HTML and flowed decoders
// never panic and never invent words: everything they return was in what
// they were given.
// Run: go test ./mailer -fuzz FuzzReadReply -fuzztime 60s
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"Renewed.\n\nOn Mon, Dec 7, 2026 Seymour Library <\nhelp@library.test> wrote:\n> ##- Write your answer above this line -##\n",
		"On 7/12 Seymour Library wrote:\n> q\n\nanswer\n\n> q2\n\nanswer2\n-- \nAlice",
		"CAUTION: This email originated from outside of the organization.\n\n#note\nx",
		"Hi Ann,\n\nDone.\n\nKind regards,\nAlice Smith\nCirculation Librarian\n(555) 010-0100",
		"x \ny\n> a \n> b\n-- \nsig",
		"<div><b>#note</b></div><ul><li><div>one</div></li></ul><blockquote type=cite>q</blockquote>",
	} {
		f.Add(s)
	}
	opts := ReplyOptions{IsMarker: func(l string) bool { return strings.Contains(l, "##- Write your answer above this line") }}
	has := func(t *testing.T, in, out string) {
		t.Helper()
		low := strings.ToLower(in)
		for _, w := range strings.Fields(strings.ToLower(out)) {
			if w = strings.Trim(w, "*_>()<,.:;!?\"'-"); w != "" && !strings.Contains(low, w) {
				t.Fatalf("%q from %q: word %q not in the input", out, in, w)
			}
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return
		}
		own, _ := OwnText(in, opts)
		has(t, NormaliseText(in), own)
		greet, rest := SplitGreeting(own, "Ann")
		tr := TrimSignature(rest, Writer{Name: "Alice Smith", Signatures: []string{"Alice\nLibrary"}})
		has(t, own, greet+" "+tr.Body+" "+tr.SignOff)
		bare := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == ' ' || r == '>' || r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, s)
		}
		if out := DecodeFlowed(in, true); bare(out) != bare(in) {
			t.Fatalf("DecodeFlowed(%q) = %q: other characters", in, out)
		}
		_ = HTMLToText(in)
	})
}
