package tickets

import (
	"bytes"
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
			if _, err := r.tx.ExecContext(r.ctx, `INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, key, len(a.Data), a.Data); err != nil {
				return nil, fmt.Errorf("keep attachment %s: %w", name, err)
			}
			sum, f.kept = key, true
		}
		res, err := r.tx.ExecContext(r.ctx, `INSERT INTO attachments (ticket_id, message_id, name, type, size, sha256, inline, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ticket, msg, name, a.Type, a.Size, sum, a.Inline, f.note)
		if err != nil {
			return nil, fmt.Errorf("record attachment %s: %w", name, err)
		}
		if f.id, err = res.LastInsertId(); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// uniqueName is name, or "name-2.ext", "name-3.ext"... when the ticket has a
// file of that name already, so `tickets attachment N NAME` finds one file.
func uniqueName(ctx context.Context, tx *sql.Tx, ticket int64, name string) (string, error) {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	try := name
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM attachments WHERE ticket_id = ? AND name = ?`, ticket, try).Scan(&n); err != nil {
			return "", fmt.Errorf("name attachment: %w", err)
		}
		if n == 0 {
			return try, nil
		}
		try = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
}

// programExtensions are files that run when opened on Windows, macOS or a
// phone: never passed on by patrondesk.
var programExtensions = map[string]bool{
	".exe": true, ".com": true, ".bat": true, ".cmd": true, ".scr": true, ".pif": true, ".msi": true, ".msp": true,
	".dll": true, ".cpl": true, ".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true, ".wsh": true,
	".hta": true, ".ps1": true, ".psm1": true, ".jar": true, ".lnk": true, ".reg": true, ".sh": true, ".app": true,
	".apk": true, ".dmg": true, ".pkg": true, ".deb": true, ".rpm": true, ".iso": true, ".appx": true, ".msix": true,
	".scf": true, ".inf": true, ".gadget": true, ".xll": true, ".docm": true, ".xlsm": true, ".pptm": true,
}

var programTypes = map[string]bool{
	"application/x-msdownload": true, "application/x-msdos-program": true, "application/x-dosexec": true,
	"application/x-executable": true, "application/vnd.microsoft.portable-executable": true, "application/x-ms-installer": true,
	"application/x-msi": true, "application/x-sh": true, "application/x-bat": true, "application/javascript": true,
	"application/java-archive": true, "application/vnd.android.package-archive": true, "application/x-apple-diskimage": true,
}

// isProgram reports a file that runs when opened: by its name, its declared
// type, or its first bytes (a Windows or Linux program renamed to .pdf).
func isProgram(name, typ string, data []byte) bool {
	return programExtensions[strings.ToLower(path.Ext(strings.TrimSpace(name)))] || programTypes[strings.ToLower(typ)] ||
		bytes.HasPrefix(data, []byte("MZ")) || bytes.HasPrefix(data, []byte("\x7fELF")) ||
		bytes.HasPrefix(data, []byte("\xcf\xfa\xed\xfe")) || bytes.HasPrefix(data, []byte("#!"))
}

// humanSize writes a size as people read it: "820 bytes", "34 KB", "2.1 MB".
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
	}
}

// forNotice picks the files to attach to a notice to staff: kept, not
// programs, in order, while the total stays within the notice limit.
func forNotice(files []storedFile, total int64) map[int64]bool {
	out := map[int64]bool{}
	var sum int64
	for _, f := range files {
		if f.kept && !f.program && sum+f.size <= total {
			out[f.id] = true
			sum += f.size
		}
	}
	return out
}

// withFiles adds the list of a message's files to the text shown to staff.
// A message with files and no text says so in its first line: "no text; 1
// attachment: photo.jpg, 2.1 MB".
func withFiles(text string, files []storedFile, attached map[int64]bool, ticket int64) string {
	if len(files) == 0 {
		return text
	}
	var b strings.Builder
	if strings.TrimSpace(text) == "" {
		var names []string
		for _, f := range files {
			names = append(names, f.name+", "+humanSize(f.size))
		}
		fmt.Fprintf(&b, "no text; %s: %s\n", plural(len(files), "attachment"), strings.Join(names, "; "))
	} else {
		b.WriteString(strings.TrimRight(text, "\n") + "\n")
	}
	fmt.Fprintf(&b, "\n%s:\n", strings.ToUpper(plural(len(files), "attachment")[:1])+plural(len(files), "attachment")[1:])
	for _, f := range files {
		fmt.Fprintf(&b, "  - %s (%s, %s): %s\n", f.name, f.typ, humanSize(f.size), fileState(f, attached[f.id], ticket))
	}
	return strings.TrimRight(b.String(), "\n")
}

func fileState(f storedFile, attached bool, ticket int64) string {
	switch {
	case attached:
		return "attached to this email"
	case !f.kept:
		return f.note
	case f.program:
		return "a program file, not attached for safety; if you really need it, your patrondesk administrator can get it with: patrondesk tickets attachment " + fmt.Sprint(ticket) + " " + quoteArg(f.name)
	default:
		return "not attached (the files together are too large for one email); your patrondesk administrator can get it with: patrondesk tickets attachment " + fmt.Sprint(ticket) + " " + quoteArg(f.name)
	}
}

// quoteArg quotes a file name for a shell command line when it needs it.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " '\"$`\\;&|<>()*?![]{}#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// linkFiles makes the outbox row carry the attachments ids.
func linkFiles(ctx context.Context, tx *sql.Tx, outbox int64, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attachments (outbox_id, attachment_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, outbox, id); err != nil {
			return fmt.Errorf("attach file to mail: %w", err)
		}
	}
	return nil
}

// attachedIDs is the ids in the set, in the order of files.
func attachedIDs(files []storedFile, set map[int64]bool) []int64 {
	var ids []int64
	for _, f := range files {
		if set[f.id] {
			ids = append(ids, f.id)
		}
	}
	return ids
}

// outboxFiles reads the files an outbox row carries, for the sender.
func outboxFiles(ctx context.Context, db *sql.DB, outbox int64) ([]mailer.OutAttachment, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.name, a.type, b.data FROM outbox_attachments oa JOIN attachments a ON a.id = oa.attachment_id
		JOIN blobs b ON b.sha256 = a.sha256 WHERE oa.outbox_id = ? ORDER BY a.id`, outbox)
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
	rows, err := s.db.QueryContext(ctx, `SELECT a.name, a.type, a.size, COALESCE(m.sender, ''), a.sha256 IS NOT NULL, a.note
		FROM attachments a LEFT JOIN messages m ON m.id = a.message_id WHERE a.ticket_id = ? ORDER BY a.id`, ticket)
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
	err := s.db.QueryRowContext(ctx, `SELECT a.sha256 IS NOT NULL, a.note, COALESCE(b.data, x'') FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.ticket_id = ? AND a.name = ? ORDER BY a.id DESC LIMIT 1`, ticket, name).Scan(&kept, &note, &data)
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
func purgeAttachments(ctx context.Context, tx *sql.Tx, ticket int64) error {
	for _, q := range []string{
		`DELETE FROM outbox_attachments WHERE attachment_id IN (SELECT id FROM attachments WHERE ticket_id = ?)`,
		`DELETE FROM attachments WHERE ticket_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, ticket); err != nil {
			return fmt.Errorf("remove attachments of ticket %d: %w", ticket, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = blobs.sha256)`); err != nil {
		return fmt.Errorf("remove unused attachment bytes: %w", err)
	}
	return nil
}

// noticeFiles keeps the files of the message being taken and returns text
// with them listed, for the notice to staff, and the files to attach to it.
func (r *receipt) noticeFiles(ticket, msg int64, text string) (string, []int64, error) {
	files, err := r.keepAttachments(ticket, msg)
	if err != nil {
		return "", nil, err
	}
	set := forNotice(files, r.d.opts.MailAttachments)
	return withFiles(text, files, set, ticket), attachedIDs(files, set), nil
}

// attachLast makes the mail queued last carry the files.
func (r *receipt) attachLast(ids []int64) error {
	return linkFiles(r.ctx, r.tx, r.lastOutbox, ids)
}

// fileProblems says why the files of a staff member's reply cannot go to
// the patron: a program, a file over the size limit, files together over
// the limit for one email, or a file with no words for the patron. Pictures placed
// inside the text (signature logos) are not sent, so they do not count.
func (r *receipt) fileProblems(text string) []string {
	var out []string
	var total int64
	files := 0
	for _, a := range r.m.Attachments {
		if !a.Inline {
			total += a.Size
			files++
		}
		switch {
		case a.Inline:
		case isProgram(a.Name, a.Type, a.Data):
			out = append(out, fmt.Sprintf("%q is a program file. patrondesk never sends programs to patrons, because they can harm a computer. Send your answer again without it; a PDF, a picture or a document is fine.", a.Name))
		case a.Truncated || a.Size > r.d.opts.MaxAttachment:
			out = append(out, fmt.Sprintf("%q is %s, and the largest file patrondesk sends is %s. Send your answer again with a smaller file, or put the file online and write the link.", a.Name, humanSize(a.Size), humanSize(r.d.opts.MaxAttachment)))
		}
	}
	if len(out) == 0 && total > r.d.opts.MailAttachments {
		out = append(out, fmt.Sprintf("your files together are %s, and the most patrondesk sends in one email is %s. Send them in two answers, or put them online and write the link.", humanSize(total), humanSize(r.d.opts.MailAttachments)))
	}
	if len(out) == 0 && files > 0 && r.onlyFiles(text) {
		out = append(out, "your email has a file but no words for the patron, and patrondesk does not send a file on its own. Send it again with a line about the file (or start with #note to keep it for staff).")
	}
	return out
}

// onlyFiles reports a staff reply whose text, after its commands, has
// nothing for the patron and that neither closes the request nor is a note.
func (r *receipt) onlyFiles(text string) bool {
	p := commandParser{staff: r.d.opts.Staff, now: r.now, loc: r.d.opts.Location, langs: r.d.patronLanguages()}
	cmds, rest, _ := p.parse(text)
	for _, c := range cmds {
		if c.name == "note" || c.name == "close" {
			return false
		}
	}
	return strings.TrimSpace(rest) == ""
}

// sendFiles keeps the files of a staff member's answer with the ticket and
// makes the answer just queued carry them. Pictures placed inside the text
// stay behind: in the plain-text answer they would be loose files, and most
// are logos from a signature.
func (r *receipt) sendFiles(ticket, msg int64) error {
	files, err := r.keepAttachments(ticket, msg)
	if err != nil {
		return err
	}
	var ids []int64
	for _, f := range files {
		if f.kept && !f.inline && !f.program {
			ids = append(ids, f.id)
		}
	}
	return r.attachLast(ids)
}

// handoverFiles adds the patron's files on a ticket to text, for the notice
// to a new owner, and returns the files to attach to it.
func (r *receipt) handoverFiles(t *ticketRow, text string) (string, []int64, error) {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT a.id, a.name, a.type, a.size, a.sha256 IS NOT NULL, a.inline, a.note, COALESCE(substr(b.data, 1, 8), x'')
		FROM attachments a JOIN messages m ON m.id = a.message_id LEFT JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.ticket_id = ? AND m.sender = ? ORDER BY a.id`, t.ID, t.PatronEmail)
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

// forwardedFiles are the files that came with a patron's mail forwarded by
// staff: the forward's own files, without the attached email itself (its
// words are the request already).
func forwardedFiles(atts []mailer.Attachment) []mailer.Attachment {
	var out []mailer.Attachment
	for _, a := range atts {
		if a.Type != "message/rfc822" {
			out = append(out, a)
		}
	}
	return out
}
