package tickets

import (
	"context"
	"fmt"
	"time"
)

// maxMergeHops bounds how far loadTicket follows merged tickets (a merged
// ticket's keeper may itself be merged later).
const maxMergeHops = 8

// mergeProblem says why other cannot be merged into keep, or "".
func mergeProblem(keep, other *ticketRow) string {
	switch {
	case other == nil:
		return "there is no such request"
	case other.ID == keep.ID:
		return fmt.Sprintf("request %d is this request", other.ID)
	case other.PatronEmail != keep.PatronEmail:
		// Different people's requests stay apart: a reply from one would
		// otherwise show the other's messages to staff as one person's.
		return fmt.Sprintf("request %d is from another patron; only one patron's requests can be merged", other.ID)
	}
	return ""
}

// mergeInto makes other part of keep: its messages, history and mail move
// to keep, other is closed and points at keep, so replies to either land in
// keep from now on. Nobody is mailed.
func mergeInto(ctx context.Context, tx *Tx, keep, other *ticketRow, actor string, now int64) error {
	steps := []struct{ what, sql string }{
		{"messages", `UPDATE messages SET ticket_id = ?1 WHERE ticket_id = ?2`},
		{"history", `UPDATE events SET ticket_id = ?1 WHERE ticket_id = ?2`},
		{"mail", `UPDATE outbox SET ticket_id = ?1 WHERE ticket_id = ?2`},
		// A file name stays unique within a ticket: one the kept ticket
		// has already is renamed after the request it came from.
		{"file names", `UPDATE attachments SET name = name || ' (from request ' || ?2 || ')' WHERE ticket_id = ?2 AND name IN (SELECT name FROM attachments WHERE ticket_id = ?1)`},
		{"files", `UPDATE attachments SET ticket_id = ?1 WHERE ticket_id = ?2`},
		{"chains", `UPDATE tickets SET origin_ticket = ?1 WHERE origin_ticket = ?2`},
		// Requests merged into other earlier now point at keep directly, so
		// however long a chain of merges grows, every request is one hop
		// from its keeper and loadTicket never stops short of it.
		{"earlier merges", `UPDATE tickets SET merged_into = ?1 WHERE merged_into = ?2`},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.sql, keep.ID, other.ID); err != nil {
			return fmt.Errorf("merge %d into %d: move %s: %w", other.ID, keep.ID, s.what, err)
		}
	}
	// other is closed and points at keep.
	if err := moveTo(ctx, tx, other.ID, time.Unix(now, 0), move{to: StatusClosed, extra: `merged_into = ?`, extraArgs: []any{keep.ID}}); err != nil {
		return fmt.Errorf("merge %d into %d: %w", other.ID, keep.ID, err)
	}
	for _, e := range []struct {
		id     int64
		action string
		detail string
	}{
		{keep.ID, "merged", fmt.Sprintf("request %d (%s) merged into this one", other.ID, other.Subject)},
		{other.ID, "merged", fmt.Sprintf("merged into request %d", keep.ID)},
	} {
		if _, err := tx.ExecContext(ctx, sqlInsertEvent, e.id, now, actor, e.action, e.detail); err != nil {
			return fmt.Errorf("record merge: %w", err)
		}
	}
	return nil
}

// Merge makes ticket other part of ticket keep, as an admin at the terminal
// (`tickets merge KEEP OTHER`). Nobody is mailed.
func (d *Desk) Merge(ctx context.Context, keep, other int64) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.store.tx(ctx, func(tx *Tx) error {
		k, err := loadTicket(ctx, tx, keep)
		if err != nil {
			return err
		}
		if k == nil {
			return ErrNotFound
		}
		o, err := loadTicket(ctx, tx, other)
		if err != nil {
			return err
		}
		if why := mergeProblem(k, o); why != "" {
			return &ErrCommand{Problems: []string{fmt.Sprintf("request %d cannot be merged into %d: %s", other, keep, why)}}
		}
		return mergeInto(ctx, tx, k, o, adminActor.Email, unix(d.clock.Now()))
	})
}
