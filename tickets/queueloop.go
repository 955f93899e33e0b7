package tickets

import (
	"context"
	"database/sql"
	"time"
)

// runQueue is the loop of the sender and the scheduler: do a pass, then
// wait until the next row is due (next says how long), a kick, or the end
// of ctx. A nil kick channel is never kicked.
func runQueue(ctx context.Context, kick <-chan struct{}, pass func(context.Context), next func(context.Context) time.Duration) {
	for {
		pass(ctx)
		t := time.NewTimer(next(ctx))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// untilDue is how long from now until the earliest moment query gives (one
// MIN over Unix seconds), kept within floor and ceil: ceil when nothing is
// due or the database did not answer, so work added by another process (a
// command, another daemon) is seen within ceil.
func untilDue(ctx context.Context, db *DB, now time.Time, floor, ceil time.Duration, query string, args ...any) time.Duration {
	var next sql.NullInt64
	if err := db.QueryRowContext(ctx, query, args...).Scan(&next); err != nil || !next.Valid {
		return ceil
	}
	return max(min(time.Unix(next.Int64, 0).Sub(now), ceil), floor)
}
