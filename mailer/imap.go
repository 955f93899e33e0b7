package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"sort"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// This file is the one seam to go-imap v2, which is still in beta: connect,
// list new UIDs, fetch, mark done, wait for news. A go-imap upgrade should
// touch nothing else.

// IMAPOptions says how to reach one mailbox.
type IMAPOptions struct {
	Host      string
	Port      int
	Security  string // none | starttls | tls
	Username  string
	Password  string
	Mailbox   string
	Processed string // folder for done mail; "" = only set \Seen
	// Timeout bounds every command: go-imap waits for a reply's first byte
	// forever, and a half-dead connection must not hang the daemon.
	Timeout time.Duration
	// OAuth2, when set, logs in with a bearer token instead of Password
	// (its OnLogin hears how each login went).
	OAuth2 *TokenSource
	// IdleRenew is the longest one IDLE command lasts before it is ended
	// and started again; providers drop an IDLE left alone (Exchange Online
	// after about 30 minutes). 0 means 25 minutes.
	IdleRenew time.Duration
}

// Mailbox is one logged-in IMAP connection with its folder selected.
type Mailbox struct {
	c        *imapclient.Client
	opts     IMAPOptions
	news     chan struct{}
	validity uint32
}

// UIDSize is a message's UID and size, known before its bytes are fetched.
type UIDSize struct {
	UID  uint32
	Size int64
}

// Fetched is one message's raw bytes and what the server says about it.
type Fetched struct {
	UID          uint32
	InternalDate time.Time
	Raw          []byte
}

// DialMailbox connects, logs in, creates the processed folder if needed and
// selects the mailbox.
func DialMailbox(ctx context.Context, o IMAPOptions) (*Mailbox, error) {
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	mb := &Mailbox{opts: o, news: make(chan struct{}, 1)}
	copts := &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		Dialer:      &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					mb.poke()
				}
			},
		},
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	var err error
	switch o.Security {
	case "tls":
		mb.c, err = imapclient.DialTLS(addr, copts)
	case "starttls":
		mb.c, err = imapclient.DialStartTLS(addr, copts)
	default:
		mb.c, err = imapclient.DialInsecure(addr, copts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to IMAP server %s: %w", addr, err)
	}
	done := mb.guard(ctx)
	defer done()
	if err := mb.login(ctx); err != nil {
		mb.c.Close()
		var ie *imap.Error
		if errors.As(err, &ie) && !IsLoginRefused(err) { // the server answered: a refusal, not a network fault
			return nil, &LoginError{Server: "IMAP", Addr: addr, User: mb.user(), Err: err}
		}
		return nil, fmt.Errorf("log in to %s as %s: %w", addr, mb.user(), err)
	}
	if o.Processed != "" {
		if err := mb.ensureFolder(o.Processed); err != nil {
			mb.c.Close()
			return nil, err
		}
	}
	sel, err := mb.c.Select(o.Mailbox, nil).Wait()
	if err != nil {
		mb.c.Close()
		return nil, fmt.Errorf("open folder %q: %w", o.Mailbox, err)
	}
	mb.validity = sel.UIDValidity
	return mb, nil
}

func (mb *Mailbox) user() string {
	if mb.opts.OAuth2 != nil && mb.opts.OAuth2.User() != "" {
		return mb.opts.OAuth2.User()
	}
	return mb.opts.Username
}

// login logs in with the password, or with an OAuth2 token. A token the
// server rejects is renewed once and offered again: it may have been revoked
// or expired early; a second rejection is a refused login.
func (mb *Mailbox) login(ctx context.Context) error {
	ts := mb.opts.OAuth2
	if ts == nil {
		return mb.c.Login(mb.opts.Username, mb.opts.Password).Wait()
	}
	return ts.loggedIn(mb.tokenLogin(ctx, ts))
}

func (mb *Mailbox) tokenLogin(ctx context.Context, ts *TokenSource) error {
	for attempt := 0; ; attempt++ {
		tok, err := ts.Token(ctx)
		if err != nil {
			return err
		}
		cl, err := newBearerClient(ts.Mechanism(), mb.user(), tok, mb.opts.Host, mb.opts.Port)
		if err != nil {
			return err
		}
		err = mb.c.Authenticate(cl)
		var ie *imap.Error
		if err == nil || !errors.As(err, &ie) || ie.Code == imap.ResponseCodeUnavailable {
			return err // logged in, the connection failed, or "try again later"
		}
		ts.Invalidate()
		if attempt == 0 {
			continue
		}
		if said := cl.refusal(); said != "" {
			err = fmt.Errorf("%w; the server said %s", err, said)
		}
		return &LoginRefusedError{Step: "IMAP", Err: err, Hint: LoginHint(ts.Options().Provider, "IMAP", mb.user())}
	}
}

func (mb *Mailbox) poke() {
	select {
	case mb.news <- struct{}{}:
	default:
	}
}

// guard closes the connection when ctx ends or a command overruns the
// timeout, which unblocks any command waiting on a dead server.
func (mb *Mailbox) guard(ctx context.Context) (done func()) {
	t := time.AfterFunc(mb.opts.Timeout, func() { mb.c.Close() })
	stop := context.AfterFunc(ctx, func() { mb.c.Close() })
	return func() { t.Stop(); stop() }
}

func (mb *Mailbox) ensureFolder(name string) error {
	err := mb.c.Create(name, nil).Wait()
	var ie *imap.Error
	if err == nil || (errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
		return nil
	}
	// Servers differ in how they say "exists"; check before giving up.
	if _, serr := mb.c.Status(name, &imap.StatusOptions{NumMessages: true}).Wait(); serr == nil {
		return nil
	}
	return fmt.Errorf("create folder %q: %w", name, err)
}

// UIDValidity is the selected folder's UIDVALIDITY.
func (mb *Mailbox) UIDValidity() uint32 { return mb.validity }

// CanIdle reports whether the server pushes news of new mail.
func (mb *Mailbox) CanIdle() bool { return mb.c.Caps().Has(imap.CapIdle) }

// NewUIDs lists the messages with a UID above after, oldest first.
func (mb *Mailbox) NewUIDs(ctx context.Context, after uint32) ([]UIDSize, error) {
	done := mb.guard(ctx)
	defer done()
	set := imap.UIDSet{imap.UIDRange{Start: imap.UID(after + 1), Stop: 0}}
	bufs, err := mb.c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("list new mail after uid %d: %w", after, err)
	}
	var out []UIDSize
	for _, b := range bufs {
		// "n:*" also matches the highest UID when it is below n.
		if uint32(b.UID) > after {
			out = append(out, UIDSize{UID: uint32(b.UID), Size: b.RFC822Size})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

// maxMessageBytes bounds one message: far above any mail server's limit,
// and a guard against a server announcing an absurd size.
const maxMessageBytes = 256 << 20

// Fetch downloads the given messages without setting \Seen.
func (mb *Mailbox) Fetch(ctx context.Context, uids []uint32) ([]Fetched, error) {
	done := mb.guard(ctx)
	defer done()
	body := &imap.FetchItemBodySection{Peek: true}
	cmd := mb.c.Fetch(uidSet(uids), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{body}})
	var out []Fetched
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var f Fetched
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				f.UID = uint32(it.UID)
			case imapclient.FetchItemDataInternalDate:
				f.InternalDate = it.Time.UTC()
			case imapclient.FetchItemDataBodySection:
				// One buffer of the announced size: reading a 25 MB
				// message by doubling would allocate twice that. A
				// connection lost mid-literal is a short read.
				var raw []byte
				var err error
				if size := it.Literal.Size(); size > maxMessageBytes {
					err = fmt.Errorf("the server announces %d bytes, more than the %d patrondesk takes", size, maxMessageBytes)
				} else {
					raw = make([]byte, size)
					_, err = io.ReadFull(it.Literal, raw)
				}
				if err != nil {
					// Draining the command on a broken connection races
					// inside go-imap; closing ends it cleanly.
					mb.c.Close()
					return nil, fmt.Errorf("read message body: %w", err)
				}
				f.Raw = raw
			}
		}
		if f.UID != 0 && f.Raw != nil {
			out = append(out, f)
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("fetch %d messages: %w", len(uids), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

// MarkDone sets \Seen on the messages and moves them to the processed folder
// when one is configured. Without the MOVE extension go-imap copies, flags
// \Deleted and expunges just those UIDs (UIDPLUS) instead.
func (mb *Mailbox) MarkDone(ctx context.Context, uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	done := mb.guard(ctx)
	defer done()
	set := uidSet(uids)
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := mb.c.Store(set, flags, nil).Close(); err != nil {
		return fmt.Errorf("mark %d messages read: %w", len(uids), err)
	}
	if mb.opts.Processed == "" {
		return nil
	}
	if _, err := mb.c.Move(set, mb.opts.Processed).Wait(); err != nil {
		return fmt.Errorf("move %d messages to %q: %w", len(uids), mb.opts.Processed, err)
	}
	return nil
}

// WaitForNews returns when the server reports new mail, after max, or when
// ctx ends. Without IDLE it simply waits max. It ends with a NOOP so a
// connection that died silently is noticed here.
func (mb *Mailbox) WaitForNews(ctx context.Context, max time.Duration) error {
	renew := mb.opts.IdleRenew
	if renew <= 0 {
		renew = 25 * time.Minute
	}
	if mb.CanIdle() {
		// One IDLE never outlives what the provider tolerates. go-imap
		// also restarts IDLE on its own after 28 minutes, which is too late
		// for a shorter limit set here.
		max = min(max, renew)
	}
	timer := time.NewTimer(max)
	defer timer.Stop()
	if !mb.CanIdle() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		return mb.noop(ctx)
	}
	idle, err := mb.c.Idle()
	if err != nil {
		return fmt.Errorf("start IDLE: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-mb.news:
	case <-mb.c.Closed():
	}
	done := mb.guard(context.WithoutCancel(ctx))
	defer done()
	if err := idle.Close(); err != nil {
		return fmt.Errorf("stop IDLE: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("IDLE: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

func (mb *Mailbox) noop(ctx context.Context) error {
	done := mb.guard(ctx)
	defer done()
	if err := mb.c.Noop().Wait(); err != nil {
		return fmt.Errorf("check connection: %w", err)
	}
	return nil
}

// Close logs out and closes the connection.
func (mb *Mailbox) Close() error {
	done := mb.guard(context.Background())
	defer done()
	_ = mb.c.Logout().Wait()
	return mb.c.Close()
}

func uidSet(uids []uint32) imap.UIDSet {
	set := imap.UIDSet{}
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	return set
}
