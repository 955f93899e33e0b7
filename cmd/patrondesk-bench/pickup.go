package main

import (
	"context"
	"fmt"
	"net/smtp"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"patrondesk/mailer"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// pickup measures patron mail accepted by Postfix -> acknowledgement
// accepted by Postfix, with patrondesk idling on IMAP IDLE, beside the floor:
// how long Dovecot takes to tell a bare idling client about new mail.
func (b *bench) pickup(ctx context.Context) error {
	floor, err := b.floorIdle(ctx)
	if err != nil {
		return err
	}
	ours, err := b.oursIdle(ctx)
	if err != nil {
		return err
	}
	for _, q := range []struct {
		name   string
		p      float64
		margin time.Duration
	}{{"p50", 0.50, 150 * time.Millisecond}, {"p90", 0.90, 0}, {"p99", 0.99, 600 * time.Millisecond}} {
		f, o := pct(floor, q.p), pct(ours, q.p)
		target := "-"
		if q.margin > 0 {
			target = fmt.Sprintf("<= floor + %v", q.margin)
		}
		b.add(row{what: fmt.Sprintf("pickup latency %s (%d mails, %.0f/s)", q.name, b.latency, b.rate), floor: ms(f), patrondesk: ms(o),
			ratio: fmt.Sprintf("floor + %s", ms(o-f)), target: target})
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// sendAt hands n mails to Postfix at b.rate a second and returns when each
// was accepted, by Message-ID.
func (b *bench) sendAt(to string, n int, tag string) (map[string]time.Time, error) {
	clk := clock.System{}
	accepted := map[string]time.Time{}
	tick := time.NewTicker(time.Duration(float64(time.Second) / b.rate))
	defer tick.Stop()
	for i := 0; i < n; i++ {
		<-tick.C
		id := fmt.Sprintf("%s-%d-%d@patrons.test", tag, clk.Now().UnixNano(), i)
		raw := fmt.Sprintf("From: Ann Lee <ann@patrons.test>\r\nTo: %s\r\nSubject: Request %d\r\nMessage-ID: <%s>\r\nDate: %s\r\n\r\nPlease renew my books.\r\n", to, i, id, clk.Now().Format(time.RFC1123Z))
		if err := smtp.SendMail(fmt.Sprintf("%s:%d", b.smtpHost, b.smtpPort), nil, "ann@patrons.test", []string{to}, []byte(raw)); err != nil {
			return nil, err
		}
		accepted[id] = clk.Now()
	}
	return accepted, nil
}

// floorIdle: a bare client idles on marco's INBOX; each new-mail notice is
// timed against when Postfix accepted that mail.
func (b *bench) floorIdle(ctx context.Context) ([]time.Duration, error) {
	if err := b.empty("marco@patrons.test", "INBOX"); err != nil {
		return nil, err
	}
	clk := clock.System{}
	var mu sync.Mutex
	var notices []time.Time
	c, err := imapclient.DialInsecure(fmt.Sprintf("%s:%d", b.imapHost, b.imapPort), &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				mu.Lock()
				for len(notices) < int(*d.NumMessages) {
					notices = append(notices, clk.Now())
				}
				mu.Unlock()
			}
		}},
	})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login("marco@patrons.test", b.password).Wait(); err != nil {
		return nil, err
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return nil, err
	}
	idle, err := c.Idle()
	if err != nil {
		return nil, err
	}
	accepted, err := b.sendAt("marco@patrons.test", b.latency, "floor")
	if err != nil {
		return nil, err
	}
	deadline := clk.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(notices)
		mu.Unlock()
		if n >= b.latency || clk.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	idle.Close()
	// Mail arrives in the order Postfix accepted it: pair them in order.
	var times []time.Time
	for _, t := range accepted {
		times = append(times, t)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	mu.Lock()
	defer mu.Unlock()
	if len(notices) < len(times) {
		return nil, fmt.Errorf("the idling client heard of %d of %d mails", len(notices), len(times))
	}
	var out []time.Duration
	for i, t := range times {
		out = append(out, notices[i].Sub(t))
	}
	return out, nil
}

// oursIdle runs patrondesk's intake on IDLE and its sender, as `run` does,
// and times each acknowledgement's SMTP accept against its patron mail's.
func (b *bench) oursIdle(ctx context.Context) ([]time.Duration, error) {
	if err := b.empty(helpAddr, "INBOX", "Processed"); err != nil {
		return nil, err
	}
	store, desk, err := b.newDesk(ctx, "pickup.db")
	if err != nil {
		return nil, err
	}
	defer store.Close()
	clk := clock.System{}
	var mu sync.Mutex
	acked := map[string]time.Time{}
	sender := tickets.NewSender(store, clk, b.smtpOptions(), b.log)
	sender.OnSend = func(o *mailer.Outgoing, _ time.Duration, err error) {
		if err == nil && o.InReplyTo != "" {
			mu.Lock()
			acked[o.InReplyTo] = clk.Now()
			mu.Unlock()
		}
	}
	desk.Queued = sender.Kick
	in := mailer.NewIntake(mailer.IntakeOptions{IMAP: b.imapOptions(), PollInterval: time.Minute, Logger: b.log}, desk)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go sender.Run(runCtx)
	go in.Run(runCtx)
	time.Sleep(time.Second) // logged in and idling
	accepted, err := b.sendAt(helpAddr, b.latency, "ours")
	if err != nil {
		return nil, err
	}
	deadline := clk.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= len(accepted) || clk.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	var out []time.Duration
	for id, t := range accepted {
		a, ok := acked[id]
		if !ok {
			return nil, fmt.Errorf("no acknowledgement for %s", id)
		}
		out = append(out, a.Sub(t))
	}
	return out, nil
}
