package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"patrondesk/config"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

func exampleConfig(t *testing.T) *config.Config {
	cfg := config.Default()
	if _, err := toml.Decode(string(config.Example), cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestNeedsRestart(t *testing.T) {
	old, next := exampleConfig(t), exampleConfig(t)
	next.Staff = next.Staff[:1]
	next.Policy.NagEvery.Duration = time.Hour
	if got := needsRestart(old, next); len(got) != 0 {
		t.Errorf("staff and policy changes need a restart? %v", got)
	}
	next.IMAP.Port = 993
	next.HTTP.Listen = "127.0.0.1:9000"
	if got := strings.Join(needsRestart(old, next), ","); got != "http,imap" {
		t.Errorf("needsRestart = %q, want http,imap", got)
	}
}

func TestHealthFailsWhenAMailboxStalls(t *testing.T) {
	store, err := tickets.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clk := clock.NewFake(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	m := newMonitor(store, clk, []string{"INBOX", "ill"}, 4*time.Minute)
	if p := m.problems(context.Background(), store); len(p) != 0 {
		t.Errorf("at start: %v", p)
	}
	clk.Advance(3 * time.Minute)
	m.onAlive("INBOX")
	clk.Advance(2 * time.Minute)
	p := m.problems(context.Background(), store)
	if len(p) != 1 || !strings.Contains(p[0], "mailbox ill: not reached for 5m0s") {
		t.Errorf("after 5 minutes without ill: %v", p)
	}
	store.Close()
	if p := m.problems(context.Background(), store); !strings.Contains(strings.Join(p, "\n"), "database:") {
		t.Errorf("a closed database is not reported: %v", p)
	}
}
