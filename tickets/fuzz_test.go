package tickets

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// FuzzParseCommands: any staff reply parses without panicking, and a reply
// whose first line is not a command is all text.
// Run: go test ./tickets -fuzz FuzzParseCommands -fuzztime 10m
func FuzzParseCommands(f *testing.F) {
	for _, s := range []string{"#note\nhi", "#assign bob #priority urgent", "#wait 3d", "#wait 2026-12-24", "#close\n\nDone", "#lang es", "#", "# #", "Hello\n#close"} {
		f.Add(s)
	}
	p := commandParser{staff: testStaff, now: time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), loc: time.UTC, langs: []string{"en", "es"}}
	f.Fuzz(func(t *testing.T, text string) {
		cmds, rest, problems := p.parse(text)
		for _, c := range cmds {
			if _, ok := commandHelp[c.name]; !ok {
				t.Errorf("parsed an unknown command %q from %q", c.name, text)
			}
		}
		if len(rest) > len(text) {
			t.Errorf("rest %q longer than %q", rest, text)
		}
		_ = problems
	})
}

func isGreetingLine(l string) bool {
	g, _ := mailer.SplitGreeting(l, "Ann Lee", "Ann")
	return g != ""
}

// FuzzReadStaffReply feeds the staff-reply reader HTML (converted as the
// parser does) and text. Whatever comes in: no panic; words for the patron
// are only words the staff member wrote; a known command in the text is
// either read at the top or reported as stray, never passed to the patron;
// a reply whose top is not a command has no commands.
// Run: go test ./tickets -fuzz FuzzReadStaffReply -fuzztime 60s
func FuzzReadStaffReply(f *testing.F) {
	for _, s := range []string{
		"<div><b>#note</b></div><div>PIN 4821</div>",
		"<p>Hi Ann,</p><p><strong>#close</strong></p><p>Done.</p>",
		"<ul><li><div>one</div></li></ul><div id=Signature>Alice Smith<br>555-0100</div>",
		"<blockquote type=cite>#note x</blockquote><p>Yes.</p>",
		"*#note*\nShe owes $40",
		"CAUTION: This email originated from outside of the organization.\n\n#note\nx",
		"Hi team,\n#assign Bob\nBob, can you?",
		"Renewed.\n\n#close",
		"Thanks!\n\nAlice Smith\nCirculation Librarian\n(555) 010-0100",
		"Ann -\n\nDone.\n\n-- \nAlice",
		"\u200b#note\u00a0x",
	} {
		f.Add(s, strings.HasPrefix(s, "<"))
	}
	p := commandParser{staff: testStaff, now: time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), loc: time.UTC, langs: []string{"en", "es"}}
	writer := func(string) mailer.Writer {
		return mailer.Writer{Name: "Alice Smith", Addresses: []string{"alice@library.test"}}
	}
	f.Fuzz(func(t *testing.T, in string, isHTML bool) {
		if !utf8.ValidString(in) {
			return // the parser hands over valid text only
		}
		text := in
		if isHTML {
			text = mailer.HTMLToText(in)
		}
		own, _ := mailer.OwnText(text, mailer.ReplyOptions{IsMarker: templates.IsMarker})
		rd := readReply(p, own, []string{"Ann Lee", "Ann"}, writer)
		a := rd.answer.full()
		if rd.stray == "" && len(rd.problems) == 0 && stray(a) != "" {
			t.Errorf("a command reached the answer: %q from %q", a, in)
		}
		ownWords := map[string]bool{}
		for _, w := range words(own) {
			ownWords[w] = true
		}
		for _, w := range words(a) {
			if !ownWords[w] {
				t.Errorf("answer word %q is not in the staff member's text %q", w, own)
			}
		}
		if first, _, _ := strings.Cut(strings.TrimSpace(own), "\n"); len(rd.cmds) > 0 && !strings.HasPrefix(commandLine(first), "#") && !isGreetingLine(first) {
			t.Errorf("commands %v read from %q, whose top is not a command", rd.cmds, own)
		}
	})
}
