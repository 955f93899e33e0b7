package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"time"

	"patrondesk/mailer"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// sendTest queues mail by taking b.send/2 messages (an acknowledgement and a
// notice each), then drains the outbox to Postfix, against the floor of
// go-mail sending the same mails over one reused connection.
func (b *bench) sendTest(ctx context.Context) error {
	store, desk, err := b.newDesk(ctx, "send.db")
	if err != nil {
		return err
	}
	defer store.Close()
	rng := rand.New(rand.NewSource(2))
	now := clock.System{}.Now()
	for i := 0; i < b.send/2; i++ {
		if _, err := desk.Receive(ctx, mailer.Delivery{Raw: message(i+1, rng, now)}); err != nil {
			return err
		}
	}
	mails, err := outgoing(b.target("send.db"))
	if err != nil {
		return err
	}
	b.postfixDrain()
	clk := clock.System{}
	start := clk.Now()
	sess, err := mailer.DialSMTP(ctx, b.smtpOptions())
	if err != nil {
		return err
	}
	for i := range mails {
		mails[i].MessageID = "floor." + mails[i].MessageID // Postfix need not see the same ids twice
		if err := sess.Send(&mails[i]); err != nil {
			return fmt.Errorf("floor send: %w", err)
		}
	}
	sess.Close()
	floor := clk.Now().Sub(start)
	b.postfixDrain()
	sender := tickets.NewSender(store, clk, b.smtpOptions(), b.log)
	start = clk.Now()
	sent, err := sender.Drain(ctx)
	if err != nil {
		return err
	}
	took := clk.Now().Sub(start)
	if sent != len(mails) {
		return fmt.Errorf("patrondesk sent %d of %d", sent, len(mails))
	}
	b.add(row{what: fmt.Sprintf("send %d mails to Postfix", sent), floor: rate(sent, floor), patrondesk: rate(sent, took),
		ratio: fmt.Sprintf("%.2f x floor", floor.Seconds()/took.Seconds()), target: ">= 0.80 x floor"})
	b.postfixDrain()
	return nil
}

func (b *bench) smtpOptions() mailer.SMTPOptions {
	return mailer.SMTPOptions{Host: b.smtpHost, Port: b.smtpPort, Security: "none", HELO: "library.test", Timeout: 30 * time.Second}
}

// outgoing reads the queued mails as the sender would send them.
func outgoing(target string) ([]mailer.Outgoing, error) {
	db, err := openTarget(target)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT to_name, to_email, from_name, from_email, subject, body_text, message_id, in_reply_to, refs, auto_submitted, created_at FROM outbox WHERE status = 'queued' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mailer.Outgoing
	for rows.Next() {
		var o mailer.Outgoing
		var refs string
		var created int64
		if err := rows.Scan(&o.ToName, &o.ToAddress, &o.FromName, &o.FromAddress, &o.Subject, &o.Text, &o.MessageID, &o.InReplyTo, &refs, &o.AutoSubmitted, &created); err != nil {
			return nil, err
		}
		o.References, o.Date = strings.Fields(refs), time.Unix(created, 0)
		out = append(out, o)
	}
	return out, rows.Err()
}

// postfixDrain waits until Postfix has delivered what it holds, so one
// side's deliveries do not slow the other's sending.
func (b *bench) postfixDrain() {
	if os.Getenv("MAILSTACK_DIR") == "" {
		time.Sleep(3 * time.Second)
		return
	}
	cmd := exec.Command("bash", ".ci/mailstack", "drain")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Run()
}
