package tickets

import (
	"html"
	"strings"
	"testing"
)

// TestReviewStaffReplies tries replies from clients, signatures, leaks and
// commands the staff-reply corpus does not hold. Each case says what Ann
// must get: one answer with exactly these words, or nothing (the reply is
// held and Alice is told why, or it is a note).
func TestReviewStaffReplies(t *testing.T) {
	const htmlHeader = "Content-Type: text/html; charset=utf-8"
	const flowedHeader = "Content-Type: text/plain; charset=utf-8; format=flowed"
	for _, tc := range []struct {
		name, header, body string
		note               bool   // Alice's note with the PIN 4821 comes first
		want               string // Ann's answer between the greeting and the library's name
		greeting           string // "" = "Hello Ann,"
		held               string // words of Alice's "not sent" mail; Ann gets nothing
		isNote             bool   // a note: nobody gets mail
		status             string // the ticket's status after, if it matters
		bob                string // words Bob's last notice must hold
	}{
		// Clients the corpus does not hold.
		{name: "Yahoo plain, quote indented without marks", header: plainHeader,
			body: "Your books are renewed until 4 January.\n\nSent from Yahoo Mail on Android\n\n  On Mon, Dec 7, 2026 at 9:00, Seymour Library<help@library.test> wrote:\n__INDENTED__",
			want: "Your books are renewed until 4 January.\n\nAlice"},
		{name: "Yahoo plain, quote flattened onto the attribution line", header: plainHeader,
			body: "Your books are renewed until 4 January.\n\nSent from Yahoo Mail for iPhone \n \n  On Mon, Dec 7, 2026 at 9:00, Seymour Library<help@library.test> wrote:   __FLAT__",
			want: "Your books are renewed until 4 January.\n\nAlice"},
		{name: "Proton, sentence-like device line", header: plainHeader,
			body: "Your books are renewed until 4 January.\n\nSent with Proton Mail secure email.\n\nOn Monday, December 7th, 2026 at 9:00 AM, Seymour Library <help@library.test> wrote:\n__QUOTE__",
			want: "Your books are renewed until 4 January.\n\nAlice"},
		{name: "Zimbra original message with header block", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice\n\n----- Original Message -----\nFrom: \"Seymour Library\" <help@library.test>\nTo: \"Alice Smith\" <alice@library.test>\nSent: Monday, December 7, 2026 9:00:00 AM\nSubject: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Roundcube attribution and signature", header: plainHeader,
			body: "Renewed until 4 January.\n\n-- \nAlice Smith\nSeymour Library\n\nOn 2026-12-07 15:00, Seymour Library wrote:\n__QUOTE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Mutt default attribution", header: plainHeader,
			body: "Renewed until 4 January.\n\nOn Mon, Dec 07, 2026 at 09:00:00AM -0600, Seymour Library wrote:\n__QUOTEBODY__\n-- \nAlice",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Mutt custom attribution", header: plainHeader,
			body: "Renewed until 4 January.\n\n* Seymour Library <help@library.test> [2026-12-07 09:00]:\n__QUOTEBODY__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "HCL Notes header block with tabs", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice Smith\nCirculation\n\n\n\nFrom:\t\"Seymour Library\" <help@library.test>\nTo:\talice@library.test\nDate:\t12/07/2026 09:00 AM\nSubject:\t[Seymour #1] New request for you\n\n\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Notes 9 wrote-on attribution", header: plainHeader,
			body: "Renewed until 4 January.\n\n\"Seymour Library\" <help@library.test> wrote on 12/07/2026 09:00:00 AM:\n\n__QUOTEBODY__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Outlook 2010 plain with mailto header", header: plainHeader,
			body: "Renewed until 4 January.\n\nRegards,\nAlice\n\nFrom: Seymour Library [mailto:help@library.test] \nSent: Monday, December 07, 2026 9:00 AM\nTo: Alice Smith\nSubject: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nRegards,\nAlice"},
		{name: "Gmail with the notice forwarded under the answer", header: plainHeader,
			body: "Renewed until 4 January.\n\n---------- Forwarded message ---------\nFrom: Seymour Library <help@library.test>\nDate: Mon, Dec 7, 2026 at 9:00 AM\nSubject: [Seymour #1] New request for you\nTo: <alice@library.test>\n\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Apple Mail smart quotes", header: flowedHeader,
			body: "Hi Ann,\n\nYou’re all set: “Middlemarch” is renewed until 4 January.\n\nBest,\nAlice\n\n> On 7 Dec 2026, at 09:00, Seymour Library <help@library.test> wrote:\n> \n__QUOTEBODY__",
			want: "You’re all set: “Middlemarch” is renewed until 4 January.\n\nBest,\nAlice", greeting: "Hi Ann,"},
		{name: "Spanish Gmail", header: plainHeader,
			body: "Hola Ann,\n\nSus libros están renovados hasta el 4 de enero.\n\nSaludos,\nAlice\n\nEl lun, 7 dic 2026 a las 9:00, Seymour Library (<help@library.test>) escribió:\n__QUOTEBODY__",
			want: "Sus libros están renovados hasta el 4 de enero.\n\nSaludos,\nAlice", greeting: "Hola Ann,"},
		{name: "French Thunderbird", header: flowedHeader,
			body: "Bonjour Ann,\n\nVos livres sont renouvelés jusqu'au 4 janvier.\n\nCordialement,\nAlice\n\nLe 07/12/2026 à 09:00, Seymour Library a écrit :\n__QUOTEBODY__",
			want: "Vos livres sont renouvelés jusqu'au 4 janvier.\n\nCordialement,\nAlice", greeting: "Bonjour Ann,"},

		{name: "German Gmail attribution with the name after the verb", header: plainHeader,
			body: "Hallo Ann,\n\nIhre Bücher sind verlängert.\n\nViele Grüße\nAlice\n\nAm Mo., 7. Dez. 2026 um 09:00 Uhr schrieb Seymour Library <\nhelp@library.test>:\n\n__QUOTEBODY__",
			want: "Ihre Bücher sind verlängert.\n\nViele Grüße\nAlice", greeting: "Hallo Ann,"},
		{name: "Dutch Gmail attribution", header: plainHeader,
			body: "Uw boeken zijn verlengd.\n\nOp ma 7 dec 2026 om 09:00 schreef Seymour Library <help@library.test>:\n\n__QUOTEBODY__",
			want: "Uw boeken zijn verlengd.\n\nAlice"},
		{name: "Swedish Gmail attribution", header: plainHeader,
			body: "Dina böcker är förlängda.\n\nDen mån 7 dec. 2026 kl 09:00 skrev Seymour Library <help@library.test>:\n\n__QUOTEBODY__",
			want: "Dina böcker är förlängda.\n\nAlice"},
		{name: "Polish Gmail attribution", header: plainHeader,
			body: "Książki są przedłużone.\n\npon., 7 gru 2026 o 09:00 Seymour Library <help@library.test> napisał(a):\n\n__QUOTEBODY__",
			want: "Książki są przedłużone.\n\nAlice"},
		{name: "Czech Outlook header block", header: plainHeader,
			body: "Renewed until 4 January.\n\nOd: Seymour Library <help@library.test>\nOdesláno: pondělí 7. prosince 2026 9:00\nKomu: Alice Smith <alice@library.test>\nPředmět: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Russian Outlook header block", header: plainHeader,
			body: "Продлено до 4 января.\n\nОт: Seymour Library <help@library.test>\nОтправлено: 7 декабря 2026 г. 9:00\nКому: Alice Smith <alice@library.test>\nТема: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Продлено до 4 января.\n\nAlice"},
		{name: "Japanese Outlook header block", header: plainHeader,
			body: "1月4日まで延長しました。\n\n差出人: Seymour Library <help@library.test>\n送信日時: 2026年12月7日 9:00\n宛先: Alice Smith <alice@library.test>\n件名: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "1月4日まで延長しました。\n\nAlice"},
		{name: "Turkish Outlook header block", header: plainHeader,
			body: "Kitaplarınız 4 Ocak'a kadar uzatıldı.\n\nKimden: Seymour Library <help@library.test>\nGönderildi: 7 Aralık 2026 Pazartesi 09:00\nKime: Alice Smith <alice@library.test>\nKonu: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Kitaplarınız 4 Ocak'a kadar uzatıldı.\n\nAlice"},
		{name: "Outlook for Mac header block", header: plainHeader,
			body: "Renewed until 4 January.\n\nFrom: Seymour Library <help@library.test>\nDate: Monday, 7 December 2026 at 09:00\nTo: Alice Smith <alice@library.test>\nSubject: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},

		{name: "eM Client original message", header: plainHeader,
			body: "Renewed until 4 January.\n\n------ Original Message ------\nFrom: \"Seymour Library\" <help@library.test>\nTo: alice@library.test\nSent: 12/7/2026 9:00:00 AM\nSubject: [Seymour #1] New request for you\n\n__QUOTEBODY__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Windows Mail", header: plainHeader,
			body: "Renewed until 4 January.\n\nSent from Mail for Windows\n\nFrom: Seymour Library\nSent: Monday, December 7, 2026 9:00 AM\nTo: Alice Smith\nSubject: [Seymour #1] New request for you\n\n__NOTICE__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "FairEmail attribution without a verb", header: plainHeader,
			body: "Renewed until 4 January.\n\nDec 7, 2026 09:00:00 Seymour Library <help@library.test>:\n__QUOTEBODY__",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "K-9 Mail German attribution", header: plainHeader,
			body: "Ihre Bücher sind verlängert.\n\nAm 7. Dezember 2026 09:00:00 MEZ schrieb Seymour Library <help@library.test>:\n__QUOTEBODY__",
			want: "Ihre Bücher sind verlängert.\n\nAlice"},

		// HTML-only replies from those clients.
		{name: "Zimbra HTML with its header block", header: htmlHeader,
			body: `<html><body><div style="font-family: arial; font-size: 12pt; color: #000000"><div>Renewed until 4 January.</div><div><br></div><div data-marker="__SIG_PRE__">Alice Smith<br>Seymour Library</div><div><br></div><hr id="zwchr" data-marker="__DIVIDER__"><div data-marker="__HEADERS__"><b>From: </b>"Seymour Library" &lt;help@library.test&gt;<br><b>To: </b>"Alice Smith" &lt;alice@library.test&gt;<br><b>Sent: </b>Monday, December 7, 2026 9:00:00 AM<br><b>Subject: </b>[Seymour #1] New request for you<br></div><div><br></div><div data-marker="__QUOTED_TEXT__">__HTMLNOTICE__</div></div></body></html>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Roundcube HTML", header: htmlHeader,
			body: `<html><body style="font-size: 10pt; font-family: Verdana,Geneva,sans-serif"><p>Renewed until 4 January.</p><div id="signature">-- <br>Alice Smith</div><p>On 2026-12-07 15:00, Seymour Library wrote:</p><blockquote type="cite" style="padding: 0 0.4em; border-left: #1010ff 2px solid; margin: 0">__HTMLNOTICE__</blockquote></body></html>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Proton HTML", header: htmlHeader,
			body: `<div style="font-family: Arial; font-size: 14px;">Renewed until 4 January.</div><div style="font-family: Arial; font-size: 14px;"><br></div><div class="protonmail_signature_block" style="font-family: Arial; font-size: 14px;"><div class="protonmail_signature_block-user protonmail_signature_block-empty"></div><div class="protonmail_signature_block-proton">Sent with <a target="_blank" href="https://proton.me/">Proton Mail</a> secure email.</div></div><div style="font-family: Arial; font-size: 14px;"><br></div><div class="protonmail_quote">On Monday, December 7th, 2026 at 9:00 AM, Seymour Library &lt;help@library.test&gt; wrote:<br><br><blockquote class="protonmail_quote" type="cite">__HTMLNOTICE__</blockquote><br></div>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Yahoo HTML", header: htmlHeader,
			body: `<html><head></head><body><div class="ydp6b1f0a1dyahoo-style-wrap" style="font-family:Helvetica Neue, Helvetica, Arial, sans-serif;font-size:16px;"><div dir="ltr" data-setdir="false">Renewed until 4 January.</div></div><div id="yahoo_quoted_8812345" class="yahoo_quoted"><div style="font-family:'Helvetica Neue', Helvetica, Arial, sans-serif;font-size:13px;color:#26282a;"><div>On Monday, December 7, 2026 at 09:00:00 AM CST, Seymour Library &lt;help@library.test&gt; wrote:</div><div><br></div><div><br></div><div>__HTMLNOTICE__</div></div></div></body></html>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "HCL Notes HTML with its header table", header: htmlHeader,
			body: `<font size=2 face="sans-serif">Renewed until 4 January.</font><br><br><font size=2 face="sans-serif">Alice Smith<br>Circulation</font><br><br><br><br><table width=100%><tr valign=top><td><font size=1 color=#5f5f5f face="sans-serif">From:</font><td><font size=1 face="sans-serif">&quot;Seymour Library&quot; &lt;help@library.test&gt;</font><tr valign=top><td><font size=1 color=#5f5f5f face="sans-serif">To:</font><td><font size=1 face="sans-serif">alice@library.test</font><tr valign=top><td><font size=1 color=#5f5f5f face="sans-serif">Date:</font><td><font size=1 face="sans-serif">12/07/2026 09:00 AM</font><tr valign=top><td><font size=1 color=#5f5f5f face="sans-serif">Subject:</font><td><font size=1 face="sans-serif">[Seymour #1] New request for you</font></table><br><hr width=100% size=2 align=left noshade style="color:#8091A5; "><br><br><br><tt><font size=2>__HTMLNOTICE__</font></tt>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Thunderbird inline under the whole quoted notice", header: flowedHeader,
			body: "On 12/7/26 9:00 AM, Seymour Library wrote:\n__QUOTEBODY_NO_QUESTION__> Can I keep Middlemarch\n\nYes.\n\n> two more weeks?\n\nUntil 4 January.",
			want: "Yes.\n\nUntil 4 January.\n\nAlice"},
		{name: "Thunderbird HTML bottom-posted", header: htmlHeader,
			body: `<html><body><div class="moz-cite-prefix">On 12/7/26 9:00 AM, Seymour Library wrote:<br></div><blockquote type="cite" cite="mid:x@library.test"><pre class="moz-quote-pre" wrap="">__HTMLNOTICE__</pre></blockquote><p>Renewed until 4 January.</p><div class="moz-signature">-- <br>Alice</div></body></html>`,
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "Outlook desktop HTML numbered list without a list", header: htmlHeader,
			body: `<html><body><div class=WordSection1><p class=MsoNormal>Bring:<o:p></o:p></p><p class=MsoListParagraph style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>your card<o:p></o:p></p><p class=MsoListParagraph style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>a photo ID<o:p></o:p></p></div></body></html>`,
			want: "Bring:\n1. your card\n2. a photo ID\n\nAlice"},
		{name: "HTML nested list keeps its indent", header: htmlHeader,
			body: `<div>Steps:<ol><li>Log in<ul><li>with your card</li></ul></li><li>Click <b>Renew</b></li></ol>Done.</div>`,
			want: "Steps:\n1. Log in\n  - with your card\n2. Click Renew\n\nDone.\n\nAlice"},
		{name: "HTML note quoted between answer paragraphs", header: htmlHeader, note: true,
			body: `<p>Hi Ann,</p><blockquote>Her account is blocked for a fine from 2019. PIN 4821.</blockquote><p>Your books are renewed.</p>`,
			held: "quoted lines"},
		{name: "Outlook HTML note after empty MsoNormal paragraphs", header: htmlHeader,
			body:   `<html><body lang=EN-US><div class=WordSection1><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal><b><span style='font-size:11.0pt'>#note<o:p></o:p></span></b></p><p class=MsoNormal>She owes $40.<o:p></o:p></p></div></body></html>`,
			isNote: true},

		// Signatures of unusual shapes.
		{name: "vCard-like signature", header: plainHeader,
			body: "Renewed until 4 January.\n\nA. Smith | Seymour Library\nw: seymourlibrary.org | t: 555 010 0100",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "vCard pasted as text", header: plainHeader,
			body: "Renewed until 4 January.\n\nBEGIN:VCARD\nVERSION:3.0\nFN:Alice Smith\nORG:Seymour Library\nTEL:+1-555-010-0100\nEMAIL:alice@library.test\nEND:VCARD",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "ASCII-art signature without a name", header: plainHeader,
			body: "Renewed until 4 January.\n\n  ___\n |___|  Seymour Library\n |   |  555-010-0100",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "ruler between the answer and a signature without a name", header: plainHeader,
			body: "Renewed until 4 January.\n\n==========\nSeymour Library | Circulation\nseymourlibrary.org | 555-010-0100",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "quote of the day under the name", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice\n\n\"A library is not a luxury but one of the necessities of life.\" - Henry Ward Beecher",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "signature in three languages", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice Smith\nBibliothécaire | Librarian | Bibliotecaria\nSeymour Library",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "signature naming the patron's first name", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice Smith\nAnn Lee Reading Room, Seymour Library\n555-010-0100",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "quote of the day without a name", header: plainHeader,
			body: "Renewed until 4 January.\n\n\"So many books, so little time.\" - Frank Zappa",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "quote of the day with its author under it", header: plainHeader,
			body: "Renewed until 4 January.\n\n“A room without books is like a body without a soul.”\n— Cicero",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "an answer ending with a quoted title and its author stays", header: plainHeader,
			body: "The book you asked about is in:\n\"Middlemarch\" - George Eliot",
			want: "The book you asked about is in:\n\"Middlemarch\" - George Eliot\n\nAlice"},
		{name: "an answer ending with a quoted title stays", header: plainHeader,
			body: "Ready for pickup:\n\"Middlemarch\"",
			want: "Ready for pickup:\n\"Middlemarch\"\n\nAlice"},
		{name: "#answer with a full stop", header: plainHeader, body: "#answer renewals.",
			want: "You can renew", status: "waiting"},
		{name: "ASCII-art signature under the name", header: plainHeader,
			body: "Renewed until 4 January.\n\nAlice\n  .--.  .--.\n /    \\/    \\\n |  Seymour  |\n  \\________/",
			want: "Renewed until 4 January.\n\nAlice"},

		// Notes leaked in new disguises.
		{name: "note quoted inside an HTML table", header: htmlHeader, note: true,
			body: "<p>Renewed.</p><table><tr><td>Her account is blocked for a fine from 2019.</td></tr></table>",
			held: "internal note"},
		{name: "note in a forwarded block", header: plainHeader, note: true,
			body: "See below.\n\n---------- Forwarded message ---------\nFrom: Alice Smith <alice@library.test>\nDate: Mon, Dec 7, 2026 at 9:30 AM\nSubject: note\nTo: <help@library.test>\n\nHer account is blocked for a fine from 2019. PIN 4821.",
			held: "forwarded"},
		{name: "an email attached as a forward", header: "Content-Type: multipart/mixed; boundary=\"b1\"",
			body: "--b1\nContent-Type: text/plain; charset=utf-8\n\nHere is what the vendor told us.\n\n--b1\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\nFrom: Bob Jones <bob@library.test>\nTo: alice@library.test\nSubject: Ann\n\nHer account is blocked for a fine from 2019.\n\n--b1--",
			held: "forwards another email"},
		{name: "PIN split over two lines", header: plainHeader, note: true,
			body: "Your PIN is 48\n21, use it at the kiosk.", held: "internal note"},
		{name: "PIN in words", header: plainHeader, note: true,
			body: "Your PIN is four eight two one.", held: "internal note"},
		{name: "PIN spaced out with a number after it", header: plainHeader, note: true,
			body: "Your PIN is 4821 2 copies are waiting.", held: "internal note"},
		{name: "note as bullet points", header: htmlHeader, note: true,
			body: "<p>Renewed. In short:</p><ul><li>account blocked</li><li>fine from 2019</li><li>PIN 4821</li></ul>",
			held: "internal note"},

		// Staff-only words without #note.
		{name: "Internal note: without #", header: plainHeader, body: "Internal note: she owes $40.", held: "meant for staff only"},
		{name: "STAFF ONLY line under the answer", header: plainHeader, body: "Renewed.\n\nSTAFF ONLY - she owes $40.", held: "meant for staff only"},
		{name: "Note to self", header: plainHeader, body: "Note to self: call her Friday.", held: "meant for staff only"},
		{name: "a hand-over that says Internal note: is still a hand-over", header: plainHeader,
			body: "#assign Bob\nInternal note: she owes $40, please call her.", bob: "Internal note: she owes $40"},
		{name: "an answer about the staff-only shelf goes", header: plainHeader,
			body: "The book is on the staff-only shelf at the desk; ask for it there.",
			want: "The book is on the staff-only shelf at the desk; ask for it there.\n\nAlice"},
		{name: "an answer about internal loans goes", header: plainHeader,
			body: "Internal loans between branches take two days.",
			want: "Internal loans between branches take two days.\n\nAlice"},

		// Commands written oddly.
		{name: "upper-case #NOTE", header: plainHeader, body: "#NOTE\nShe owes $40.", isNote: true},
		{name: "#note: with text", header: plainHeader, body: "#note: she owes $40.", isNote: true},
		{name: "full-width ＃note", header: plainHeader, body: "＃note\nShe owes $40.", isNote: true},
		{name: "note after a long empty HTML div", header: htmlHeader,
			body:   "<div><br></div><div><br></div><div>&nbsp;</div><p>&nbsp;</p><div><span>&#8203;</span></div><div><br></div><div>#note</div><div>She owes $40.</div>",
			isNote: true},
		{name: "note in Gmail's ltr div", header: htmlHeader,
			body:   `<div dir="ltr"><div>#note</div><div>She owes $40.</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Dec 7, 2026 at 9:00 AM Seymour Library &lt;help@library.test&gt; wrote:<br></div><blockquote class="gmail_quote">Alice, request 1 is yours.</blockquote></div>`,
			isNote: true},
		{name: "answer quoting an earlier #close is an answer", header: plainHeader,
			body: "Renewed until 4 January.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Alice Smith <alice@library.test> wrote:\n> #close\n> Renewed until 21 December.\n",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "note with the earlier note quoted", header: plainHeader,
			body:   "#note\nCalled her again.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Alice Smith <alice@library.test> wrote:\n> #note\n> She owes $40.\n",
			isNote: true},

		// #answer with other commands.
		{name: "#answer and #close on one line", header: plainHeader, body: "#answer renewals #close",
			want: "You can renew", status: "solved"},
		{name: "#close above #answer", header: plainHeader, body: "#close\n#answer renewals",
			want: "You can renew", status: "solved"},
		{name: "#note with #answer stays a note", header: plainHeader, body: "#note\n#answer renewals\nShe owes $40.", isNote: true},
		{name: "#assign with #answer", header: plainHeader, body: "#assign Bob\n#answer renewals",
			held: "saved answer"},

		{name: "#note #assign with #answer hands over the words as written", header: plainHeader,
			body: "#note #assign Bob\n#answer renewals\nShe may want the long loan.", bob: "#answer renewals"},
		{name: "full-width ＃ＮＯＴＥ", header: plainHeader, body: "＃ＮＯＴＥ\nShe owes $40.", isNote: true},
		{name: "full-width command under the answer", header: plainHeader,
			body: "Renewed.\n\n＃ｎｏｔｅ she owes $40", held: "was not on the first lines"},
		{name: "note under a Mimecast banner", header: plainHeader,
			body: "This message originated outside your organization.\n\n#note\nShe owes $40.", isNote: true},
		{name: "note under a CAUTION originated-outside banner", header: plainHeader,
			body: "CAUTION: This email originated outside of the organization. Do not click links unless you know the content is safe.\n\n#note\nShe owes $40.", isNote: true},
		{name: "note bottom-posted under the quote", header: plainHeader,
			body: "__QUOTE__\n#note\nShe owes $40.", isNote: true},
		{name: "greeting over #close", header: plainHeader, body: "Hi Ann,\n\n#close\nRenewed until 4 January.",
			want: "Renewed until 4 January.", greeting: "Hi Ann,", status: "solved"},
		{name: "misspelt #notes sends nothing", header: plainHeader, body: "#notes\nShe owes $40.", held: "not a command"},
		{name: "#close with words on its line sends nothing", header: plainHeader, body: "#close Renewed until 4 January.", held: "takes nothing after it"},

		{name: "#answer above #close", header: plainHeader, body: "#answer renewals\n#close",
			want: "You can renew", status: "solved"},
		{name: "#answer inside a sentence is held", header: plainHeader, body: "Please read #answer renewals for the steps.",
			held: "was not on the first lines"},
		{name: "PIN from a note line with more numbers", header: plainHeader, note: true,
			body: "Your PIN is 4821, not 2019.", held: "internal note"},
		{name: "PIN in compound words", header: plainHeader, note: true,
			body: "Your PIN is forty-eight twenty-one.", held: "internal note"},

		{name: "a full stop alone is nothing", header: plainHeader, body: ".\n\nAlice", held: "nothing for the patron"},
		{name: "a thumbs-up alone is nothing", header: plainHeader, body: "👍\n\nSent from my iPhone", held: "nothing for the patron"},
		{name: "thanks with the patron's name is nothing", header: plainHeader, body: "Thanks Ann!\n\nAlice", held: "nothing for the patron"},

		// Other languages.
		{name: "Spanish sign-off alone is nothing", header: plainHeader, body: "Un cordial saludo,\nAlice",
			held: "nothing for the patron"},
		{name: "Spanish thanks with an opening mark is nothing", header: plainHeader, body: "¡Muchas gracias!\n\nAlice",
			held: "nothing for the patron"},
		{name: "French formal greeting", header: plainHeader,
			body: "Madame,\n\nVos livres sont renouvelés jusqu'au 4 janvier.\n\nBien à vous,\nAlice Smith\nBibliothécaire",
			want: "Vos livres sont renouvelés jusqu'au 4 janvier.\n\nBien à vous,\nAlice", greeting: "Madame,"},
		{name: "Spanish answer with a long sign-off", header: plainHeader,
			body: "Hola Ann,\n\nSus libros están renovados.\n\nReciba un cordial saludo,\nAlice",
			want: "Sus libros están renovados.\n\nReciba un cordial saludo,\nAlice", greeting: "Hola Ann,"},
		{name: "BlueMail device line", header: plainHeader,
			body: "Renewed until 4 January.\n\nGet BlueMail for Android", want: "Renewed until 4 January.\n\nAlice"},
		{name: "French Outlook mobile line", header: plainHeader,
			body: "Vos livres sont renouvelés.\n\nObtenir Outlook pour iOS", want: "Vos livres sont renouvelés.\n\nAlice"},
		{name: "Sent from my phone.", header: plainHeader,
			body: "Renewed until 4 January.\n\nSent from my phone.", want: "Renewed until 4 January.\n\nAlice"},
		{name: "German Samsung line with a full stop", header: plainHeader,
			body: "Ihre Bücher sind verlängert.\n\nVon meinem Samsung Galaxy Smartphone gesendet.", want: "Ihre Bücher sind verlängert.\n\nAlice"},
		{name: "a sentence about sending stays", header: plainHeader,
			body: "Sent via courier today, it will arrive Friday.", want: "Sent via courier today, it will arrive Friday.\n\nAlice"},
		{name: "AOL device line", header: plainHeader,
			body: "Renewed until 4 January.\n\nSent from the all new AOL app for iOS", want: "Renewed until 4 January.\n\nAlice"},

		// Greetings the staff member wrote: kept once, ours not added.
		{name: "Morning Ann,", header: plainHeader, body: "Morning Ann,\n\nRenewed.", want: "Renewed.\n\nAlice", greeting: "Morning Ann,"},
		{name: "Hallo Frau Lee,", header: plainHeader, body: "Hallo Frau Lee,\n\nVerlängert.", want: "Verlängert.\n\nAlice", greeting: "Hallo Frau Lee,"},
		{name: "Hi Ann and Tom!", header: plainHeader, body: "Hi Ann and Tom!\nRenewed.", want: "Renewed.\n\nAlice", greeting: "Hi Ann and Tom!"},
		{name: "Dear patron,", header: plainHeader, body: "Dear patron,\n\nRenewed.", want: "Renewed.\n\nAlice", greeting: "Dear patron,"},
		{name: "Good day, Ann.", header: plainHeader, body: "Good day, Ann.\n\nRenewed.", want: "Renewed.\n\nAlice", greeting: "Good day, Ann."},

		// Signatures, again.
		{name: "emoji name line", header: plainHeader,
			body: "Renewed until 4 January.\n\n📚 Alice\nSeymour Library · seymourlibrary.org",
			want: "Renewed until 4 January.\n\nAlice"},
		{name: "initial after a dash", header: plainHeader, body: "Renewed until 4 January.\n\n-A", want: "Renewed until 4 January.\n\nAlice"},
		{name: "initials with stops", header: plainHeader, body: "Renewed until 4 January.\nA.S.", want: "Renewed until 4 January.\n\nAlice"},
		{name: "a last line of one letter stays", header: plainHeader, body: "Your hold is on shelf\nA", want: "Your hold is on shelf\nA\n\nAlice"},
		{name: "tilde name", header: plainHeader, body: "Renewed until 4 January.\n\n~Alice", want: "Renewed until 4 January.\n\nAlice"},
		{name: "name in capitals with title", header: plainHeader,
			body: "Renewed until 4 January.\n\nALICE SMITH\nHead of Circulation", want: "Renewed until 4 January.\n\nAlice"},

		{name: "staff address written with (at) and %40", header: plainHeader,
			body: "Write to alice(at)library.test or alice [at] library.test, or use mailto:alice%40library.test.",
			want: "Write to help@library.test or help@library.test, or use help@library.test.\n\nAlice"},

		// Answers that must go through.
		{name: "an answer with From: and Date: lines of its own", header: plainHeader,
			body: "Your hold is ready.\nFrom: Monday 8 December\nDate: until Saturday 13 December\nAt: the main desk",
			want: "Your hold is ready.\nFrom: Monday 8 December\nDate: until Saturday 13 December\nAt: the main desk\n\nAlice"},
		{name: "a sentence naming Alice stays", header: plainHeader,
			body: "Renewed.\nAlice will call you tomorrow.", want: "Renewed.\nAlice will call you tomorrow.\n\nAlice"},
		{name: "a number the patron gave back to her", header: plainHeader, note: true,
			body: "Renewed until 4 January 2027.", want: "Renewed until 4 January 2027.\n\nAlice"},
		{name: "Done.", header: plainHeader, body: "Done.", want: "Done.\n\nAlice"},
		{name: "only a link", header: plainHeader, body: "https://catalog.seymour.test/renew?id=1",
			want: "https://catalog.seymour.test/renew?id=1\n\nAlice"},
		{name: "only an HTML link", header: htmlHeader, body: `<div><a href="https://catalog.seymour.test/renew">Renew here</a></div>`,
			want: "Renew here (https://catalog.seymour.test/renew)\n\nAlice"},
		{name: "a quoted line from the patron above the answer", header: plainHeader,
			body: "> Can I keep Middlemarch two more weeks?\n\nYes, until 4 January.",
			want: "Yes, until 4 January.\n\nAlice"},
		{name: "answer mentioning a year and a phone", header: plainHeader,
			body: "Renewed until 4 January 2027. Call 555-0100 if the kiosk refuses.",
			want: "Renewed until 4 January 2027. Call 555-0100 if the kiosk refuses.\n\nAlice"},
		{name: "contact lines that are part of the answer", header: plainHeader,
			body: "Renewed until 4 January.\n\nQuestions? Call us at 555-010-0100\nor write to help@library.test",
			want: "Renewed until 4 January.\n\nQuestions? Call us at 555-010-0100\nor write to help@library.test\n\nAlice"},
		{name: "a link on its own line under the answer", header: plainHeader,
			body: "You can renew online next time.\n\nhttps://seymourlibrary.test/renew",
			want: "You can renew online next time.\n\nhttps://seymourlibrary.test/renew\n\nAlice"},
		{name: "opening hours under the answer", header: plainHeader,
			body: "We are open over the holidays.\n\nMon-Fri 9-5\nSat 10-2",
			want: "We are open over the holidays.\n\nMon-Fri 9-5\nSat 10-2\n\nAlice"},
		{name: "Yes. with a sign-off", header: plainHeader, body: "Yes.\n\nCheers,\nAlice", want: "Yes.\n\nCheers,\nAlice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			if tc.note {
				h.replyTo(alice, notice, "#note\nHer account is blocked for a fine from 2019. PIN 4821.", 100)
				h.runOnce()
			}
			noticeText := text(t, notice)
			var indented, quoteBody strings.Builder
			for _, l := range strings.Split(noticeText, "\n") {
				indented.WriteString("    " + l + "\n")
				quoteBody.WriteString("> " + l + "\n")
			}
			htmlNotice := strings.ReplaceAll(html.EscapeString(noticeText), "\n", "<br>\n")
			var noQuestion strings.Builder
			for _, l := range strings.Split(noticeText, "\n") {
				if !strings.Contains(l, "Middlemarch") {
					noQuestion.WriteString("> " + l + "\n")
				}
			}
			body := strings.NewReplacer("__QUOTEBODY_NO_QUESTION__", noQuestion.String(), "__FLAT__", strings.Join(strings.Fields(noticeText), " "), "__HTMLNOTICE__", htmlNotice, "__QUOTE__", quotedNotice(t, notice), "__NOTICE__", noticeText,
				"__INDENTED__", indented.String(), "__QUOTEBODY__", quoteBody.String()).Replace(tc.body)
			annBefore, aliceBefore := len(h.mailTo(ann)), len(h.mailTo(alice))
			h.staffReply("Alice Smith <alice@library.test>", notice, tc.header, body, 1)
			h.runOnce()
			got := h.mailTo(ann)[annBefore:]
			for _, m := range got {
				for _, secret := range []string{"4821", "owes", "Staff only", "pdsavedanswer", "alice@", "##-", "Forwarded", "wrote:"} {
					if strings.Contains(withoutIDs(m), secret) {
						t.Errorf("Ann's mail shows %q:\n%s", secret, text(t, m))
					}
				}
				if b := text(t, m); strings.Contains(b, "<help@library.test>") || strings.Contains(b, "help@library.test>:") {
					t.Errorf("Ann's mail shows an attribution line:\n%s", b)
				}
			}
			d := h.ticket(1)
			if tc.bob != "" && !strings.Contains(text(t, h.last(bob)), tc.bob) {
				t.Errorf("Bob's notice lacks %q:\n%s", tc.bob, text(t, h.last(bob)))
			}
			if tc.status != "" && d.Status != tc.status {
				t.Errorf("status %s, want %s", d.Status, tc.status)
			}
			toAlice := h.mailTo(alice)[aliceBefore:]
			switch {
			case tc.want != "":
				if len(got) != 1 {
					t.Fatalf("Ann got %d mails, want the answer; Alice got:\n%s", len(got), text(t, h.last(alice)))
				}
				b := trimLines(text(t, got[0]))
				first, rest, _ := strings.Cut(b, "\n")
				answer, _, _ := strings.Cut(rest, "\nSeymour Library")
				greeting := tc.greeting
				if greeting == "" {
					greeting = "Hello Ann,"
				}
				if tc.status == "" && (first != greeting || strings.TrimSpace(answer) != tc.want) {
					t.Errorf("Ann got:\n%s\n\nwant %q then:\n%s", b, greeting, tc.want)
				}
				if tc.status != "" && !strings.Contains(b, tc.want) {
					t.Errorf("Ann got:\n%s\n\nwant %q in it", b, tc.want)
				}
			case tc.held != "":
				if len(got) != 0 {
					t.Fatalf("Ann got %d mails, want none:\n%s", len(got), text(t, got[0]))
				}
				if len(toAlice) != 1 || !strings.Contains(strings.Join(strings.Fields(text(t, toAlice[0])), " "), tc.held) {
					var b string
					if len(toAlice) > 0 {
						b = text(t, toAlice[0])
					}
					t.Fatalf("Alice got %d mails, want one saying %q:\n%s", len(toAlice), tc.held, b)
				}
				if d.Status != "open" || d.FirstResponseAt != nil {
					t.Errorf("status %s, first response %v: want open and unanswered", d.Status, d.FirstResponseAt)
				}
			case tc.isNote:
				if len(got) != 0 || len(toAlice) != 0 {
					t.Fatalf("Ann got %d mails, Alice %d: want none for a note", len(got), len(toAlice))
				}
				if !hasEvent(d, alice, "note") || d.Status != "open" {
					t.Errorf("status %s, events %v: want an open ticket with Alice's note", d.Status, d.Events)
				}
			}
		})
	}
}
