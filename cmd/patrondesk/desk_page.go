package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"patrondesk/config"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// The page's template and style sheet are embedded here, beside the handler,
// not in the templates package: they are the HTTP listener's own view, not
// words mailed to people, so a library's template folder, the mail
// template catalog and the plain-language lint have nothing to do with them.
//
//go:embed desk/page.html desk/desk.css
var deskFiles embed.FS

var (
	deskTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{"hours": tickets.HoursMinutes, "promise": tickets.PromiseWords}).ParseFS(deskFiles, "desk/page.html"))
	deskCSS, _   = deskFiles.ReadFile("desk/desk.css")
)

// refreshSeconds is how often the page reloads itself (a meta refresh, so
// it needs no script). The first link on the page turns it off, for readers
// whom a reload interrupts (a screen reader starts again at the top).
const refreshSeconds = 60

// deskPage serves /desk, /desk/login and /desk/desk.css.
type deskPage struct {
	library string
	auth    *deskAuth
	desk    *tickets.Desk
	clock   clock.Clock
	log     *slog.Logger
}

func newDeskPage(cfg *config.Config, desk *tickets.Desk, store *tickets.Store, clk clock.Clock, log *slog.Logger) *deskPage {
	auth := &deskAuth{desk: desk, store: store, clock: clk, session: cfg.HTTP.SessionLifetime.Duration,
		https: strings.HasPrefix(strings.ToLower(cfg.HTTP.PublicURL), "https://"), proxy: cfg.HTTP.TrustedProxy,
		limit: newLimiter(10, 100, time.Minute), log: log}
	return &deskPage{library: cfg.Library.Name, auth: auth, desk: desk, clock: clk, log: log}
}

// ServeHTTP answers only GET and HEAD, always with the security headers.
func (p *deskPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		sentence(w, http.StatusMethodNotAllowed, "The desk page only shows; it changes nothing.")
		return
	}
	switch r.URL.Path {
	case "/desk", "/desk/":
		p.page(w, r)
	case "/desk/login":
		p.auth.login(w, r)
	case "/desk/desk.css":
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "max-age=3600")
		w.Write(deskCSS)
	default:
		sentence(w, http.StatusNotFound, "There is no such page; the desk page is at /desk.")
	}
}

func (p *deskPage) page(w http.ResponseWriter, r *http.Request) {
	who, ok := p.auth.viewer(r)
	if !ok && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		// A browser withholds the SameSite=Strict cookie on a navigation
		// that another site started (a link clicked in webmail, and the
		// redirect after it), so ask it to load the page once more
		// itself: that request is same-origin and carries the cookie, and
		// without a session it gets the plain answer below.
		w.Header().Set("Refresh", "0")
		sentence(w, http.StatusForbidden, "Opening the desk page…")
		return
	}
	if !ok {
		sentence(w, http.StatusForbidden, "You need your own link to see the desk page: open the one in your daily summary, or ask your admin to run \"patrondesk link\" with your address.")
		return
	}
	db, err := p.desk.Dashboard(r.Context(), p.clock.Now())
	if err != nil {
		p.log.Error("desk page", "err", err)
		sentence(w, http.StatusInternalServerError, "The desk page cannot read its database just now; it tries again in a minute.")
		return
	}
	var buf bytes.Buffer
	v := p.view(db, who)
	if r.URL.Query().Get("reload") == "off" {
		v.Refresh = 0 // the reader turned the reloading off (WCAG 2.2.1)
	}
	if err := deskTemplate.Execute(&buf, v); err != nil {
		p.log.Error("desk page: render", "err", err)
		sentence(w, http.StatusInternalServerError, "The desk page could not be drawn; the log says why.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// sentence answers with a tiny page of one sentence.
func sentence(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Desk page</title></head>\n<body><p>%s</p></body></html>\n", template.HTMLEscapeString(text))
}

// pageView is what page.html shows.
type pageView struct {
	Library, Viewer, Read string
	Refresh               int
	Promise               time.Duration
	Quarantined, Spam     int
	Sections              []sectionView
}

type sectionView struct {
	ID, Title string
	tickets.Section
	Chart   chart
	Answers []tickets.DayFigure // the days with answers, for the table under the chart
}

func (p *deskPage) view(db *tickets.Dashboard, who string) pageView {
	v := pageView{Library: p.library, Viewer: who, Read: db.Read, Refresh: refreshSeconds, Promise: db.Promise,
		Quarantined: db.Quarantined, Spam: db.Spam}
	add := func(id, title string, s tickets.Section) {
		sv := sectionView{ID: id, Title: title, Section: s, Chart: drawChart(s.Days, db.Promise)}
		for _, d := range s.Days {
			if d.Answered > 0 {
				sv.Answers = append(sv.Answers, d)
			}
		}
		v.Sections = append(v.Sections, sv)
	}
	add("library", "The whole library", db.Library)
	for i, t := range db.Teams {
		add(fmt.Sprintf("team-%d", i+1), "Team: "+t.Name, t)
	}
	return v
}

// chart is the first-answer chart as SVG shapes, drawn on the server so the
// page needs no script: one bar per day (the median open time to a first
// answer), and a dashed line at the promise.
type chart struct {
	Width, Height, PromiseY int
	Bars                    []chartBar
	Empty                   bool
}

type chartBar struct {
	X, Y, W, H int
	Late       bool
	Title      string
}

const (
	chartW, chartH = 600, 160
)

func drawChart(days []tickets.DayFigure, promise time.Duration) chart {
	c := chart{Width: chartW, Height: chartH, Empty: true}
	scale := promise + promise/4
	for _, d := range days {
		scale = max(scale, d.Median)
	}
	if scale <= 0 {
		scale = time.Hour
	}
	y := func(d time.Duration) int { return chartH - int(float64(d)/float64(scale)*float64(chartH-10)) }
	c.PromiseY = y(promise)
	slot := chartW / max(len(days), 1)
	for i, d := range days {
		if d.Answered == 0 {
			continue
		}
		c.Empty = false
		top := min(y(d.Median), chartH-2)
		c.Bars = append(c.Bars, chartBar{X: i*slot + 2, Y: top, W: slot - 4, H: chartH - top, Late: d.Median > promise,
			Title: fmt.Sprintf("%s: median %s, %d answered, %d in time", d.Day, tickets.HoursMinutes(d.Median), d.Answered, d.Kept)})
	}
	return c
}
