package tickets

import (
	"testing"

	"patrondesk/mailer"
	"patrondesk/templates"
)

func TestLeak(t *testing.T) {
	g := guardTexts{
		notes:   []string{"Her account has a note about an unpaid fine from 2019. Do not waive.\nPIN is 4821, locker B12X.", "Husband picks up books", "No answer yet"},
		notices: []string{"===== Staff only: the patron never sees what follows =====\nFrom:        Ann Lee\nI would like to renew my books please."},
		seen:    []string{"I would like to renew my books please.", "Your request number is 1."},
	}
	for _, tc := range []struct {
		name, in string
		leaks    bool
	}{
		{"clean answer", "Your books are renewed until 4 January.", false},
		{"quoted note", "Renewed.\n\n> Her account has a note about an unpaid fine from 2019.", true},
		{"pasted note, other case and spacing", "Renewed.\nHer account has a note about an UNPAID fine   from 2019.", true},
		{"note re-wrapped by a client", "Renewed.\n> Her account has a note\n> about an unpaid\n> fine from 2019.", true},
		{"part of a note inside a sentence", "Sorry, there is an unpaid fine from 2019 on it.", true},
		{"staff-only header", "Renewed.\n> ===== Staff only: the patron never sees what follows =====", true},
		{"a four-digit PIN alone", "Your PIN is 4821.", true},
		{"a code alone", "Your locker is b12x.", true},
		{"a PIN spaced out", "Your PIN is 4 8 2 1.", true},
		{"a PIN with dashes", "Your PIN is 48-21.", true},
		{"other numbers are fine", "Due on 21 December, request 1.", false},
		{"patron's own words stay", "> I would like to renew my books please.\nDone!", false},
		{"the request number stays", "Your request number is 1.", false},
		{"short common words stay", "Do not worry.\nThanks,", false},
		{"a four-word note inside a longer answer", "Good news: your husband picks up books on Friday.", true},
		{"a three-word note is too common to count", "We have no answer yet from the publisher.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := leak(tc.in, g); (got != "") != tc.leaks {
				t.Errorf("leak(%q) = %q, want a leak: %v", tc.in, got, tc.leaks)
			}
		})
	}
}

func TestOwnTextOfNotice(t *testing.T) {
	opts := mailer.ReplyOptions{IsMarker: templates.IsMarker}
	in := "Renewed until January.\n\nOn Mon, Dec 7, 2026 Seymour Library <help@library.test> wrote:\n> ##- Write your answer above this line -##\n>\n> Alice, request 1 is yours.\n"
	if got, _ := mailer.OwnText(in, opts); got != "Renewed until January." {
		t.Errorf("got %q", got)
	}
	outlook := "Renewed.\n\nFrom: Seymour Library\n##- Write your answer above this line -##\nAlice, request 1 is yours.\n"
	if got, _ := mailer.OwnText(outlook, opts); got != "Renewed." {
		t.Errorf("outlook: got %q", got)
	}
}

func TestHideStaffAddresses(t *testing.T) {
	staff := append([]Staff{}, testStaff...)
	staff[0].Aliases = []string{"asmith@branch.library.test"}
	for _, tc := range []struct{ name, in, want string }{
		{"inside a sentence", "Write to bob@library.test.", "Write to help@library.test."},
		{"a line of its own goes", "Alice Smith\n<Alice@Library.test>", "Alice Smith"},
		{"next to a phone", "Alice@Library.test | 555", "help@library.test | 555"},
		{"a +tag", "Write to alice+desk@library.test today.", "Write to help@library.test today."},
		{"an alias in any case", "Or ASmith@Branch.Library.test", "Or help@library.test"},
		{"a mailto link", "mailto:bob@library.test", ""},
		{"another address stays", "Write to ann@example.test.", "Write to ann@example.test."},
		{"a longer local part stays", "malice@library.test", "malice@library.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hideStaffAddresses(tc.in, staff, "help@library.test"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLearnSignature(t *testing.T) {
	earlier := []string{
		"#note\nCalled her.\n\n~ A ~\nReading is dreaming with open eyes",
		"Your card is ready. Let me know if you need anything else.\nBest,\nAlice",
	}
	for _, tc := range []struct{ name, text, want string }{
		{"two shared last lines", "Renewed.\n\n~ A ~\nReading is dreaming with open eyes", "~ a ~\nreading is dreaming with open eyes"},
		{"a shared last sentence is not signature", "Renewed. Let me know if you need anything else.\nBest,\nAlice", "best,\nalice"},
		{"nothing shared", "Renewed.\nAlice S.", ""},
		{"the whole reply repeated is not all signature", "~ A ~\nReading is dreaming with open eyes", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := learnSignature(tc.text, earlier); got != tc.want {
				t.Errorf("learnSignature = %q, want %q", got, tc.want)
			}
		})
	}
}
