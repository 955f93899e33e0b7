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
		{"another gateway's warning", "WARNING: This message originated from an external source. Please use proper judgement and caution when opening attachments.\n\n#note\nx", "#note\nx", false},
		{"Google Workspace caution", "Caution: This is an external email. Please take care when clicking links or opening attachments.\n\nRenewed.", "Renewed.", false},
		{"an answer that starts with a warning is not a banner", "Warning: your card expires on Monday.\nRenew it at the desk.", "Warning: your card expires on Monday.\nRenew it at the desk.", false},
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
