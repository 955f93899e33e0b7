package mailer

import (
	"strings"
	"testing"
)

func TestAuthenticated(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		want         bool
	}{
		{"dkim pass", "mx.library.test; dkim=pass header.d=library.test header.s=s1", true},
		{"dmarc pass", "mx.library.test; spf=pass smtp.mailfrom=library.test; dmarc=pass header.from=library.test", true},
		{"dkim fail", "mx.library.test; dkim=fail header.d=library.test", false},
		{"other domain", "mx.library.test; dkim=pass header.d=evil.test", false},
		{"untrusted server", "mx.evil.test; dkim=pass header.d=library.test", false},
		{"spf only", "mx.library.test; spf=pass smtp.mailfrom=library.test", false},
		{"none", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: alice@library.test\r\nSubject: x\r\n"
			if tc.header != "" {
				raw += "Authentication-Results: " + tc.header + "\r\n"
			}
			m, err := Parse([]byte(raw + "\r\nhi\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := Authenticated(m, "mx.library.test", "Library.test"); got != tc.want {
				t.Errorf("got %v, want %v (%s)", got, tc.want, strings.TrimSpace(tc.header))
			}
		})
	}
}
