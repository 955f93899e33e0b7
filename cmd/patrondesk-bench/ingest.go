package main

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

const helpAddr = "help@library.test"

func (b *bench) dial(user string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(fmt.Sprintf("%s:%d", b.imapHost, b.imapPort), nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(user, b.password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login %s: %w", user, err)
	}
	return c, nil
}

// empty removes every message from a user's folders.
func (b *bench) empty(user string, folders ...string) error {
	c, err := b.dial(user)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, f := range folders {
		sel, err := c.Select(f, nil).Wait()
		if err != nil || sel.NumMessages == 0 {
			continue
		}
		all := imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}
		if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		if err := c.Expunge().Close(); err != nil {
			return err
		}
	}
	return nil
}

// fill appends the backlog to help@'s INBOX.
func (b *bench) fill(n int) (int64, error) {
	c, err := b.dial(helpAddr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	rng := rand.New(rand.NewSource(1))
	now := clock.System{}.Now()
	var total int64
	for i := 0; i < n; i++ {
		raw := message(i, rng, now)
		total += int64(len(raw))
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			return total, fmt.Errorf("append %d: %w", i, err)
		}
	}
	return total, nil
}

// floorFetch is the physical floor of ingest: one bare client fetching
// every message's bytes (UID FETCH BODY.PEEK[]) and throwing them away.
func (b *bench) floorFetch() (time.Duration, int, error) {
	c, err := b.dial(helpAddr)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	clk := clock.System{}
	start := clk.Now()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, 0, err
	}
	cmd := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	n := 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
				io.Copy(io.Discard, body.Literal)
			}
		}
		n++
	}
	if err := cmd.Close(); err != nil {
		return 0, n, err
	}
	return clk.Now().Sub(start), n, nil
}

// newDesk is patrondesk as `run` wires it, on a fresh database on the
// part's engine (b.target), with the per-address cap lifted (the bench has three
// patrons writing thousands of mails).
func (b *bench) newDesk(ctx context.Context, name string) (*tickets.Store, *tickets.Desk, error) {
	if err := b.makeSchema(ctx, name); err != nil {
		return nil, nil, err
	}
	store, err := tickets.Open(ctx, b.target(name))
	if err != nil {
		return nil, nil, err
	}
	opts := tickets.Options{
		Library: "Seymour Library", Address: helpAddr, Tag: "Seymour", Language: "en", Since: 24 * time.Hour,
		FirstAnswer: map[string]time.Duration{"normal": 16 * time.Hour, "urgent": 4 * time.Hour, "low": 40 * time.Hour},
		NagEvery:    8 * time.Hour, EscalateAfter: 8 * time.Hour, PatronUpdateAfter: 24 * time.Hour,
		FollowupAfter: 24 * time.Hour, CloseAfter: 40 * time.Hour, SummaryAt: 8*time.Hour + 30*time.Minute,
		AutoReplyLimit: 1 << 30, AutoReplyWindow: 3 * time.Hour, ReopenWithin: 30 * 24 * time.Hour, TokenLifetime: 90 * 24 * time.Hour,
		Staff: []tickets.Staff{
			{Name: "Alice Smith", Email: "alice@library.test", Teams: []string{"circulation"}},
			{Name: "Bob Jones", Email: "bob@library.test", Teams: []string{"reference"}},
			{Name: "Dana Boss", Email: "boss@library.test", Supervisor: true},
		},
		Routes: []tickets.Route{{Team: "circulation", SubjectWords: []string{"renew"}}, {Team: "reference"}},
	}
	desk, err := tickets.NewDesk(ctx, store, clock.System{}, opts, templates.New(""), b.log)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, desk, nil
}

func (b *bench) imapOptions() mailer.IMAPOptions {
	return mailer.IMAPOptions{Host: b.imapHost, Port: b.imapPort, Security: "none", Username: helpAddr, Password: b.password,
		Mailbox: "INBOX", Processed: "Processed", Timeout: time.Minute}
}

// ingest fills the mailbox, measures the floor, then patrondesk taking the
// same mailbox to tickets with acknowledgements in the outbox.
func (b *bench) ingest(ctx context.Context) error {
	if err := b.empty(helpAddr, "INBOX", "Processed"); err != nil {
		return err
	}
	bytes, err := b.fill(b.n)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  %d messages, %.1f MB, in help@'s INBOX\n", b.n, float64(bytes)/1e6)
	if _, _, err := b.floorFetch(); err != nil { // warm Dovecot's cache for both
		return err
	}
	floor, got, err := b.floorFetch()
	if err != nil || got != b.n {
		return fmt.Errorf("floor fetched %d of %d: %v", got, b.n, err)
	}
	store, desk, err := b.newDesk(ctx, "ingest.db")
	if err != nil {
		return err
	}
	defer store.Close()
	in := mailer.NewIntake(mailer.IntakeOptions{IMAP: b.imapOptions(), BatchSize: 50, Logger: b.log}, desk)
	clk := clock.System{}
	start := clk.Now()
	if err := in.Once(ctx); err != nil {
		return err
	}
	took := clk.Now().Sub(start)
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Tickets != int64(b.n) || st.Queued != int64(2*b.n) {
		return fmt.Errorf("patrondesk made %d tickets and queued %d mails; want %d and %d", st.Tickets, st.Queued, b.n, 2*b.n)
	}
	b.add(row{what: fmt.Sprintf("ingest %d messages to tickets + outbox", b.n), floor: rate(b.n, floor), patrondesk: rate(b.n, took),
		ratio: fmt.Sprintf("%.2f x floor", floor.Seconds()/took.Seconds()), target: ">= 0.80 x floor"})
	return nil
}
