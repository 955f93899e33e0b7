package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"patrondesk/mailer"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// monitor holds the live figures of a running daemon: Prometheus metrics on
// a private registry, and when each mailbox was last reached, for /healthz.
type monitor struct {
	reg          *prometheus.Registry
	store        *tickets.Store
	fetchSeconds *prometheus.HistogramVec
	sendSeconds  *prometheus.HistogramVec
	lastAlive    *prometheus.GaugeVec
	backlog      *prometheus.GaugeVec

	clock   clock.Clock
	started time.Time
	stall   time.Duration // a mailbox not reached for this long is unhealthy
	mu      sync.Mutex
	alive   map[string]time.Time
	refused map[string]string // "IMAP INBOX" or "SMTP": whose login was refused, in words
	// refusals are logins refused (OAuth2): named at once, not after stall.
	refusals *refusals
	// mailboxes are the configured mailboxes' names; leaser, when set,
	// says which of them this daemon watches (leases.go).
	mailboxes []string
	leaser    *tickets.Leaser
}

func newMonitor(store *tickets.Store, clk clock.Clock, mailboxes []string, stall time.Duration) *monitor {
	m := &monitor{
		reg: prometheus.NewRegistry(), store: store, clock: clk, started: clk.Now(), stall: stall, alive: map[string]time.Time{}, refused: map[string]string{}, refusals: newRefusals(), mailboxes: mailboxes,
		fetchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "patrondesk_fetch_seconds",
			Help: "Time to fetch one batch of messages.", Buckets: prometheus.DefBuckets}, []string{"mailbox"}),
		sendSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "patrondesk_send_seconds",
			Help: "Time to hand one mail to the SMTP server.", Buckets: prometheus.DefBuckets}, []string{"result"}),
		lastAlive: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "patrondesk_mailbox_last_success_timestamp_seconds",
			Help: "When each mailbox was last checked without error (Unix time)."}, []string{"mailbox"}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "patrondesk_mailbox_backlog",
			Help: "Messages waiting in each mailbox to be taken, at the last check."}, []string{"mailbox"}),
	}
	for _, name := range mailboxes {
		m.alive[name] = time.Time{}
	}
	m.reg.MustRegister(m.fetchSeconds, m.sendSeconds, m.lastAlive, m.backlog, statsCollector{store, mailboxes})
	return m
}

// fetchedCounter is the prefix of the lasting per-mailbox fetch totals.
const fetchedCounter = "fetched:"

func (m *monitor) onFetch(name string, n int, took time.Duration) {
	// Kept in the database so the total survives restarts; a failed write
	// loses a count, never mail.
	_ = m.store.AddCounter(context.Background(), fetchedCounter+name, int64(n))
	m.fetchSeconds.WithLabelValues(name).Observe(took.Seconds())
}

func (m *monitor) onBacklog(name string, waiting int) {
	m.backlog.WithLabelValues(name).Set(float64(waiting))
}

func (m *monitor) onAlive(name string) {
	now := m.clock.Now()
	m.mu.Lock()
	m.alive[name] = now
	delete(m.refused, "mailbox "+name)
	m.mu.Unlock()
	m.refusals.clear("mailbox " + name)
	m.lastAlive.WithLabelValues(name).Set(float64(now.Unix()))
}

func (m *monitor) onSend(_ *mailer.Outgoing, took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.sendSeconds.WithLabelValues(result).Observe(took.Seconds())
}

// onError notes a mailbox round that failed: a refused login stays a
// problem until the mailbox is reached again.
func (m *monitor) onError(name string, err error) {
	m.setRefused("mailbox "+name, err)
}

// onDial notes how connecting to the SMTP server went.
func (m *monitor) onDial(err error) { m.setRefused("SMTP", err) }

func (m *monitor) setRefused(who string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var le *mailer.LoginError
	if !errors.As(err, &le) {
		delete(m.refused, who)
		return
	}
	m.refused[who] = fmt.Sprintf("%s: login refused for %s by the %s server %s; check the username and password", who, le.User, le.Server, le.Addr)
}

// refusedLogins lists the logins a mail server refused, in words (a token
// the provider would not give is in refusals).
func (m *monitor) refusedLogins() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.refused {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// problems says what is wrong, for /healthz: a mailbox not reached within
// the stall time (after the same grace at start), or a database that does
// not answer.
func (m *monitor) problems(ctx context.Context, store *tickets.Store) []string {
	out := append(m.refusedLogins(), m.refusals.list()...)
	for _, s := range m.stalled(m.stall) {
		out = append(out, fmt.Sprintf("mailbox %s: not reached for %s", s.name, s.lasted.Round(time.Second)))
	}
	if _, err := store.Stats(ctx); err != nil {
		out = append(out, "database: "+err.Error())
	}
	return out
}

// stall is a mailbox not reached for a while.
type stall struct {
	name   string
	lasted time.Duration
}

// stalled lists, by name, the mailboxes not reached for longer than limit
// (counting from start for one never reached).
func (m *monitor) stalled(limit time.Duration) []stall {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []stall
	for name, at := range m.alive {
		if !m.watching(name) {
			continue
		}
		if at.IsZero() {
			at = m.started
		}
		if d := now.Sub(at); d > limit {
			out = append(out, stall{name, d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// statsCollector reads the running totals from the database at each scrape,
// so they survive restarts.
type statsCollector struct {
	store     *tickets.Store
	mailboxes []string
}

var fetchedDesc = prometheus.NewDesc("patrondesk_messages_fetched_total", "Messages fetched from each mailbox.", []string{"mailbox"}, nil)

var statDescs = map[string]*prometheus.Desc{
	"tickets":    prometheus.NewDesc("patrondesk_tickets_created_total", "Tickets created.", nil, nil),
	"acks":       prometheus.NewDesc("patrondesk_acknowledgements_sent_total", "Acknowledgements sent to patrons.", nil, nil),
	"reminders":  prometheus.NewDesc("patrondesk_reminders_sent_total", "Reminders sent to owners.", nil, nil),
	"failures":   prometheus.NewDesc("patrondesk_send_failures_total", "Mails the SMTP server refused for good.", nil, nil),
	"quarantine": prometheus.NewDesc("patrondesk_quarantined_messages", "Messages in quarantine waiting for a person.", nil, nil),
	"outbox":     prometheus.NewDesc("patrondesk_outbox_queued", "Mails waiting to be sent.", nil, nil),
}

func (c statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range statDescs {
		ch <- d
	}
	ch <- fetchedDesc
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.store.Stats(ctx)
	if err != nil {
		for _, d := range statDescs {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	ch <- prometheus.MustNewConstMetric(statDescs["tickets"], prometheus.CounterValue, float64(st.Tickets))
	ch <- prometheus.MustNewConstMetric(statDescs["acks"], prometheus.CounterValue, float64(st.AcksSent))
	ch <- prometheus.MustNewConstMetric(statDescs["reminders"], prometheus.CounterValue, float64(st.RemindersSent))
	ch <- prometheus.MustNewConstMetric(statDescs["failures"], prometheus.CounterValue, float64(st.SendFailures))
	ch <- prometheus.MustNewConstMetric(statDescs["quarantine"], prometheus.GaugeValue, float64(st.Quarantined))
	ch <- prometheus.MustNewConstMetric(statDescs["outbox"], prometheus.GaugeValue, float64(st.Queued))
	fetched, err := c.store.Counters(ctx, fetchedCounter)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(fetchedDesc, err)
		return
	}
	for _, name := range c.mailboxes {
		ch <- prometheus.MustNewConstMetric(fetchedDesc, prometheus.CounterValue, float64(fetched[name]), name)
	}
}

// serveHTTP runs the health and metrics listener, and the desk page when
// page is not nil, until ctx ends.
func serveHTTP(ctx context.Context, addr string, m *monitor, store *tickets.Store, log *slog.Logger, page http.Handler) error {
	mux := httpMux(m, store, page)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	log.Info("health and metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// httpMux routes /metrics, /healthz and, when page is not nil, /desk.
func httpMux(m *monitor, store *tickets.Store, page http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	if page != nil {
		mux.Handle("/desk", page)
		mux.Handle("/desk/", page)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		p := m.problems(r.Context(), store)
		if r.URL.Query().Get("format") == "json" {
			m.writeHealthJSON(w, r, p)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(p) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(p, "\n"))
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
