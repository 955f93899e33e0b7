package tickets

import (
	"context"
	"fmt"
	"time"
)

// Held is an acknowledgement waiting for the admin (over the cap on
// acknowledgements to first-time senders).
type Held struct {
	ID      int64     `json:"id"`
	Ticket  int64     `json:"ticket"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Created time.Time `json:"created_at"`
}

// HeldMail lists the held acknowledgements, oldest first.
func (s *Store) HeldMail(ctx context.Context) ([]Held, error) {
	rows, err := s.db.QueryContext(ctx, sqlHeldList)
	if err != nil {
		return nil, fmt.Errorf("list held mail: %w", err)
	}
	defer rows.Close()
	var out []Held
	for rows.Next() {
		var h Held
		var at int64
		if err := rows.Scan(&h.ID, &h.Ticket, &h.To, &h.Subject, &at); err != nil {
			return nil, err
		}
		h.Created = time.Unix(at, 0).UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}

// ReleaseHeld sends held acknowledgements (ids, or all when none are given)
// and DropHeld deletes them; each returns how many it took. Once none are
// held, the admin will be told again the next time acknowledgements are held.
func (s *Store) ReleaseHeld(ctx context.Context, now time.Time, ids ...int64) (int, error) {
	return s.settleHeld(ctx, sqlReleaseHeld, "acknowledgement released", now, ids)
}

// DropHeld deletes held acknowledgements; see ReleaseHeld.
func (s *Store) DropHeld(ctx context.Context, now time.Time, ids ...int64) (int, error) {
	return s.settleHeld(ctx, sqlDropHeld, "acknowledgement dropped", now, ids)
}

func (s *Store) settleHeld(ctx context.Context, update, action string, now time.Time, ids []int64) (int, error) {
	where, args := "", []any{}
	if len(ids) > 0 {
		var in string
		in, args = placeholders(ids)
		where = " AND id IN (" + in + ")"
	}
	var n int64
	err := s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, sqlHeldEvents(where),
			append([]any{unix(now), action}, args...)...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, update+where, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlResetHeldAlert, []byte("0"))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", action, err)
	}
	return int(n), nil
}
