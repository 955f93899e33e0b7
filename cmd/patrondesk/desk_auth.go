package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// Sign-in to the desk page without passwords: a signed link (from the
// daily summary or `patrondesk link`) is exchanged once for a signed session
// cookie. Both are checked against the signing key in the database at each
// request, so `patrondesk keys rotate` ends them all, and against the config
// now, so a supervisor taken off the list loses the page at the next reload.

const sessionCookie = "patrondesk_desk"

type deskAuth struct {
	desk    *tickets.Desk
	store   *tickets.Store
	clock   clock.Clock
	session time.Duration
	https   bool   // the public URL is https: cookies are always Secure
	proxy   string // the reverse proxy whose X-Forwarded-* headers are believed
	limit   *limiter
	log     *slog.Logger
}

// login checks a link and, when it is good, sets the session cookie and
// sends the browser on to /desk.
func (a *deskAuth) login(w http.ResponseWriter, r *http.Request) {
	now := a.clock.Now()
	if !a.limit.allow(a.clientIP(r), now) {
		w.Header().Set("Retry-After", "60")
		sentence(w, http.StatusTooManyRequests, "Too many sign-in links were tried from here; wait a minute and open your link again.")
		return
	}
	key, err := a.store.SigningKey(r.Context())
	if err != nil {
		a.log.Error("desk page: signing key", "err", err)
		sentence(w, http.StatusInternalServerError, "The desk page cannot read its database just now; try again in a minute.")
		return
	}
	email, _, err := tickets.VerifyPass(key, tickets.PassLink, r.URL.Query().Get("t"), now)
	if err == nil && !a.desk.MayViewDesk(email) {
		err = errNotAllowed
	}
	if err != nil {
		a.log.Info("desk page: link refused", "client", a.clientIP(r), "why", err)
		sentence(w, http.StatusForbidden, "This link has expired or is not valid: open the link in your latest daily summary, or ask your admin for a new one.")
		return
	}
	until := now.Add(a.session)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: tickets.SignPass(key, tickets.PassSession, email, until),
		Path: "/desk", Expires: until, MaxAge: int(a.session.Seconds()),
		HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteStrictMode,
	})
	a.log.Info("desk page: signed in", "who", email)
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

var errNotAllowed = errors.New("not a supervisor or the admin")

// viewer is who the request's session belongs to, if it is good now.
func (a *deskAuth) viewer(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	key, err := a.store.SigningKey(r.Context())
	if err != nil {
		a.log.Error("desk page: signing key", "err", err)
		return "", false
	}
	email, _, err := tickets.VerifyPass(key, tickets.PassSession, c.Value, a.clock.Now())
	if err != nil || !a.desk.MayViewDesk(email) {
		return "", false
	}
	return email, true
}

// fromProxy reports a request that came through the trusted reverse proxy.
func (a *deskAuth) fromProxy(r *http.Request) bool {
	if a.proxy == "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, proxy := net.ParseIP(host), net.ParseIP(a.proxy)
	return ip != nil && proxy != nil && ip.Equal(proxy)
}

// secure reports whether the browser reached us over TLS: directly, or
// through the trusted proxy saying so, or because the public URL is https.
func (a *deskAuth) secure(r *http.Request) bool {
	if r.TLS != nil || a.https {
		return true
	}
	return a.fromProxy(r) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// clientIP is the address the rate limit counts: the connection's, or the
// one the trusted proxy saw (the last X-Forwarded-For entry, which it added).
func (a *deskAuth) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a.fromProxy(r) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	return host
}

// limiter counts link checks in fixed windows: a few per client, and a cap
// for everyone together so that many addresses cannot share the work.
type limiter struct {
	perClient, total int
	window           time.Duration
	mu               sync.Mutex
	start            time.Time
	counts           map[string]int
	sum              int
}

func newLimiter(perClient, total int, window time.Duration) *limiter {
	return &limiter{perClient: perClient, total: total, window: window, counts: map[string]int{}}
}

func (l *limiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start, l.sum = now, 0
		clear(l.counts)
	}
	if l.counts[client] >= l.perClient || l.sum >= l.total {
		return false
	}
	l.counts[client]++
	l.sum++
	return true
}
