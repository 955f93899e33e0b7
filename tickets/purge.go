package tickets

import (
	"context"
	"fmt"
	"time"

	"patrondesk/tickets/calendar"
)

// Purged is one ticket the retention purge anonymised (or would).
type Purged struct {
	ID       int64
	ClosedAt time.Time
}

// Purge anonymises the tickets closed before cutoff: the patron's name and
// address, the subject, every message's text, sender and raw bytes, and the
// mail sent about it lose their words, its attachments are removed (their
// bytes too, unless another ticket has the same file); the ticket, its times, owner, team and
// history of actions stay, so the figures still add up. Quarantined mail
// older than cutoff loses its raw bytes. With dryRun nothing changes.
func (s *Store) Purge(ctx context.Context, cutoff, now time.Time, dryRun bool) ([]Purged, error) {
	var out []Purged
	err := s.tx(ctx, func(tx *Tx) error {
		var err error
		out, err = purgeTx(ctx, tx, cutoff, now, dryRun)
		return err
	})
	return out, err
}

func purgeTx(ctx context.Context, tx *Tx, cutoff, now time.Time, dryRun bool) ([]Purged, error) {
	rows, err := tx.QueryContext(ctx, sqlClosedToPurge, unix(cutoff))
	if err != nil {
		return nil, fmt.Errorf("find tickets to purge: %w", err)
	}
	var out []Purged
	for rows.Next() {
		var p Purged
		var closed int64
		if err := rows.Scan(&p.ID, &closed); err != nil {
			rows.Close()
			return nil, err
		}
		p.ClosedAt = time.Unix(closed, 0).UTC()
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || dryRun {
		return out, err
	}
	for _, p := range out {
		for _, q := range []string{
			`UPDATE events SET detail = '', actor = CASE WHEN actor = (SELECT patron_email FROM tickets WHERE id = ?1) THEN 'patron' ELSE actor END WHERE ticket_id = ?1 AND CAST(?2 AS BIGINT) > 0`,
			`UPDATE messages SET body = '', raw = NULL, subject = '', sender = '', message_id = '' WHERE ticket_id = ?1 AND CAST(?2 AS BIGINT) > 0`,
			`DELETE FROM raw_parts WHERE message_id IN (SELECT id FROM messages WHERE ticket_id = ?1) AND CAST(?2 AS BIGINT) > 0`,
			`UPDATE outbox SET to_name = '', to_email = '', subject = '', body_text = '', body_html = '' WHERE ticket_id = ?1 AND CAST(?2 AS BIGINT) > 0`,
			`UPDATE tickets SET patron_name = '', patron_email = '', subject = '(removed)', anonymised_at = ?2 WHERE id = ?1`,
		} {
			// Every statement takes both numbered arguments (?1 id, ?2 now).
			// ?2 compared with 0 alone would be a 32-bit integer to
			// PostgreSQL, too small for a time after January 2038.
			if _, err := tx.ExecContext(ctx, q, p.ID, unix(now)); err != nil {
				return nil, fmt.Errorf("anonymise ticket %d: %w", p.ID, err)
			}
		}
		if err := purgeAttachments(ctx, tx, p.ID); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, sqlPurgeQuarantine, []byte{}, unix(cutoff)); err != nil {
		return nil, fmt.Errorf("purge quarantine: %w", err)
	}
	return out, nil
}

// purgeDaily runs the retention purge once a day, inside the scheduler.
func (d *Desk) purgeDaily(ctx context.Context, now time.Time, p *Planned) error {
	if d.opts.Retention <= 0 {
		return nil
	}
	day := calendar.DateOf(now.In(d.opts.Location)).String()
	return d.store.tx(ctx, func(tx *Tx) error {
		r := d.workAt(ctx, tx, now)
		_, err := r.onceIf(true, "purge:"+day, func() error {
			out, err := purgeTx(ctx, tx, now.Add(-d.opts.Retention), now, false)
			if len(out) > 0 {
				p.add("%d closed request(s) older than the retention period anonymised", len(out))
			}
			return err
		})
		return err
	})
}
