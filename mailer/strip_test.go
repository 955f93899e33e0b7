package mailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStripReply(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"gmail on wrote", "All renewed.\n\nOn Thu, Dec 3, 2026 at 10:00 AM Seymour Library <help@library.test> wrote:\n> Alice, request 4 is yours.\n", "All renewed."},
		{"german schrieb", "Erledigt.\n\nAm 3. Dez. 2026 um 10:00 schrieb Ann Lee <ann@patrons.test>:\n> Hallo\n", "Erledigt."},
		{"french a écrit", "Oui.\n\nLe jeu. 3 déc. 2026 à 10:00, Ann Lee <ann@patrons.test> a écrit :\n> Bonjour\n", "Oui."},
		{"spanish escribió", "Sí.\n\nEl jue, 3 dic 2026 a las 10:00, Ann Lee (<ann@patrons.test>) escribió:\n> Hola\n", "Sí."},
		{"outlook header block", "Done.\n\n________________________________\nFrom: Seymour Library <help@library.test>\nSent: Thursday, December 3, 2026 10:00 AM\nTo: Alice Smith <alice@library.test>\nSubject: [Seymour #4] New request\n\nAlice, request 4 is yours.\n", "Done."},
		{"outlook without rule", "Done.\n\nFrom: Seymour Library <help@library.test>\nSent: Thursday, December 3, 2026 10:00 AM\nTo: Alice Smith <alice@library.test>\nSubject: [Seymour #4] New request\n\nAlice, request 4 is yours.\n", "Done."},
		{"original message", "Done.\n\n-----Original Message-----\nFrom: Seymour Library\nSent: Thursday\nTo: Alice\nSubject: x\n\nbody\n", "Done."},
		{"dash dash signature", "Done, renewed.\n\nAlice\n-- \nAlice Smith | Seymour Library | 555-1234\n", "Done, renewed.\n\nAlice"},
		{"iphone", "Done.\n\nSent from my iPhone\n\n> On 3 Dec 2026, at 10:00, Seymour Library <help@library.test> wrote:\n> \n> hi\n", "Done."},
		{"outlook for android", "Done.\n\nGet Outlook for Android\n", "Done."},
		{"commands kept", "#close\nAll renewed until January.\n\nOn Thu, Dec 3, 2026 at 10:00 AM Seymour Library <help@library.test> wrote:\n> Alice, request 4 is yours.\n", "#close\nAll renewed until January."},
		{"bottom posted", "On Thu, Dec 3, 2026 at 10:00 AM Seymour Library <help@library.test> wrote:\n> Alice\n\nBottom posted answer here.\n", "Bottom posted answer here."},
		{"inline answers kept", "> Can I renew my books?\nYes, done.\n\n> And the fine?\nWaived.\n", "> Can I renew my books?\nYes, done.\n\n> And the fine?\nWaived."},
		{"ruler inside the answer", "Steps:\n----\n1. Come to the desk.\n2. Bring your card.\n", "Steps:\n----\n1. Come to the desk.\n2. Bring your card."},
		{"only a quote is kept whole", "> hello\n> there\n", "> hello\n> there"},
		{"crlf", "Done.\r\n\r\nOn Thu, Dec 3, 2026 Ann wrote:\r\n> x\r\n", "Done."},
		{"empty", "  \n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StripReply(tc.in); got != tc.want {
				t.Errorf("StripReply:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestStripCorpusReplies strips the real replies in the shared corpus. The
// talon fixtures all answer "Hello" above a quote from a different client;
// the others have no quote, and nothing of what they say may be lost.
func TestStripCorpusReplies(t *testing.T) {
	dir := corpusDir(t)
	want := map[string]string{
		"talon__android.eml": "Hello", "talon__aol.eml": "Hello", "talon__apple_mail.eml": "Hello",
		"talon__apple_mail_2.eml": "Hello", "talon__comcast.eml": "Hello", "talon__gmail.eml": "Hello",
		"talon__hotmail.eml": "Hello", "talon__iphone.eml": "Hello", "talon__outlook.eml": "Hello",
		"talon__sparrow.eml": "Hello", "talon__thunderbird.eml": "Hello", "talon__yahoo.eml": "Hello",
		"mail__example06.eml":                "This is a reply to your hello.",
		"mail__example07.eml":                "This is a reply to your reply.",
		"rt__new-ticket-from-iso-8859-1.eml": "Håvard",
	}
	// Replies with no quote must come back unchanged.
	unchanged := []string{"mail__raw_email_reply.eml", "mail__sig_only_email.eml", "mail__two_from_in_message.eml", "php__m0019.eml"}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			if got := StripReply(corpusText(t, dir, name)); got != w {
				t.Errorf("got %q, want %q", got, w)
			}
		})
	}
	for _, name := range unchanged {
		t.Run(name, func(t *testing.T) {
			text := corpusText(t, dir, name)
			if got := StripReply(text); got != text {
				t.Errorf("text was cut:\n got %q\nfrom %q", got, text)
			}
		})
	}
	t.Run("talon__reply-quotations-share-block.eml", func(t *testing.T) {
		got := StripReply(corpusText(t, dir, "talon__reply-quotations-share-block.eml"))
		if !strings.HasPrefix(got, "Hi Katharine.") || !strings.HasSuffix(got, "Joe XXX") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("stalwart__015.eml", func(t *testing.T) {
		got := StripReply(corpusText(t, dir, "stalwart__015.eml"))
		if !strings.HasPrefix(got, "Hallo Stoiko,") || !strings.HasSuffix(got, "Beste Grüße") {
			t.Errorf("got %q", got)
		}
	})
}

func corpusText(t *testing.T, dir, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "replies", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}
