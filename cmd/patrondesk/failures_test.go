package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"patrondesk/config"
	"patrondesk/mailer/memserver"
)

// TestCheckNamesTheFailure: check tells a refused connection, a refused
// login, a missing folder and a TLS problem apart, each with what to fix.
func TestCheckNamesTheFailure(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	closed := freeAddr(t) // nothing listens there
	_, closedPort, _ := splitHostPort(closed)
	tests := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"wrong password", func(c *config.Config) { c.IMAP.Password = "wrong" }, "login refused: check the username and password"},
		{"nothing listening", func(c *config.Config) { c.IMAP.Port = closedPort }, "connection refused: nothing answers at that host and port"},
		{"missing folder", func(c *config.Config) { c.IMAP.Mailbox = "Inbox/Help" }, "missing folder: no folder by that name"},
		{"TLS on a plain port", func(c *config.Config) { c.IMAP.Security = "tls" }, "TLS problem: the server does not speak TLS on this port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := demoConfig(t.TempDir(), srv)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(cfg)
			writeConfig(t, cfg)
			code, out, _ := runCLI(t, "check", "--config", cfg.Path)
			if code == 0 || !strings.Contains(out, "FAIL  mailbox ") || !strings.Contains(out, tt.want) {
				t.Errorf("check: exit %d, want %q:\n%s", code, tt.want, out)
			}
		})
	}
}

// TestRefusedLoginIsNamed: with a wrong IMAP password the daemon logs one
// error naming the refused login, and /healthz says "login refused for".
func TestRefusedLoginIsNamed(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IMAP.Password = "wrong"
	cfg.HTTP.Listen = freeAddr(t)
	writeConfig(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	go func() {
		var out, errb bytes.Buffer
		run(ctx, []string{"run", "--config", cfg.Path}, &out, &errb)
		done <- errb.String()
	}()
	body := waitFor(t, "http://"+cfg.HTTP.Listen+"/healthz", "login refused for help@library.test by the IMAP server")
	if !strings.Contains(body, "check the username and password") {
		t.Errorf("/healthz: %s", body)
	}
	cancel()
	var log string
	select {
	case log = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	if n := strings.Count(log, "level=ERROR msg=\"login refused"); n != 1 {
		t.Errorf("%d errors about the refused login, want 1:\n%s", n, log)
	}
	// A reload does not apply [imap] (see needsRestart): the log must not
	// send the admin to one after fixing the password in the config.
	if strings.Contains(log, "then reload") || !strings.Contains(log, "takes a restart") {
		t.Errorf("the refused login does not say a changed password takes a restart:\n%s", log)
	}
	if strings.Contains(log, "connection lost") {
		t.Errorf("a refused login was logged as a network blip:\n%s", log)
	}
}
