package tickets

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSummaryLinkOnlyWithThePage: without the desk page the summary has no
// link; with it, each supervisor's copy has their own, signed with the key
// in the database and working for the configured time.
func TestSummaryLinkOnlyWithThePage(t *testing.T) {
	h := newSchedHarness(t)
	renewRequest(h, 1)
	h.pass("2026-12-09 08:29") // the summary goes with the pass that crosses 08:30
	h.pass("2026-12-09 08:30")
	if s := text(t, h.last("boss@library.test")); strings.Contains(s, "desk page") || strings.Contains(s, "/desk/login") {
		t.Errorf("a link in the summary with the page off:\n%s", s)
	}
	opts := h.desk.opts
	opts.DeskURL, opts.DeskLinkLifetime = "https://desk.library.test", 48*time.Hour
	h.desk.Reload(opts, h.desk.tpl)
	h.pass("2026-12-10 08:29")
	h.pass("2026-12-10 08:30")
	s := text(t, h.last("boss@library.test"))
	link := regexp.MustCompile(`https://desk\.library\.test/desk/login\?t=\S+`).FindString(s)
	if link == "" || !strings.Contains(s, "it works until Sat 12 Dec 08:30") {
		t.Fatalf("no link, or not for 48 hours, in the summary:\n%s", s)
	}
	u, _ := url.Parse(link)
	key, err := h.store.SigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	who, until, err := VerifyPass(key, PassLink, u.Query().Get("t"), h.clock.Now())
	if err != nil || who != "boss@library.test" || !until.Equal(h.clock.Now().Add(48*time.Hour)) {
		t.Errorf("the link is for %q until %v (%v)", who, until, err)
	}
}
