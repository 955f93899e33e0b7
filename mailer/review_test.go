package mailer

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The review's cases for the pure rules: automatic replies in languages and
// charsets the first suite did not try, ticket systems' auto-replies without
// RFC 3834 headers, and Authentication-Results as real servers and forgers
// write it.

// encodedMail writes a reply whose subject and body are in charset cs.
func encodedMail(t *testing.T, enc encoding.Encoding, cs, subject, body string) *Message {
	t.Helper()
	s, err := enc.NewEncoder().String(subject)
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: Someone <someone@patrons.test>\r\nTo: help@library.test\r\nSubject: =?" + cs + "?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=\r\n" +
		"In-Reply-To: <ack1@library.test>\r\nMessage-ID: <x@patrons.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=" + cs + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(b)) + "\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReviewOutOfOfficeInCharsets(t *testing.T) {
	for _, tc := range []struct {
		name, cs      string
		enc           encoding.Encoding
		subject, body string
	}{
		{"Japanese ISO-2022-JP", "ISO-2022-JP", japanese.ISO2022JP, "不在のお知らせ", "誠に申し訳ございませんが、12月10日まで不在にしております。"},
		{"Japanese, subject only a reply", "ISO-2022-JP", japanese.ISO2022JP, "Re: [Seymour #3] 本の延長", "ただいま休暇中です。12月10日まで返信できません。"},
		{"Russian KOI8-R", "KOI8-R", charmap.KOI8R, "Автоматический ответ: Re: [Seymour #3]", "Здравствуйте! Я в отпуске до 10 декабря."},
		{"Russian KOI8-R body only", "KOI8-R", charmap.KOI8R, "Re: [Seymour #3] продление", "Я в отпуске до 10 декабря. По срочным вопросам пишите коллеге."},
		{"Arabic windows-1256", "windows-1256", charmap.Windows1256, "رد تلقائي: Re: [Seymour #3]", "أنا خارج المكتب حتى 10 ديسمبر."},
		{"Polish ISO-8859-2", "ISO-8859-2", charmap.ISO8859_2, "Automatyczna odpowiedź: [Seymour #3]", "Jestem na urlopie do 10 grudnia."},
		{"Polish body only", "ISO-8859-2", charmap.ISO8859_2, "Re: [Seymour #3] Przedłużenie", "Dzień dobry,\njestem obecnie poza biurem do 10.12. W pilnych sprawach proszę pisać do kolegi."},
		{"Turkish ISO-8859-9", "ISO-8859-9", charmap.ISO8859_9, "Otomatik yanıt: [Seymour #3]", "10 Aralık tarihine kadar izindeyim."},
		{"Greek ISO-8859-7", "ISO-8859-7", charmap.ISO8859_7, "Αυτόματη απάντηση: [Seymour #3]", "Είμαι εκτός γραφείου έως 10/12."},
		{"Vietnamese UTF-8", "UTF-8", encoding.Nop, "Trả lời tự động: [Seymour #3]", "Tôi hiện đang vắng mặt đến ngày 10/12."},
		{"Chinese GB2312", "GB2312", simplifiedchinese.HZGB2312, "自动回复: [Seymour #3]", "您好，我目前正在休假，12月10日以后回复。"},
		{"Japanese body only, verb last", "ISO-2022-JP", japanese.ISO2022JP, "Re: [Seymour #3]", "お世話になっております。\n12月10日まで不在にしております。"},
		{"Turkish body only, verb last", "ISO-8859-9", charmap.ISO8859_9, "Re: [Seymour #3]", "Merhaba,\n10 Aralık tarihine kadar izindeyim."},
		{"Korean body only", "UTF-8", encoding.Nop, "Re: [Seymour #3]", "안녕하세요.\n12월 10일까지 휴가 중입니다."},
		{"Hindi body only", "UTF-8", encoding.Nop, "Re: [Seymour #3]", "मैं 10 दिसंबर तक कार्यालय से बाहर हूँ।"},
		{"Persian body only", "UTF-8", encoding.Nop, "Re: [Seymour #3]", "من تا ۱۰ دسامبر در مرخصی هستم."},
		{"Greek body only", "ISO-8859-7", charmap.ISO8859_7, "Re: [Seymour #3]", "Είμαι εκτός γραφείου έως 10/12."},
		{"Vietnamese body only", "UTF-8", encoding.Nop, "Re: [Seymour #3]", "Tôi hiện đang vắng mặt đến ngày 10/12."},
		{"Arabic body only", "windows-1256", charmap.Windows1256, "Re: [Seymour #3]", "أنا خارج المكتب حتى 10 ديسمبر."},
		{"Chinese GBK body only", "GBK", simplifiedchinese.GBK, "Re: [Seymour #3] 续借", "您好，\n这是一封自动回复邮件。我会尽快回复您。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := tc.enc
			if tc.cs == "GB2312" {
				enc = simplifiedchinese.GBK // GB2312 text is GBK text
			}
			m := encodedMail(t, enc, tc.cs, tc.subject, tc.body)
			if v := Classify(m, []string{"help@library.test"}); v.Kind != AutoReply {
				t.Errorf("%s: got %s (%s); subject %q text %q", tc.name, v.Kind, v.Reason, m.Subject, m.Text)
			}
		})
	}
}

func TestReviewTicketSystemAutoReplies(t *testing.T) {
	for _, tc := range []struct {
		name, headers, subject, body string
		want                         Kind
	}{
		{"Zendesk acknowledgement", "X-Mailer: Zendesk Mailer\r\n", "[Acme] Re: Your request", "##- Please type your reply above this line -##\r\nYour request (4521) has been received and is being reviewed by our support staff.", AutoReply},
		{"Freshdesk acknowledgement", "", "Ticket Received - Re: [Seymour #3] Renewal", "Dear Seymour Library,\r\nWe would like to acknowledge that we have received your request and a ticket has been created.", AutoReply},
		{"Jira Service Management", "", "[JIRA] (HELP-77) Re: [Seymour #3] Renewal", "Your request HELP-77 has been received. Our team will get back to you.", AutoReply},
		{"osTicket autoresponse", "", "Support Ticket Opened [#845123]", "Seymour Library,\r\nA request for support has been created and assigned #845123. A representative will follow-up with you as soon as possible.", AutoReply},
		{"a patron's real question is still personal", "", "Re: [Seymour #3] Renewal", "Thanks! I have received your message. Can I also renew the DVD?", Personal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: support@acme.test\r\nTo: help@library.test\r\nSubject: " + tc.subject + "\r\nIn-Reply-To: <ack1@library.test>\r\nMessage-ID: <z@acme.test>\r\n" + tc.headers + "\r\n" + tc.body + "\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if v := Classify(m, []string{"help@library.test"}); v.Kind != tc.want {
				t.Errorf("got %s (%s), want %s", v.Kind, v.Reason, tc.want)
			}
		})
	}
}

func TestReviewCheckSender(t *testing.T) {
	for _, tc := range []struct {
		name     string
		headers  []string // Authentication-Results values, top first
		authserv string
		verified bool
		suspect  bool
	}{
		{"several headers, one per checker", []string{"mx.library.test; spf=pass smtp.mailfrom=patrons.test", "mx.library.test; dkim=pass header.d=patrons.test", "mx.library.test; dmarc=pass header.from=patrons.test"}, "mx.library.test", true, false},
		{"comments everywhere", []string{"mx.library.test (Postfix/opendmarc 1.4); dmarc=pass (p=none dis=none) header.from=patrons.test"}, "mx.library.test", true, false},
		{"arc result alone proves nothing", []string{"mx.library.test; arc=pass (i=1 spf=pass dkim=pass dmarc=pass) smtp.remote-ip=192.0.2.7"}, "mx.library.test", false, false},
		{"forged pass below the MX's none", []string{"mx.library.test; spf=none smtp.mailfrom=patrons.test; dkim=none; dmarc=none header.from=patrons.test", "mx.library.test; dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test"}, "mx.library.test", false, false},
		{"forged pass below the MX's fail", []string{"mx.library.test; spf=fail smtp.mailfrom=patrons.test; dkim=none; dmarc=fail header.from=patrons.test", "mx.library.test; dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test"}, "mx.library.test", false, true},
		{"forged pass from another server", []string{"mx.library.test; spf=softfail smtp.mailfrom=patrons.test; dkim=none", "mx.evil.test; dkim=pass header.d=patrons.test"}, "mx.library.test", false, false},
		{"Microsoft 365 form", []string{"spf=fail (sender IP is 192.0.2.9) smtp.mailfrom=patrons.test; dkim=none (message not signed) header.d=none;dmarc=fail action=oreject header.from=patrons.test;compauth=fail reason=000"}, "microsoft365", false, true},
		{"Microsoft 365 pass", []string{"spf=pass (sender IP is 192.0.2.9) smtp.mailfrom=patrons.test; dkim=pass (signature was verified) header.d=patrons.test;dmarc=pass action=none header.from=patrons.test;compauth=pass reason=100"}, "microsoft365", true, false},
		{"Microsoft 365: a forged nameless header below counts for nothing", []string{"spf=none smtp.mailfrom=patrons.test; dkim=none; dmarc=none header.from=patrons.test", "dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test"}, "microsoft365", false, false},
		{"Google form", []string{"mx.google.com; dkim=pass header.i=@patrons.test header.s=s1 header.b=abc; spf=pass (google.com: domain of ann@patrons.test designates 192.0.2.1 as permitted sender) smtp.mailfrom=ann@patrons.test; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=patrons.test"}, "mx.google.com", true, false},
		{"DMARC pass naming no domain", []string{"mx.library.test; dmarc=pass"}, "mx.library.test", false, false},
		{"DMARC pass for another domain", []string{"mx.library.test; dmarc=pass header.from=evil.test"}, "mx.library.test", false, false},
		{"authserv in upper case", []string{"MX.Library.Test; dkim=pass header.d=patrons.test"}, "mx.library.test", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: Ann <ann@patrons.test>\r\nTo: help@library.test\r\nSubject: x\r\n"
			for _, h := range tc.headers {
				raw += "Authentication-Results: " + h + "\r\n"
			}
			m, err := Parse([]byte(raw + "\r\nhi\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			a := CheckSender(m, tc.authserv)
			if a.Verified != tc.verified || (a.Suspect != "") != tc.suspect {
				t.Errorf("got verified %v suspect %q; want verified %v suspect %v\n%s", a.Verified, a.Suspect, tc.verified, tc.suspect, strings.Join(tc.headers, "\n"))
			}
		})
	}
}

func TestReviewBuildAddresses(t *testing.T) {
	for _, name := range []string{
		"Ann \"The Reader\" (Lee)", "Ann\r\nBcc: victim@evil.test", "Ann\u202eeeL", "📚 Ann Lee 📚", "Lee, Ann", "=?utf-8?q?Ann?=", "\\\"", strings.Repeat("x", 300), "Ann\x00Lee",
	} {
		o := &Outgoing{FromName: "Seymour Library", FromAddress: "help@library.test", ToName: name, ToAddress: "ann@patrons.test", Subject: "x", MessageID: "a@library.test", Text: "hi"}
		m, err := Build(o)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		var b strings.Builder
		if _, err := m.WriteTo(&b); err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		out := b.String()
		if strings.Contains(strings.ToLower(out), "\nbcc:") || strings.ContainsRune(out, '\u202e') || strings.ContainsRune(out, 0) {
			t.Errorf("%q was written unsafely:\n%s", name, out)
		}
	}
}

func TestReviewPatronRepliesThatSoundAway(t *testing.T) {
	for _, body := range []string{
		"Hi,\r\nI'm on holiday until 20 December. Could you keep the book on hold until then?",
		"Thanks,\r\nI will be away until Monday; can someone else pick up my reservation?",
		"Ann,\r\nI am out of the office until the 10th, so please post the card to my home.",
		"Thanks,\r\nI will be away until Monday.",
		"Hello,\r\nI'm currently travelling until January. Can I renew my books online from abroad?",
	} {
		raw := "From: Ann <ann@patrons.test>\r\nTo: help@library.test\r\nSubject: Re: [Seymour #3] Your hold\r\nIn-Reply-To: <ack1@library.test>\r\nMessage-ID: <p@patrons.test>\r\n\r\n" + body + "\r\n"
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if v := Classify(m, []string{"help@library.test"}); v.Kind != Personal {
			t.Errorf("a patron's question was taken as %s (%s):\n%s", v.Kind, v.Reason, body)
		}
	}
}
