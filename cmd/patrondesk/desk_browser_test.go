package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// This test runs in `go test ./...` (about two seconds), so CI installs
// Chromium before that step. Without Chromium it fails when CI=true and
// skips, saying why, on a developer's machine.

// chromium finds the browser: $PATRONDESK_CHROMIUM when set, else
// /usr/bin/chromium (Debian's package), else chromium on the PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PATRONDESK_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	} else if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	} else if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is missing: install it (apt-get install chromium); CI must run the browser test")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); the browser test needs it")
	return ""
}

// browser starts a headless Chromium for the test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// A phone: 390 by 844 CSS pixels, touch, mobile. The first Run starts
	// the browser, so its context has no timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func TestDeskPageInABrowserFromTheSummary(t *testing.T) {
	ctx := browser(t)
	r := newDeskRig(t, "")
	r.fillDesk()
	text, _ := r.summaryFor("boss@library.test")
	link := regexp.MustCompile(`http://\S+/desk/login\?t=\S+`).FindString(text)
	if link == "" {
		t.Fatalf("no link in Dana's summary:\n%s", text)
	}
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#library table.overdue"))); err != nil {
		t.Fatalf("open the summary's link: %v", err)
	}
	if path := eval[string](t, step, `location.pathname`); path != "/desk" {
		t.Errorf("the link led to %s; want /desk", path)
	}
	if c := eval[string](t, step, `document.cookie`); c != "" {
		t.Errorf("the page's script can read the session cookie (%q); it must be HttpOnly", c)
	}

	rows := eval[[][]string](t, step, `[...document.querySelectorAll('#library table.overdue tbody tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))`)
	want := "Alice Smith|#2|Fay Wong|Tue 1 Dec 17:00|9h 00m\nBob Jones|#3|Carl Park|Tue 1 Dec 17:00|9h 00m"
	var got []string
	for _, row := range rows {
		got = append(got, strings.Join(row, "|"))
	}
	if strings.Join(got, "\n") != want {
		t.Errorf("the overdue table reads\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}

	// The chart: an image with a name and a description, and a table with
	// the same figures.
	chart := eval[map[string]string](t, step, `(() => {
		const svg = document.querySelector('#library svg.chart');
		const ids = (svg.getAttribute('aria-labelledby') || '').split(' ');
		const text = id => (document.getElementById(id) || {}).textContent || '';
		const table = document.querySelector('#library table.answers');
		return {role: svg.getAttribute('role'), name: text(ids[0]), desc: text(ids[1]),
			bars: String(svg.querySelectorAll('rect').length),
			table: table ? table.innerText : '', caption: table && table.caption ? table.caption.innerText : ''};
	})()`)
	if chart["role"] != "img" || !strings.Contains(chart["name"], "first answer") || !strings.Contains(chart["desc"], "table under the chart") {
		t.Errorf("the chart has no text equivalent: %v", chart)
	}
	if chart["bars"] != "1" || !strings.Contains(chart["table"], "Mon 30 Nov") || !strings.Contains(chart["table"], "2h 00m") || chart["caption"] == "" {
		t.Errorf("the chart's bars and table disagree: %v", chart)
	}

	// A phone: nothing wider than the screen, the style sheet applied under
	// the CSP, and text at least 15 CSS pixels.
	phone := eval[map[string]float64](t, step, `({
		page: document.documentElement.scrollWidth, screen: window.innerWidth,
		font: parseFloat(getComputedStyle(document.querySelector('td')).fontSize),
		styled: getComputedStyle(document.querySelector('thead th')).backgroundColor === 'rgb(238, 238, 238)' ? 1 : 0,
		chart: document.querySelector('#library svg.chart').getBoundingClientRect().width})`)
	if phone["page"] > phone["screen"] || phone["font"] < 15 || phone["styled"] != 1 || phone["chart"] > phone["screen"] || phone["chart"] < 300 {
		t.Errorf("on a 390-pixel phone: %v", phone)
	}
	axeCheck(t, step)

	// Screenshots to look at: the first screen, and the whole page.
	for name, shoot := range map[string]chromedp.Action[[]byte]{"phone-top": chromedp.CaptureScreenshot(), "phone-full": chromedp.FullScreenshot(100)} {
		shot, err := chromedp.Run(step, shoot)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(os.TempDir(), "patrondesk-desk-"+name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	}
}

// TestDeskLinkFromWebmail opens the link the way a webmail page does: a
// click on another site. The session cookie is SameSite=Strict, which a
// browser withholds on a navigation another site started, redirects
// included; the page must still open.
func TestDeskLinkFromWebmail(t *testing.T) {
	ctx := browser(t)
	r := newDeskRig(t, "")
	link := r.linkFor("boss@library.test")
	// "localhost" is another site than "127.0.0.1", where the desk is.
	webmail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><p>Your daily summary</p><a id="link" href="%s">See the desk page</a></body></html>`, html.EscapeString(link))
	}))
	defer webmail.Close()
	mailURL := strings.Replace(webmail.URL, "127.0.0.1", "localhost", 1)
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.Navigate(mailURL), chromedp.Click(chromedp.ID("link"))); err != nil {
		t.Fatalf("click the link in webmail: %v", err)
	}
	wait, cancelWait := context.WithTimeout(step, 10*time.Second)
	defer cancelWait()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS("#library table.overdue, #library h3"))); err != nil {
		t.Fatalf("after the click the browser shows %q at %s", eval[string](t, step, `document.body.innerText`), eval[string](t, step, `location.href`))
	}
}

// axeCheck runs axe-core's WCAG 2 A and AA rules in the page when
// $PATRONDESK_AXE names its axe.min.js (`.ci/run` fetches it with npm when
// npm is there). It is optional, so without the file it only says so.
func axeCheck(t *testing.T, ctx context.Context) {
	t.Helper()
	path := os.Getenv("PATRONDESK_AXE")
	if path == "" {
		t.Log("accessibility rules not run: set PATRONDESK_AXE to axe-core's axe.min.js")
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("PATRONDESK_AXE: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";\ntrue")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	// meta-refresh is left out on purpose: the issue asks for a page that
	// reloads itself without script, and its first link turns that off,
	// which WCAG 2.2.1 accepts (TestDeskPageShowsTheDesk checks the link).
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, rules: {'meta-refresh': {enabled: false}}})
		.then(r => [r.passes.length + ' rules passed'].concat(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	t.Logf("axe-core: %s", found[0])
	for _, v := range found[1:] {
		t.Errorf("accessibility: %s", v)
	}
}
