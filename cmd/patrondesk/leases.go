package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"patrondesk/tickets"
)

// Several daemons on one database: each mailbox is watched by the daemon
// holding its lease. The monitor says which daemon this is, what it holds,
// and who holds each mailbox, on /healthz?format=json and /metrics.

// watchLeases makes the monitor report this daemon's leases, and count a
// mailbox as out of reach only while this daemon watches it (another
// daemon's mailbox is that daemon's to report).
func (m *monitor) watchLeases(l *tickets.Leaser) {
	m.leaser = l
	m.reg.MustRegister(leaseCollector{m})
}

// startWatching starts the stall clock of a mailbox this daemon has just
// taken over: it is late only if not reached within the stall time from now.
func (m *monitor) startWatching(name string) {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.alive[name].Before(now) {
		m.alive[name] = now
	}
}

// watching reports whether this daemon watches the mailbox now (always,
// without leases: a monitor in a test, or `run --once`).
func (m *monitor) watching(name string) bool {
	return m.leaser == nil || slices.Contains(m.leaser.Held(), tickets.MailboxLease(name))
}

// mailboxLease is who holds one mailbox, for /healthz?format=json.
type mailboxLease struct {
	Mailbox   string     `json:"mailbox"`
	Holder    string     `json:"holder"` // "" when no daemon holds it
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Mine      bool       `json:"mine"` // held by this daemon
}

// health is /healthz?format=json.
type health struct {
	Status    string         `json:"status"` // "ok" or "problem"
	Problems  []string       `json:"problems"`
	Daemon    string         `json:"daemon"`
	Holds     []string       `json:"holds"` // the mailboxes this daemon watches
	Mailboxes []mailboxLease `json:"mailboxes"`
}

// leases says who holds each configured mailbox; an expired lease is no
// one's.
func (m *monitor) leases(ctx context.Context) ([]mailboxLease, error) {
	all, err := m.store.Leases(ctx)
	if err != nil {
		return nil, err
	}
	now := m.clock.Now()
	var out []mailboxLease
	for _, name := range m.mailboxes {
		ml := mailboxLease{Mailbox: name}
		for _, l := range all {
			if l.Name == tickets.MailboxLease(name) && l.ExpiresAt.After(now) {
				ml.Holder, ml.ExpiresAt = l.Holder, &l.ExpiresAt
				ml.Mine = m.leaser != nil && l.Holder == m.leaser.Name()
			}
		}
		out = append(out, ml)
	}
	return out, nil
}

// writeHealthJSON answers /healthz?format=json: the same verdict as the
// plain answer, with who holds what.
func (m *monitor) writeHealthJSON(w http.ResponseWriter, r *http.Request, problems []string) {
	h := health{Status: "ok", Problems: problems, Holds: []string{}}
	if m.leaser != nil {
		h.Daemon = m.leaser.Name()
		for _, l := range m.leaser.Held() {
			h.Holds = append(h.Holds, strings.TrimPrefix(l, tickets.MailboxLease("")))
		}
	}
	ls, err := m.leases(r.Context())
	if err != nil {
		h.Problems = append(h.Problems, "database: "+err.Error())
	}
	h.Mailboxes = ls
	w.Header().Set("Content-Type", "application/json")
	if len(h.Problems) > 0 {
		h.Status = "problem"
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if h.Problems == nil {
		h.Problems = []string{}
	}
	json.NewEncoder(w).Encode(h)
}

var (
	leaseHeldDesc = prometheus.NewDesc("patrondesk_mailbox_lease_held",
		"1 while this daemon holds the mailbox's lease and watches it, else 0.", []string{"mailbox"}, nil)
	leaseExpiresDesc = prometheus.NewDesc("patrondesk_mailbox_lease_expires_timestamp_seconds",
		"When the mailbox's lease, whoever holds it, runs out unless renewed (Unix time); absent when no daemon holds it.", []string{"mailbox"}, nil)
	daemonDesc = prometheus.NewDesc("patrondesk_daemon_info", "This daemon's name in the leases: host and process id.", []string{"daemon"}, nil)
)

// leaseCollector reads the leases at each scrape.
type leaseCollector struct{ m *monitor }

func (c leaseCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- leaseHeldDesc
	ch <- leaseExpiresDesc
	ch <- daemonDesc
}

func (c leaseCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(daemonDesc, prometheus.GaugeValue, 1, c.m.leaser.Name())
	for _, name := range c.m.mailboxes {
		held := 0.0
		if c.m.watching(name) {
			held = 1
		}
		ch <- prometheus.MustNewConstMetric(leaseHeldDesc, prometheus.GaugeValue, held, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ls, err := c.m.leases(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(leaseExpiresDesc, err)
		return
	}
	for _, l := range ls {
		if l.ExpiresAt != nil {
			ch <- prometheus.MustNewConstMetric(leaseExpiresDesc, prometheus.GaugeValue, float64(l.ExpiresAt.UnixMilli())/1000, l.Mailbox)
		}
	}
}
