package tickets

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// withFormRelay makes webform@library.test a web-form relay.
func withFormRelay(h *harness) {
	o := h.desk.opts
	o.FormSenders = []string{"webform@library.test"}
	h.desk.Reload(o, h.desk.tpl)
}

func TestWebFormMailBelongsToThePersonInTheForm(t *testing.T) {
	cases := []struct {
		name       string
		mail       string
		wantPatron string
		wantName   string
	}{
		{"Reply-To names the patron, form headers look automated",
			"From: Library website <webform@library.test>\nReply-To: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Ask a librarian\nAuto-Submitted: auto-generated\nPrecedence: bulk\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <f1@library.test>\n\nName: Ann Lee\nEmail: ann@patrons.test\nQuestion: Can I renew my books?\n",
			"ann@patrons.test", "Ann Lee"},
		{"only the body's fields name the patron",
			"From: webform@library.test\nTo: help@library.test\nSubject: New submission: Contact us\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <f2@library.test>\n\n*Your name:* Marco Ruiz\n*E-mail address:* Marco Ruiz <Marco@Patrons.test>\n*Message:* Do you have French films?\n",
			"marco@patrons.test", "Marco Ruiz"},
		{"Reply-To without a name takes the Name field",
			"From: webform@library.test\nReply-To: kim@patrons.test\nTo: help@library.test\nSubject: Contact\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <f3@library.test>\n\nName: Kim Park\nMessage: Is the library open on Sunday?\n",
			"kim@patrons.test", "Kim Park"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
			withFormRelay(h)
			h.deliver(c.mail)
			h.runOnce()
			list := h.tickets("active")
			if len(list) != 1 || list[0].Patron != c.wantPatron || list[0].PatronName != c.wantName {
				t.Fatalf("tickets = %+v", list)
			}
			if got := h.mailTo(c.wantPatron); len(got) != 1 || !strings.Contains(headerValue(got[0], "Subject"), "[Seymour #1]") {
				t.Errorf("%s got %d mails, want the acknowledgement", c.wantPatron, len(got))
			}
			if got := h.mailTo("webform@library.test"); len(got) != 0 {
				t.Errorf("the form relay got %d mails", len(got))
			}
			if h.count(`SELECT COUNT(*) FROM events WHERE action = 'created' AND detail LIKE '%web form (webform@library.test)%'`) != 1 {
				t.Error("the history does not say the request came through the web form")
			}
		})
	}
}

func TestWebFormPatronGetsTheAnswer(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	withFormRelay(h)
	h.deliver("From: webform@library.test\nReply-To: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <f1@library.test>\n\nName: Ann Lee\nMessage: Can I keep my books two more weeks?\n")
	h.runOnce()
	h.replyTo("alice@library.test", h.last("alice@library.test"), "Yes, I renewed them until 4 January.", 1)
	h.runOnce()
	got := h.mailTo("ann@patrons.test")
	if len(got) != 2 || !strings.Contains(text(t, got[1]), "I renewed them until 4 January") {
		t.Fatalf("Ann got %d mails; last: %v", len(got), got)
	}
	if n := len(h.mailTo("webform@library.test")); n != 0 {
		t.Errorf("the form relay got %d mails", n)
	}
}

func TestWebFormWithoutAnAddressIsQuarantined(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	withFormRelay(h)
	h.deliver("From: webform@library.test\nTo: help@library.test\nSubject: Contact\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <f9@library.test>\n\nName: Someone\nMessage: Call me back please.\n")
	h.runOnce()
	if n := len(h.tickets("all")); n != 0 {
		t.Errorf("%d tickets, want none", n)
	}
	if h.count(`SELECT COUNT(*) FROM quarantine WHERE reason LIKE '%web form%'`) != 1 {
		t.Error("the form mail is not in quarantine with a reason")
	}
	if n := len(h.srv.Received()); n != 0 {
		t.Errorf("%d mails went out", n)
	}
}

func TestReplyToOfOtherSendersIsNotThePatron(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	withFormRelay(h)
	h.deliver("From: Ann Lee <ann@patrons.test>\nReply-To: victim@patrons.test\nTo: help@library.test\nSubject: Renew\nDate: Mon, 07 Dec 2026 08:00:00 -0600\nMessage-ID: <a1@patrons.test>\n\nEmail: other@patrons.test\nCan I renew?\n")
	h.runOnce()
	list := h.tickets("active")
	if len(list) != 1 || list[0].Patron != "ann@patrons.test" {
		t.Fatalf("tickets = %+v", list)
	}
	for _, a := range []string{"victim@patrons.test", "other@patrons.test"} {
		if n := len(h.mailTo(a)); n != 0 {
			t.Errorf("%s got %d mails", a, n)
		}
	}
}
