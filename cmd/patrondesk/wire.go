package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// app is patrondesk wired together from a config.
type app struct {
	store   *tickets.Store
	desk    *tickets.Desk
	sender  *tickets.Sender
	intakes []*mailer.Intake // [imap] first, then each [[mailbox]]
	names   []string         // each intake's mailbox name
	leaser  *tickets.Leaser  // which mailboxes this daemon watches
	monitor *monitor
	clock   clock.Clock
}

func (a *app) Close() { a.store.Close() }

// named gives this daemon the name run --name asked for, in its leases
// and claims (before it holds any).
func (a *app) named(name string) {
	a.leaser = a.leaser.As(name)
	a.sender.Name = name
	a.monitor.leaser = a.leaser
}

// staffOf is the config's staff list as the desk reads it.
func staffOf(cfg *config.Config) []tickets.Staff {
	var out []tickets.Staff
	for _, s := range cfg.Staff {
		st := tickets.Staff{Name: s.Name, Email: s.Email, Teams: s.Teams, Supervisor: s.Supervisor, Signature: s.Signature}
		for _, a := range s.Aliases {
			st.Aliases = append(st.Aliases, strings.ToLower(a))
		}
		for _, a := range s.Away {
			from, _ := time.ParseInLocation("2006-01-02", a.From, cfg.Location())
			until, _ := time.ParseInLocation("2006-01-02", a.Until, cfg.Location())
			st.Away = append(st.Away, tickets.Away{From: from.UTC(), Until: until.UTC()})
		}
		out = append(out, st)
	}
	return out
}

func deskOptions(cfg *config.Config) (tickets.Options, error) {
	cal, err := cfg.Calendar()
	if err != nil {
		return tickets.Options{}, err
	}
	p := cfg.Policy
	o := tickets.Options{
		Library: cfg.Library.Name, Address: strings.ToLower(cfg.Library.Address), Admin: strings.ToLower(cfg.Library.Admin), Tag: cfg.Library.Tag,
		Language: cfg.Library.Language, Location: cfg.Location(), Since: cfg.Intake.Since.Duration, Calendar: cal,
		FirstAnswer: map[string]time.Duration{"normal": p.FirstAnswer.Duration, "urgent": p.FirstAnswerUrgent.Duration, "low": p.FirstAnswerLow.Duration},
		NagEvery:    p.NagEvery.Duration, EscalateAfter: p.EscalateAfter.Duration, PatronUpdateAfter: p.PatronUpdateAfter.Duration,
		FollowupAfter: p.FollowupAfter.Duration, CloseAfter: p.CloseAfter.Duration, SummaryAt: cfg.SummaryClock(),
		Retention: p.Retention.Duration, AutoReplyLimit: p.AutoReplyLimit, AutoReplyWindow: p.AutoReplyWindow.Duration, ThreadReplyLimit: p.ThreadReplyLimit,
		ReopenWithin: p.ReopenWithin.Duration, TokenLifetime: cfg.StaffMail.TokenLifetime.Duration,
		RequireAuthenticated: cfg.StaffMail.RequireAuthenticated, TrustedAuthserv: cfg.TrustedAuthserv(),
		DeskURL: deskURL(cfg), DeskLinkLifetime: cfg.HTTP.LinkLifetime.Duration,
	}
	for _, f := range cfg.Intake.FormSenders {
		o.FormSenders = append(o.FormSenders, strings.ToLower(strings.TrimSpace(f)))
	}
	o.FirstAckLimit, o.FirstAckWindow, o.SpamScore = p.FirstAckLimit, p.FirstAckWindow.Duration, p.SpamScore
	o.FloodSenders, o.FloodWindow = p.FloodSenders, p.FloodWindow.Duration
	o.MaxAttachment, o.MailAttachments = cfg.Attachments.MaxSize.Bytes, cfg.Attachments.MailTotal.Bytes
	o.Staff = staffOf(cfg)
	o.Banners = cfg.StaffMail.Banners
	o.MailboxTeams = map[string]string{}
	for _, m := range cfg.Mailboxes {
		if m.Team != "" {
			o.MailboxTeams[m.Name] = m.Team
		}
	}
	for _, r := range cfg.Routes {
		o.Routes = append(o.Routes, tickets.Route{Team: r.Team, To: r.To, SubjectWords: r.SubjectWords, BodyWords: r.BodyWords, Senders: r.Senders})
	}
	return o, nil
}

func imapOptions(cfg *config.Config) mailer.IMAPOptions {
	c := cfg.IMAP
	return mailer.IMAPOptions{Host: c.Host, Port: c.Port, Security: c.Security, Username: c.Username, Password: c.Password,
		Mailbox: c.Mailbox, Processed: c.Processed, Timeout: cfg.Intake.Timeout.Duration,
		OAuth2: tokenSource(cfg.IMAPOAuth2()), IdleRenew: cfg.Intake.IdleRenew.Duration}
}

func smtpOptions(cfg *config.Config) mailer.SMTPOptions {
	c := cfg.SMTP
	helo := c.HELO
	if helo == "" {
		_, helo, _ = strings.Cut(cfg.Library.Address, "@")
	}
	return mailer.SMTPOptions{Host: c.Host, Port: c.Port, Security: c.Security, Username: c.Username, Password: c.Password,
		HELO: helo, Timeout: 30 * time.Second, OAuth2: tokenSource(cfg.SMTPOAuth2())}
}

// wire opens the database and builds the desk, sender and intake.
func wire(ctx context.Context, cfg *config.Config, clk clock.Clock, log *slog.Logger, progress func(done, total int)) (*app, error) {
	store, err := tickets.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return nil, err
	}
	return wireStore(ctx, cfg, store, clk, log, progress)
}

// wireStore builds the desk, sender and intake on an open store, which it
// closes on failure.
func wireStore(ctx context.Context, cfg *config.Config, store *tickets.Store, clk clock.Clock, log *slog.Logger, progress func(done, total int)) (*app, error) {
	opts, err := deskOptions(cfg)
	if err != nil {
		store.Close()
		return nil, err
	}
	desk, err := tickets.NewDesk(ctx, store, clk, opts, templates.New(cfg.Rel(cfg.Templates.Dir)), log)
	if err != nil {
		store.Close()
		return nil, err
	}
	smtpOpts := smtpOptions(cfg)
	sender := tickets.NewSender(store, clk, smtpOpts, log)
	sender.Connections = cfg.SMTP.Connections
	sender.Limit.PerMinute, sender.Limit.PerDay = cfg.SendingRate()
	leaser := tickets.NewLeaser(store, clk, tickets.DaemonName(), cfg.Database.Lease.Duration, log)
	sender.Name, sender.ClaimFor = leaser.Name(), cfg.Database.Lease.Duration
	desk.Queued = sender.Kick
	boxes := mailboxes(cfg)
	var names []string
	for _, b := range boxes {
		names = append(names, b.name)
	}
	poll := cfg.Intake.PollInterval.Duration
	mon := newMonitor(store, clk, names, 3*poll+time.Minute)
	mon.watchLeases(leaser)
	sender.OnSend = mon.onSend
	sender.OnDial = mon.onDial
	watchLogins(smtpOpts.OAuth2, mon.refusals, "SMTP")
	a := &app{store: store, desk: desk, sender: sender, monitor: mon, clock: clk, leaser: leaser, names: names}
	for _, b := range boxes {
		watchLogins(b.imap.OAuth2, mon.refusals, "mailbox "+b.name)
		a.intakes = append(a.intakes, mailer.NewIntake(mailer.IntakeOptions{
			Name: b.name, IMAP: b.imap, BatchSize: cfg.Intake.BatchSize, PollInterval: poll,
			Progress: progress, OnFetch: mon.onFetch, OnAlive: mon.onAlive, OnError: mon.onError, OnBacklog: mon.onBacklog, Now: clk.Now, Logger: log,
		}, desk))
	}
	return a, nil
}

// watched is one mailbox to watch: its ledger name and login.
type watched struct {
	name string
	imap mailer.IMAPOptions
	team string
}

// mailboxes are [imap] (named by its folder, as it always was) and each
// [[mailbox]].
func mailboxes(cfg *config.Config) []watched {
	out := []watched{{name: cfg.IMAP.Mailbox, imap: imapOptions(cfg)}}
	for i, m := range cfg.Mailboxes {
		out = append(out, watched{name: m.Name, team: m.Team, imap: mailer.IMAPOptions{Host: m.Host, Port: m.Port, Security: m.Security,
			Username: m.Username, Password: m.Password, Mailbox: m.Folder, Processed: m.Processed, Timeout: cfg.Intake.Timeout.Duration,
			OAuth2: tokenSource(cfg.MailboxOAuth2(i)), IdleRenew: cfg.Intake.IdleRenew.Duration}})
	}
	return out
}
