package tickets

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The safety review's cases: web-form tricks, forged forwards, tag floods,
// merge chains and the legitimate mail that must still be acknowledged.
// Each asserts what arrived in every mailbox.

// libraryPass is the MX's verdict on mail the library's own website sent.
const libraryPass = "Authentication-Results: mx.library.test; spf=pass smtp.mailfrom=library.test; dkim=pass header.d=library.test; dmarc=pass header.from=library.test\n"

func formMail(replyTo, subject, body string, n int) string {
	h := libraryPass
	if replyTo != "" {
		h += "Reply-To: " + replyTo + "\n"
	}
	return fmt.Sprintf("From: Library website <webform@library.test>\nTo: help@library.test\nSubject: %s\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <form%d@library.test>\n%s\n%s\n", subject, n, h, body)
}

func TestReviewWebFormReplyToTricks(t *testing.T) {
	forwardVictim := "Please look at this.\n\n---------- Forwarded message ---------\nFrom: Victim Person <victim@elsewhere.test>\nDate: Mon, Dec 7, 2026 at 7:00 AM\nSubject: CHEAP PILLS at evil.test\nTo: <alice@library.test>\n\nBuy now at evil.test\n"
	for _, tc := range []struct {
		name, replyTo, body string
		want                map[string]int
	}{
		{"Reply-To a staff address with a forwarded victim", "Alice Smith <alice@library.test>", forwardVictim, map[string]int{}},
		{"Reply-To a staff address in other case and +tag", "ALICE+web@Library.Test", "Name: Alice\nMessage: #mine\n", map[string]int{}},
		{"Reply-To the library's own address", "HELP@library.test", "Name: Someone\nMessage: hello\n", map[string]int{}},
		{"Reply-To the library's own address with a +tag", "help+loop@library.test", "Name: Someone\nMessage: hello\n", map[string]int{}},
		{"Reply-To the form relay in upper case", "WebForm@Library.test", "Name: Someone\nMessage: hello\n", map[string]int{}},
		{"Reply-To a list: the first real person", "help@library.test, Ann Lee <ann@patrons.test>, Bob <bob@patrons.test>", "Name: Ann Lee\nMessage: Can I renew my books?\n", map[string]int{"ann@patrons.test": 1, "alice@library.test": 1}},
		{"Reply-To an encoded address", "=?utf-8?q?Ann_Lee?= <ann@patrons.test>", "Message: Can I renew my books?\n", map[string]int{"ann@patrons.test": 1, "alice@library.test": 1}},
		{"Reply-To a library address that is not staff", "Events <events@library.test>", "Message: hello\n", map[string]int{"events@library.test": 1, "alice@library.test": 1}},
		{"Email field naming staff", "", "Name: X\nEmail: bob@library.test\nMessage: #late\n", map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			withFormRelay(h)
			h.deliver(formMail(tc.replyTo, "Renew question", tc.body, 1))
			h.runOnce()
			h.wantMailboxes(tc.want)
			for _, m := range h.mailTo("victim@elsewhere.test") {
				noWords(t, m, "pills", "evil.test")
			}
			// The website's DKIM pass vouches for the website, not for
			// whoever typed an address into the form.
			for addr := range tc.want {
				if !strings.HasSuffix(addr, "@library.test") || addr == "events@library.test" {
					noWords(t, h.last(addr), "Renew question")
				}
			}
		})
	}
}

func TestReviewForgedStaffForwardWithAttachment(t *testing.T) {
	h := safeHarness(t)
	h.deliver("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: Fwd: WIN A PRIZE at evil.test\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <fw1@evil.test>\n" +
		"Authentication-Results: mx.library.test; spf=fail smtp.mailfrom=library.test; dkim=none; dmarc=fail header.from=library.test\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n---------- Forwarded message ---------\nFrom: Victim <victim@elsewhere.test>\nSubject: WIN A PRIZE at evil.test\n\nClaim it at evil.test\n" +
		"--b\nContent-Type: application/pdf; name=prize.pdf\nContent-Disposition: attachment; filename=prize.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n")
	h.runOnce()
	if n := len(h.mailTo("victim@elsewhere.test")); n != 0 {
		t.Fatalf("the victim of a forged forward got %d mails", n)
	}
	for _, m := range h.mailTo("alice@library.test") {
		if strings.Contains(m, "prize.pdf") {
			t.Errorf("a forged forward's file was mailed to staff:\n%s", m)
		}
	}
	if got := h.mailboxes(); got["victim@elsewhere.test"] != 0 || len(got) > 1 {
		t.Errorf("mailboxes: %v (want at most the forwarder asked to confirm)", got)
	}
}

func TestReviewPlusTagFloodFoldsCase(t *testing.T) {
	h := safeHarness(t)
	for i := 0; i < 30; i++ {
		h.deliver(raw(fmt.Sprintf("Victim+%d <Victim+%d@Patrons.Test>", i, i), fmt.Sprintf("Question %d about my card %d", i, i*31),
			passAR, fmt.Sprintf("Hello, this is message %d. My card %d does not work at the self-checkout, what should I do? Thanks, V%d", i, i*17, i), i))
		h.clock.Advance(10 * time.Second)
	}
	h.runOnce()
	total := 0
	for k, v := range h.mailboxes() {
		if strings.HasSuffix(k, "@patrons.test") {
			total += v
		}
	}
	if total > h.desk.opts.AutoReplyLimit {
		t.Errorf("one mailbox got %d mails through +tags and case, want at most %d", total, h.desk.opts.AutoReplyLimit)
	}
}

func TestReviewSpamOnStaffTicketAndReleaseTwice(t *testing.T) {
	h := safeHarness(t)
	// Bob writes to the desk as a patron would; Alice marks it #spam.
	h.deliver(raw("Bob Jones <bob@library.test>", "Renew my own card please", "", "Can you renew my card? Bob", 1))
	h.runOnce()
	notice := h.last("alice@library.test")
	h.replyTo("alice@library.test", notice, "#spam", 2)
	h.runOnce()
	h.deliver(raw("Bob Jones <bob@library.test>", "Another question", "", "Is the printer fixed?", 3))
	h.runOnce()
	if n := h.count(`SELECT COUNT(*) FROM blocked_senders`); n != 0 {
		t.Errorf("a staff address was blocked: %d", n)
	}
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam'`); n != 0 {
		t.Errorf("a staff member's mail went to the spam queue: %d", n)
	}
	// A spam-flagged mail released twice makes one ticket and one acknowledgement.
	h.deliver(raw("Ann Lee <ann@patrons.test>", "Renew", passAR+"X-Spam-Flag: YES\n", "Can I renew my books please?", 4))
	h.runOnce()
	list, err := h.store.ListSpam(context.Background(), 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("spam queue %v %v", list, err)
	}
	before := len(h.tickets("all"))
	if _, err := h.desk.ReleaseSpam(context.Background(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.desk.ReleaseSpam(context.Background(), list[0].ID); err == nil {
		t.Error("a second release worked")
	}
	h.runOnce()
	if n := len(h.tickets("all")) - before; n != 1 {
		t.Errorf("release made %d tickets, want 1", n)
	}
	if n := len(h.mailTo("ann@patrons.test")); n != 1 {
		t.Errorf("Ann got %d mails, want one acknowledgement", n)
	}
}

func TestReviewMergeChainThenRepliesToEveryToken(t *testing.T) {
	h := safeHarness(t)
	ann := "Ann Lee <ann@patrons.test>"
	for i := 1; i <= 3; i++ {
		h.deliver(raw(ann, fmt.Sprintf("Renew request %d", i), passAR, fmt.Sprintf("Please renew book number %d. Thanks, Ann", i), i))
		h.clock.Advance(time.Minute)
		h.runOnce()
	}
	acks := h.mailTo("ann@patrons.test")
	notices := h.mailTo("alice@library.test")
	if len(acks) != 3 || len(notices) != 3 {
		t.Fatalf("acks %d notices %d", len(acks), len(notices))
	}
	ctx := context.Background()
	if err := h.desk.Merge(ctx, 2, 1); err != nil {
		t.Fatal(err)
	}
	if err := h.desk.Merge(ctx, 3, 2); err != nil {
		t.Fatal(err)
	}
	sent := len(h.srv.Received())
	for i, a := range acks {
		h.replyTo(ann, a, fmt.Sprintf("Reply %d to the first mails.", i), 10+i)
	}
	h.runOnce()
	if n := len(h.tickets("all")); n != 3 {
		t.Errorf("%d tickets, want 3 (no new one)", n)
	}
	d, err := h.store.Show(ctx, 3, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Messages != 6 {
		t.Errorf("the kept ticket has %d messages, want 6", d.Messages)
	}
	// Alice answers on the oldest notice: the answer reaches Ann once.
	h.replyTo("alice@library.test", notices[0], "All three books are renewed until 4 January.", 20)
	h.runOnce()
	got := h.mailTo("ann@patrons.test")
	if len(got) != 4 || !strings.Contains(text(t, got[3]), "renewed until 4 January") || !strings.Contains(headerValue(got[3], "Subject"), "#3]") {
		t.Errorf("Ann got %d mails; last subject %q", len(got), headerValue(got[len(got)-1], "Subject"))
	}
	if n := len(h.srv.Received()) - sent; n > 4 {
		t.Errorf("%d mails after the merges, want the answer and at most the owner's notices", n)
	}
}

func TestReviewLegitimateMailStillAcknowledged(t *testing.T) {
	h := safeHarness(t)
	for i, who := range []string{"Ann Lee <ann@patrons.test>", "Marco Ruiz <marco@mail.test>", "Kim Park <kim@web.test>"} {
		h.deliver(raw(who, "Renew", "", "Can I renew my books?", i))
		h.clock.Advance(2 * time.Minute)
		h.runOnce()
	}
	for _, a := range []string{"ann@patrons.test", "marco@mail.test", "kim@web.test"} {
		if n := len(h.mailTo(a)); n != 1 {
			t.Errorf("%s got %d mails, want the acknowledgement", a, n)
		}
	}
	if n := len(h.tickets("all")); n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}
	// Ann writes again two weeks later about something new.
	h.clock.Advance(14 * 24 * time.Hour)
	h.deliver(raw("Ann Lee <ann@patrons.test>", "Renew", "", "Can I renew my books?", 9))
	h.runOnce()
	if n := len(h.mailTo("ann@patrons.test")); n != 2 {
		t.Errorf("Ann writing again after two weeks got %d mails in all, want 2", n)
	}
}

func TestReviewDisplayNamesInNotices(t *testing.T) {
	for _, tc := range []struct{ name, from, bad string }{
		{"bidi override", "=?utf-8?q?Ann_=E2=80=AEeeL?= <ann@patrons.test>", "\u202e"},
		{"encoded CR LF", "=?utf-8?q?Ann=0D=0ABcc=3A_x=40evil.test?= <ann@patrons.test>", "\nBcc:"},
		{"zero width and emoji", "=?utf-8?q?=F0=9F=93=9A_Ann=E2=80=8B_Lee?= <ann@patrons.test>", "\u200b"},
		{"control characters", "=?utf-8?q?Ann=07=1B[31m_Lee?= <ann@patrons.test>", "\x1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(raw(tc.from, "Renew my card", passAR, "Can I renew my card?", 1))
			h.runOnce()
			h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "alice@library.test": 1})
			for _, m := range append(h.mailTo("alice@library.test"), h.mailTo("ann@patrons.test")...) {
				if strings.Contains(m, tc.bad) || strings.Contains(text(t, m), tc.bad) {
					t.Errorf("mail carries %q:\n%s", tc.bad, m)
				}
			}
			if n := h.mailTo("alice@library.test"); len(n) == 1 && !strings.Contains(text(t, n[0]), "ann@patrons.test") {
				t.Errorf("the notice does not show the patron's address:\n%s", text(t, n[0]))
			}
		})
	}
}

// mutate changes a robot's text slightly, as spam tools do: a word swapped
// for a synonym, a number, a zero-width character inside a word, case.
func mutate(text string, n int) string {
	syn := [][2]string{{"received", "got"}, {"shortly", "soon"}, {"message", "mail"}, {"team", "crew"}, {"regards", "wishes"}}
	s := syn[n%len(syn)]
	text = strings.Replace(text, s[0], s[1], 1)
	s = syn[(n+2)%len(syn)]
	text = strings.Replace(text, s[0], s[1], 1)
	text = strings.Replace(text, "back", "ba\u200bck", n%2)
	if n%3 == 0 {
		text = strings.ToUpper(text[:1]) + strings.ToUpper(text[1:10]) + text[10:]
	}
	return fmt.Sprintf("Ref %d. %s", n*7919, text)
}

func TestReviewMutatingRobot(t *testing.T) {
	texts := []struct{ lang, charsetHeader, text string }{
		{"en", "", "We received your message and will get back to you shortly. Kind regards, the support team of Acme."},
	}
	for _, tc := range texts {
		t.Run(tc.lang, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(raw("robot0@bots0.test", "Hello", "", tc.text, 0))
			seen, n := 0, 0
			start := h.clock.Now()
			for h.clock.Now().Sub(start) <= 5*time.Minute {
				h.runOnce()
				got := h.robotMail()
				for range got[seen:] {
					n++
					h.deliver(raw(fmt.Sprintf("robot%d@bots%d.test", n, n), fmt.Sprintf("Case %d opened", n*31), tc.charsetHeader, mutate(tc.text, n), n))
				}
				seen = len(got)
				h.clock.Advance(20 * time.Second)
			}
			h.runOnce()
			total := len(h.robotMail())
			if total > 20 {
				t.Errorf("a robot mutating its words got %d mails in five minutes; want at most 20", total)
			}
			t.Logf("the mutating robot got %d mail(s); %d in the spam queue", total, h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam'`))
		})
	}
}

func TestReviewPatronAwayButAskingReachesTheOwner(t *testing.T) {
	h := safeHarness(t)
	h.deliver(raw("Ann Lee <ann@patrons.test>", "Renew my books", passAR, "Can I renew my books?", 1))
	h.runOnce()
	h.replyTo("Ann Lee <ann@patrons.test>", h.last("ann@patrons.test"), "Hi,\nI'm on holiday until 20 December. Could you keep the book on hold until then?", 2)
	h.runOnce()
	if n := h.count(`SELECT COUNT(*) FROM messages WHERE ticket_id = 1 AND kind = 'personal'`); n != 2 {
		t.Errorf("the ticket has %d messages from Ann, want 2 (her question is not a robot's)", n)
	}
	if got := h.mailTo("alice@library.test"); len(got) != 2 || !strings.Contains(text(t, got[1]), "keep the book on hold") {
		t.Errorf("the owner got %d mails, want the notice of Ann's question", len(got))
	}
}

func TestReviewReplyToAndOwnAddressTricks(t *testing.T) {
	mxNone := "Authentication-Results: mx.library.test; spf=pass smtp.mailfrom=evil.test; dkim=none; dmarc=none\n"
	for _, tc := range []struct {
		name, mail string
		want       map[string]int
	}{
		{"no From, Reply-To a victim",
			"To: help@library.test\nSubject: You won\nReply-To: Victim <victim@elsewhere.test>\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <nf1@evil.test>\n" + mxNone + "\nClaim your prize at evil.test\n",
			map[string]int{"bob@library.test": 1}},
		{"From that is not an address, Reply-To a victim",
			"From: Prize Team\nTo: help@library.test\nSubject: You won\nReply-To: victim@elsewhere.test\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <nf2@evil.test>\n" + mxNone + "\nClaim your prize at evil.test\n",
			map[string]int{"bob@library.test": 1}},
		{"From our own address with a +tag",
			"From: Seymour Library <help+x@library.test>\nTo: help@library.test\nSubject: Hello\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <own1@evil.test>\n\nHello there\n",
			map[string]int{}},
		{"From our own address in upper case",
			"From: HELP@LIBRARY.TEST\nTo: help@library.test\nSubject: Hello\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <own2@evil.test>\n\nHello there\n",
			map[string]int{}},
		{"From a patron, Reply-To a victim: only the sender hears",
			raw("Ann Lee <ann@patrons.test>", "Renew", passAR+"Reply-To: victim@elsewhere.test\n", "Can I renew my books?", 1),
			map[string]int{"ann@patrons.test": 1, "alice@library.test": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(tc.mail)
			h.runOnce()
			h.wantMailboxes(tc.want)
		})
	}
}

func TestReviewLongMergeChainAndCycles(t *testing.T) {
	h := safeHarness(t)
	ann := "Ann Lee <ann@patrons.test>"
	const n = 10
	for i := 1; i <= n; i++ {
		h.deliver(raw(ann, fmt.Sprintf("Question %d", i), passAR, fmt.Sprintf("Question number %d about my loans.", i), i))
	}
	h.runOnce()
	acks := h.mailTo("ann@patrons.test")
	if len(acks) != n {
		t.Fatalf("%d acknowledgements, want %d", len(acks), n)
	}
	ctx := context.Background()
	for i := 1; i < n; i++ { // 1 into 2, 2 into 3, … 9 into 10: nine hops
		if err := h.desk.Merge(ctx, int64(i+1), int64(i)); err != nil {
			t.Fatalf("merge %d into %d: %v", i, i+1, err)
		}
	}
	// Merging back along the chain is refused: it is one request now.
	if err := h.desk.Merge(ctx, 1, n); err == nil {
		t.Error("merging the keeper into a request merged into it worked")
	}
	h.replyTo(ann, acks[0], "A reply to the very first acknowledgement.", 100)
	h.runOnce()
	if got := len(h.tickets("all")); got != n {
		t.Errorf("%d tickets, want %d (no new one)", got, n)
	}
	d, err := h.store.Show(ctx, n, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Messages != n+1 {
		t.Errorf("the last keeper has %d messages, want %d", d.Messages, n+1)
	}
	for i := 1; i < n; i++ {
		if o, _ := h.store.Show(ctx, int64(i), h.clock.Now()); o.Status != "closed" {
			t.Errorf("merged request %d is %s, want closed", i, o.Status)
		}
	}
}

func TestReviewSamePhoneQuestionFromSeveralPatrons(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"phone signature", "Can I renew my books?\n\nSent from my iPhone"},
		{"Outlook mobile signature", "Is the library open today?\n\nGet Outlook for Android"},
		{"signature with dashes", "Can I renew my books?\n\n-- \nSent from Yahoo Mail on Android"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			for i, who := range []string{"ann@patrons.test", "marco@mail.test", "kim@web.test"} {
				h.deliver(raw(who, "Question", "", tc.body, i))
				h.clock.Advance(3 * time.Minute)
				h.runOnce()
			}
			for _, a := range []string{"ann@patrons.test", "marco@mail.test", "kim@web.test"} {
				if n := len(h.mailTo(a)); n != 1 {
					t.Errorf("%s got %d mails, want the acknowledgement", a, n)
				}
			}
			if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam'`); n != 0 {
				t.Errorf("%d patrons' questions went to the spam queue", n)
			}
		})
	}
}

func TestReviewStaffOutOfOfficeInCharsets(t *testing.T) {
	for _, tc := range []struct {
		name, cs      string
		enc           encoding.Encoding
		subject, body string
	}{
		{"Japanese ISO-2022-JP", "ISO-2022-JP", japanese.ISO2022JP, "不在のお知らせ", "12月10日まで不在にしております。"},
		{"Japanese ISO-2022-JP body only", "ISO-2022-JP", japanese.ISO2022JP, "Re: %s", "お世話になっております。\n12月10日まで不在にしております。"},
		{"Russian KOI8-R body only", "KOI8-R", charmap.KOI8R, "Re: %s", "Здравствуйте!\nЯ в отпуске до 10 декабря."},
		{"Chinese GB2312 body only", "GB2312", simplifiedchinese.GBK, "Re: %s", "您好，\n这是一封自动回复邮件。"},
		{"Greek ISO-8859-7", "ISO-8859-7", charmap.ISO8859_7, "Αυτόματη απάντηση: %s", "Είμαι εκτός γραφείου έως 10/12."},
		{"Turkish ISO-8859-9", "ISO-8859-9", charmap.ISO8859_9, "Re: %s", "10 Aralık tarihine kadar izindeyim."},
		{"Polish ISO-8859-2", "ISO-8859-2", charmap.ISO8859_2, "Re: %s", "Dzień dobry,\njestem obecnie poza biurem do 10.12."},
		{"Vietnamese UTF-8", "UTF-8", encoding.Nop, "Trả lời tự động: %s", "Tôi hiện đang vắng mặt đến ngày 10/12."},
		{"Arabic windows-1256", "windows-1256", charmap.Windows1256, "Re: %s", "أنا خارج المكتب حتى 10 ديسمبر."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			id := headerValue(notice, "Message-Id")
			enc := func(s string) string {
				b, err := tc.enc.NewEncoder().String(s)
				if err != nil {
					t.Fatal(err)
				}
				return base64.StdEncoding.EncodeToString([]byte(b))
			}
			subject := tc.subject
			if strings.Contains(subject, "%s") {
				subject = fmt.Sprintf(subject, "Seymour")
			}
			h.deliver(fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: =?%s?B?%s?=\nMessage-ID: <ooo@library.test>\nIn-Reply-To: %s\nReferences: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=%s\nContent-Transfer-Encoding: base64\n\n%s\n",
				tc.cs, enc(subject), id, id, tc.cs, enc(tc.body)))
			h.runOnce()
			if n := len(h.mailTo(ann)); n != 1 {
				t.Errorf("the patron got %d mails; the out-of-office was relayed", n)
			}
			if n := len(h.mailTo(alice)); n != 1 {
				t.Errorf("alice got %d mails; want only the first notice", n)
			}
			if d := h.ticket(1); d.Status != "open" || !hasEvent(d, alice, "automated mail received") {
				t.Errorf("ticket %s, events %v", d.Status, d.Events)
			}
		})
	}
}
