package tickets

import (
	"context"
	"testing"
	"time"

	"patrondesk/tickets/testdb"
)

// TestMoveTo checks that each status change writes the columns that go with
// it, and nothing else decides them.
func TestMoveTo(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	due := now.Add(48 * time.Hour)
	const earlier = 1000 // a time set before the move
	cases := []struct {
		name  string
		from  Status
		m     move
		want  Status
		check string // a condition on the row after the move
		args  []any
	}{
		{"reopened: owed from now, due by the promise", StatusClosed, move{to: StatusOpen, due: due}, StatusOpen,
			`solved_at IS NULL AND closed_at IS NULL AND owed_since = ? AND due_at = ? AND next_check_at = ?`, []any{unix(now), unix(due), unix(due)}},
		{"claimed: only the status, the clock runs on", StatusNew, move{to: StatusOpen, claimed: true}, StatusOpen,
			`owed_since = ? AND due_at = ? AND next_check_at = ?`, []any{earlier, earlier, earlier}},
		{"answered: nothing owed", StatusOpen, move{to: StatusWaiting, from: []Status{StatusNew, StatusOpen}}, StatusWaiting,
			`owed_since IS NULL AND due_at IS NULL AND next_check_at = ?`, []any{earlier}},
		{"answered when not owed: no move", StatusSolved, move{to: StatusWaiting, from: []Status{StatusNew, StatusOpen}}, StatusSolved,
			`owed_since = ? AND updated_at = ?`, []any{earlier, earlier}},
		{"solved: follow-up looked at now", StatusOpen, move{to: StatusSolved}, StatusSolved,
			`solved_at = ? AND owed_since IS NULL AND due_at IS NULL AND next_check_at = ?`, []any{unix(now), unix(now)}},
		{"closed: never looked at again, solved_at kept", StatusOpen, move{to: StatusClosed}, StatusClosed,
			`closed_at = ? AND solved_at IS NULL AND owed_since IS NULL AND due_at IS NULL AND next_check_at IS NULL`, []any{unix(now)}},
		{"closed as spam: counted solved", StatusOpen, move{to: StatusClosed, solved: true}, StatusClosed,
			`closed_at = ? AND solved_at = ?`, []any{unix(now), unix(now)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(ctx, testdb.Target(t, t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.tx(ctx, func(tx *Tx) error {
				var id int64
				err := tx.QueryRowContext(ctx, `INSERT INTO tickets (status, subject, patron_name, patron_email, created_at, updated_at, owed_since, due_at, next_check_at)
					VALUES (?1, 'Renewal', 'Ann Lee', 'ann@example.org', ?2, ?2, ?2, ?2, ?2) RETURNING id`, string(c.from), earlier).Scan(&id)
				if err != nil {
					return err
				}
				if err := moveTo(ctx, tx, id, now, c.m); err != nil {
					return err
				}
				var got Status
				var ok bool
				q := `SELECT status, ` + c.check + ` FROM tickets WHERE id = ?`
				if err := tx.QueryRowContext(ctx, q, append(c.args, id)...).Scan(&got, &ok); err != nil {
					return err
				}
				if got != c.want || !ok {
					t.Errorf("status %s (want %s), %s: %v", got, c.want, c.check, ok)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
