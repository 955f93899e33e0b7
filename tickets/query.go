package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// View is one ticket as `tickets list --json` prints it. The field names are
// a contract with outside scripts.
type View struct {
	ID              int64      `json:"id"`
	Status          string     `json:"status"`
	Subject         string     `json:"subject"`
	Patron          string     `json:"patron"`
	PatronName      string     `json:"patron_name"`
	Owner           *string    `json:"owner"`
	Team            string     `json:"team"`
	Priority        string     `json:"priority"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FirstResponseAt *time.Time `json:"first_response_at"`
	DueAt           *time.Time `json:"due_at"`
	Overdue         bool       `json:"overdue"`
	Messages        int        `json:"messages"`
}

// Detail is one ticket with its thread and history, for `tickets show`.
type Detail struct {
	View
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"` // no reminders until then (#wait)
	// Unreachable is set when mail to the patron bounced: the mail server's
	// reason. Staff should phone them.
	Unreachable string        `json:"unreachable,omitempty"`
	Thread      []MessageView `json:"thread"`
	Events      []EventView   `json:"events"`
	// Attachments are the files of the ticket's mail, both ways.
	Attachments []AttachmentView `json:"attachments"`
}

// MessageView is one message on a ticket.
type MessageView struct {
	ID         int64     `json:"id"`
	Direction  string    `json:"direction"`
	Kind       string    `json:"kind"`
	From       string    `json:"from"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
}

// EventView is one line of a ticket's audit history.
type EventView struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Statuses that `tickets list --status` accepts.
var Statuses = []string{string(StatusNew), string(StatusOpen), string(StatusWaiting), string(StatusSolved), string(StatusClosed), "overdue", "active", "all"}

const viewColumns = `t.id, t.status, t.subject, t.patron_email, t.patron_name, t.owner_email, t.team, t.priority, t.created_at, t.updated_at, t.first_response_at, t.due_at,
	(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id)`

// List returns tickets by status: a status name, "overdue" (an answer is
// owed and past due), "active" (everything not closed) or "all".
func (s *Store) List(ctx context.Context, status string, now time.Time) ([]View, error) {
	return s.ListBy(ctx, Filter{Status: status}, now)
}

// Filter narrows `tickets list`: by status (as List), and optionally by the
// patron's address and the owner's address.
type Filter struct {
	Status, Patron, Owner string
}

// ListBy returns the tickets that match every part of f.
func (s *Store) ListBy(ctx context.Context, f Filter, now time.Time) ([]View, error) {
	var conds []string
	var args []any
	switch f.Status {
	case "all":
	case "active", "":
		conds = append(conds, `t.status != '`+string(StatusClosed)+`'`) // solved counts as active here
	case "overdue":
		conds, args = append(conds, sqlOverdue), append(args, unix(now))
	default:
		conds, args = append(conds, `t.status = ?`), append(args, f.Status)
	}
	if f.Patron != "" {
		conds, args = append(conds, `t.patron_email = ?`), append(args, strings.ToLower(f.Patron))
	}
	if f.Owner != "" {
		conds, args = append(conds, `t.owner_email = ?`), append(args, strings.ToLower(f.Owner))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, sqlListTickets(where), args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		v, err := scanView(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanView(row interface{ Scan(...any) error }, now time.Time) (View, error) {
	var v View
	var owner sql.NullString
	var created, updated int64
	var first, due sql.NullInt64
	if err := row.Scan(&v.ID, &v.Status, &v.Subject, &v.Patron, &v.PatronName, &owner, &v.Team, &v.Priority, &created, &updated, &first, &due, &v.Messages); err != nil {
		return v, err
	}
	if owner.Valid {
		v.Owner = &owner.String
	}
	v.CreatedAt, v.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	v.FirstResponseAt, v.DueAt = fromUnix(first), fromUnix(due)
	v.Overdue = Status(v.Status).Owed() && v.DueAt != nil && v.DueAt.Before(now)
	return v, nil
}

// ErrNotFound is returned for a ticket number that does not exist.
var ErrNotFound = errors.New("no such ticket")

// Show returns one ticket with its messages and history.
func (s *Store) Show(ctx context.Context, id int64, now time.Time) (*Detail, error) {
	v, err := scanView(s.db.QueryRowContext(ctx, sqlTicketView, id), now)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("show ticket %d: %w", id, err)
	}
	d := &Detail{View: v, Thread: []MessageView{}, Events: []EventView{}}
	var snoozed, unreachable sql.NullInt64
	if err := s.db.QueryRowContext(ctx, sqlTicketReachable, id).Scan(&snoozed, &unreachable, &d.Unreachable); err != nil {
		return nil, fmt.Errorf("show ticket %d: %w", id, err)
	}
	if snoozed.Valid && snoozed.Int64 > unix(now) {
		d.SnoozedUntil = fromUnix(snoozed)
	}
	rows, err := s.db.QueryContext(ctx, sqlTicketThread, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m MessageView
		var at int64
		if err := rows.Scan(&m.ID, &m.Direction, &m.Kind, &m.From, &m.Subject, &m.Text, &at); err != nil {
			return nil, err
		}
		m.ReceivedAt = time.Unix(at, 0).UTC()
		d.Thread = append(d.Thread, m)
	}
	erows, err := s.db.QueryContext(ctx, sqlTicketHistory, id)
	if err != nil {
		return nil, err
	}
	defer erows.Close()
	for erows.Next() {
		var e EventView
		var at int64
		if err := erows.Scan(&at, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		d.Events = append(d.Events, e)
	}
	if err := erows.Err(); err != nil {
		return nil, err
	}
	if d.Attachments, err = s.Attachments(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// Counts is a quick summary of the desk's state.
type Counts struct {
	Open, Quarantined, Queued, Failed int
}

// Counts returns how many tickets are open, messages quarantined and mails
// waiting or failed.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.QueryRowContext(ctx, sqlCounts).Scan(&c.Open, &c.Quarantined, &c.Queued, &c.Failed)
	return c, err
}

// Stats are running totals for the metrics endpoint. Rows are never
// deleted (the purge only blanks them), so the totals only grow.
type Stats struct {
	Tickets, AcksSent, RemindersSent, SendFailures int64
	Quarantined, Queued                            int64
}

// Stats reads the totals; it doubles as the health check's database probe.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, sqlTotals).
		Scan(&st.Tickets, &st.AcksSent, &st.RemindersSent, &st.SendFailures, &st.Quarantined, &st.Queued)
	if err != nil {
		return st, fmt.Errorf("read totals: %w", err)
	}
	return st, nil
}

// AddCounter adds n to the running total name, which survives restarts.
func (s *Store) AddCounter(ctx context.Context, name string, n int64) error {
	_, err := s.db.ExecContext(ctx, sqlAddCounter, name, n)
	if err != nil {
		return fmt.Errorf("count %s: %w", name, err)
	}
	return nil
}

// Counters returns the running totals whose names start with prefix, by
// the rest of their name.
func (s *Store) Counters(ctx context.Context, prefix string) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, sqlCounters, len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return nil, err
		}
		out[name[len(prefix):]] = v
	}
	return out, rows.Err()
}
