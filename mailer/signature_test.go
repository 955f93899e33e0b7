package mailer

import (
	"strings"
	"testing"
)

func TestTrimSignature(t *testing.T) {
	alice := Writer{Name: "Alice Smith", Addresses: []string{"alice@library.test"}}
	cases := []struct {
		name, in             string
		s                    Writer
		body, signOff        string
		signatureMustContain string
	}{
		{"dash-dash signature", "Renewed.\n\n-- \nAlice Smith\nCirculation", alice, "Renewed.", "", "Circulation"},
		{"Outlook signature without dashes", "Your card works again.\n\nKind regards,\n\nAlice Smith\nCirculation Librarian\nSeymour Library\nPhone: (555) 123-4567", alice, "Your card works again.", "Kind regards,", "Phone"},
		{"triple sign-off", "Your card works again.\n\nBest,\nAlice\n\nAlice Smith | Circulation Librarian\nSeymour Library | 555-123-4567\nwww.seymourlibrary.org", alice, "Your card works again.", "Best,", "555"},
		{"first name only", "Renewed.\n\nThanks,\nAlice", alice, "Renewed.", "Thanks,", "Alice"},
		{"signature of someone else's shape", "Renewed.\n\nA. Smith\nHead of Circulation\nT 555 123 4567 | E alice@library.test", alice, "Renewed.", "", "555"},
		{"reversed name", "Renewed.\n\nSmith, Alice\nLibrarian", alice, "Renewed.", "", "Librarian"},
		{"configured signature", "Renewed.\n\nThe Circ Desk Crew\nOpen 9-5 weekdays", Writer{Name: "Alice Smith", Signatures: []string{"The Circ Desk Crew\nOpen 9-5 weekdays"}}, "Renewed.", "", "Crew"},
		{"signature only", "Alice Smith\nCirculation Librarian\n(555) 123-4567", alice, "", "", "Librarian"},
		{"signature only, another name", "A. S.\nCirculation Librarian\n(555) 123-4567", Writer{Name: "Bob Jones"}, "", "", "Librarian"},
		{"a closing sentence with a phone number stays", "Renewed.\nCall the Reference desk at 555-010-0100.\n\nAlice", alice, "Renewed.\nCall the Reference desk at 555-010-0100.", "", "Alice"},
		{"a closing sentence with a link stays", "Renewed.\nYou can renew online at www.seymourlibrary.test/renew.", alice, "Renewed.\nYou can renew online at www.seymourlibrary.test/renew.", "", ""},
		{"an address given in the answer stays", "Your book is waiting at:\nSeymour Library\n12 Main Street\nSpringfield, IL 62701", alice, "Your book is waiting at:\nSeymour Library\n12 Main Street\nSpringfield, IL 62701", "", ""},
		{"a signature block after a blank line goes", "Renewed.\n\nCirculation Desk | Seymour Library\n12 Main Street, Springfield, IL 62701\n(555) 010-0100", alice, "Renewed.", "", "Main Street"},
		{"one phone line is an answer", "Call 555-123-4567 to renew.", alice, "Call 555-123-4567 to renew.", "", ""},
		{"thanks only", "Thanks!", alice, "", "Thanks!", ""},
		{"body naming a branch stays", "The Reference desk has your book.\nPick it up by Friday.", alice, "The Reference desk has your book.\nPick it up by Friday.", "", ""},
		{"a sentence of thanks stays", "Thanks for waiting, your card is ready.", alice, "Thanks for waiting, your card is ready.", "", ""},
		{"disclaimer", "Renewed.\n\nThis email is confidential and intended only for the named recipient.", alice, "Renewed.", "", "confidential"},
		{"sign-off and name on one line", "Renewed.\n\nThanks, Alice", alice, "Renewed.", "Thanks,", ""},
		{"sign-off bar full name", "Renewed.\n\nBest regards | Alice Smith", alice, "Renewed.", "Best regards,", ""},
		{"name with a middle initial and a title", "Renewed.\n\nDr. Alice M. Smith\nHead of Circulation", alice, "Renewed.", "", "Head"},
		{"name with pronouns", "Renewed.\n\nAlice (she/her)\nSeymour Library", alice, "Renewed.", "", "she/her"},
		{"a sentence starting with her first name stays", "Alice here. Your books are renewed.", alice, "Alice here. Your books are renewed.", "", ""},
		{"a P.S. under the name stays", "Renewed.\n\nAlice\n\nP.S. The DVD is due a week sooner.\n\nAlice Smith\nCirculation", alice, "Renewed.\n\nP.S. The DVD is due a week sooner.", "", "Circulation"},
		{"Spanish sign-off", "Renovado.\n\nSaludos,\nAlice", alice, "Renovado.", "Saludos,", "Alice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := TrimSignature(tc.in, tc.s)
			if got.Body != tc.body || got.SignOff != tc.signOff || !strings.Contains(got.Signature, tc.signatureMustContain) {
				t.Errorf("TrimSignature:\n got %+v\nwant body %q sign-off %q signature with %q", got, tc.body, tc.signOff, tc.signatureMustContain)
			}
		})
	}
}
