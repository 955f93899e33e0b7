package tickets

import (
	"strings"
	"testing"
)

func TestPatronLanguage(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(patronMail("Marta Gil <marta@example.test>", "Renovar libros", "Hola, ¿puedo renovar mis libros hasta la próxima semana? Gracias", 1))
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Renew", "Hi, can I renew my books until next week? Thanks", 2))
	h.deliver("From: Lu <lu@example.test>\nTo: help@library.test\nSubject: Card\nContent-Language: es-MX\nMessage-ID: <m3@example.test>\n\nOK\n")
	h.runOnce()
	if ack := text(t, h.last("marta@example.test")); !strings.Contains(ack, "Hola:") || !strings.Contains(ack, "Le responderemos") {
		t.Errorf("Spanish email, ack:\n%s", ack)
	}
	if ack := text(t, h.last(ann)); !strings.Contains(ack, "Hello,") {
		t.Errorf("English email, ack:\n%s", ack)
	}
	if ack := text(t, h.last("lu@example.test")); !strings.Contains(ack, "Hola") {
		t.Errorf("Content-Language es-MX, ack:\n%s", ack)
	}
	// Patron mail says its language, so a screen reader picks the voice.
	for addr, want := range map[string]string{"marta@example.test": "es", ann: "en", "lu@example.test": "es"} {
		if got := headerValue(h.last(addr), "Content-Language"); got != want {
			t.Errorf("the ack to %s has Content-Language %q, want %q", addr, got, want)
		}
	}
	// Staff mail stays in the library's language.
	for _, n := range h.mailTo(alice) {
		if strings.Contains(text(t, n), "Marta") && !strings.Contains(text(t, n), "is yours") {
			t.Errorf("the owner's notice about a Spanish request is not in English:\n%s", text(t, n))
		}
	}

	// Staff set Ann's language; her next request is answered in Spanish
	// although she writes in English: the remembered choice wins.
	notice := ""
	for _, n := range append(h.mailTo(alice), h.mailTo(bob)...) {
		if strings.Contains(n, "[Seymour #2]") {
			notice = n
		}
	}
	to := alice
	if strings.Contains(notice, "Bob") {
		to = bob
	}
	h.replyTo(to, notice, "#lang es #note", 1)
	h.runOnce()
	if d := h.ticket(2); !hasEvent(d, to, "language") {
		t.Fatalf("#lang not recorded: %v", d.Events)
	}
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Another question", "Hi, what time do you open on Saturday? Thanks", 4))
	h.runOnce()
	if ack := text(t, h.last(ann)); !strings.Contains(ack, "Hola:") {
		t.Errorf("remembered language lost to detection:\n%s", ack)
	}
	h.replyTo(to, notice, "#lang klingon", 2)
	h.runOnce()
	if r := text(t, h.last(to)); !strings.Contains(r, `there are no patron templates in "klingon"`) {
		t.Errorf("unknown language reply:\n%s", r)
	}
}

func TestReopenTellsThePatron(t *testing.T) {
	h, notice := newTicket(t)
	h.replyTo(alice, notice, "#note #close", 1)
	h.runOnce()
	h.replyTo(alice, notice, "#reopen", 2)
	h.runOnce()
	if d := h.ticket(1); d.Status != "open" || d.DueAt == nil {
		t.Errorf("after #reopen: %s, due %v", d.Status, d.DueAt)
	}
	if m := text(t, h.last(ann)); !strings.Contains(m, "We have opened your request 1 again.") {
		t.Errorf("patron was not told:\n%s", m)
	}
}

// TestReload: new options (here, Bob leaves the staff) apply to the next
// message without a restart.
func TestReload(t *testing.T) {
	h := newHarness(t, nil)
	opts := h.desk.opts
	opts.Staff = []Staff{testStaff[0], testStaff[2]}
	h.desk.Reload(opts, h.desk.tpl)
	h.deliver(patronMail("Cy <cy@example.test>", "Where is my hold?", "A week now.", 1))
	h.runOnce()
	if d := h.ticket(1); d.Owner == nil || *d.Owner != alice {
		t.Errorf("after reload without Bob, the reference ticket went to %v", d.Owner)
	}
}
