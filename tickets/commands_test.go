package tickets

import (
	"strings"
	"testing"
	"time"
)

func TestParseCommands(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	p := commandParser{staff: testStaff, now: now, loc: time.UTC}
	for _, tc := range []struct {
		name, text string
		want       string // commands as "name:arg" joined by spaces
		rest       string
		problem    string // part of the first problem, "" = none
	}{
		{"plain answer", "Your books are renewed.", "", "Your books are renewed.", ""},
		{"note", "#note\nCalled her, no answer.", "note", "Called her, no answer.", ""},
		{"close with answer", "#close\n\nAll done!", "close", "All done!", ""},
		{"assign by first name", "#assign bob", "assign:bob@library.test", "", ""},
		{"assign by address", "#assign Bob@Library.test", "assign:bob@library.test", "", ""},
		{"assign by full name", "#assign Alice Smith", "assign:alice@library.test", "", ""},
		{"assign to team", "#assign reference", "assign:team=reference", "", ""},
		{"two on one line", "#take #priority urgent\nOn it.", "take priority:urgent", "On it.", ""},
		{"several lines", "#note\n#wait 3d\n#priority low", "note wait:2026-12-10T15:00 priority:low", "", ""},
		{"wait date", "#wait 2026-12-24", "wait:2026-12-24T00:00", "", ""},
		{"wait words", "#wait 2 weeks", "wait:2026-12-21T15:00", "", ""},
		{"a hash later is text", "Hello\n#close", "", "Hello\n#close", ""},
		{"unknown", "#frobnicate\nhi", "", "hi", `"#frobnicate" is not a command`},
		{"assign nobody", "#assign Zed", "", "", `nobody on the staff list is called "Zed"`},
		{"bad wait", "#wait soonish", "", "", `"soonish" is not a time`},
		{"past date", "#wait 2020-01-01", "", "", "is not a time"},
		{"bad priority", "#priority high", "", "", `"high" is not a priority`},
		{"bold from a converted HTML mail", "*#note*\nShe owes $40.", "note", "She owes $40.", ""},
		{"bold command and argument", "**#priority** *urgent*", "priority:urgent", "", ""},
		{"italic", "_#close_\nDone.", "close", "Done.", ""},
		{"note with text on its line", "#note: she owes $40\nand a DVD.", "note", "she owes $40\nand a DVD.", ""},
		{"note then another command is two commands", "#note #wait 3d", "note wait:2026-12-10T15:00", "", ""},
		{"zero-width space before a command", "\u200b#note\nx", "note", "x", ""},
		{"upper case", "#CLOSE", "close", "", ""},
		{"close takes no words", "#close now please", "", "", "#close takes nothing after it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmds, rest, problems := p.parse(tc.text)
			var got []string
			for _, c := range cmds {
				s := c.name
				switch {
				case c.owner != nil:
					s += ":" + c.owner.Email
				case c.team != "":
					s += ":team=" + c.team
				case !c.until.IsZero():
					s += ":" + c.until.Format("2006-01-02T15:04")
				case c.priority != "":
					s += ":" + c.priority
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " "); g != tc.want && (tc.problem == "" || len(got) > 0) {
				t.Errorf("commands = %q, want %q", g, tc.want)
			}
			if rest != tc.rest {
				t.Errorf("rest = %q, want %q", rest, tc.rest)
			}
			switch {
			case tc.problem == "" && len(problems) > 0:
				t.Errorf("unexpected problems %q", problems)
			case tc.problem != "" && (len(problems) == 0 || !strings.Contains(problems[0], tc.problem)):
				t.Errorf("problems = %q, want one containing %q", problems, tc.problem)
			}
		})
	}
}

func TestStrayCommand(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Renewed.\n#close", "#close"},
		{"Renewed. (#note: she owes)", "#note"},
		{"Renewed.\n*#NOTE*", "#note"},
		{"Renewed. Use hashtag #library on social media.", ""},
		{"Item #1234 is renewed.", ""},
		{"Renewed.", ""},
	} {
		if got := stray(tc.in); got != tc.want {
			t.Errorf("stray(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFindStaff: #assign, `tickets take` and --owner name a person alike.
func TestFindStaff(t *testing.T) {
	staff := []Staff{
		{Name: "Alice Smith", Email: "alice@library.test"},
		{Name: "Alice Brown", Email: "abrown@library.test"},
		{Name: "Bob Jones", Email: "bob@library.test"},
	}
	for _, c := range []struct{ who, want string }{
		{"bob", "bob@library.test"},
		{"  BOB jones ", "bob@library.test"},
		{"Alice@Library.test", "alice@library.test"},
		{"alice brown", "abrown@library.test"},
		{"alice", ""}, // the first name of two
		{"reference", ""},
		{"", ""},
	} {
		got := ""
		if s := FindStaff(staff, c.who); s != nil {
			got = s.Email
		}
		if got != c.want {
			t.Errorf("FindStaff(%q) = %q, want %q", c.who, got, c.want)
		}
	}
}
