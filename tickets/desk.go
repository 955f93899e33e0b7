package tickets

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets/calendar"
	"patrondesk/tickets/clock"
)

// Options are the desk's settings, taken from the config by cmd.
type Options struct {
	Library  string
	Address  string // the shared mailbox; mail is sent from it
	Admin    string // who gets alerts ("" = nobody)
	Tag      string
	Language string
	Location *time.Location
	Since    time.Duration // first run: older mail is recorded, not answered
	// Calendar counts open hours; nil = always open.
	Calendar *calendar.Calendar
	// FirstAnswer is the promise in open hours, by priority.
	FirstAnswer map[string]time.Duration
	// The follow-up ladder, in open hours (see config.Policy).
	NagEvery, EscalateAfter, PatronUpdateAfter, FollowupAfter, CloseAfter time.Duration
	// SummaryAt is when on each open day the supervisors' summary goes.
	SummaryAt time.Duration
	// Retention: closed tickets older than this are anonymised (0 = never).
	Retention       time.Duration
	AutoReplyLimit  int
	AutoReplyWindow time.Duration
	// ThreadReplyLimit caps acknowledgements along one chain of tickets
	// opened by replies to each other's mail, within AutoReplyWindow.
	ThreadReplyLimit int
	// Safety caps (see caps.Caps; zero = the default): acknowledgements to
	// first-time senders, floods from rotating robots, the MX's spam score.
	FirstAckLimit  int
	FirstAckWindow time.Duration
	FloodSenders   int
	FloodWindow    time.Duration
	SpamScore      float64
	// TokenLifetime is how recent the mail a staff reply answers must be
	// for its commands to count (0 = no limit).
	TokenLifetime time.Duration
	// ReopenWithin: a patron's reply to a ticket closed longer ago starts a
	// new ticket linked to the old one.
	ReopenWithin time.Duration
	// RequireAuthenticated makes staff replies act only with a DKIM or DMARC
	// pass from TrustedAuthserv in Authentication-Results.
	RequireAuthenticated bool
	TrustedAuthserv      string
	// Banners are gateway banner patterns (regular expressions, case
	// ignored) read off the top of staff replies, beyond
	// mailer.DefaultBanners. One that does not compile is left out.
	Banners []string
	Staff   []Staff
	// DeskURL is where the supervisors' desk page is reached
	// ("https://desk.library.test"); "" = no page, no links in the summary.
	DeskURL string
	// DeskLinkLifetime is how long a link in the summary works.
	DeskLinkLifetime time.Duration
	// MailboxTeams sends all mail of a watched mailbox (by its name) to a team.
	MailboxTeams map[string]string
	Routes       []Route
	// FormSenders are web-form relays (lower-case addresses): see fromForm.
	FormSenders []string
	// MaxAttachment is the largest file kept or sent; MailAttachments the
	// most one email carries, all files together (0 = the defaults).
	MaxAttachment, MailAttachments int64
}

// Desk turns inbound mail into tickets and outbox rows, one transaction per
// message. It implements mailer.Sink.
type Desk struct {
	// mu lets Reload swap opts and tpl: every message, scheduler pass and
	// command holds it for reading.
	mu     sync.RWMutex
	store  *Store
	clock  clock.Clock
	opts   Options
	signer *mailer.Signer
	tpl    *templates.Set
	log    *slog.Logger
	// tagPattern matches our subject tag "[Tag #42]".
	tagPattern *regexp.Regexp
	// banners are opts.Banners compiled.
	banners []*regexp.Regexp
	// Queued is called after a commit that put mail in the outbox, to wake
	// the sender. It must not block.
	Queued func()
	// flood keeps recent messages' words for flood detection.
	flood floodMemo
}

// NewDesk returns a desk over store.
func NewDesk(ctx context.Context, store *Store, clk clock.Clock, opts Options, tpl *templates.Set, log *slog.Logger) (*Desk, error) {
	key, err := store.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	_, domain, _ := strings.Cut(opts.Address, "@")
	signer, err := store.signer(ctx, key, domain, opts.TokenLifetime, clk.Now())
	if err != nil {
		return nil, err
	}
	d := &Desk{store: store, clock: clk, signer: signer, log: log, Queued: func() {}}
	d.set(opts, tpl)
	return d, nil
}

// set fills in defaults and installs opts and tpl.
func (d *Desk) set(opts Options, tpl *templates.Set) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Language == "" {
		opts.Language = "en"
	}
	if opts.Calendar == nil {
		opts.Calendar = calendar.AlwaysOpen(opts.Location)
	}
	fillCaps(&opts)
	if opts.MaxAttachment <= 0 {
		opts.MaxAttachment = DefaultMaxAttachment
	}
	if opts.MailAttachments <= 0 {
		opts.MailAttachments = DefaultMailAttachments
	}
	for i := range opts.Staff {
		opts.Staff[i].Email = strings.ToLower(opts.Staff[i].Email)
	}
	d.opts, d.tpl = opts, tpl
	d.tagPattern = regexp.MustCompile(`(?i)\[` + regexp.QuoteMeta(opts.Tag) + `\s*#(\d{1,12})\]\s*`)
	d.banners = nil
	for _, b := range opts.Banners {
		if re, err := regexp.Compile("(?i)" + b); err == nil {
			d.banners = append(d.banners, re)
		}
	}
}

// Reload installs new options and templates (on SIGHUP), between messages
// and scheduler passes. The library address cannot change this way: the
// signing domain is fixed at start.
func (d *Desk) Reload(opts Options, tpl *templates.Set) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.set(opts, tpl)
}

// dueAfter is when an answer owed since t is due, for a priority.
func (d *Desk) dueAfter(t time.Time, priority string) time.Time {
	promise, ok := d.opts.FirstAnswer[priority]
	if !ok {
		promise = d.opts.FirstAnswer["normal"]
	}
	return d.opts.Calendar.AddOpen(t, promise)
}

// Outcome says what Deliver did with a message, for logs and tests.
type Outcome string

// The outcomes of one delivery.
const (
	Created     Outcome = "created"
	Appended    Outcome = "appended"
	Duplicate   Outcome = "duplicate"
	Automated   Outcome = "automated"
	Old         Outcome = "old"
	Quarantined Outcome = "quarantined"
	Spam        Outcome = "spam"
)
