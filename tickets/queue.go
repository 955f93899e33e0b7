package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Staff see their queue by email: #mine lists the sender's open requests,
// #late (supervisors) everything overdue, #history a patron's requests.
// Lines name patrons as the summary does, never their addresses.

// queueLine is one request in a list sent to staff.
type queueLine struct {
	id                     int64
	status                 Status
	subject, name          string
	owner                  sql.NullString
	due, created, firstAns sql.NullInt64
}

func (q queueLine) overdue(now time.Time) bool {
	return q.status.Overdue(q.due, now)
}

// text is the line: "#12  Ann Lee: Please renew my books (due Tue 8 Dec 10:00, late)".
func (q queueLine) text(now time.Time, loc *time.Location, withOwner bool, staff []Staff) string {
	var notes []string
	switch {
	case q.overdue(now):
		notes = append(notes, "was due "+time.Unix(q.due.Int64, 0).In(loc).Format("Mon 2 Jan 15:04")+", late")
	case q.due.Valid && q.status.Owed():
		notes = append(notes, "due "+time.Unix(q.due.Int64, 0).In(loc).Format("Mon 2 Jan 15:04"))
	case q.status == StatusWaiting:
		notes = append(notes, "waiting for the patron")
	default:
		notes = append(notes, string(q.status))
	}
	if withOwner {
		owner := "nobody yet"
		if q.owner.Valid {
			owner = staffName(staff, q.owner.String)
		}
		notes = append(notes, owner)
	}
	return fmt.Sprintf("#%d  %s: %s (%s)", q.id, q.name, oneLine(q.subject), strings.Join(notes, ", "))
}

func staffName(staff []Staff, email string) string {
	for _, s := range staff {
		if s.Email == email {
			return s.Name
		}
	}
	return email
}

// readQueue runs a query over tickets and returns its lines, overdue first,
// then by due time, then by number.
func readQueue(ctx context.Context, tx *Tx, where string, args ...any) ([]queueLine, error) {
	rows, err := tx.QueryContext(ctx, sqlQueue(where), args...)
	if err != nil {
		return nil, fmt.Errorf("read the queue: %w", err)
	}
	defer rows.Close()
	var out []queueLine
	for rows.Next() {
		var q queueLine
		if err := rows.Scan(&q.id, &q.status, &q.subject, &q.name, &q.owner, &q.due, &q.created, &q.firstAns); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// mineList is #mine: the open requests of email, overdue first.
func mineList(ctx context.Context, tx *Tx, email string, now time.Time, loc *time.Location) (string, error) {
	lines, err := readQueue(ctx, tx, `owner_email = ? AND `+sqlActive, email)
	if err != nil {
		return "", err
	}
	if len(lines) == 0 {
		return "You have no open requests.", nil
	}
	late := 0
	var b strings.Builder
	for _, q := range lines {
		if q.overdue(now) {
			late++
		}
		b.WriteString(q.text(now, loc, false, nil) + "\n")
	}
	return fmt.Sprintf("You have %s, %d of them late:\n\n%s", plural(len(lines), "open request"), late, strings.TrimRight(b.String(), "\n")), nil
}

// lateList is #late: every overdue request and who has it.
func lateList(ctx context.Context, tx *Tx, staff []Staff, now time.Time, loc *time.Location) (string, error) {
	lines, err := readQueue(ctx, tx, sqlOverdue, unix(now))
	if err != nil {
		return "", err
	}
	if len(lines) == 0 {
		return "No request is late.", nil
	}
	var b strings.Builder
	for _, q := range lines {
		b.WriteString(q.text(now, loc, true, staff) + "\n")
	}
	return fmt.Sprintf("%s late:\n\n%s", pluralIs(len(lines), "request"), strings.TrimRight(b.String(), "\n")), nil
}

// historyList is #history and the notice's "Earlier requests": the
// patron's other requests, newest first, at most limit (0 = all).
func historyList(ctx context.Context, tx *Tx, patron string, except int64, limit int, loc *time.Location) ([]string, error) {
	q := `SELECT id, status, subject, created_at FROM tickets WHERE patron_email = ? AND id <> ? AND merged_into IS NULL ORDER BY id DESC`
	args := []any{patron, except}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read the patron's requests: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, created int64
		var status, subject string
		if err := rows.Scan(&id, &status, &subject, &created); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("#%d  %s, %s: %s", id, time.Unix(created, 0).In(loc).Format("2 Jan 2006"), status, oneLine(subject)))
	}
	return out, rows.Err()
}

// pluralIs writes "1 request is" or "3 requests are".
func pluralIs(n int, word string) string {
	if n == 1 {
		return plural(n, word) + " is"
	}
	return plural(n, word) + " are"
}
