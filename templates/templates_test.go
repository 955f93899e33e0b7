package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sample = Data{Library: "Seymour Library", Tag: "Seymour", Ticket: 42, Subject: "Renew my books",
	PatronName: "Ann", Owner: "Alice", OwnerFull: "Alice Smith", Team: "circulation",
	Promise: "by Tuesday afternoon", Text: "Please renew."}

func TestBuiltin(t *testing.T) {
	s := New("")
	ack, err := s.Render("ack", "en", sample)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Subject != "[Seymour #42] Renew my books" {
		t.Errorf("subject = %q", ack.Subject)
	}
	for _, w := range []string{"Hello Ann,", "request number is 42", "Alice is looking after it", "by Tuesday afternoon", "reply to this email"} {
		if !strings.Contains(ack.Text, w) {
			t.Errorf("ack lacks %q:\n%s", w, ack.Text)
		}
	}
	noOwner := sample
	noOwner.Owner = ""
	ack, _ = s.Render("ack", "en", noOwner)
	if !strings.Contains(ack.Text, "One of our team") {
		t.Errorf("ack without owner:\n%s", ack.Text)
	}
	as, err := s.Render("assigned", "fr", sample) // unknown language falls back to English
	if err != nil || !strings.Contains(as.Text, "Please renew.") {
		t.Errorf("assigned: %v\n%s", err, as.Text)
	}
}

func TestOverrideFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "en", "ack.txt"), []byte("Subject: Got it #{{.Ticket}}\n\nThanks, {{.PatronName}}!\n"), 0o644)
	m, err := New(dir).Render("ack", "en", sample)
	if err != nil || m.Subject != "Got it #42" || m.Text != "Thanks, Ann!\n" {
		t.Errorf("override: %v %+v", err, m)
	}
	os.WriteFile(filepath.Join(dir, "en", "ack.txt"), []byte("Subject: {{.Nope}}\n\nx"), 0o644)
	if _, err := New(dir).Render("ack", "en", sample); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown field error = %v", err)
	}
}

// TestStaffMailHasMarker: every mail to staff about a request says what
// happened in its first line (what a mail client previews), has the marker
// right under it, so the desk can cut a reply there before anything goes to
// a patron, and keeps the one subject of the request's conversation.
func TestStaffMailHasMarker(t *testing.T) {
	s := New("")
	for _, name := range []string{"assigned", "patron_replied", "command_error", "command_reply", "help", "nag", "escalation", "thanks", "sorted"} {
		m, err := s.Render(name, "en", sample)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.SplitN(m.Text, "\n", 3)
		if len(lines) < 3 || IsMarker(lines[0]) || strings.TrimSpace(lines[0]) == "" || !IsMarker(lines[1]) || !IsMarker("> > "+ReplyMarker) {
			t.Errorf("%s does not start with an event line and then the marker: %q", name, lines)
		}
		if want := "[Seymour #42] " + sample.Subject; m.Subject != want {
			t.Errorf("%s subject = %q, want %q", name, m.Subject, want)
		}
	}
	for _, name := range []string{"ack", "update", "closed"} {
		m, err := s.Render(name, "en", sample)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(m.Text, "##-") {
			t.Errorf("patron mail %s carries the staff marker", name)
		}
	}
}
