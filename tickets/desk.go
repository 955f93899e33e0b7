package tickets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
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

// Cursor implements mailer.Sink. The first call for a folder also fixes the
// moment that intake.since counts back from.
func (d *Desk) Cursor(ctx context.Context, mailbox string, validity uint32) (uint32, error) {
	var v, last uint32
	err := d.store.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM mailboxes WHERE name = ?`, mailbox).Scan(&v, &last)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `INSERT INTO mailboxes (name, uidvalidity, last_uid, first_seen_at) VALUES (?, ?, 0, ?)`,
				mailbox, validity, unix(d.clock.Now()))
			v, last = validity, 0
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cursor for %s: %w", mailbox, err)
	}
	if v != validity {
		d.log.Warn("mailbox UIDVALIDITY changed; scanning it again (duplicates are skipped)", "mailbox", mailbox, "old", v, "new", validity)
		return 0, nil
	}
	return last, nil
}

// SetCursor implements mailer.Sink.
func (d *Desk) SetCursor(ctx context.Context, mailbox string, validity, uid uint32) error {
	_, err := d.store.db.ExecContext(ctx, `UPDATE mailboxes SET uidvalidity = ?, last_uid = MAX(CASE WHEN uidvalidity = ? THEN last_uid ELSE 0 END, ?) WHERE name = ?`,
		validity, validity, uid, mailbox)
	return err
}

// Deliver implements mailer.Sink: the whole batch in one transaction, so
// a backlog is not one commit per message. An error means none of it was
// taken.
func (d *Desk) Deliver(ctx context.Context, batch []mailer.Delivery) error {
	_, err := d.receiveAll(ctx, batch)
	return err
}

// Receive takes one message in its own transaction (`deliver`, tests). Input
// problems never return an error: the message is quarantined instead. An
// error means the database failed and the message should be taken again
// later.
func (d *Desk) Receive(ctx context.Context, in mailer.Delivery) (Outcome, error) {
	outs, err := d.receiveAll(ctx, []mailer.Delivery{in})
	if err != nil {
		return "", err
	}
	return outs[0], nil
}

// parsed is a message read before its transaction.
type parsed struct {
	m   *mailer.Message
	err string // why it could not be read
}

func parseSafely(raw []byte) (p parsed) {
	defer func() {
		if rec := recover(); rec != nil {
			p = parsed{err: fmt.Sprintf("internal error while reading it: %v", rec)}
		}
	}()
	m, err := mailer.Parse(raw)
	if err != nil {
		return parsed{err: err.Error()}
	}
	return parsed{m: m}
}

func (d *Desk) receiveAll(ctx context.Context, batch []mailer.Delivery) ([]Outcome, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	ps := make([]parsed, len(batch))
	for i, in := range batch {
		ps[i] = parseSafely(in.Raw)
	}
	outs := make([]Outcome, len(batch))
	queued := false
	err := d.store.tx(ctx, func(tx *sql.Tx) error {
		for i, in := range batch {
			out, q, err := d.takeOne(ctx, tx, in, ps[i], false)
			if err != nil {
				return fmt.Errorf("take uid %d: %w", in.UID, err)
			}
			outs[i], queued = out, queued || q
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if queued {
		d.Queued()
	}
	for i, in := range batch {
		if outs[i] == Quarantined {
			d.log.Warn("message quarantined", "mailbox", in.Mailbox, "uid", in.UID)
		}
		d.log.Debug("message taken", "uid", in.UID, "outcome", outs[i])
	}
	return outs, nil
}

// takeOne takes one message inside the batch's transaction, under its own
// savepoint: a message that makes the desk fail is rolled back to it and
// quarantined, and the batch goes on. released takes a message out of the
// spam queue: the spam rules do not apply to it again.
func (d *Desk) takeOne(ctx context.Context, tx *sql.Tx, in mailer.Delivery, p parsed, released bool) (out Outcome, queued bool, err error) {
	now := d.clock.Now()
	if p.m == nil {
		return Quarantined, false, quarantineOnce(ctx, tx, in, p.err, now)
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT message`); err != nil {
		return "", false, err
	}
	defer func() {
		if rec := recover(); rec != nil {
			d.log.Error("a message made patrondesk fail; it is quarantined", "uid", in.UID, "panic", rec)
			if _, err = tx.ExecContext(ctx, `ROLLBACK TO message`); err == nil {
				err = quarantineOnce(ctx, tx, in, fmt.Sprintf("internal error while reading it: %v", rec), now)
			}
			out, queued = Quarantined, false
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `RELEASE message`)
		}
	}()
	r := &receipt{d: d, tx: tx, ctx: ctx, in: in, m: p.m, now: now, released: released}
	out, err = r.take()
	return out, r.queued, err
}

// noSender is why a person's mail without any sender address is quarantined:
// automated mail needs none (bounces often have none), but a person's mail
// without one cannot be answered, so a human must look at it.
const noSender = "it has no sender address, so nobody can be answered"

// quarantineOnce keeps a message that could not be taken at all
// (unreadable, or it made the desk fail), unless the same bytes are kept
// already.
func quarantineOnce(ctx context.Context, tx *sql.Tx, in mailer.Delivery, reason string, now time.Time) error {
	key := "raw:" + hashHex(in.Raw)
	if seen, err := exists(ctx, tx, key); err != nil || seen {
		return err
	}
	return quarantineTx(ctx, tx, in, key, reason, now)
}

// quarantineTx records the message under key and keeps its raw bytes with the
// reason, for a human to look at.
func quarantineTx(ctx context.Context, tx *sql.Tx, in mailer.Delivery, key, reason string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages (dedupe_key, direction, kind, reason, mailbox, uidvalidity, uid, received_at) VALUES (?, 'in', 'unreadable', ?, ?, ?, ?, ?)`,
		key, reason, in.Mailbox, in.UIDValidity, in.UID, unix(now)); err != nil {
		return fmt.Errorf("save quarantined message: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO quarantine (received_at, mailbox, uidvalidity, uid, reason, raw) VALUES (?, ?, ?, ?, ?, ?)`,
		unix(now), in.Mailbox, in.UIDValidity, in.UID, reason, in.Raw)
	return err
}

func exists(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE dedupe_key = ?`, key).Scan(&n)
	return n > 0, err
}

func hashHex(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dedupeKey names an email independent of where it was fetched: the same
// Message-ID, sender and Date are the same email; without a Message-ID, the
// same bytes are.
func dedupeKey(m *mailer.Message, raw []byte) string {
	if m.MessageID == "" {
		return "raw:" + hashHex(raw)
	}
	return "id:" + hashHex([]byte(m.MessageID), []byte(m.From.Email), []byte(strconv.FormatInt(m.Date.Unix(), 10)))
}

// receipt is the work on one message inside its transaction.
type receipt struct {
	d      *Desk
	tx     *sql.Tx
	ctx    context.Context
	in     mailer.Delivery
	m      *mailer.Message
	now    time.Time
	queued bool
	// viaForm is the web-form relay the message came through ("" = none).
	viaForm string
	// handover is what a staff member wrote with #assign, for the new owner.
	handover string
	// auth is what the trusted MX said about the sender (see senderAuth).
	auth *mailer.SenderAuth
	// released: the message left the spam queue by hand (see spam.go).
	released bool
	// tok is the staff token a staff reply carries (nil at the terminal).
	tok *mailer.Token
	// sending: a held answer goes out with #send (no collision check).
	sending bool
	// suspect caches suspicion's verdict.
	suspect *suspectVerdict
	// lastOutbox is the outbox row enqueue wrote last.
	lastOutbox int64
}

func (r *receipt) take() (Outcome, error) {
	key := dedupeKey(r.m, r.in.Raw)
	if seen, err := exists(r.ctx, r.tx, key); err != nil || seen {
		return Duplicate, err
	}
	if why := r.fromForm(); why != "" {
		return Quarantined, quarantineTx(r.ctx, r.tx, r.in, key, why, r.now)
	}
	verdict := r.releasedVerdict(mailer.ClassifyWith(r.m, []string{r.d.opts.Address}, r.d.opts.SpamScore))
	old, err := r.tooOld()
	if err != nil {
		return "", err
	}
	t, staffTok, err := r.thread()
	if err != nil {
		return "", err
	}
	spam, blocked, err := r.spamReason(verdict)
	if err != nil {
		return "", err
	}
	switch {
	case r.sender() == "" && !verdict.Automated():
		return Quarantined, quarantineTx(r.ctx, r.tx, r.in, key, noSender, r.now)
	case old:
		_, err := r.saveMessage(key, nil, "old", "arrived before patrondesk started watching, older than intake.since")
		return Old, err
	case spam != "" && (t == nil || blocked):
		// A spam verdict on a proven reply leaves it on its ticket (below).
		return Spam, r.saveSpam(key, spam)
	case verdict.Automated():
		if done, err := r.takeBounce(key, verdict); done || err != nil {
			return Automated, err
		}
		var id *int64
		if t != nil {
			id = &t.ID
		}
		msgID, err := r.saveMessage(key, id, string(verdict.Kind), verdict.Reason)
		if err == nil && t != nil {
			err = r.event(t.ID, r.sender(), "automated mail received", verdict.Reason, msgID)
		}
		return Automated, err
	case t == nil && staffTok == nil && r.queueRequest() != "":
		return Appended, r.answerQueue(key, r.queueRequest())
	case staffTok != nil:
		if done, err := r.confirmForward(t, key); done || err != nil {
			return Appended, err
		}
		return Appended, r.staffReply(t, *staffTok, key)
	case t == nil && r.forwardedByStaff():
		return Created, r.createForwarded(key)
	case t != nil && (t.Status != "closed" || r.closedRecently(t)):
		return Appended, r.appendTo(t, key)
	default:
		if why, err := r.floodSpam(); err != nil || why != "" {
			if err != nil {
				return "", err
			}
			return Spam, r.saveSpam(key, why)
		}
		return Created, r.create(key, t)
	}
}

// closedRecently: a patron's reply reopens a ticket closed less than
// policy.reopen_within ago; after that it starts a new one.
func (r *receipt) closedRecently(t *ticketRow) bool {
	return t.ClosedAt.Valid && r.now.Sub(time.Unix(t.ClosedAt.Int64, 0)) < r.d.opts.ReopenWithin
}

// tooOld is the first-run rule: mail that reached the server more than
// intake.since before patrondesk first looked at the folder is not answered.
func (r *receipt) tooOld() (bool, error) {
	if r.in.InternalDate.IsZero() || r.in.Mailbox == "" {
		return false, nil
	}
	var first int64
	err := r.tx.QueryRowContext(r.ctx, `SELECT first_seen_at FROM mailboxes WHERE name = ?`, r.in.Mailbox).Scan(&first)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cutoff := time.Unix(first, 0).Add(-r.d.opts.Since)
	return r.in.InternalDate.Before(cutoff), nil
}

// sender is who the desk answers: the From address, else Reply-To.
func (r *receipt) sender() string {
	if r.m.From.Email != "" || len(r.m.ReplyTo) == 0 {
		return r.m.From.Email
	}
	return r.m.ReplyTo[0].Email
}

func (r *receipt) senderName() string {
	if r.m.From.Name != "" {
		return r.m.From.Name
	}
	return r.sender()
}

// staff finds a staff member by any of their addresses (see isAddressOf).
func (r *receipt) staff(email string) *Staff {
	for i, s := range r.d.opts.Staff {
		if s.isAddressOf(email) {
			return &r.d.opts.Staff[i]
		}
	}
	return nil
}

// thread finds the ticket a message belongs to, only on proof. A staff
// member's reply proves itself with a staff token (from a Message-ID of ours
// that was sent to staff); it is returned with that token, which lets it act.
// A patron's mail proves itself with a patron token, a Message-ID already on a
// ticket whose patron is the sender, or the subject tag from the ticket's own
// patron. Anything else is new, so a forged tag reveals nothing.
func (r *receipt) thread() (*ticketRow, *mailer.Token, error) {
	from := r.sender()
	if r.staff(from) != nil {
		if tok, ok := r.d.signer.FindToken(r.m, mailer.ForStaff); ok {
			t, err := loadTicket(r.ctx, r.tx, tok.Ticket)
			if err != nil || t != nil && t.PatronEmail != from {
				return t, &tok, err
			}
		}
	}
	if tok, ok := r.d.signer.FindToken(r.m, mailer.ForPatron); ok {
		t, err := loadTicket(r.ctx, r.tx, tok.Ticket)
		if err != nil || t != nil && t.PatronEmail == from {
			return t, nil, err
		}
	}
	for _, id := range append(append([]string{}, r.m.InReplyTo...), r.m.References...) {
		var tid int64
		err := r.tx.QueryRowContext(r.ctx, `SELECT m.ticket_id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = ? AND t.patron_email = ? LIMIT 1`, id, from).Scan(&tid)
		if err == nil {
			t, err := loadTicket(r.ctx, r.tx, tid)
			return t, nil, err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
	}
	if id := r.d.subjectTicket(r.m.Subject); id != 0 {
		t, err := loadTicket(r.ctx, r.tx, id)
		if err != nil || t != nil && t.PatronEmail == from {
			return t, nil, err
		}
	}
	return nil, nil, nil
}

// subjectTicket reads "[Tag #42]" from a subject, or 0.
func (d *Desk) subjectTicket(subject string) int64 {
	if m := d.tagPattern.FindStringSubmatch(subject); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	return 0
}

func (r *receipt) saveMessage(key string, ticket *int64, kind, reason string) (int64, error) {
	return r.saveMessageBody(key, ticket, kind, reason, r.m.Text)
}

// saveMessageBody saves the message with body as its text (staff replies
// keep what they wrote, without the quote; raw keeps everything).
func (r *receipt) saveMessageBody(key string, ticket *int64, kind, reason, body string) (int64, error) {
	raw := r.in.Raw
	if len(raw) > rawPartSize {
		raw = nil // kept in parts below
	}
	res, err := r.tx.ExecContext(r.ctx, `INSERT INTO messages (ticket_id, dedupe_key, message_id, direction, kind, reason, sender, subject, body, raw, mailbox, uidvalidity, uid, received_at)
		VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ticket, key, r.m.MessageID, kind, reason, r.sender(), r.m.Subject, body, raw, r.in.Mailbox, r.in.UIDValidity, r.in.UID, unix(r.now))
	if err != nil {
		return 0, fmt.Errorf("save message: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil || raw != nil {
		return id, err
	}
	return id, saveRawParts(r.ctx, r.tx, id, r.in.Raw)
}

// rawPartSize is the largest raw message kept in one value.
const rawPartSize = 1 << 20

// saveRawParts keeps a large message's bytes in parts of rawPartSize: SQLite
// copies a bound value twice on insert, so one part at a time keeps memory
// flat however large the message.
func saveRawParts(ctx context.Context, tx *sql.Tx, id int64, raw []byte) error {
	for part := 0; len(raw) > 0; part++ {
		n := min(len(raw), rawPartSize)
		if _, err := tx.ExecContext(ctx, `INSERT INTO raw_parts (message_id, part, data) VALUES (?, ?, ?)`, id, part, raw[:n]); err != nil {
			return fmt.Errorf("save message part %d: %w", part, err)
		}
		raw = raw[n:]
	}
	return nil
}

func (r *receipt) event(ticket int64, actor, action, detail string, msg int64) error {
	var m any
	if msg != 0 {
		m = msg
	}
	_, err := r.tx.ExecContext(r.ctx, `INSERT INTO events (ticket_id, at, actor, action, detail, message) VALUES (?, ?, ?, ?, ?, ?)`,
		ticket, unix(r.now), actor, action, detail, m)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	r.logEvent(ticket, actor, action)
	return nil
}
