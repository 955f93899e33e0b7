package tickets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"patrondesk/mailer"
)

// Taking mail: the cursor of each watched folder, a fetch batch in one
// transaction with a savepoint per message, quarantine for what cannot be
// read, and the dedupe key that makes a re-fetch harmless.

// Cursor implements mailer.Sink. The first call for a folder also fixes the
// moment that intake.since counts back from.
func (d *Desk) Cursor(ctx context.Context, mailbox string, validity uint32) (uint32, error) {
	var v, last uint32
	err := d.store.tx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, sqlMailboxCursor, mailbox).Scan(&v, &last)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, sqlInsertMailbox,
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
	_, err := d.store.db.ExecContext(ctx, sqlSetMailboxCursor,
		validity, uid, mailbox)
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
	err := d.store.tx(ctx, func(tx *Tx) error {
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
func (d *Desk) takeOne(ctx context.Context, tx *Tx, in mailer.Delivery, p parsed, released bool) (out Outcome, queued bool, err error) {
	now := d.clock.Now()
	if p.m == nil {
		return Quarantined, false, quarantineOnce(ctx, tx, in, p.err, now)
	}
	if _, err := tx.ExecContext(ctx, sqlSavepoint); err != nil {
		return "", false, err
	}
	defer func() {
		if rec := recover(); rec != nil {
			d.log.Error("a message made patrondesk fail; it is quarantined", "uid", in.UID, "panic", rec)
			if _, err = tx.ExecContext(ctx, sqlRollbackToSavepoint); err == nil {
				err = quarantineOnce(ctx, tx, in, fmt.Sprintf("internal error while reading it: %v", rec), now)
			}
			out, queued = Quarantined, false
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, sqlReleaseSavepoint)
		}
	}()
	r := &receipt{work: &work{d: d, tx: tx, ctx: ctx, now: now, m: p.m}, in: in, released: released}
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
func quarantineOnce(ctx context.Context, tx *Tx, in mailer.Delivery, reason string, now time.Time) error {
	key := "raw:" + hashHex(in.Raw)
	if seen, err := exists(ctx, tx, key); err != nil || seen {
		return err
	}
	return quarantineTx(ctx, tx, in, key, reason, now)
}

// quarantineTx records the message under key and keeps its raw bytes with the
// reason, for a human to look at.
func quarantineTx(ctx context.Context, tx *Tx, in mailer.Delivery, key, reason string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, sqlInsertUnreadableMessage,
		key, reason, in.Mailbox, in.UIDValidity, in.UID, unix(now)); err != nil {
		return fmt.Errorf("save quarantined message: %w", err)
	}
	_, err := tx.ExecContext(ctx, sqlInsertQuarantined,
		unix(now), in.Mailbox, in.UIDValidity, in.UID, reason, in.Raw)
	return err
}

// exists reports whether the message with this dedupe key was taken
// already. On PostgreSQL two transactions may take the same mail at once
// (one email to two watched addresses, two daemons): the first to ask holds
// the key until it commits, so the other then sees the message and takes
// it as a duplicate. (SQLite runs one writer at a time.) The lock ends with
// the transaction, so connection poolers do not break it.
func exists(ctx context.Context, tx *Tx, key string) (bool, error) {
	if tx.db.engine == PostgreSQL {
		if _, err := tx.ExecContext(ctx, sqlLockDedupeKey, key); err != nil {
			return false, fmt.Errorf("wait for the same message in another transaction: %w", err)
		}
	}
	var n int
	err := tx.QueryRowContext(ctx, sqlCountMessagesWithKey, key).Scan(&n)
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
