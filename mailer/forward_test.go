package mailer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestForwardInline(t *testing.T) {
	for _, tc := range []struct {
		name, subject, text  string
		from, fwdSubj, start string
		note                 string
	}{
		{"gmail", "Fwd: Lost card", "Can you take this one?\n\n---------- Forwarded message ---------\nFrom: Ann Lee <ann@patrons.test>\nDate: Thu, Dec 3, 2026 at 10:00 AM\nSubject: Lost card\nTo: <alice@library.test>\n\nI lost my library card.\n",
			"ann@patrons.test", "Lost card", "I lost my library card.", "Can you take this one?"},
		{"gmail html bold", "Fwd: Lost card", "---------- Forwarded message ---------\n*From:* Ann Lee <ann@patrons.test>\n*Date:* Thu, Dec 3, 2026\n*Subject:* Lost card\n\nI lost my card.\n",
			"ann@patrons.test", "Lost card", "I lost my card.", ""},
		{"apple", "Fwd: Lost card", "Begin forwarded message:\n\nFrom: Ann Lee <ann@patrons.test>\nSubject: Lost card\nDate: 3 December 2026 at 10:00:00 GMT\nTo: alice@library.test\n\nI lost my card.\n",
			"ann@patrons.test", "Lost card", "I lost my card.", ""},
		{"outlook", "FW: Lost card", "Please help her.\n\n________________________________\nFrom: Ann Lee [mailto:ann@patrons.test]\nSent: Thursday, December 3, 2026 10:00 AM\nTo: Alice Smith\nSubject: Lost card\n\nI lost my card.\n",
			"ann@patrons.test", "Lost card", "I lost my card.", "Please help her."},
		{"german", "WG: Ausweis", "-------- Weitergeleitete Nachricht --------\nBetreff: Ausweis\nDatum: Thu, 3 Dec 2026\nVon: Anna Lehmann <anna@patrons.test>\n\nAusweis verloren.\n",
			"anna@patrons.test", "Ausweis", "Ausweis verloren.", ""},
		{"reply is not a forward", "Re: Lost card", "Done.\n\n-----Original Message-----\nFrom: Ann Lee <ann@patrons.test>\nSubject: Lost card\n\nI lost it.\n",
			"", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Message{Subject: tc.subject, Text: tc.text}
			m.findForward(nil, 1)
			if tc.from == "" {
				if m.Forwarded != nil {
					t.Fatalf("read as a forward: %+v", m.Forwarded)
				}
				return
			}
			f := m.Forwarded
			if f == nil {
				t.Fatal("forward not found")
			}
			if f.From.Email != tc.from || f.Subject != tc.fwdSubj || f.Text != tc.start || f.Note != tc.note {
				t.Errorf("got %+v", *f)
			}
		})
	}
}

func TestForwardAttached(t *testing.T) {
	dir := corpusDir(t)
	for name, from := range map[string]string{
		"forwarded/mail__attachment_message_rfc822.eml": "xxxx@xxxx.com", // behind an mbox "From " line
		"forwarded/flanker__enclosed.eml":               "dan@example.com",
		"forwarded/rt__outlook-rfc822.eml":              "foo@example.com",
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if m.Forwarded == nil || m.Forwarded.From.Email != from || m.Forwarded.Text == "" {
				t.Fatalf("forward = %+v, want one from %s with its text", m.Forwarded, from)
			}
		})
	}
}
