package tickets

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// patronLanguage chooses the language of the mail a new ticket's patron
// gets: the one staff chose for them before (#lang), else the message's
// Content-Language, else the language their own words are in, else the
// library's. Only languages with an acknowledgement template count.
func (r *receipt) patronLanguage(email string) (string, error) {
	var remembered string
	err := r.tx.QueryRowContext(r.ctx, `SELECT language FROM patrons WHERE email = ?`, email).Scan(&remembered)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read the patron's language: %w", err)
	}
	if r.d.hasLanguage(remembered) {
		return remembered, nil
	}
	if cl := r.m.Header.Get("Content-Language"); cl != "" {
		first, _, _ := strings.Cut(cl, ",")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(first)), "-")
		if r.d.hasLanguage(primary) {
			return primary, nil
		}
	}
	if l := r.d.tpl.Detect(r.m.Text, r.d.patronLanguages()); l != "" {
		return l, nil
	}
	return r.d.opts.Language, nil
}

// patronLanguages are the languages patrons can be written to in.
func (d *Desk) patronLanguages() []string {
	var out []string
	for _, l := range d.tpl.Languages() {
		if d.tpl.Has("ack", l) {
			out = append(out, l)
		}
	}
	return out
}

func (d *Desk) hasLanguage(l string) bool {
	return l != "" && d.tpl.Has("ack", l)
}

// setLanguage is "#lang es": the ticket and every later ticket of its
// patron are written in it.
func (r *receipt) setLanguage(t *ticketRow, actor *Staff, lang string, msgID int64) error {
	if _, err := r.tx.ExecContext(r.ctx, `INSERT INTO patrons (email, language, set_by, set_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET language = excluded.language, set_by = excluded.set_by, set_at = excluded.set_at`,
		t.PatronEmail, lang, actor.Email, unix(r.now)); err != nil {
		return fmt.Errorf("remember the patron's language: %w", err)
	}
	return r.update(t.ID, actor, msgID, "language", lang, `language = ?`, lang)
}

// promiseWords is a due time in plain words in lang.
func (r *receipt) promiseWords(due time.Time, lang string) string {
	l, err := r.d.tpl.Language(lang)
	if err != nil {
		if l, err = r.d.tpl.Language("en"); err != nil {
			return due.In(r.d.opts.Location).Format("Mon 2 Jan 15:04")
		}
	}
	return l.Promise(due, r.now, r.d.opts.Location)
}
