package tickets

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// The adversarial suite: mail written the way forgers, spammers, robots and
// careless clients write it, each case asserting what arrived in every
// mailbox. The README's Safety figure counts these cases.

const (
	mx     = "mx.library.test"
	admin  = "it@library.test"
	passAR = "Authentication-Results: mx.library.test; spf=pass smtp.mailfrom=patrons.test; dkim=pass header.d=patrons.test header.s=s1; dmarc=pass header.from=patrons.test\n"
	failAR = "Authentication-Results: mx.library.test; spf=fail smtp.mailfrom=patrons.test; dkim=none; dmarc=fail (p=reject) header.from=patrons.test\n"
)

// safeHarness is a desk whose library named its MX and its admin.
func safeHarness(t *testing.T) *harness {
	h := newHarness(t, nil)
	h.desk.opts.TrustedAuthserv, h.desk.opts.Admin = mx, admin
	return h
}

// raw writes one message: headers (each ending in \n) then the body.
func raw(from, subject, headers, body string, n int) string {
	return fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: %s\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <s%d@patrons.test>\n%s\n%s\n", from, subject, n, headers, body)
}

// mailboxes counts what every recipient received.
func (h *harness) mailboxes() map[string]int {
	got := map[string]int{}
	for _, r := range h.srv.Received() {
		for _, to := range r.To {
			got[strings.ToLower(to)]++
		}
	}
	return got
}

// wantMailboxes fails unless exactly these recipients got exactly these
// counts of mail.
func (h *harness) wantMailboxes(want map[string]int) {
	h.t.Helper()
	got := h.mailboxes()
	var diff []string
	for k, v := range got {
		if want[k] != v {
			diff = append(diff, fmt.Sprintf("%s got %d, want %d", k, v, want[k]))
		}
	}
	for k, v := range want {
		if _, ok := got[k]; !ok && v != 0 {
			diff = append(diff, fmt.Sprintf("%s got 0, want %d", k, v))
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		h.t.Errorf("mailboxes: %s", strings.Join(diff, "; "))
	}
}

// noWords fails when mail holds any of the attacker's words.
func noWords(t *testing.T, mail string, words ...string) {
	t.Helper()
	low := strings.ToLower(mail + "\n" + text(t, mail))
	for _, w := range words {
		if strings.Contains(low, strings.ToLower(w)) {
			t.Errorf("mail carries the sender's words %q:\n%s", w, mail)
		}
	}
}

func TestBackscatter(t *testing.T) {
	t.Run("DMARC fail at our MX: ticket, no ack, staff see why", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("Bank Support <victim@patrons.test>", "Verify your account at http://spam.test", failAR, "Click http://spam.test now", 1))
		h.runOnce()
		h.wantMailboxes(map[string]int{bob: 1})
		notice := text(t, h.last(bob))
		if !strings.Contains(notice, "victim@patrons.test") || !strings.Contains(notice, "DMARC fail") || !strings.Contains(notice, "No acknowledgement was sent") {
			t.Errorf("notice does not say who and why:\n%s", notice)
		}
		if d := h.ticket(1); !hasEvent(d, "patrondesk", "suspect") || !hasEvent(d, "patrondesk", "acknowledgement not sent") {
			t.Errorf("events: %v", d.Events)
		}
		// Days later nobody has answered: the owner is reminded, the
		// forged address still gets nothing.
		h.desk.opts.PatronUpdateAfter, h.desk.opts.NagEvery = 24*time.Hour, 24*time.Hour
		for range 6 {
			h.clock.Advance(24 * time.Hour)
			if _, err := h.desk.Schedule(context.Background(), h.clock.Now()); err != nil {
				t.Fatal(err)
			}
			h.runOnce()
		}
		if n := len(h.mailTo("victim@patrons.test")); n != 0 {
			t.Errorf("the forged address got %d mails from the scheduler", n)
		}
		if d := h.ticket(1); !hasEvent(d, "patrondesk", "patron_update not sent") {
			t.Errorf("the held update was not recorded: %v", d.Events)
		}
	})
	t.Run("SPF fail without DKIM pass: no ack", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("victim@patrons.test", "Question", "Authentication-Results: mx.library.test; spf=fail smtp.mailfrom=patrons.test; dkim=none\n", "Hello?", 1))
		h.runOnce()
		h.wantMailboxes(map[string]int{bob: 1})
	})
	t.Run("SPF fail with aligned DKIM pass (a forwarding account): ack", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("ann@patrons.test", "Question", "Authentication-Results: mx.library.test; spf=fail smtp.mailfrom=fwd.test; dkim=pass header.d=patrons.test\n", "Hello?", 1))
		h.runOnce()
		h.wantMailboxes(map[string]int{"ann@patrons.test": 1, bob: 1})
	})
	t.Run("a forged pass from another server counts for nothing", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("Buy Pills Now <victim@patrons.test>", "Cheap pills http://spam.test", "Authentication-Results: mx.spam.test; dkim=pass header.d=patrons.test; dmarc=pass header.from=patrons.test\n", "http://spam.test", 1))
		h.runOnce()
		h.wantMailboxes(map[string]int{"victim@patrons.test": 1, bob: 1})
		ack := h.last("victim@patrons.test")
		noWords(t, ack, "spam.test", "pills", "Buy")
		if headerValue(ack, "Subject") != "[Seymour #1] We have your message" {
			t.Errorf("unverified ack subject %q", headerValue(ack, "Subject"))
		}
	})
	for _, spam := range []string{"X-Spam-Flag: YES\n", "X-Spam-Status: Yes, score=12.0\n", "X-Rspamd-Score: 9.5\n", "X-Spam-Status: No, score=5.4 required=8.0\n"} {
		t.Run("MX spam verdict "+strings.TrimSpace(spam), func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(raw("victim@patrons.test", "You won", spam, "Claim at http://spam.test", 1))
			h.runOnce()
			h.wantMailboxes(map[string]int{})
			if n := h.count(`SELECT COUNT(*) FROM messages WHERE kind = 'spam' AND reason LIKE '%spam%'`); n != 1 {
				t.Errorf("the spam was not recorded (%d)", n)
			}
		})
	}
	t.Run("fifty forged victims in one round: ten acks, the rest held, the admin told once", func(t *testing.T) {
		h := safeHarness(t)
		for i := 1; i <= 50; i++ {
			h.deliver(raw(fmt.Sprintf("victim%d@patrons%d.test", i, i), fmt.Sprintf("Offer %d", i), "", fmt.Sprintf("Words %s of its own %d", strings.Repeat(string(rune('a'+i%26)), i%7+1), i), i))
		}
		h.runOnce()
		acks := 0
		for addr, n := range h.mailboxes() {
			if strings.HasPrefix(addr, "victim") {
				acks += n
			}
		}
		if acks != 10 || len(h.mailTo(admin)) != 1 || len(h.tickets("all")) != 50 {
			t.Fatalf("acks %d (want 10), admin mails %d (want 1), tickets %d (want 50)", acks, len(h.mailTo(admin)), len(h.tickets("all")))
		}
		if !strings.Contains(text(t, h.last(admin)), "patrondesk held list") {
			t.Errorf("admin mail:\n%s", text(t, h.last(admin)))
		}
		held, err := h.store.HeldMail(context.Background())
		if err != nil || len(held) != 40 {
			t.Fatalf("held: %d %v", len(held), err)
		}
		// The admin drops five and releases the rest.
		if n, err := h.store.DropHeld(context.Background(), h.clock.Now(), held[0].ID, held[1].ID, held[2].ID, held[3].ID, held[4].ID); n != 5 || err != nil {
			t.Fatalf("drop: %d %v", n, err)
		}
		if n, err := h.store.ReleaseHeld(context.Background(), h.clock.Now()); n != 35 || err != nil {
			t.Fatalf("release: %d %v", n, err)
		}
		h.runOnce()
		if got := len(h.srv.Received()); got != 10+1+35+50 { // acks, alert, released, owner notices
			t.Errorf("%d mails in all after release", got)
		}
		// A new burst tells the admin again.
		h.clock.Advance(time.Hour)
		for i := 51; i <= 62; i++ {
			h.deliver(raw(fmt.Sprintf("victim%d@patrons%d.test", i, i), "x", "", fmt.Sprintf("Text number %d %s", i, strings.Repeat("z", i%5+1)), i))
		}
		h.runOnce()
		if n := len(h.mailTo(admin)); n != 2 {
			t.Errorf("admin told %d times, want 2", n)
		}
	})
	t.Run("thirty mails to victim+N@: one mailbox, one cap", func(t *testing.T) {
		h := safeHarness(t)
		for i := 1; i <= 30; i++ {
			h.deliver(raw(fmt.Sprintf("Victim+%d@patrons.test", i), fmt.Sprintf("Hi %d", i), "", fmt.Sprintf("Message %d", i), i))
		}
		h.runOnce()
		acks := 0
		for addr, n := range h.mailboxes() {
			if strings.HasPrefix(addr, "victim") {
				acks += n
			}
		}
		if acks > h.desk.opts.AutoReplyLimit {
			t.Errorf("%d acks reached the victim's mailbox, cap %d", acks, h.desk.opts.AutoReplyLimit)
		}
	})
	t.Run("encoded CR/LF in the subject stays out of every body", func(t *testing.T) {
		for _, auth := range []string{"", passAR} {
			h := safeHarness(t)
			h.deliver(raw("Ann <ann@patrons.test>", "=?utf-8?q?Renew=0D=0A=0D=0ABuy_pills_at_http://spam.test?=", auth, "Please renew.", 1))
			h.runOnce()
			ack, notice := h.last("ann@patrons.test"), h.last(alice)
			if strings.Contains(text(t, ack), "spam.test") {
				t.Errorf("ack body carries the subject's second line:\n%s", text(t, ack))
			}
			above, _, found := strings.Cut(text(t, notice), templates.ReplyMarker)
			if !found || strings.Contains(above, "spam") || strings.Count(above, "\n") > 1 {
				t.Errorf("the sender's text stands above the answer marker of the notice:\n%s", text(t, notice))
			}
			if body := text(t, notice); strings.Count(body, "spam.test") > 1 {
				t.Errorf("the subject spilled into the notice body:\n%s", body)
			}
			if s := headerValue(ack, "Subject"); auth != "" && s != "[Seymour #1] Renew Buy pills at http://spam.test" {
				t.Errorf("verified ack subject %q, want it on one line", s)
			}
		}
	})
	t.Run("a verified sender sees a short subject and never the body", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("Ann Lee <ann@patrons.test>", strings.Repeat("Renew my books please ", 10), passAR, "SECRET-BODY-WORDS http://spam.test", 1))
		h.runOnce()
		ack := h.last("ann@patrons.test")
		noWords(t, ack, "SECRET-BODY-WORDS", "spam.test")
		m, err := mailer.Parse([]byte(ack))
		if err != nil {
			t.Fatal(err)
		}
		if s := m.Subject; len([]rune(s)) > len("[Seymour #1] ")+maxAckSubject || !strings.HasSuffix(s, "…") {
			t.Errorf("subject %q", s)
		}
		if !strings.Contains(text(t, ack), "Hello Ann,") {
			t.Errorf("verified ack does not greet by name:\n%s", text(t, ack))
		}
	})
	t.Run("the scheduler's update repeats no unverified words", func(t *testing.T) {
		h := safeHarness(t)
		h.desk.opts.PatronUpdateAfter = 24 * time.Hour
		h.deliver(raw("Cheap Pills <victim@patrons.test>", "Cheap pills http://spam.test", "", "Buy", 1))
		h.deliver(raw("Ann Lee <ann@patrons.test>", "Renew my books", passAR, "Please renew.", 2))
		h.runOnce()
		for range 3 {
			h.clock.Advance(24 * time.Hour)
			if _, err := h.desk.Schedule(context.Background(), h.clock.Now()); err != nil {
				t.Fatal(err)
			}
			h.runOnce()
		}
		victim, ann := h.mailTo("victim@patrons.test"), h.mailTo("ann@patrons.test")
		if len(victim) < 2 || len(ann) < 2 {
			t.Fatalf("updates: victim %d, ann %d; want an acknowledgement and an update each", len(victim), len(ann))
		}
		for _, m := range victim {
			noWords(t, m, "spam.test", "pills")
		}
		if s := headerValue(ann[1], "Subject"); s != "Re: [Seymour #2] Renew my books" {
			t.Errorf("a verified patron's update lost her subject: %q", s)
		}
	})
	t.Run("a forged staff forward naming a victim: only the forwarder is asked", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver("From: Bob Jones <bob@library.test>\nTo: help@library.test\nSubject: Fwd: Cheap pills http://spam.test\nMessage-ID: <forged@spam.test>\n" + failAR +
			"\n---------- Forwarded message ---------\nFrom: Victim <victim@patrons.test>\nSubject: Cheap pills http://spam.test\nTo: <bob@library.test>\n\nBuy now http://spam.test\n")
		h.runOnce()
		h.wantMailboxes(map[string]int{bob: 1})
		noWords(t, h.last(bob), "Buy now")
		h.clock.Advance(24 * time.Hour)
		h.runOnce()
		h.wantMailboxes(map[string]int{bob: 1})
	})
}

// TestRotatingRobotFlood is the measured drill: a robot answers every mail
// it gets, each time from a new address on a new domain with a new subject,
// near-identical words (its own plus our quoted acknowledgement), a minute
// later, for five minutes, with and without threading headers. It must get
// at most 20 mails in all.
func TestRotatingRobotFlood(t *testing.T) {
	for _, tc := range []struct {
		name   string
		thread bool
		quote  bool
		cycle  int // addresses used in turn; 0 = a new one each time
	}{
		{"new address, new subject, no threading", false, false, 0},
		{"new address, new subject, threaded", true, false, 0},
		{"new address, new subject, quoting our mail", false, true, 0},
		{"three addresses in turn, new subject", false, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := safeHarness(t)
			h.deliver(raw("robot0@bots0.test", "Hello", "", "We received your message and will get back to you shortly. Kind regards, the team.", 0))
			seen, n := 0, 0
			start := h.clock.Now()
			for h.clock.Now().Sub(start) <= 5*time.Minute {
				h.runOnce()
				got := h.robotMail()
				for _, m := range got[seen:] {
					n++
					headers := ""
					if tc.thread {
						headers = "In-Reply-To: " + headerValue(m, "Message-Id") + "\n"
					}
					body := "We received your message and will get back to you shortly. Kind regards, the team."
					if tc.quote {
						body += "\n\n> " + strings.ReplaceAll(text(t, m), "\n", "\n> ")
					}
					a := n
					if tc.cycle > 0 {
						a = n % tc.cycle
					}
					h.deliver(raw(fmt.Sprintf("robot%d@bots%d.test", a, a), fmt.Sprintf("Ticket %d received", n*7919), headers, body, n))
				}
				seen = len(got)
				h.clock.Advance(20 * time.Second)
			}
			h.runOnce()
			total := len(h.robotMail())
			if total > 20 {
				t.Errorf("the robot got %d mails in five minutes; want at most 20", total)
			}
			if n := len(h.mailTo(admin)); n != 1 {
				t.Errorf("the admin was told %d times about the flood, want once", n)
			}
			staff := len(h.mailTo(alice)) + len(h.mailTo(bob))
			t.Logf("%s: the robot got %d mail(s), staff %d notice(s), %d tickets", tc.name, total, staff, len(h.tickets("all")))
		})
	}
}

// TestStaffOutOfOfficeNeverRelayed: a staff member's own automatic reply to
// a notice, without RFC 3834 headers, in the languages patrondesk has and
// more, is recorded and does nothing else.
func TestStaffOutOfOfficeNeverRelayed(t *testing.T) {
	for _, tc := range []struct{ name, subject, body string }{
		{"Outlook subject", "Automatic reply: %s", "I am out of the office until Monday."},
		{"Gmail vacation, first line only", "Re: %s", "I'm currently out of the office with limited access to email. For urgent matters call the desk."},
		{"Spanish first line", "RE: %s", "Hola,\n\nEstoy fuera de la oficina hasta el lunes."},
		{"German subject", "Abwesenheitsnotiz: %s", "Ich bin bis 10.01. nicht im Büro."},
		{"French subject", "Réponse automatique : %s", "Je suis absente."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, notice := newTicket(t)
			id := headerValue(notice, "Message-Id")
			h.deliver(fmt.Sprintf("From: Alice Smith <alice@library.test>\nTo: help@library.test\nSubject: "+tc.subject+"\nMessage-ID: <ooo@library.test>\nIn-Reply-To: %s\nReferences: %s\n\n%s\n",
				headerValue(notice, "Subject"), id, id, tc.body))
			h.runOnce()
			if n := len(h.mailTo(ann)); n != 1 {
				t.Errorf("the patron got %d mails; the out-of-office was relayed", n)
			}
			if n := len(h.mailTo(alice)); n != 1 {
				t.Errorf("alice got %d mails; want only the first notice", n)
			}
			d := h.ticket(1)
			if d.Status != "open" || !hasEvent(d, alice, "automated mail received") {
				t.Errorf("ticket %s, events %v", d.Status, d.Events)
			}
		})
	}
}

func TestInputHardening(t *testing.T) {
	t.Run("Content-Language as a path is not a language", func(t *testing.T) {
		h := safeHarness(t)
		h.desk.tpl = templates.New(t.TempDir())
		for i, cl := range []string{"../../x/xx", "es/../../etc", "x-klingon", "e", "english"} {
			h.deliver(raw(fmt.Sprintf("p%d@patrons.test", i), "Q", "Content-Language: "+cl+"\n", "OK", i))
		}
		h.runOnce()
		for i := range 5 {
			if ack := text(t, h.last(fmt.Sprintf("p%d@patrons.test", i))); !strings.Contains(ack, "Hello,") {
				t.Errorf("ack %d not in English:\n%s", i, ack)
			}
		}
	})
	t.Run("a French mail gets the library's language, not Spanish", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("marie@patrons.test", "Prolongation", "", "Bonjour, je voudrais prolonger mes livres jusqu'à la semaine prochaine. Est-ce que c'est possible ? Merci", 1))
		h.deliver(raw("joao@patrons.test", "Renovação", "", "Olá, posso renovar os meus livros até a próxima semana? Obrigado", 2))
		h.deliver(raw("marta@patrons.test", "Renovar", "", "Hola, ¿puedo renovar mis libros hasta la próxima semana? Gracias", 3))
		h.runOnce()
		for addr, want := range map[string]string{"marie@patrons.test": "Hello,", "joao@patrons.test": "Hello,", "marta@patrons.test": "Hola"} {
			if ack := text(t, h.last(addr)); !strings.Contains(ack, want) {
				t.Errorf("%s: ack lacks %q:\n%s", addr, want, ack)
			}
		}
	})
	t.Run("bidi and zero-width characters leave names; notices show the address", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw("=?utf-8?q?Ann_=E2=80=AEeeL=E2=80=AC=E2=80=8B?= <ann@patrons.test>", "Q", passAR, "Hi", 1))
		h.runOnce()
		notice := h.last(bob)
		if body := text(t, notice); !strings.Contains(body, "From:        Ann eeL <ann@patrons.test>") || strings.ContainsAny(body, "\u202e\u202c\u200b") {
			t.Errorf("notice:\n%s", body)
		}
		if d := h.ticket(1); d.PatronName != "Ann eeL" {
			t.Errorf("stored name %q", d.PatronName)
		}
	})
	t.Run("display names with quotes and parentheses are written back", func(t *testing.T) {
		h := safeHarness(t)
		h.deliver(raw(`"Lee, Ann \"Annie\" (Branch)" <ann@patrons.test>`, "Q", passAR, "Hi", 1))
		h.deliver(raw(`"O'Brien (Sr.) <x>" <sean@patrons.test>`, "Q", "Authentication-Results: mx.library.test; dkim=pass header.d=patrons.test\n", "Hi there", 2))
		h.runOnce()
		h.wantMailboxes(map[string]int{"ann@patrons.test": 1, "sean@patrons.test": 1, bob: 2})
		if n := h.count(`SELECT COUNT(*) FROM outbox WHERE status <> 'sent'`); n != 0 {
			t.Errorf("%d mails not sent", n)
		}
		if to := headerValue(h.last("ann@patrons.test"), "To"); !strings.Contains(to, "ann@patrons.test") || !strings.Contains(to, "Annie") {
			t.Errorf("To: %s", to)
		}
	})
}

// TestKeyRotationKeepsRepliesWorking: a notice signed before `keys rotate`
// still lets its staff reply act for the token lifetime, and not after.
func TestKeyRotationKeepsRepliesWorking(t *testing.T) {
	h, notice := newTicket(t)
	ctx := context.Background()
	if err := h.store.RotateSigningKey(ctx, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	restart := func() {
		d, err := NewDesk(ctx, h.store, h.clock, h.desk.opts, h.desk.tpl, h.desk.log)
		if err != nil {
			t.Fatal(err)
		}
		h.desk = d
	}
	restart()
	h.replyTo(alice, notice, "Your books are renewed.", 1)
	h.runOnce()
	if got := text(t, h.last(ann)); !strings.Contains(got, "Your books are renewed.") {
		t.Fatalf("a reply to mail signed with the previous key did not act:\n%s", got)
	}
	h.clock.Advance(h.desk.opts.TokenLifetime + time.Hour)
	restart()
	before := len(h.mailTo(ann))
	h.replyTo(alice, notice, "#close", 2)
	h.runOnce()
	if d := h.ticket(1); d.Status == "solved" || len(h.mailTo(ann)) != before {
		t.Errorf("after the token lifetime the old key still acts: %s", d.Status)
	}
}
