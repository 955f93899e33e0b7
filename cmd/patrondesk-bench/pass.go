package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"patrondesk/mailer"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// pass measures one whole round as `run --once` does it: N messages taken
// from Dovecot and 2N mails (acknowledgement and owner's notice) sent to
// Postfix, with taking and sending overlapping and the sending spread over
// smtp.connections connections. The floor, in the same run, is a bare
// client fetching the same N messages and then sending the same 2N mails
// over one SMTP connection.
func (b *bench) pass(ctx context.Context) error {
	n := b.passN
	if err := b.empty(helpAddr, "INBOX", "Processed"); err != nil {
		return err
	}
	if _, err := b.fill(n); err != nil {
		return err
	}
	raws, err := b.fetchAll()
	if err != nil || len(raws) != n {
		return fmt.Errorf("fetched %d of %d: %v", len(raws), n, err)
	}
	mails, err := b.passMails(ctx, raws)
	if err != nil {
		return err
	}
	b.postfixDrain()
	clk := clock.System{}
	start := clk.Now()
	if _, err := b.fetchAll(); err != nil {
		return err
	}
	sess, err := mailer.DialSMTP(ctx, b.smtpOptions())
	if err != nil {
		return err
	}
	for i := range mails {
		if err := sess.Send(&mails[i]); err != nil {
			return fmt.Errorf("floor send: %w", err)
		}
	}
	sess.Close()
	floor := clk.Now().Sub(start)
	b.postfixDrain()

	store, desk, err := b.newDesk(ctx, "pass.db")
	if err != nil {
		return err
	}
	defer store.Close()
	sender := tickets.NewSender(store, clk, b.smtpOptions(), b.log)
	sender.Connections = b.connections
	desk.Queued = sender.Kick
	in := mailer.NewIntake(mailer.IntakeOptions{IMAP: b.imapOptions(), BatchSize: 50, Logger: b.log}, desk)
	start = clk.Now()
	stop, sending := make(chan struct{}), make(chan error, 1)
	go func() { sending <- sender.DrainWhileKicked(ctx, stop) }()
	err = in.Once(ctx)
	close(stop)
	if err := <-sending; err != nil {
		return err
	}
	if err != nil {
		return err
	}
	if _, err := sender.Drain(ctx); err != nil {
		return err
	}
	took := clk.Now().Sub(start)
	if sent := sender.Sent(); sent != int64(2*n) {
		return fmt.Errorf("patrondesk sent %d of %d", sent, 2*n)
	}
	b.add(row{what: fmt.Sprintf("whole pass: %d taken + %d sent (%d SMTP connections)", n, 2*n, b.connections),
		floor: fmt.Sprintf("%.2f s", floor.Seconds()), patrondesk: fmt.Sprintf("%.2f s", took.Seconds()),
		ratio: fmt.Sprintf("%.2f x floor", floor.Seconds()/took.Seconds()), target: ">= 0.80 x floor, aim > 1"})
	b.postfixDrain()
	return nil
}

// passMails are the 2N mails a pass sends for raws, made on a scratch desk
// (not timed), with their Message-IDs marked so Postfix sees new ones.
func (b *bench) passMails(ctx context.Context, raws [][]byte) ([]mailer.Outgoing, error) {
	store, desk, err := b.newDesk(ctx, "pass-floor.db")
	if err != nil {
		return nil, err
	}
	defer store.Close()
	for _, raw := range raws {
		if _, err := desk.Receive(ctx, mailer.Delivery{Raw: raw}); err != nil {
			return nil, err
		}
	}
	mails, err := outgoing(b.target("pass-floor.db"))
	for i := range mails {
		mails[i].MessageID = "floor." + mails[i].MessageID
	}
	return mails, err
}

// fetchAll is a bare client fetching every message of help@'s INBOX.
func (b *bench) fetchAll() ([][]byte, error) {
	c, err := b.dial(helpAddr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, err
	}
	cmd := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var out [][]byte
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
				raw, err := io.ReadAll(body.Literal)
				if err != nil {
					return nil, err
				}
				out = append(out, raw)
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "  fetched %d messages\n", len(out))
	return out, nil
}
