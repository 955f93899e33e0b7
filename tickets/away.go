package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// present is the staff who are not away now, by the config or by "#away".
func (r *work) present() ([]Staff, error) {
	var out []Staff
	for _, s := range r.d.opts.Staff {
		away, err := r.isAway(s)
		if err != nil {
			return nil, err
		}
		if !away {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r *work) isAway(s Staff) (bool, error) {
	if s.awayAt(r.now) {
		return true, nil
	}
	var n int
	err := r.tx.QueryRowContext(r.ctx, sqlCountAwayAt, s.Email, unix(r.now), unix(r.now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read away periods: %w", err)
	}
	return n > 0, nil
}

// owner picks who gets a ticket in team among the staff who are here.
func (r *work) owner(team string) (*Staff, error) {
	here, err := r.present()
	if err != nil {
		return nil, err
	}
	return pickOwner(r.ctx, r.tx, here, team)
}

// setAway records "#away DATE" from a staff member.
func (r *receipt) setAway(actor *Staff, until time.Time, msgID int64) error {
	if _, err := r.tx.ExecContext(r.ctx, sqlInsertAway, actor.Email, unix(r.now), unix(until)); err != nil {
		return fmt.Errorf("record away: %w", err)
	}
	return nil
}

// handOnAway gives the open tickets of everyone away now to someone present
// in the ticket's team, and tells the new owner. It returns how many moved.
func (r *work) handOnAway() (int, error) {
	moved := 0
	for _, s := range r.d.opts.Staff {
		away, err := r.isAway(s)
		if err != nil || !away {
			if err != nil {
				return moved, err
			}
			continue
		}
		// Skip-locked: two daemons at once hand each ticket on once.
		ids, err := r.ids(sqlActiveTicketsOf+r.d.store.skipLocked(), s.Email)
		if err != nil {
			return moved, err
		}
		for _, id := range ids {
			t, err := loadTicket(r.ctx, r.tx, id)
			if err != nil {
				return moved, err
			}
			to, err := r.owner(t.Team)
			if err != nil || to == nil {
				return moved, err // nobody here to take it: it stays
			}
			system := &Staff{Name: "patrondesk", Email: "patrondesk"}
			if err := r.assign(t, system, to, t.Team, 0); err != nil {
				return moved, err
			}
			if err := r.event(id, "patrondesk", "handed on", s.Email+" is away", 0); err != nil {
				return moved, err
			}
			moved++
		}
	}
	return moved, nil
}

func (r *work) ids(query string, args ...any) ([]int64, error) {
	return queryIDs(r.ctx, r.tx, query, args...)
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryIDs runs a query that selects one integer column.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
