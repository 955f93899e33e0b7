package tickets

import "testing"

func TestLeakGuard(t *testing.T) {
	note := "Her account has a note about an unpaid fine from 2019.\nDo not waive."
	notice := "===== Staff only: the patron never sees what follows =====\nFrom:        Ann Lee\nI would like to renew my books please."
	patron := "I would like to renew my books please."
	for _, tc := range []struct {
		name, in, want string
		removed        int
	}{
		{"clean answer", "Your books are renewed until 4 January.", "Your books are renewed until 4 January.", 0},
		{"quoted note", "Renewed.\n\n> Her account has a note about an unpaid fine from 2019.", "Renewed.", 1},
		{"pasted note", "Renewed.\nHer account has a note about an UNPAID fine   from 2019.", "Renewed.", 1},
		{"staff-only header", "Renewed.\n> ===== Staff only: the patron never sees what follows =====", "Renewed.", 1},
		{"patron's own words stay", "> I would like to renew my books please.\nDone!", "> I would like to renew my books please.\nDone!", 0},
		{"short lines stay", "Do not waive.\nThanks,", "Do not waive.\nThanks,", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n := leakGuard(tc.in, []string{note, notice}, []string{patron})
			if got != tc.want || n != tc.removed {
				t.Errorf("got %q (%d removed), want %q (%d)", got, n, tc.want, tc.removed)
			}
		})
	}
}

func TestStaffText(t *testing.T) {
	in := "Renewed until January.\n\nOn Mon, Dec 7, 2026 Seymour Library <help@library.test> wrote:\n> ##- Write your answer above this line -##\n>\n> Alice, request 1 is yours.\n"
	if got := staffText(in); got != "Renewed until January." {
		t.Errorf("got %q", got)
	}
	outlook := "Renewed.\n\nFrom: Seymour Library\n##- Write your answer above this line -##\nAlice, request 1 is yours.\n"
	if got := staffText(outlook); got != "Renewed." {
		t.Errorf("outlook: got %q", got)
	}
}

func TestHideStaffAddresses(t *testing.T) {
	got := hideStaffAddresses("Write to bob@library.test.\nAlice Smith\n<Alice@Library.test>\nAlice@Library.test | 555", testStaff, "help@library.test")
	if got != "Write to help@library.test.\nAlice Smith\nhelp@library.test | 555" {
		t.Errorf("got %q", got)
	}
}
