package mailer

import (
	"strings"
	"testing"
)

func isTestMarker(l string) bool { return strings.Contains(l, "##- Write your answer above this line") }

const notice = `##- Write your answer above this line -##

Alice, request 7 is yours.

===== Staff only: the patron never sees what follows =====
From:        Ann Patron
----- What they wrote -----
My card does not work.`

func quoted(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString("> " + l + "\n")
	}
	return b.String()
}

func TestOwnText(t *testing.T) {
	cases := []struct {
		name, in, want string
		inline         bool
	}{
		{"top-posted with attribution", "Your card works again.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Seymour Library <help@library.test> wrote:\n" + quoted(notice), "Your card works again.", false},
		{"attribution wrapped by Gmail", "Your card works again.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Seymour Library <\nhelp@library.test> wrote:\n\n" + quoted(notice), "Your card works again.", false},
		{"bottom-posted by Thunderbird", "On 07/12/2026 09:00, Seymour Library wrote:\n" + quoted(notice) + "\nYour card works again.\n\n-- \nAlice", "Your card works again.\n\n--\nAlice", false},
		{"inline between quotes", "On 07/12/2026 09:00, Seymour Library wrote:\n> Alice, request 7 is yours.\n\nI will call her.\n\n> My card does not work.\n\nYour card works again.", "I will call her.\n\nYour card works again.", true},
		{"Outlook header block, no quote marks", "Your card works again.\n\nAlice\n\n________________________________\nFrom: Seymour Library <help@library.test>\nSent: Monday, December 7, 2026 9:00 AM\nTo: Alice Smith <alice@library.test>\nSubject: [Seymour #7] New request\n\n" + notice, "Your card works again.\n\nAlice", false},
		{"Outlook French header block", "Votre carte marche.\n\nDe : Seymour Library <help@library.test>\nEnvoyé : lundi 7 décembre 2026 09:00\nÀ : Alice\nObjet : [Seymour #7]\n\n" + notice, "Votre carte marche.", false},
		{"Outlook header block in Polish", "Odnowione.\n\nOd: Seymour Library <help@library.test>\nWysłano: poniedziałek, 7 grudnia 2026 09:00\nDo: Alice Smith\nTemat: [Seymour #7]\n\n" + notice, "Odnowione.", false},
		{"an answer's own last line with a colon stays", "Renewed.\nPickup: Friday\n\n" + notice, "Renewed.\nPickup: Friday", false},
		{"unquoted notice under the answer", "Renewed.\n\n" + notice, "Renewed.", false},
		{"original message ruler", "Renewed.\n\n-----Original Message-----\nFrom: help@library.test\n" + notice, "Renewed.", false},
		{"gateway banner on top", "CAUTION: This email originated from outside of the organization. Do not click links or open attachments unless you recognize the sender and know the content is safe.\n\n#note\nShe owes $40.", "#note\nShe owes $40.", false},
		{"banner glued to the command", "[EXTERNAL] #note\nShe owes $40.", "#note\nShe owes $40.", false},
		{"banner then greeting without a blank line", "You don't often get email from alice@library.test. Learn why this is important\nHi Ann,\nRenewed.", "Hi Ann,\nRenewed.", false},
		{"device lines go", "Renewed.\n\nSent from my iPhone\n\nGet Outlook for Android\nEnvoyé de mon iPad\nEnviado desde mi Samsung\nVon meinem iPhone gesendet", "Renewed.", false},
		{"inline image placeholders go", "Renewed.\n\n[cid:image001.png@01DB48A8.1C2D3E40]\n[image: Seymour Library logo]\nAlice", "Renewed.\n\nAlice", false},
		{"phone lines in more languages", "Renewed.\n\nInviato da iPhone\nVerstuurd vanaf mijn iPhone\nSendt fra min iPhone\nObtener Outlook para iOS\nTélécharger Outlook pour Android\niPhone'umdan gönderildi", "Renewed.", false},
		{"a sentence that starts like a phone line stays", "Sent via courier today, it will arrive on Friday.", "Sent via courier today, it will arrive on Friday.", false},
		{"Download Outlook", "Renewed.\n\nDownload Outlook for Android<https://aka.ms/AAb9ysg>", "Renewed.", false},
		{"zero-width and nbsp", "\u200b#note\u00a0\nKept.", "#note\nKept.", false},
		{"signature under the quote is not an inline answer", "Renewed.\n\nOn 07/12/2026 09:00, Seymour Library wrote:\n> Alice, request 7 is yours.\n\n-- \nAlice Smith", "Renewed.\n\n--\nAlice Smith", false},
		{"full-width hash", "＃note\nKept.", "#note\nKept.", false},
		{"a sentence about wrote is not a quote", "She wrote: the card is blue.\nRenewed.", "She wrote: the card is blue.\nRenewed.", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, inline := OwnText(tc.in, ReplyOptions{IsMarker: isTestMarker})
			if got != tc.want || inline != tc.inline {
				t.Errorf("OwnText:\n got %q (inline %v)\nwant %q (inline %v)", got, inline, tc.want, tc.inline)
			}
		})
	}
}

func TestInlineQuotes(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"above the last answer", "On x, Seymour Library wrote:\n> top\n\nOne.\n\n> middle\n> more\n\nTwo.\n\n> bottom", "top\nmiddle\nmore"},
		{"top-posted", "Answer.\n\nOn x, Seymour Library wrote:\n> all of it", ""},
		{"bottom-posted", "On x, Seymour Library wrote:\n> all of it\n\nAnswer.\n\nAlice", ""},
		{"signature under the quote", "Answer.\n\n> quoted\n\n-- \nAlice", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := InlineQuotes(tc.in, ReplyOptions{}); got != tc.want {
				t.Errorf("InlineQuotes = %q, want %q", got, tc.want)
			}
		})
	}
}

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

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bold command stays a command", `<div><b>#note</b></div><div>She owes $40.</div>`, "#note\nShe owes $40."},
		{"no space before a comma from the source's line break", "<p class=MsoNormal><b><span>Ann</span></b>\n<span>,</span></p>", "Ann,"},
		{"no star artefacts", `<p>Hi <b>Ann</b>,</p><p>Renewed.</p>`, "Hi Ann,\n\nRenewed."},
		{"Outlook web bullets", `<div>Bring:</div><ul><li>your card</li><li>a photo ID</li></ul><div>Thanks</div>`, "Bring:\n- your card\n- a photo ID\n\nThanks"},
		{"numbered list", `<ol><li>one</li><li>two</li></ol>`, "1. one\n2. two"},
		{"link with its address", `<p>See <a href="https://lib.test/renew">the renewal page</a>.</p>`, "See the renewal page (https://lib.test/renew)."},
		{"link that is its address", `<a href="https://lib.test/">https://lib.test/</a>`, "https://lib.test/"},
		{"blockquote is quoted", `<div>Yes.</div><blockquote type="cite"><div>Question?</div></blockquote>`, "Yes.\n> Question?"},
		{"Gmail signature marked", `<div>Renewed.</div><div class="gmail_signature"><div>Alice Smith</div></div>`, "Renewed.\n--\nAlice Smith"},
		{"Outlook paragraphs are lines", `<p class=MsoNormal>Hi Ann,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Renewed.</p>`, "Hi Ann,\n\nRenewed."},
		{"Outlook desktop symbol bullets", `<p class=MsoListParagraph><span>·<span>&nbsp;&nbsp;&nbsp;</span></span>your card</p><p class=MsoNormal>x</p>`, "- your card\nx"},
		{"style and hidden text go", `<style>p{}</style><div style="display:none">preview</div><div>Shown</div>`, "Shown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLToText(tc.in); got != tc.want {
				t.Errorf("HTMLToText:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
