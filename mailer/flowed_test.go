package mailer

import "testing"

func TestDecodeFlowed(t *testing.T) {
	cases := []struct {
		name, in string
		delsp    bool
		want     string
	}{
		{"soft breaks joined", "Your card works \nagain from today. \nCome by.\n", false, "Your card works again from today. Come by.\n"},
		{"delsp removes the added space", "Your card wo \nrks.", true, "Your card works."},
		{"quoted flowed", "> one \n> two\n\nmine", false, "> one two\n\nmine"},
		{"signature mark stays", "Renewed.\n-- \nAlice", false, "Renewed.\n--\nAlice"},
		{"space-stuffed line", " From here\n", false, "From here\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DecodeFlowed(tc.in, tc.delsp); got != tc.want {
				t.Errorf("DecodeFlowed = %q, want %q", got, tc.want)
			}
		})
	}
}
