package tickets

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var passKey = []byte("0123456789abcdef0123456789abcdef")

func TestPasses(t *testing.T) {
	now := time.Date(2026, 12, 3, 14, 30, 0, 0, time.UTC)
	good := SignPass(passKey, PassLink, "Boss@Library.test", now.Add(time.Hour))
	tests := []struct {
		name    string
		key     []byte
		purpose string
		pass    string
		at      time.Time
		want    error
	}{
		{"good", passKey, PassLink, good, now, nil},
		{"one second before the end", passKey, PassLink, good, now.Add(time.Hour - time.Second), nil},
		{"at the end", passKey, PassLink, good, now.Add(time.Hour), ErrPassExpired},
		{"another key (rotated)", []byte("another key"), PassLink, good, now, ErrPassInvalid},
		{"a link used as a session", passKey, PassSession, good, now, ErrPassInvalid},
		{"a later end written in", passKey, PassLink, strings.Replace(good, ".1796", ".1896", 1), now, ErrPassInvalid},
		{"no signature", passKey, PassLink, good[:strings.LastIndex(good, ".")], now, ErrPassInvalid},
		{"empty", passKey, PassLink, "", now, ErrPassInvalid},
		{"too long", passKey, PassLink, strings.Repeat("a", 600), now, ErrPassInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email, _, err := VerifyPass(tt.key, tt.purpose, tt.pass, tt.at)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v; want %v", err, tt.want)
			}
			if err == nil && email != "boss@library.test" {
				t.Errorf("email = %q", email)
			}
		})
	}
}

// FuzzVerifyPass: no input crashes the check, and nothing but a pass made
// with the key is taken.
func FuzzVerifyPass(f *testing.F) {
	now := time.Date(2026, 12, 3, 14, 30, 0, 0, time.UTC)
	f.Add(SignPass(passKey, PassLink, "boss@library.test", now.Add(time.Hour)))
	f.Add("Ym9zc0BsaWJyYXJ5LnRlc3Q.1999999999.AAAA")
	f.Add("..")
	f.Fuzz(func(t *testing.T, pass string) {
		email, _, err := VerifyPass(passKey, PassLink, pass, now)
		if err != nil {
			return
		}
		until := now.Add(time.Hour)
		if _, u, _ := VerifyPass(passKey, PassLink, pass, now); !u.IsZero() {
			until = u
		}
		if SignPass(passKey, PassLink, email, until) != pass {
			t.Errorf("accepted %q, which is not the pass the key makes for %q", pass, email)
		}
	})
}
