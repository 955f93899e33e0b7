package mailer

import (
	"strings"
	"testing"
	"time"
)

// TestAutoReplyLanguages: out-of-office replies without RFC 3834 headers, as
// Exchange, Gmail, Zimbra and phone clients write them in the languages
// library patrons write in, in several charsets. Each must be recognised;
// the people's mail beside them must not.
func TestAutoReplyLanguages(t *testing.T) {
	reply := "In-Reply-To: <pd.1.x@library.test>\n"
	for _, tc := range []struct {
		name, head, body string
		want             Kind
	}{
		{"en Outlook subject", "Subject: Automatic reply: [Seymour #4] Renew\n", "Thanks.", AutoReply},
		{"en Gmail vacation, first line", "Subject: Re: [Seymour #4] Renew\n" + reply, "I am currently out of the office until Monday with limited access to email.", AutoReply},
		{"en thanks line then OOO", "Subject: Re: [Seymour #4] Renew\n" + reply, "Thank you for your message.\nI am out of the office until 4 January and will reply when I return.", AutoReply},
		{"en greeting then OOO", "Subject: Re: [Seymour #4] Renew\n" + reply, "Hello,\n\nI'm on annual leave until 4 January.\nFor urgent matters call 555.", AutoReply},
		{"en gateway prefix", "Subject: [EXTERNAL] Out of Office: Renew\n", "Away.", AutoReply},
		{"es subject", "Subject: Respuesta automática: Renovar\n", "Gracias.", AutoReply},
		{"es first line", "Subject: RE: Renovar\n" + reply, "Estoy fuera de la oficina hasta el lunes.", AutoReply},
		{"fr subject", "Subject: Réponse automatique : Renouveler\n", "Merci.", AutoReply},
		{"fr first line latin-1", "Subject: Re: Renouveler\n" + reply + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n", "Je suis absente du bureau jusqu'au 5 janvier. Merci de votre compr=E9hension.", AutoReply},
		{"de first line", "Subject: AW: Verlängerung\n" + reply, "Ich bin bis 10.01. nicht im Büro.", AutoReply},
		{"it subject", "Subject: Risposta automatica: Rinnovo\n", "Grazie.", AutoReply},
		{"pt subject", "Subject: Resposta automática: Renovação\n", "Obrigado.", AutoReply},
		{"nl subject", "Subject: Automatisch antwoord: Verlengen\n", "Dank.", AutoReply},
		{"pl subject", "Subject: Automatyczna odpowiedź: Prolongata\n", "Dziękuję.", AutoReply},
		{"ru subject koi8-r", "Subject: =?koi8-r?b?4dfUz83B1MnexdPLycogz9TXxdQ=?=: Продление\n", "Спасибо.", AutoReply},
		{"ru first line", "Subject: Re: Продление\n" + reply, "Я в отпуске до 10 января.", AutoReply},
		{"uk subject", "Subject: Автовідповідь: Продовження\n", "Дякую.", AutoReply},
		{"zh subject gb2312", "Subject: =?gb2312?b?19S2r7vYuLQ=?=: 续借\n", "谢谢", AutoReply},
		{"zh-tw subject", "Subject: 自動回覆: 續借\n", "謝謝", AutoReply},
		{"ja subject iso-2022-jp", "Subject: =?ISO-2022-JP?B?GyRCPCtGMDF+RXobKEI=?=: 延長\n", "ありがとう", AutoReply},
		{"ko subject", "Subject: 자동 응답: 연장\n", "감사합니다", AutoReply},
		{"ar subject", "Subject: رد تلقائي: تجديد\n", "شكرا", AutoReply},
		{"vi subject", "Subject: Trả lời tự động: Gia hạn\n", "Cảm ơn", AutoReply},
		{"tl first line", "Subject: Re: Renew\n" + reply, "Wala ako sa opisina hanggang Lunes.", AutoReply},
		{"hi subject", "Subject: स्वचालित उत्तर: नवीनीकरण\n", "धन्यवाद", AutoReply},
		{"tr subject", "Subject: Otomatik yanıt: Yenileme\n", "Teşekkürler", AutoReply},
		{"sv subject", "Subject: Automatiskt svar: Förnya\n", "Tack", AutoReply},
		{"da subject", "Subject: Automatisk svar: Forny\n", "Tak", AutoReply},
		{"fi subject", "Subject: Automaattinen vastaus: Uusinta\n", "Kiitos", AutoReply},
		{"cs subject", "Subject: Automatická odpověď: Prodloužení\n", "Děkuji", AutoReply},
		{"el subject", "Subject: Αυτόματη απάντηση: Ανανέωση\n", "Ευχαριστώ", AutoReply},
		{"he subject", "Subject: תשובה אוטומטית: חידוש\n", "תודה", AutoReply},
		{"ro subject", "Subject: Răspuns automat: Reînnoire\n", "Mulțumesc", AutoReply},
		{"hu subject", "Subject: Automatikus válasz: Hosszabbítás\n", "Köszönöm", AutoReply},
		{"fa subject", "Subject: پاسخ خودکار: تمدید\n", "ممنون", AutoReply},
		// People, not robots.
		{"new request about being away", "Subject: Renew while I am away\n", "I am on vacation until the 20th, can you renew my books?", Personal},
		{"new request starting like an OOO", "Subject: Books\n", "I am out of the office next week. Can I pick up my hold on the 14th?", Personal},
		{"reply with a real question", "Subject: Re: [Seymour #4] Renew\n" + reply, "Thanks! I will be away next week, can you hold it?", Personal},
		{"subject word without colon", "Subject: Absence of my card\n", "I lost my card.", Personal},
		{"thank you subject", "Subject: Thank you for your help\n", "The book arrived.", Personal},
		{"staff answer mentioning being away", "Subject: Re: [Seymour #4] Renew\n" + reply, "I am out of the office tomorrow, so Bob will call you about the fine.", Personal},
		{"staff answer in Spanish mentioning leave", "Subject: RE: Renovar\n" + reply, "Estoy de vacaciones la semana que viene; Bob le llamará.", Personal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(crlf("From: x@example.test\nTo: help@library.test\n" + tc.head + "\n" + tc.body + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := Classify(m, nil); got.Kind != tc.want {
				t.Errorf("Classify = %s (%s), want %s; subject %q", got.Kind, got.Reason, tc.want, m.Subject)
			}
		})
	}
}

func TestSpamVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		spam       bool
	}{
		{"SpamAssassin flag", "X-Spam-Flag: YES\n", true},
		{"SpamAssassin status yes", "X-Spam-Status: Yes, score=9.1 required=5.0 tests=URIBL\n", true},
		{"SpamAssassin status no but score over ours", "X-Spam-Status: No, score=6.2 required=8.0\n", true},
		{"SpamAssassin status clean", "X-Spam-Status: No, score=0.3 required=5.0\n", false},
		{"rspamd action", "X-Rspamd-Action: add header\nX-Rspamd-Score: 3.1\n", true},
		{"rspamd score", "X-Rspamd-Score: 7.45\n", true},
		{"rspamd low score", "X-Rspamd-Score: -0.1\nX-Rspamd-Action: no action\n", false},
		{"spamd result", "X-Spamd-Result: default: False [11.40 / 15.00];\n", true},
		{"X-Spam yes", "X-Spam: Yes\n", true},
		{"Microsoft SCL", "X-MS-Exchange-Organization-SCL: 9\n", true},
		{"Microsoft SCL clean", "X-MS-Exchange-Organization-SCL: 1\n", false},
		{"Microsoft forefront", "X-Forefront-Antispam-Report: CIP:1.2.3.4;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;\n", true},
		{"nothing", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(crlf("From: x@example.test\nSubject: hi\n" + tc.head + "\nhello\n"))
			if err != nil {
				t.Fatal(err)
			}
			got := ClassifyWith(m, nil, 5)
			if (got.Kind == Bulk) != tc.spam {
				t.Errorf("Classify = %s (%s), want spam %v", got.Kind, got.Reason, tc.spam)
			}
		})
	}
}

// TestCheckSender: what the library's MX wrote about the From address, in
// the forms Postfix/OpenDMARC, Google and Microsoft 365 write it.
func TestCheckSender(t *testing.T) {
	for _, tc := range []struct {
		name, authserv string
		headers        []string
		verified       bool
		suspect        bool
	}{
		{"dmarc fail", "mx.library.test", []string{"mx.library.test; spf=fail smtp.mailfrom=bank.test; dkim=none; dmarc=fail (p=reject dis=none) header.from=bank.test"}, false, true},
		{"spf fail without dkim", "mx.library.test", []string{"mx.library.test; spf=fail smtp.mailfrom=victim.test; dkim=none"}, false, true},
		{"spf fail with aligned dkim pass (a forwarder)", "mx.library.test", []string{"mx.library.test; spf=fail smtp.mailfrom=list.test; dkim=pass header.d=patrons.test"}, true, false},
		{"dkim pass of a parent domain", "mx.library.test", []string{"mx.library.test; dkim=pass header.d=patrons.test header.s=s1"}, true, false},
		{"dkim pass of another domain", "mx.library.test", []string{"mx.library.test; dkim=pass header.d=spam.test"}, false, false},
		{"dmarc pass", "mx.library.test", []string{"mx.library.test 1; spf=pass; dmarc=pass header.from=mail.patrons.test"}, true, false},
		{"forged header from elsewhere is ignored", "mx.library.test", []string{"mx.evil.test; dmarc=pass header.from=mail.patrons.test"}, false, false},
		{"forged pass below a real fail", "mx.library.test", []string{"mx.library.test; dmarc=fail header.from=mail.patrons.test", "mx.library.test; dkim=pass header.d=mail.patrons.test"}, false, true},
		{"no trusted server named", "", []string{"mx.library.test; dmarc=fail header.from=mail.patrons.test"}, false, false},
		{"google", "mx.google.com", []string{"mx.google.com;\r\n       dkim=pass header.i=@patrons.test header.s=20230601 header.b=abc;\r\n       spf=pass (google.com: domain of ann@mail.patrons.test designates 1.2.3.4 as permitted sender) smtp.mailfrom=ann@mail.patrons.test;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=mail.patrons.test"}, true, false},
		{"microsoft 365 nameless fail", "microsoft365", []string{"spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=mail.patrons.test; dkim=none (message not signed) header.d=none;dmarc=fail action=oreject header.from=mail.patrons.test;compauth=fail reason=000"}, false, true},
		{"microsoft 365 nameless pass", "microsoft365", []string{"spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=mail.patrons.test; dkim=pass (signature was verified) header.d=mail.patrons.test;dmarc=pass action=none header.from=mail.patrons.test;compauth=pass reason=100"}, true, false},
		{"microsoft 365: a nameless pass below the top is the sender's", "microsoft365", []string{"spf=fail smtp.mailfrom=mail.patrons.test; dmarc=fail header.from=mail.patrons.test", "dkim=pass header.d=mail.patrons.test; dmarc=pass header.from=mail.patrons.test"}, false, true},
		{"nameless header with a named server configured", "mx.library.test", []string{"dkim=pass header.d=mail.patrons.test; dmarc=pass header.from=mail.patrons.test"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: Ann <ann@mail.patrons.test>\nSubject: hi\n"
			for _, h := range tc.headers {
				raw += "Authentication-Results: " + h + "\n"
			}
			m, err := Parse(crlf(raw + "\nhello\n"))
			if err != nil {
				t.Fatal(err)
			}
			got := CheckSender(m, tc.authserv)
			if got.Verified != tc.verified || (got.Suspect != "") != tc.suspect {
				t.Errorf("CheckSender = %+v; want verified %v, suspect %v", got, tc.verified, tc.suspect)
			}
		})
	}
}

// TestBuildAnyDisplayName: whatever name a client sent, the mail is built,
// the address is the patron's and the name reads back as sent (or is gone).
func TestBuildAnyDisplayName(t *testing.T) {
	for _, tc := range []struct{ name, back string }{
		{`Lee, Ann "Annie" (Branch)`, `Lee, Ann "Annie" (Branch)`},
		{`O'Brien <boss> \ "x"`, `O'Brien <boss> \ "x"`},
		{"José Müller-Łukasz 李雷", "José Müller-Łukasz 李雷"},
		{"Ann\r\nBcc: victim@example.test", "Ann Bcc: victim@example.test"},
		{"\u202eevil\u202c Ann\u200b", "evil Ann"},
		{"=?utf-8?q?not_decoded?=", "=?utf-8?q?not_decoded?="},
		{strings.Repeat("x", 300), strings.Repeat("x", 64)},
		{"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &Outgoing{FromName: "Seymour Library", FromAddress: "help@library.test", ToName: tc.name, ToAddress: "ann@patrons.test",
				Subject: "s", Text: "t", MessageID: "x@library.test", Date: time.Now()}
			msg, err := Build(o)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			var b strings.Builder
			if _, err := msg.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			m, err := Parse([]byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			if len(m.To) != 1 || m.To[0].Email != "ann@patrons.test" || m.To[0].Name != tc.back || m.Header.Has("Bcc") {
				t.Errorf("To = %+v, want name %q\n%s", m.To, tc.back, b.String())
			}
		})
	}
	if _, err := Build(&Outgoing{ToAddress: "not an address", FromAddress: "help@library.test", MessageID: "x@y"}); err == nil {
		t.Error("a bad address was accepted")
	}
}

func TestSignerKeyRotation(t *testing.T) {
	old := NewSigner([]byte("old key.........................."), "library.test")
	rotated := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	before := old.MessageID(7, ForStaff, rotated.Add(-time.Hour))
	after := old.MessageID(7, ForStaff, rotated.Add(time.Hour))
	cur := NewSigner([]byte("new key.........................."), "library.test").WithPrevious([]byte("old key.........................."), rotated)
	if tok, ok := cur.Verify(before); !ok || tok.Ticket != 7 {
		t.Errorf("an id made with the previous key before the rotation does not verify")
	}
	if _, ok := cur.Verify(after); ok {
		t.Errorf("an id made with the previous key after the rotation verified")
	}
	if _, ok := cur.Verify(cur.MessageID(8, ForPatron, rotated.Add(time.Hour))); !ok {
		t.Errorf("the new key's own id does not verify")
	}
	if _, ok := NewSigner([]byte("new key.........................."), "library.test").Verify(before); ok {
		t.Errorf("without the previous key an old id verified")
	}
}

// FuzzAuthResults: the Authentication-Results reader never panics, and a
// header the trusted server did not write never verifies anyone.
func FuzzAuthResults(f *testing.F) {
	for _, s := range []string{"mx.library.test; dkim=pass header.d=patrons.test", "spf=pass (a (b) c) smtp.mailfrom=x; dmarc=fail", "; ; =", "mx 1; dkim", "(((", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		parseAuthResults(v)
		m, err := Parse([]byte("From: a@patrons.test\r\nAuthentication-Results: mx.other.test; " + strings.ReplaceAll(v, "\n", " ") + "\r\n\r\nx\r\n"))
		if err != nil {
			return
		}
		if a := CheckSender(m, "mx.library.test"); a.Verified {
			t.Errorf("verified by a header from another server: %q", v)
		}
	})
}

// FuzzAutoReply: subjects and first lines of any bytes never panic the
// classifier.
func FuzzAutoReply(f *testing.F) {
	for _, s := range []string{"Automatic reply: x", "Re: [EXTERNAL] [Tag #1] Out of office", "自動回覆", "\xff\xfe", ""} {
		f.Add(s, "I am out of the office")
	}
	f.Fuzz(func(t *testing.T, subject, body string) {
		m := &Message{Subject: subject, Text: body, InReplyTo: []string{"x@y"}}
		autoSubjectMatch(subject)
		autoFirstLine(m)
	})
}
