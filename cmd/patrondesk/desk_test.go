package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"patrondesk/tickets"
)

// linkFor is what `patrondesk link EMAIL` prints, through the command itself.
func (r *deskRig) linkFor(email string) string {
	r.t.Helper()
	code, out, errs := runCLI(r.t, "link", email, "--config", r.path)
	if code != 0 {
		r.t.Fatalf("link %s: exit %d: %s", email, code, errs)
	}
	return strings.TrimSpace(out)
}

// fetchPage fetches u with c, returning the status and body.
func fetchPage(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn opens link with c, checks the redirect, and returns the page.
func (r *deskRig) signIn(c *http.Client, link string) (*http.Response, string) {
	r.t.Helper()
	resp, body := fetchPage(r.t, c, link)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk" {
		r.t.Fatalf("opening the link: %d %q %s; want 303 to /desk", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return fetchPage(r.t, c, r.srv.URL+"/desk")
}

// cells reads a table's rows as text cells, tags stripped.
func cells(html, tableClass string) [][]string {
	i := strings.Index(html, `<table class="`+tableClass+`"`)
	if i < 0 {
		return nil
	}
	table := html[i : i+strings.Index(html[i:], "</table>")]
	tag := regexp.MustCompile(`<[^>]+>`)
	var out [][]string
	for _, row := range strings.Split(table, "<tr>")[2:] { // skip the header row
		var cs []string
		for _, c := range regexp.MustCompile(`<t[dh][^>]*>`).Split(row, -1)[1:] {
			cs = append(cs, strings.TrimSpace(tag.ReplaceAllString(c, "")))
		}
		out = append(out, cs)
	}
	return out
}

// section is the part of the page for one section id.
func section(html, id string) string {
	i := strings.Index(html, `<section id="`+id+`"`)
	if i < 0 {
		return ""
	}
	return html[i : i+strings.Index(html[i:], "</section>")]
}

func TestDeskPageShowsTheDesk(t *testing.T) {
	r := newDeskRig(t, "")
	r.fillDesk()
	resp, page := r.signIn(r.client(), r.linkFor("boss@library.test"))
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d %s", resp.StatusCode, page)
	}
	lib := section(page, "library")
	overdue := cells(lib, "overdue")
	want := [][]string{
		{"Alice Smith", "#2", "Fay Wong", "Tue 1 Dec 17:00", "9h 00m"},
		{"Bob Jones", "#3", "Carl Park", "Tue 1 Dec 17:00", "9h 00m"},
	}
	if len(overdue) != len(want) {
		t.Fatalf("overdue rows %q; want %q", overdue, want)
	}
	for i := range want {
		if strings.Join(overdue[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("overdue row %d = %q; want %q", i, overdue[i], want[i])
		}
	}
	for _, w := range []string{
		`<td>#4</td><td>Gus Hill</td>`, // nobody has it
		`<th scope="row">Alice Smith</th><td>1</td><td>1</td><td>1</td>`,
		`<th scope="row">Bob Jones</th><td>1</td><td>1</td><td>0</td>`,
		`<th scope="row">Mon 30 Nov</th><td>1</td><td>1</td><td>2h 00m</td>`, // Ann's first answer
		`role="img"`, "<title id=\"library-chart-title\">Median open time to a first answer, per day, against the promise of 16 open hours</title>",
	} {
		if !strings.Contains(lib, w) {
			t.Errorf("the whole library's section lacks %q", w)
		}
	}
	for _, w := range []string{"<h1>Help desk: Seymour Library</h1>", "Read at <time>Thu 3 Dec 10:00</time>", `<li id="quarantined"><strong>1</strong>`, `<li id="spam"><strong>1</strong>`, `http-equiv="refresh"`, `lang="en"`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if !strings.Contains(page, `<p id="reload"><a href="/desk?reload=off">Stop reloading this page</a></p>`) {
		t.Errorf("the page's first link does not turn the reloading off")
	}
	c := r.client()
	r.signIn(c, r.linkFor("boss@library.test"))
	if _, still := fetchPage(t, c, r.srv.URL+"/desk?reload=off"); strings.Contains(still, `http-equiv="refresh"`) || !strings.Contains(still, `<a href="/desk">Reload this page every minute</a>`) {
		t.Errorf("with reload=off the page still reloads itself")
	}
	circ := section(page, "team-1")
	if !strings.Contains(circ, "Team: circulation") || !strings.Contains(circ, "Fay Wong") || strings.Contains(circ, "Carl Park") {
		t.Errorf("circulation's section should show Fay's late request and not Carl's:\n%s", circ)
	}
	ref := section(page, "team-2")
	if !strings.Contains(ref, "Team: reference") || !strings.Contains(ref, "Carl Park") || strings.Contains(ref, "Fay Wong") {
		t.Errorf("reference's section should show Carl's late request and not Fay's:\n%s", ref)
	}
	// Patron names only: never their addresses or what they wrote.
	for _, never := range []string{"@patron.test", "ann.lee", "2938", "bus stop", "council minutes", "museum passes", "Claim your prize", "lottery"} {
		if strings.Contains(strings.ToLower(page), strings.ToLower(never)) {
			t.Errorf("the page shows %q", never)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") || strings.Contains(page, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(page) {
		t.Errorf("the page has inline script or style, which its CSP forbids")
	}
}

func TestDeskPageAccessRules(t *testing.T) {
	r := newDeskRig(t, "")
	r.fillDesk()
	key, err := r.app.store.SigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	good := r.linkFor("boss@library.test")
	token := func(link string) string { u, _ := url.Parse(link); return u.Query().Get("t") }
	forged := func() string { // Dana's signature on the admin's address
		tok := token(good)
		parts := strings.SplitN(tok, ".", 2)
		return r.srv.URL + "/desk/login?t=" + url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte("it@library.test"))+"."+parts[1])
	}()
	aliceLink, _ := tickets.DeskLink(r.srv.URL, key, "alice@library.test", now, time.Hour)
	otherKey, _ := tickets.DeskLink(r.srv.URL, []byte("some other key of 32 bytes......"), "boss@library.test", now, time.Hour)
	expired, _ := tickets.DeskLink(r.srv.URL, key, "boss@library.test", now.Add(-8*24*time.Hour), 7*24*time.Hour)
	session := tickets.SignPass(key, tickets.PassSession, "boss@library.test", now.Add(time.Hour))
	refused := []struct{ name, link string }{
		{"no token", r.srv.URL + "/desk/login"},
		{"garbage", r.srv.URL + "/desk/login?t=hello"},
		{"signature cut short", good[:len(good)-4]},
		{"another person's address under Dana's signature", forged},
		{"signed with another key", otherKey},
		{"expired", expired},
		{"a staff member who is not a supervisor", aliceLink},
		{"a session cookie's value used as a link", r.srv.URL + "/desk/login?t=" + url.QueryEscape(session)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r.page.auth.limit = newLimiter(10, 100, time.Minute)
			c := r.client()
			resp, body := fetchPage(t, c, tt.link)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This link has expired or is not valid") || len(resp.Cookies()) > 0 {
				t.Errorf("%d, cookies %v, %s; want 403 and no cookie", resp.StatusCode, resp.Cookies(), body)
			}
			if resp, _ := fetchPage(t, c, r.srv.URL+"/desk"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("/desk after a refused link: %d", resp.StatusCode)
			}
		})
	}

	t.Run("no session answers 403 with one sentence", func(t *testing.T) {
		resp, body := fetchPage(t, http.DefaultClient, r.srv.URL+"/desk")
		p := regexp.MustCompile(`<p>([^<]*)</p>`).FindAllStringSubmatch(body, -1)
		if resp.StatusCode != http.StatusForbidden || len(p) != 1 || strings.Count(p[0][1], ". ") > 0 || !strings.Contains(p[0][1], "link") {
			t.Errorf("%d %s; want 403 with one sentence about the link", resp.StatusCode, body)
		}
	})
	t.Run("no session after a click on another site: one more try, then 403", func(t *testing.T) {
		for _, site := range []string{"cross-site", "same-origin"} {
			req, _ := http.NewRequest("GET", r.srv.URL+"/desk", nil)
			req.Header.Set("Sec-Fetch-Site", site)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			retry := resp.Header.Get("Refresh") == "0"
			if resp.StatusCode != http.StatusForbidden || retry != (site == "cross-site") {
				t.Errorf("Sec-Fetch-Site %s: %d, Refresh %q", site, resp.StatusCode, resp.Header.Get("Refresh"))
			}
		}
	})
	t.Run("a forged cookie", func(t *testing.T) {
		req, _ := http.NewRequest("GET", r.srv.URL+"/desk", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tickets.SignPass([]byte("guessed"), tickets.PassSession, "boss@library.test", now.Add(time.Hour))})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("forged cookie: %d", resp.StatusCode)
		}
	})
	t.Run("the admin gets in", func(t *testing.T) {
		if resp, _ := r.signIn(r.client(), r.linkFor("it@library.test")); resp.StatusCode != 200 {
			t.Errorf("admin: %d", resp.StatusCode)
		}
	})
	t.Run("the session ends with its lifetime", func(t *testing.T) {
		c := r.client()
		r.signIn(c, good)
		r.clock.Advance(13 * time.Hour)
		defer r.clock.Set(now)
		if resp, _ := fetchPage(t, c, r.srv.URL+"/desk"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("13 hours after signing in (session_lifetime 12h): %d", resp.StatusCode)
		}
	})
	t.Run("a supervisor taken off the list loses the page", func(t *testing.T) {
		c := r.client()
		r.signIn(c, good)
		cfg := *r.cfg
		cfg.Staff = cfg.Staff[:2]
		r.reload(&cfg)
		defer r.reload(r.cfg)
		if resp, _ := fetchPage(t, c, r.srv.URL+"/desk"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("after the reload: %d", resp.StatusCode)
		}
	})
	t.Run("rotating the key ends links and sessions", func(t *testing.T) {
		r.page.auth.limit = newLimiter(10, 100, time.Minute)
		c := r.client()
		if resp, _ := r.signIn(c, good); resp.StatusCode != 200 {
			t.Fatalf("before rotation: %d", resp.StatusCode)
		}
		rotateKey(t, r.cfg.Rel(r.cfg.Database.Path))
		if resp, _ := fetchPage(t, c, r.srv.URL+"/desk"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the old session after rotation: %d", resp.StatusCode)
		}
		if resp, _ := fetchPage(t, r.client(), good); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the old link after rotation: %d", resp.StatusCode)
		}
		if resp, _ := r.signIn(r.client(), r.linkFor("boss@library.test")); resp.StatusCode != 200 {
			t.Errorf("a new link after rotation: %d", resp.StatusCode)
		}
	})
}

// rotateKey replaces the signing key as `patrondesk keys rotate` does.
func rotateKey(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE settings SET value = randomblob(32) WHERE key = 'signing_key'`); err != nil {
		t.Fatal(err)
	}
}

func TestDeskPageCookieAndHeaders(t *testing.T) {
	r := newDeskRig(t, "")
	c := r.client()
	resp, _ := fetchPage(t, c, r.linkFor("boss@library.test"))
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == sessionCookie {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != "/desk" {
		t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Strict, not Secure over plain HTTP, path /desk", ck)
	}
	for _, path := range []string{"/desk", "/desk/login", "/desk/nothing"} {
		resp, _ := fetchPage(t, c, r.srv.URL+path)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	if resp, css := fetchPage(t, c, r.srv.URL+"/desk/desk.css"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".chart") {
		t.Errorf("style sheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// GET and HEAD only.
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		for _, path := range []string{"/desk", "/desk/login"} {
			req, _ := http.NewRequest(m, r.srv.URL+path, strings.NewReader("x=1"))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q", m, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	if resp, err := c.Head(r.srv.URL + "/desk"); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /desk with a session: %v %v", resp, err)
	}
	// /healthz and /metrics are as they were.
	if resp, body := fetchPage(t, http.DefaultClient, r.srv.URL+"/metrics"); resp.StatusCode != 200 || !strings.Contains(body, "patrondesk_tickets_created_total") {
		t.Errorf("/metrics: %d", resp.StatusCode)
	}
}

func TestDeskCookieSecureBehindTLS(t *testing.T) {
	tests := []struct {
		name, extra, proto string
		secure             bool
	}{
		{"plain http", ``, "", false},
		{"https said by a proxy nobody trusts", ``, "https", false},
		{"https said by the trusted proxy", `trusted_proxy = "127.0.0.1"`, "https", true},
		{"http said by the trusted proxy", `trusted_proxy = "127.0.0.1"`, "http", false},
		{"an https public URL", `public_url = "https://desk.library.test/"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newDeskRig(t, tt.extra)
			link := r.linkFor("boss@library.test")
			if strings.HasPrefix(link, "https://desk.library.test/desk/login?t=") {
				link = r.srv.URL + strings.TrimPrefix(link, "https://desk.library.test")
			}
			req, _ := http.NewRequest("GET", link, nil)
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			resp, err := r.client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(resp.Cookies()) != 1 || resp.Cookies()[0].Secure != tt.secure {
				t.Errorf("cookies %v; want Secure=%v", resp.Cookies(), tt.secure)
			}
		})
	}
}

func TestDeskLinkChecksAreRateLimited(t *testing.T) {
	r := newDeskRig(t, "")
	bad := r.srv.URL + "/desk/login?t=" + url.QueryEscape("Ym9zc0BsaWJyYXJ5LnRlc3Q.1999999999.AAAA")
	for i := 0; i < 10; i++ {
		if resp, _ := fetchPage(t, r.client(), bad); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("try %d: %d; want 403", i+1, resp.StatusCode)
		}
	}
	good := r.linkFor("boss@library.test")
	if resp, body := fetchPage(t, r.client(), good); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "wait a minute") {
		t.Errorf("the 11th check in a minute, even a good link: %d %s; want 429", resp.StatusCode, body)
	}
	r.clock.Advance(time.Minute)
	if resp, _ := fetchPage(t, r.client(), good); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a minute later: %d; want 303", resp.StatusCode)
	}
}

func TestLinkCommand(t *testing.T) {
	r := newDeskRig(t, "")
	link := r.linkFor("Boss@Library.test")
	if strings.Count(link, "\n") != 0 || !strings.HasPrefix(link, "http://"+r.cfg.HTTP.Listen+"/desk/login?t=") {
		t.Errorf("link = %q; want one line on the listen address", link)
	}
	// Contract: following the link's redirect with its cookie shows /desk.
	resp, page := fetchPage(t, &http.Client{Jar: r.client().Jar}, link)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/desk" || !strings.Contains(page, "<h1>Help desk: Seymour Library</h1>") {
		t.Errorf("following the link: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"not a supervisor", []string{"alice@library.test"}, "not a supervisor"},
		{"a stranger", []string{"someone@else.test"}, "not a supervisor"},
		{"no address", nil, "link needs one address"},
	} {
		code, _, errs := runCLI(t, append(append([]string{"link"}, tt.args...), "--config", r.path)...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", tt.name, code, errs, tt.want)
		}
	}
}

func TestDeskURL(t *testing.T) {
	for _, tt := range []struct{ listen, public, want string }{
		{"", "https://desk.library.test", ""},
		{"127.0.0.1:8025", "", "http://127.0.0.1:8025"},
		{":8025", "", "http://localhost:8025"},
		{"0.0.0.0:8025", "", "http://localhost:8025"},
		{"[::1]:8025", "", "http://[::1]:8025"},
		{"127.0.0.1:8025", "https://desk.library.test/", "https://desk.library.test"},
	} {
		cfg := configWithHTTP(tt.listen, tt.public)
		if got := deskURL(cfg); got != tt.want {
			t.Errorf("listen %q, public_url %q: %q; want %q", tt.listen, tt.public, got, tt.want)
		}
	}
}
