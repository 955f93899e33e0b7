package tickets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"

	"patrondesk/mailer"
)

// Default attachment limits, when the config sets none.
const (
	DefaultMaxAttachment   = 10 << 20 // one file
	DefaultMailAttachments = 7 << 20  // all the files one email carries
)

// AttachmentView is one file on a ticket, as `tickets show` lists it. name,
// type and size are a contract with outside scripts.
type AttachmentView struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	From string `json:"from"`
	// Kept is false when the bytes were not stored (over the size limit).
	Kept bool   `json:"kept"`
	Note string `json:"note,omitempty"`
}

// storedFile is one attachment of the message being taken, once stored.
type storedFile struct {
	id         int64
	name, typ  string
	size       int64
	kept       bool
	inline     bool
	program    bool
	note       string
	attachment mailer.Attachment
}

// keepAttachments stores the files of the message being taken with ticket
// and message msg: each file's bytes once (by SHA-256), a row per file with
// a name unique within the ticket. A file over the size limit is listed but
// not kept (the raw message still holds it).
func (r *receipt) keepAttachments(ticket, msg int64) ([]storedFile, error) {
	var out []storedFile
	for _, a := range r.m.Attachments {
		name, err := uniqueName(r.ctx, r.tx, ticket, a.Name)
		if err != nil {
			return nil, err
		}
		f := storedFile{name: name, typ: a.Type, size: a.Size, inline: a.Inline, program: isProgram(a.Name, a.Type, a.Data), attachment: a}
		var sum any
		if a.Truncated || a.Size > r.d.opts.MaxAttachment {
			f.note = "larger than the " + humanSize(r.d.opts.MaxAttachment) + " limit, so not kept; the original email in the shared mailbox still has it"
		} else {
			h := sha256.Sum256(a.Data)
			key := hex.EncodeToString(h[:])
			if _, err := r.tx.ExecContext(r.ctx, sqlInsertBlob, key, len(a.Data), a.Data); err != nil {
				return nil, fmt.Errorf("keep attachment %s: %w", name, err)
			}
			sum, f.kept = key, true
		}
		err = r.tx.QueryRowContext(r.ctx, sqlInsertAttachment,
			ticket, msg, name, a.Type, a.Size, sum, a.Inline, f.note).Scan(&f.id)
		if err != nil {
			return nil, fmt.Errorf("record attachment %s: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// uniqueName is name, or "name-2.ext", "name-3.ext"... when the ticket has a
// file of that name already, so `tickets attachment N NAME` finds one file.
func uniqueName(ctx context.Context, tx *Tx, ticket int64, name string) (string, error) {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	try := name
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, sqlCountTicketFileNamed, ticket, try).Scan(&n); err != nil {
			return "", fmt.Errorf("name attachment: %w", err)
		}
		if n == 0 {
			return try, nil
		}
		try = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
}

// linkFiles makes the outbox row carry the attachments ids.
func linkFiles(ctx context.Context, tx *Tx, outbox int64, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, sqlInsertOutboxFile, outbox, id); err != nil {
			return fmt.Errorf("attach file to mail: %w", err)
		}
	}
	return nil
}

// outboxFiles reads the files an outbox row carries, for the sender.
func outboxFiles(ctx context.Context, db *DB, outbox int64) ([]mailer.OutAttachment, error) {
	rows, err := db.QueryContext(ctx, sqlOutboxFiles, outbox)
	if err != nil {
		return nil, fmt.Errorf("read the attachments of mail %d: %w", outbox, err)
	}
	defer rows.Close()
	var out []mailer.OutAttachment
	for rows.Next() {
		var f mailer.OutAttachment
		if err := rows.Scan(&f.Name, &f.Type, &f.Data); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Attachments lists a ticket's files, oldest first.
func (s *Store) Attachments(ctx context.Context, ticket int64) ([]AttachmentView, error) {
	rows, err := s.db.QueryContext(ctx, sqlTicketAttachments, ticket)
	if err != nil {
		return nil, fmt.Errorf("list attachments of ticket %d: %w", ticket, err)
	}
	defer rows.Close()
	out := []AttachmentView{}
	for rows.Next() {
		var v AttachmentView
		if err := rows.Scan(&v.Name, &v.Type, &v.Size, &v.From, &v.Kept, &v.Note); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ErrNoAttachment is returned for a file name a ticket does not have.
var ErrNoAttachment = errors.New("no such attachment")

// AttachmentData returns the bytes of one file of a ticket, by its name.
func (s *Store) AttachmentData(ctx context.Context, ticket int64, name string) ([]byte, error) {
	var data []byte
	var note string
	var kept bool
	err := s.db.QueryRowContext(ctx, sqlAttachmentBytes, ticket, name).Scan(&kept, &note, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAttachment
	}
	if err != nil {
		return nil, fmt.Errorf("read attachment %q of ticket %d: %w", name, ticket, err)
	}
	if !kept {
		return nil, fmt.Errorf("attachment %q of ticket %d was not kept: %s", name, ticket, note)
	}
	return data, nil
}

// purgeAttachments removes a ticket's files: its rows, the links from its
// mail, and the bytes no other ticket still uses.
func purgeAttachments(ctx context.Context, tx *Tx, ticket int64) error {
	for _, q := range []string{
		`DELETE FROM outbox_attachments WHERE attachment_id IN (SELECT id FROM attachments WHERE ticket_id = ?)`,
		`DELETE FROM attachments WHERE ticket_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, ticket); err != nil {
			return fmt.Errorf("remove attachments of ticket %d: %w", ticket, err)
		}
	}
	if _, err := tx.ExecContext(ctx, sqlDeleteUnusedBlobs); err != nil {
		return fmt.Errorf("remove unused attachment bytes: %w", err)
	}
	return nil
}

// attachLast makes the mail queued last carry the files.
func (r *work) attachLast(ids []int64) error {
	return linkFiles(r.ctx, r.tx, r.lastOutbox, ids)
}

// handoverFiles adds the patron's files on a ticket to text, for the notice
// to a new owner, and returns the files to attach to it.
func (r *work) handoverFiles(t *ticketRow, text string) (string, []int64, error) {
	rows, err := r.tx.QueryContext(r.ctx, sqlPatronFilesOfTicket, t.ID, t.PatronEmail)
	if err != nil {
		return "", nil, fmt.Errorf("read the files of ticket %d: %w", t.ID, err)
	}
	defer rows.Close()
	var files []storedFile
	for rows.Next() {
		var f storedFile
		var head []byte
		if err := rows.Scan(&f.id, &f.name, &f.typ, &f.size, &f.kept, &f.inline, &f.note, &head); err != nil {
			return "", nil, err
		}
		f.program = isProgram(f.name, f.typ, head)
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	set := forNotice(files, r.d.opts.MailAttachments)
	return withFiles(text, files, set, t.ID), attachedIDs(files, set), nil
}
