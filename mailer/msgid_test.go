package mailer

import (
	"strings"
	"testing"
	"time"
)

func TestSignedMessageID(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "library.test")
	at := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	id := s.MessageID(42, ForPatron, at)
	if !strings.HasSuffix(id, "@library.test") || strings.ContainsAny(id, "<> ") {
		t.Fatalf("bad id %q", id)
	}
	tok, ok := s.Verify("<" + id + ">")
	if !ok || tok.Ticket != 42 || !tok.Issued.Equal(at) || tok.Audience != ForPatron {
		t.Fatalf("Verify(%q) = %+v, %v", id, tok, ok)
	}
	forged := strings.Replace(id, "pd.42.", "pd.43.", 1)
	other := NewSigner([]byte("another key entirely............"), "library.test")
	for name, bad := range map[string]string{
		"other ticket number":  forged,
		"other domain":         strings.Replace(id, "@library.test", "@evil.test", 1),
		"signed by other key":  other.MessageID(42, ForPatron, at),
		"patron id made staff": strings.Replace(id, "pd.42.", "ps.42.", 1),
		"not ours at all":      "CAF123@mail.gmail.com",
		"empty":                "",
	} {
		if _, ok := s.Verify(bad); ok {
			t.Errorf("%s: %q verified", name, bad)
		}
	}
	m := &Message{InReplyTo: []string{"x@gmail.test"}, References: []string{"y@gmail.test", id}}
	if tok, ok := s.FindToken(m, ForPatron); !ok || tok.Ticket != 42 {
		t.Errorf("FindToken = %+v, %v", tok, ok)
	}
	if tok, ok := s.FindToken(m, ForStaff); ok {
		t.Errorf("a patron's id was taken as a staff token: %+v", tok)
	}
	staffID := s.MessageID(42, ForStaff, at)
	if tok, ok := s.FindToken(&Message{InReplyTo: []string{staffID}}, ForStaff); !ok || tok.Audience != ForStaff {
		t.Errorf("staff token not found: %+v, %v", tok, ok)
	}
}
