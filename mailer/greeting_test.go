package mailer

import "testing"

func TestSplitGreeting(t *testing.T) {
	cases := []struct{ name, in, greet, rest string }{
		{"Hi Sam", "Hi Sam,\nRenewed.", "Hi Sam,", "Renewed."},
		{"Dear with title", "Dear Mr. Lee:\n\nRenewed.", "Dear Mr. Lee:", "Renewed."},
		{"Bonjour", "Bonjour Ann,\nC'est fait.", "Bonjour Ann,", "C'est fait."},
		{"greeting and text on one line", "Hi Ann, your book is ready. Come by.\nThanks", "Hi Ann,", "your book is ready. Come by.\nThanks"},
		{"a sentence that only starts like a greeting", "Hello is what she said. Done.", "", "Hello is what she said. Done."},
		{"no greeting", "Renewed.", "", "Renewed."},
		{"Hello alone", "Hello!\n\nRenewed.", "Hello!", "Renewed."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, r := SplitGreeting(tc.in)
			if g != tc.greet || r != tc.rest {
				t.Errorf("SplitGreeting = %q, %q; want %q, %q", g, r, tc.greet, tc.rest)
			}
		})
	}
}
