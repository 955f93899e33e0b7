package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"patrondesk/config"
)

func configWithHTTP(listen, public string) *config.Config {
	cfg := config.Default()
	cfg.HTTP.Listen, cfg.HTTP.PublicURL = listen, public
	return cfg
}

// summaryFor runs the scheduler's daily summary on Thursday 3 December at
// 08:30 in Chicago, sends it, and returns what reached email: the text
// part and the HTML part.
func (r *deskRig) summaryFor(email string) (text, html string) {
	r.t.Helper()
	// The summary goes out by the pass that crosses 08:30: one pass just
	// before, one at it.
	for _, at := range []time.Time{time.Date(2026, 12, 3, 14, 29, 0, 0, time.UTC), time.Date(2026, 12, 3, 14, 30, 0, 0, time.UTC)} {
		if _, err := r.app.desk.Schedule(context.Background(), at); err != nil {
			r.t.Fatal(err)
		}
	}
	r.send()
	for _, raw := range r.rawTo(email) {
		mr, err := gomail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			r.t.Fatal(err)
		}
		if !strings.Contains(mr.Header.Get("Subject"), "Daily summary") {
			continue
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p.Body)
			ct, _, _ := p.Header.(*gomail.InlineHeader).ContentType()
			if ct == "text/html" {
				html = string(b)
			} else {
				text = string(b)
			}
		}
	}
	return text, html
}

func TestSummaryCarriesLinkAndChart(t *testing.T) {
	r := newDeskRig(t, "")
	r.fillDesk()
	text, html := r.summaryFor("boss@library.test")
	if text == "" || html == "" {
		t.Fatalf("Dana's summary: text %q, html %q", text, html)
	}
	for _, w := range []string{
		"First answers in the last 30 days, against the promise of 16 open hours:",
		"Mon 30 Nov: 1 answered, 1 in time, median 2h 00m",
		"See the desk page at any time with your own link (do not share it; it works until Thu 10 Dec 08:30):",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the text part lacks %q:\n%s", w, text)
		}
	}
	for _, w := range []string{`<caption>First answers by day`, `<td>Mon 30 Nov</td><td align="right">1</td><td align="right">1</td><td align="right">2h 00m</td>`, `bgcolor="#1f5f99"`} {
		if !strings.Contains(html, w) {
			t.Errorf("the HTML part lacks %q:\n%s", w, html)
		}
	}
	link := regexp.MustCompile(`http://\S+/desk/login\?t=\S+`).FindString(text)
	if link == "" || !strings.Contains(html, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Fatalf("no link, or not the same in both parts: %q", link)
	}
	if resp, page := r.signIn(r.client(), link); resp.StatusCode != 200 || !strings.Contains(page, "Signed in as boss@library.test") {
		t.Errorf("the summary's link: %d", resp.StatusCode)
	}
	if strings.Contains(text+html, "@patron.test") {
		t.Errorf("the summary shows a patron's address")
	}
	if got, _ := r.summaryFor("alice@library.test"); got != "" {
		t.Errorf("Alice is not a supervisor but got a summary")
	}
}

func TestDeskLimiter(t *testing.T) {
	l := newLimiter(10, 100, time.Minute)
	at := rigStart
	for i := 0; i < 10; i++ {
		if !l.allow("192.0.2.1", at) {
			t.Fatalf("check %d from one address refused", i+1)
		}
	}
	if l.allow("192.0.2.1", at) {
		t.Error("the 11th check in a minute from one address was allowed")
	}
	allowed := 10
	for i := 0; i < 200; i++ {
		if l.allow(fmt.Sprintf("198.51.100.%d", i), at.Add(time.Duration(i)*time.Millisecond)) {
			allowed++
		}
	}
	if allowed != 100 {
		t.Errorf("%d checks allowed in a minute from 201 addresses; want 100", allowed)
	}
	if !l.allow("192.0.2.1", at.Add(time.Minute)) {
		t.Error("a minute later the address is still refused")
	}
}

func TestDeskClientAddress(t *testing.T) {
	tests := []struct {
		name, proxy, remote, xff, want string
	}{
		{"direct", "", "192.0.2.7:5555", "", "192.0.2.7"},
		{"a forwarded address from anyone is ignored", "", "192.0.2.7:5555", "203.0.113.9", "192.0.2.7"},
		{"the trusted proxy's last entry counts", "127.0.0.1", "127.0.0.1:4444", "10.9.9.9, 203.0.113.9", "203.0.113.9"},
		{"an entry the client wrote itself does not", "127.0.0.1", "127.0.0.1:4444", "6.6.6.6, 203.0.113.10", "203.0.113.10"},
		{"another proxy is not trusted", "127.0.0.1", "192.0.2.8:4444", "203.0.113.9", "192.0.2.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &deskAuth{proxy: tt.proxy}
			req := httptest.NewRequest("GET", "/desk/login", nil)
			req.RemoteAddr = tt.remote
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := a.clientIP(req); got != tt.want {
				t.Errorf("client = %s; want %s", got, tt.want)
			}
		})
	}
}

// TestDeskPageEscapesNames: a display name written as HTML is shown as
// text, and a name that is an address is not shown at all.
func TestDeskPageEscapesNames(t *testing.T) {
	r := newDeskRig(t, "")
	r.awayAll(func() {
		r.receive(patronMail(`"Zed <img src=x onerror=alert(1)>"`, "zed@patron.test", "zed1", "Help", "Hello?", r.clock.Now()))
		r.receive(patronMail(`"yo@patron.test"`, "yo@patron.test", "yo1", "Help", "Hello?", r.clock.Now()))
	})
	_, page := r.signIn(r.client(), r.linkFor("boss@library.test"))
	if strings.Contains(page, "<img") || !strings.Contains(page, "Zed &lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the patron's name is not shown as text:\n%s", section(page, "library"))
	}
	if strings.Contains(page, "@patron.test") || !strings.Contains(page, "(no name given)") {
		t.Errorf("a name that is an address is shown:\n%s", section(page, "library"))
	}
}
