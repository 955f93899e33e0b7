package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/mailer/memserver"
	"patrondesk/templates"
	"patrondesk/tickets/clock"
)

// deskRig is patrondesk wired from a real config file, with a real
// database, the in-process SMTP server, a fake clock, and its HTTP listener
// (health, metrics and the desk page) on a loopback port.
type deskRig struct {
	t     *testing.T
	cfg   *config.Config
	path  string // the config file
	app   *app
	clock *clock.Fake
	mail  *memserver.Servers
	srv   *httptest.Server
	page  *deskPage
}

// Monday 30 November 2026, 09:00 in Chicago (open 9 to 5, Monday to Friday).
var rigStart = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

const rigConfig = `
[library]
name = "Seymour Library"
address = "help@library.test"
timezone = "America/Chicago"
tag = "Seymour"
admin = "it@library.test"

[imap]
host = "127.0.0.1"
port = 1
security = "none"
username = "help@library.test"
password = "secret"

[smtp]
host = "127.0.0.1"
port = %s
security = "none"

[database]
path = "desk.db"

[hours]
saturday = ""
country = ""

[http]
listen = "%s"
%s

[[staff]]
name = "Alice Smith"
email = "alice@library.test"
teams = ["circulation"]

[[staff]]
name = "Bob Jones"
email = "bob@library.test"
teams = ["reference"]

[[staff]]
name = "Dana Boss"
email = "boss@library.test"
supervisor = true

[[route]]
team = "circulation"
subject_words = ["renew", "card"]

[[route]]
team = "reference"
`

// newDeskRig starts everything; extra is more [http] keys.
func newDeskRig(t *testing.T, extra string) *deskRig {
	t.Helper()
	mail, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mail.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, smtpPort, _ := net.SplitHostPort(mail.SMTPAddr)
	path := filepath.Join(t.TempDir(), "patrondesk.toml")
	if err := os.WriteFile(path, fmt.Appendf(nil, rigConfig, smtpPort, ln.Addr().String(), extra), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(rigStart)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := wire(context.Background(), cfg, clk, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	r := &deskRig{t: t, cfg: cfg, path: path, app: a, clock: clk, mail: mail}
	r.page = newDeskPage(cfg, a.desk, a.store, clk, log)
	r.srv = httptest.NewUnstartedServer(httpMux(a.monitor, a.store, r.page))
	r.srv.Listener.Close()
	r.srv.Listener = ln
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// receive hands one raw email to the desk as intake would.
func (r *deskRig) receive(raw string) {
	r.t.Helper()
	raw = strings.ReplaceAll(strings.TrimLeft(raw, "\n"), "\n", "\r\n")
	if _, err := r.app.desk.Receive(context.Background(), mailer.Delivery{Mailbox: "INBOX", Raw: []byte(raw), InternalDate: r.clock.Now()}); err != nil {
		r.t.Fatal(err)
	}
}

// send drains the outbox to the SMTP server.
func (r *deskRig) send() {
	r.t.Helper()
	if _, err := r.app.sender.Drain(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// mailsTo are the mails the SMTP server accepted for addr, parsed.
func (r *deskRig) mailsTo(addr string) []*mailer.Message {
	r.t.Helper()
	var out []*mailer.Message
	for _, m := range r.mail.Received() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				p, err := mailer.Parse(m.Raw)
				if err != nil {
					r.t.Fatal(err)
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// rawTo are the raw bytes of the mails accepted for addr.
func (r *deskRig) rawTo(addr string) [][]byte {
	var out [][]byte
	for _, m := range r.mail.Received() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m.Raw)
			}
		}
	}
	return out
}

// patronMail writes a patron's email as a phone mail client would.
func patronMail(name, addr, id, subject, body string, at time.Time) string {
	return fmt.Sprintf(`
From: %s <%s>
To: help@library.test
Subject: %s
Date: %s
Message-ID: <%s@patron.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

%s

Sent from my iPhone
`, name, addr, subject, at.Format(time.RFC1123Z), id, body)
}

// fillDesk makes a desk with something in every part of the page, and
// leaves the clock at Thursday 3 December, 10:00 in Chicago:
//
//   - Ann Lee (circulation, Alice) answered by Alice on Monday after 2 open
//     hours: waiting on the patron, a first answer in time;
//   - Fay Wong (circulation, Alice) and Carl Park (reference, Bob), both
//     due Tuesday 17:00 and 9 open hours late;
//   - Gus Hill, who came while everyone was away: nobody has it;
//   - one spam mail and one unreadable mail.
func (r *deskRig) fillDesk() {
	r.t.Helper()
	now := r.clock.Now()
	r.receive(patronMail("Ann Lee", "ann.lee@patron.test", "ann1", "Please renew my books", "Could you renew my three books? My card is 2938 4411.", now))
	r.receive(patronMail("Fay Wong", "fay.wong@patron.test", "fay1", "Lost library card", "I lost my card at the bus stop on Elm Street.", now))
	r.receive(patronMail("Carl Park", "carl.park@patron.test", "carl1", "Local history question", "Where are the 1920s town council minutes?", now))
	r.send()
	r.clock.Advance(2 * time.Hour)
	r.answer("alice@library.test", "renew", "I have renewed all three books until 4 January.")
	r.awayAll(func() {
		r.receive(patronMail("Gus Hill", "gus.hill@patron.test", "gus1", "Museum passes", "Do you lend museum passes for the weekend?", r.clock.Now()))
	})
	r.receive(`
From: Prize Desk <winner@lottery.test>
To: help@library.test
Subject: You won
X-Spam-Flag: YES
Message-ID: <spam1@lottery.test>
Date: ` + r.clock.Now().Format(time.RFC1123Z) + `

Claim your prize now.
`)
	r.receive(`
To: help@library.test
Subject: (none)
Message-ID: <nosender1@nowhere.test>

no sender at all
`)
	r.send()
	r.clock.Set(time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC))
}

// answer replies as staff to the notice they got about the request whose
// subject has word, the way a mail client does (quoting the notice).
func (r *deskRig) answer(staff, word, text string) {
	r.t.Helper()
	var notice *mailer.Message
	for _, m := range r.mailsTo(staff) {
		if strings.Contains(m.Subject, word) {
			notice = m
		}
	}
	if notice == nil {
		r.t.Fatalf("%s got no notice about %q", staff, word)
	}
	r.receive(fmt.Sprintf(`
From: Alice Smith <%s>
To: help@library.test
Subject: Re: %s
In-Reply-To: <%s>
References: <%s>
Message-ID: <answer-%s@library.test>
Date: %s
Content-Type: text/plain; charset=utf-8

%s

On Mon, 30 Nov 2026, Seymour Library wrote:
> %s
`, staff, notice.Subject, notice.MessageID, notice.MessageID, word, r.clock.Now().Format(time.RFC1123Z), text, templates.ReplyMarker))
	r.send()
}

// awayAll runs fn while the config says everyone is away.
func (r *deskRig) awayAll(fn func()) {
	r.t.Helper()
	cfg := *r.cfg
	cfg.Staff = nil
	for _, s := range r.cfg.Staff {
		s.Away = []config.Away{{From: "2026-11-01", Until: "2026-12-31"}}
		cfg.Staff = append(cfg.Staff, s)
	}
	r.reload(&cfg)
	fn()
	r.reload(r.cfg)
}

func (r *deskRig) reload(cfg *config.Config) {
	r.t.Helper()
	opts, err := deskOptions(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.app.desk.Reload(opts, templates.New(""))
}

// client is a browser-like client that keeps cookies but does not follow
// redirects, so each step can be checked.
func (r *deskRig) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
