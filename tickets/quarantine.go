package tickets

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"net/textproto"
	"time"

	"github.com/emersion/go-message/charset"

	"patrondesk/mailer"
)

// QuarantinedMail is one quarantined message that could not be taken.
type QuarantinedMail struct {
	ID         int64      `json:"id"`
	ReceivedAt time.Time  `json:"received_at"`
	Mailbox    string     `json:"mailbox"`
	UID        uint32     `json:"uid"`
	Validity   uint32     `json:"-"`
	Size       int        `json:"size"`
	Reason     string     `json:"reason"`
	From       string     `json:"from"`
	Subject    string     `json:"subject"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Raw        []byte     `json:"-"`
}

// ErrNoQuarantined is the answer for a quarantine ID that is not kept.
var ErrNoQuarantined = errors.New("no message with that number in quarantine")

const quarantineColumns = `id, received_at, mailbox, uidvalidity, uid, reason, raw, resolved_at`

func scanQuarantined(sc interface{ Scan(...any) error }) (*QuarantinedMail, error) {
	var q QuarantinedMail
	var received int64
	var resolved sql.NullInt64
	if err := sc.Scan(&q.ID, &received, &q.Mailbox, &q.Validity, &q.UID, &q.Reason, &q.Raw, &resolved); err != nil {
		return nil, err
	}
	q.ReceivedAt, q.ResolvedAt, q.Size = time.Unix(received, 0).UTC(), fromUnix(resolved), len(q.Raw)
	h := quarantineHeader(q.Raw)
	q.From, q.Subject = decodeHeader(h.Get("From")), decodeHeader(h.Get("Subject"))
	return &q, nil
}

// quarantineHeader reads what it can of the header block; a broken one
// gives what came before the break.
func quarantineHeader(raw []byte) textproto.MIMEHeader {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	return h
}

var headerWords = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeHeader decodes RFC 2047 words where it can, and keeps the raw text
// where it cannot.
func decodeHeader(s string) string {
	if d, err := headerWords.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// HeaderBlock is the message's header lines as they arrived, up to the
// first empty line (at most max bytes), for `quarantine show`.
func (q *QuarantinedMail) HeaderBlock(max int) string {
	raw := q.Raw
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 {
			raw = raw[:i]
			break
		}
	}
	if len(raw) > max {
		raw = append(raw[:max:max], "\n[...]"...)
	}
	return string(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
}

// ListQuarantine lists the kept messages, oldest first: those still waiting
// for a person, or all with all.
func (s *Store) ListQuarantine(ctx context.Context, all bool) ([]*QuarantinedMail, error) {
	q := sqlQuarantineOpen
	if all {
		q = sqlQuarantineAll
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read quarantine: %w", err)
	}
	defer rows.Close()
	var out []*QuarantinedMail
	for rows.Next() {
		m, err := scanQuarantined(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetQuarantined returns one kept message.
func (s *Store) GetQuarantined(ctx context.Context, id int64) (*QuarantinedMail, error) {
	m, err := scanQuarantined(s.db.QueryRowContext(ctx, sqlQuarantined, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrNoQuarantined, id)
	}
	return m, err
}

// DeleteQuarantined drops a kept message for good. Its record in the
// message log stays, so the same mail is not taken later as new.
func (s *Store) DeleteQuarantined(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, sqlDeleteQuarantined, id)
	if err != nil {
		return fmt.Errorf("delete quarantined message %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %d", ErrNoQuarantined, id)
	}
	return nil
}

// Release takes a kept message again, as intake would (after an upgrade
// that reads it, say). The message log's note that it was unreadable is
// removed first so the dedupe lets it through; the kept copy is marked
// resolved only once it is taken, so a failure loses nothing. When it still
// cannot be read it is quarantined anew, and the outcome says so.
func (d *Desk) Release(ctx context.Context, id int64) (Outcome, error) {
	q, err := d.store.GetQuarantined(ctx, id)
	if err != nil {
		return "", err
	}
	if q.ResolvedAt != nil {
		return "", fmt.Errorf("quarantined message %d was already released on %s", id, q.ResolvedAt.Format(time.RFC3339))
	}
	if len(q.Raw) == 0 {
		return "", fmt.Errorf("quarantined message %d was emptied by the retention purge; only its reason is left", id)
	}
	err = d.store.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, sqlDeleteQuarantinedMessage,
			q.Mailbox, q.UID, q.Reason, unix(q.ReceivedAt))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("release quarantined message %d: %w", id, err)
	}
	out, err := d.Receive(ctx, mailer.Delivery{Mailbox: q.Mailbox, UIDValidity: q.Validity, UID: q.UID, InternalDate: q.ReceivedAt, Raw: q.Raw})
	if err != nil {
		return "", fmt.Errorf("take quarantined message %d again: %w", id, err)
	}
	_, err = d.store.db.ExecContext(ctx, sqlResolveQuarantined, unix(d.clock.Now()), id)
	if err != nil {
		return out, fmt.Errorf("mark quarantined message %d released: %w", id, err)
	}
	return out, nil
}
