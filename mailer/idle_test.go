package mailer

import (
	"context"
	"testing"
	"time"

	"patrondesk/mailer/memserver"
)

// TestIdleRenewedBeforeProviderDropsIt: with IdleRenew shorter than the
// wait, one IDLE ends (DONE) at IdleRenew and the caller starts the next,
// so no provider sees an IDLE older than its limit (Exchange Online: about
// 30 minutes; go-imap's own restart is at 28).
func TestIdleRenewedBeforeProviderDropsIt(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port := splitAddr(t, srv.IMAPAddr)
	mb, err := DialMailbox(context.Background(), IMAPOptions{Host: host, Port: port, Security: "none", Username: "help@library.test",
		Password: memserver.Password, Mailbox: "INBOX", Timeout: 5 * time.Second, IdleRenew: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if !mb.CanIdle() {
		t.Fatal("the memory server should offer IDLE")
	}
	start := time.Now()
	if err := mb.WaitForNews(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("IDLE lasted %v with idle_renew 200ms", took)
	}
	if _, err := mb.NewUIDs(context.Background(), 0); err != nil {
		t.Errorf("the connection after a renewed IDLE: %v", err)
	}
}
