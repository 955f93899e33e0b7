package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Status is where a ticket is in its life. The values are stored in the
// tickets table, so they never change:
//
//	new → open ⇄ waiting → solved → closed
//
// A ticket is new until someone owns it, open while an answer is owed,
// waiting once staff answered, solved after #close, and closed when the
// patron says it is sorted, the follow-up gets no reply, it is merged or
// marked as spam. A patron's reply to a waiting, solved or closed ticket
// reopens it (open again, an answer owed).
type Status string

const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusWaiting Status = "waiting"
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
)

// Owed reports whether the library owes the patron an answer.
func (s Status) Owed() bool { return s == StatusNew || s == StatusOpen }

// Active reports whether staff still have the ticket in hand (not solved or
// closed).
func (s Status) Active() bool { return s.Owed() || s == StatusWaiting }

// Overdue reports whether an answer is owed and its due time (unix seconds)
// is before now: the Go twin of sqlOverdue.
func (s Status) Overdue(due sql.NullInt64, now time.Time) bool {
	return s.Owed() && due.Valid && due.Int64 < unix(now)
}

// Named conditions on the tickets table, so each is written once. The
// column names are unqualified: use them where only tickets has a status.
const (
	// sqlOwed: an answer is owed.
	sqlOwed = `status IN ('new', 'open')`
	// sqlActive: staff still have it in hand (Status.Active).
	sqlActive = `status IN ('new', 'open', 'waiting')`
	// sqlOverdue: an answer is owed and late; its one argument is now (unix).
	sqlOverdue = sqlOwed + ` AND due_at < ?`
)

// move is one change of a ticket's status. Only moveTo applies it, and it
// writes the columns that go with the new status in the same UPDATE.
type move struct {
	to Status
	// due: for StatusOpen, when the answer now owed is due.
	due time.Time
	// claimed: for StatusOpen, a new ticket someone now owns; the answer
	// was owed since it came in, so only the status changes.
	claimed bool
	// from: when set, only a ticket in one of these statuses moves.
	from []Status
	// solved: for StatusClosed, count the ticket solved now if it never was.
	solved bool
	// extra: more "column = ?" assignments for the same row, with args.
	extra     string
	extraArgs []any
}

// moveTo changes ticket id's status with the columns that belong to it:
//
//	open:    (claimed) only the status: the clock has run since the mail came
//	open:    an answer is owed from now, due by m.due; solved_at, closed_at cleared
//	waiting: nothing is owed (owed_since, due_at cleared)
//	solved:  solved_at now, nothing owed, the scheduler looks now (the follow-up)
//	closed:  closed_at now, nothing owed, the scheduler never looks again
//
// updated_at is now in every case.
func moveTo(ctx context.Context, tx *Tx, id int64, now time.Time, m move) error {
	var set string
	var args []any
	switch m.to {
	case StatusOpen:
		if m.claimed {
			set = `status = ?`
			args = []any{string(m.to)}
			break
		}
		set = `status = ?, solved_at = NULL, closed_at = NULL, owed_since = ?, due_at = ?, next_check_at = ?`
		args = []any{string(m.to), unix(now), unix(m.due), unix(m.due)}
	case StatusWaiting:
		set = `status = ?, owed_since = NULL, due_at = NULL`
		args = []any{string(m.to)}
	case StatusSolved:
		set = `status = ?, solved_at = ?, owed_since = NULL, due_at = NULL, next_check_at = ?`
		args = []any{string(m.to), unix(now), unix(now)}
	case StatusClosed:
		set = `status = ?, closed_at = ?, owed_since = NULL, due_at = NULL, next_check_at = NULL`
		args = []any{string(m.to), unix(now)}
		if m.solved {
			set += `, solved_at = COALESCE(solved_at, ?)`
			args = append(args, unix(now))
		}
	default:
		return fmt.Errorf("ticket %d: no such status %q", id, m.to)
	}
	if m.extra != "" {
		set += ", " + m.extra
		args = append(args, m.extraArgs...)
	}
	q := sqlUpdateTicket(set)
	args = append(args, unix(now), id)
	if len(m.from) > 0 {
		in, from := placeholders(m.from)
		q += ` AND status IN (` + in + `)`
		args = append(args, from...)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("ticket %d to %s: %w", id, m.to, err)
	}
	return nil
}

// moveTo changes ticket id's status now, in the receipt's transaction.
func (r *work) moveTo(id int64, m move) error {
	return moveTo(r.ctx, r.tx, id, r.now, m)
}
