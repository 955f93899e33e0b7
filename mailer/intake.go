package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Delivery is one fetched message handed to the desk.
type Delivery struct {
	Mailbox      string
	UIDValidity  uint32
	UID          uint32
	InternalDate time.Time
	Raw          []byte
}

// Sink is where intake hands messages: the desk. It lives on the other side
// of the import direction (tickets imports mailer), hence an interface.
type Sink interface {
	// Cursor is the highest UID already taken and marked for this folder
	// and UIDVALIDITY (0 when the validity is new).
	Cursor(ctx context.Context, mailbox string, validity uint32) (uint32, error)
	// SetCursor records that every UID up to uid is taken and marked.
	SetCursor(ctx context.Context, mailbox string, validity, uid uint32) error
	// Deliver commits the effects of every message of a batch at once. An
	// error means "try again later": none of them is taken, and they stay in
	// the mailbox unmarked.
	Deliver(ctx context.Context, batch []Delivery) error
}

// IntakeOptions configures an Intake.
type IntakeOptions struct {
	// Name keys the cursor and names the mailbox in deliveries; it defaults
	// to the folder's name. Give each watched mailbox its own.
	Name         string
	IMAP         IMAPOptions
	BatchSize    int           // messages per fetch
	BatchBytes   int64         // bytes per fetch; one larger message goes alone
	PollInterval time.Duration // longest wait between checks
	MinBackoff   time.Duration // first wait after a failure; doubles up to MaxBackoff
	MaxBackoff   time.Duration
	// Progress, when set, is told how far a large backlog has got.
	Progress func(done, total int)
	// OnFetch, when set, is told of each batch fetched and how long it took;
	// OnAlive after each round that reached the server without error.
	OnFetch func(name string, messages int, took time.Duration)
	OnAlive func(name string)
	// OnError, when set, is told of each failed round (a refused login:
	// IsLoginRefused).
	OnError func(name string, err error)
	// OnBacklog, when set, is told how many messages wait to be taken each
	// time the mailbox is checked.
	OnBacklog func(name string, waiting int)
	// Now is the clock for OnFetch timings; nil means none are taken.
	Now    func() time.Time
	Logger *slog.Logger
}

// Intake moves mail from one IMAP folder to the Sink: fetch new UIDs, hand
// each message over, and only then mark it and advance the cursor. A crash at
// any point means "fetch again", which the Sink's dedupe makes harmless.
type Intake struct {
	opts IntakeOptions
	sink Sink
	log  *slog.Logger
}

// NewIntake returns an Intake with defaults filled in.
func NewIntake(o IntakeOptions, sink Sink) *Intake {
	if o.BatchSize <= 0 {
		o.BatchSize = 50
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 16 << 20
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Minute
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Name == "" {
		o.Name = o.IMAP.Mailbox
	}
	if o.OnFetch == nil {
		o.OnFetch = func(string, int, time.Duration) {}
	}
	if o.OnAlive == nil {
		o.OnAlive = func(string) {}
	}
	if o.OnError == nil {
		o.OnError = func(string, error) {}
	}
	if o.OnBacklog == nil {
		o.OnBacklog = func(string, int) {}
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Time{} } // no timings
	}
	return &Intake{opts: o, sink: sink, log: o.Logger.With("mailbox", o.Name, "user", o.IMAP.Username)}
}

// Once connects, takes everything new and returns.
func (in *Intake) Once(ctx context.Context) error {
	mb, err := DialMailbox(ctx, in.opts.IMAP)
	if err != nil {
		return err
	}
	defer mb.Close()
	return in.drain(ctx, mb)
}

// Run watches the mailbox until ctx ends, reconnecting with backoff after any
// failure. It returns nil when ctx ends.
func (in *Intake) Run(ctx context.Context) error {
	backoff := in.opts.MinBackoff
	refused := false // a refused login is logged once, not at every retry
	for ctx.Err() == nil {
		err := in.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := backoff
		in.opts.OnError(in.opts.Name, err)
		switch {
		case IsLoginRefused(err):
			// A person must fix the password: retry slowly, say it once.
			wait = in.opts.MaxBackoff
			if !refused {
				in.log.Error("login refused; check this mailbox's username and password (a changed password in the config takes a restart: a reload does not apply [imap])", "err", err, "retry_every", wait)
			}
			refused = true
		default:
			refused = false
			in.log.Warn("mailbox connection lost; will reconnect", "err", err, "wait", wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, in.opts.MaxBackoff)
		if err == nil {
			backoff = in.opts.MinBackoff
		}
	}
	return nil
}

// session is one connection's life: drain, wait for news, drain again.
func (in *Intake) session(ctx context.Context) error {
	mb, err := DialMailbox(ctx, in.opts.IMAP)
	if err != nil {
		return err
	}
	defer mb.Close()
	in.log.Info("watching mailbox", "idle", mb.CanIdle(), "uidvalidity", mb.UIDValidity())
	for {
		if err := in.drain(ctx, mb); err != nil {
			return err
		}
		if err := mb.WaitForNews(ctx, in.opts.PollInterval); err != nil {
			return err
		}
	}
}

// drain takes every message above the cursor, batch by batch.
func (in *Intake) drain(ctx context.Context, mb *Mailbox) error {
	name, validity := in.opts.Name, mb.UIDValidity()
	cursor, err := in.sink.Cursor(ctx, name, validity)
	if err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	pending, err := mb.NewUIDs(ctx, cursor)
	if err != nil {
		return err
	}
	total, done := len(pending), 0
	in.opts.OnBacklog(name, total)
	for len(pending) > 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		batch := in.nextBatch(pending)
		pending = pending[len(batch):]
		if err := in.takeBatch(ctx, mb, batch); err != nil {
			return err
		}
		done += len(batch)
		in.opts.OnBacklog(name, total-done)
		if in.opts.Progress != nil {
			in.opts.Progress(done, total)
		}
	}
	in.opts.OnAlive(name)
	return nil
}

func (in *Intake) nextBatch(pending []UIDSize) []uint32 {
	var uids []uint32
	var bytes int64
	for _, p := range pending {
		if len(uids) > 0 && (len(uids) >= in.opts.BatchSize || bytes+p.Size > in.opts.BatchBytes) {
			break
		}
		uids = append(uids, p.UID)
		bytes += p.Size
	}
	return uids
}

// takeBatch fetches a batch, hands it to the sink in one piece, then marks
// it and moves the cursor. A failed delivery marks nothing.
func (in *Intake) takeBatch(ctx context.Context, mb *Mailbox, uids []uint32) error {
	start := in.opts.Now()
	msgs, err := mb.Fetch(ctx, uids)
	if err != nil {
		return err
	}
	in.opts.OnFetch(in.opts.Name, len(msgs), in.opts.Now().Sub(start))
	if len(msgs) == 0 {
		return nil
	}
	batch := make([]Delivery, len(msgs))
	taken := make([]uint32, len(msgs))
	for i, f := range msgs {
		batch[i] = Delivery{Mailbox: in.opts.Name, UIDValidity: mb.UIDValidity(), UID: f.UID, InternalDate: f.InternalDate, Raw: f.Raw}
		taken[i] = f.UID
	}
	// The batch in hand is finished even when a stop was asked for.
	if err := in.sink.Deliver(context.WithoutCancel(ctx), batch); err != nil {
		return fmt.Errorf("deliver uids %d-%d: %w", taken[0], taken[len(taken)-1], err)
	}
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.opts.IMAP.Timeout+time.Second)
	defer cancel()
	if err := mb.MarkDone(markCtx, taken); err != nil {
		return err
	}
	if err := in.sink.SetCursor(markCtx, in.opts.Name, mb.UIDValidity(), taken[len(taken)-1]); err != nil {
		return fmt.Errorf("save cursor: %w", err)
	}
	return ctx.Err()
}
