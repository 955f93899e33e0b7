package tickets

import (
	"testing"
	"time"
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
