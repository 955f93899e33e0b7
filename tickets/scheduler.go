package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"patrondesk/tickets/calendar"
)

// maxEscalations is how many times supervisors hear about one late answer.
const maxEscalations = 3

// Planned is what one scheduler pass did, for logs and `run --once --at`.
type Planned struct {
	Lines []string // one per mail queued or ticket changed, in plain words
}

func (p *Planned) add(format string, args ...any) {
	p.Lines = append(p.Lines, fmt.Sprintf(format, args...))
}

// Schedule does the follow-up work that is due at now: reminders to owners,
// escalations to supervisors, "still working on it" updates and follow-ups to
// patrons, closing solved tickets, handing on the tickets of staff who are
// away, the supervisors' daily summary and the retention purge. Only tickets
// whose next_check_at has come are read; each mail is queued once per
// period (table scheduled), so a pass after a long stop sends one reminder
// per ticket, not one per missed period.
func (d *Desk) Schedule(ctx context.Context, now time.Time) (*Planned, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p := &Planned{}
	err := d.store.tx(ctx, func(tx *Tx) error {
		r := d.workAt(ctx, tx, now)
		n, err := r.handOnAway()
		if n > 0 {
			p.add("%d request(s) handed on from staff who are away", n)
		}
		return err
	})
	if err != nil {
		return p, fmt.Errorf("hand on tickets of staff away: %w", err)
	}
	for {
		n, err := d.followUpBatch(ctx, now, 200, p)
		if err != nil {
			return p, err
		}
		if n == 0 {
			break
		}
	}
	if err := d.store.tx(ctx, func(tx *Tx) error { return d.workAt(ctx, tx, now).dailySummary(p) }); err != nil {
		return p, fmt.Errorf("daily summary: %w", err)
	}
	if err := d.store.tx(ctx, func(tx *Tx) error { return d.workAt(ctx, tx, now).alertAdmin(p) }); err != nil {
		return p, fmt.Errorf("alert: %w", err)
	}
	if err := d.purgeDaily(ctx, now, p); err != nil {
		return p, err
	}
	if len(p.Lines) > 0 {
		d.Queued()
	}
	return p, nil
}

func (d *Desk) workAt(ctx context.Context, tx *Tx, now time.Time) *work {
	return &work{d: d, tx: tx, ctx: ctx, now: now}
}

// followUpBatch claims up to limit due tickets and, in the same
// transaction, does their follow-up work and sets when each is to be
// looked at next; it returns how many it claimed. On PostgreSQL the
// tickets are read FOR UPDATE SKIP LOCKED, so daemons running the
// scheduler at once take different tickets; the claim is the row lock,
// which ends with the transaction (a dead daemon's connection rolls back
// and frees them), so no claim column is needed: all the work, queuing
// mail included, commits or not with it. The scheduled keys stay the
// backstop against a mail queued twice.
func (d *Desk) followUpBatch(ctx context.Context, now time.Time, limit int, p *Planned) (int, error) {
	var n int
	err := d.store.tx(ctx, func(tx *Tx) error {
		ids, err := queryIDs(ctx, tx, sqlDueTickets+d.store.skipLocked(), unix(now), limit)
		if err != nil {
			return fmt.Errorf("read due tickets: %w", err)
		}
		n = len(ids)
		r := d.workAt(ctx, tx, now)
		for _, id := range ids {
			next, err := r.followUp(id, p)
			if err != nil {
				return fmt.Errorf("follow up ticket %d: %w", id, err)
			}
			var nextAt any
			if !next.IsZero() {
				// Never in the past, or the pass would spin on it.
				nextAt = max(unix(next), unix(now)+1)
			}
			if _, err := tx.ExecContext(ctx, sqlSetNextCheck, nextAt, id); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// schedTicket is what the follow-up needs to know of a ticket.
type schedTicket struct {
	*ticketRow
	SolvedAt, SnoozedUntil sql.NullInt64
}

func (r *work) loadSched(id int64) (*schedTicket, error) {
	t, err := loadTicket(r.ctx, r.tx, id)
	if err != nil || t == nil {
		return nil, err
	}
	s := &schedTicket{ticketRow: t}
	err = r.tx.QueryRowContext(r.ctx, sqlTicketSchedule, id).Scan(&s.SolvedAt, &s.SnoozedUntil)
	return s, err
}

// followUp does what is due for one ticket and returns when it next needs a
// look (zero: never, until something changes it).
func (r *work) followUp(id int64, p *Planned) (time.Time, error) {
	t, err := r.loadSched(id)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	switch t.Status {
	case StatusNew, StatusOpen:
		return r.chase(t, p)
	case StatusSolved:
		return r.afterSolved(t, p)
	}
	return time.Time{}, nil
}

// chase handles a ticket whose answer is owed: the patron's update, the
// owner's reminders and the supervisors' escalations.
func (r *work) chase(t *schedTicket, p *Planned) (time.Time, error) {
	if !t.OwedSince.Valid || !t.DueAt.Valid {
		return time.Time{}, nil
	}
	if t.SnoozedUntil.Valid && t.SnoozedUntil.Int64 > unix(r.now) {
		return time.Unix(t.SnoozedUntil.Int64, 0), nil
	}
	cal, o := r.d.opts.Calendar, r.d.opts
	owed, due := time.Unix(t.OwedSince.Int64, 0), time.Unix(t.DueAt.Int64, 0)
	open := cal.IsOpen(r.now)
	var next []time.Time
	pending := false // something is due now but waits for opening time
	if o.PatronUpdateAfter > 0 {
		n := int(cal.OpenBetween(owed, r.now) / o.PatronUpdateAfter)
		if n >= 1 {
			key := fmt.Sprintf("patron_update:%d:%d:%d", t.ID, owed.Unix(), n)
			sent, err := r.onceIf(open, key, func() error { return r.patronUpdate(t, p) })
			if err != nil {
				return time.Time{}, err
			}
			pending = pending || !sent && !open
		}
		next = append(next, cal.AddOpen(owed, time.Duration(n+1)*o.PatronUpdateAfter))
	}
	if r.now.Before(due) {
		next = append(next, due)
		return earliest(next, pending, cal, r.now), nil
	}
	late := cal.OpenBetween(due, r.now)
	if o.NagEvery > 0 {
		k := int(late / o.NagEvery)
		key := fmt.Sprintf("nag:%d:%d:%d", t.ID, due.Unix(), k)
		sent, err := r.onceIf(open && t.Owner.Valid, key, func() error { return r.nag(t, due, late, p) })
		if err != nil {
			return time.Time{}, err
		}
		pending = pending || !sent && !open
		next = append(next, cal.AddOpen(due, time.Duration(k+1)*o.NagEvery))
	}
	if o.EscalateAfter > 0 {
		j := min(int(late/o.EscalateAfter), maxEscalations)
		if j >= 1 {
			key := fmt.Sprintf("escalation:%d:%d:%d", t.ID, due.Unix(), j)
			sent, err := r.onceIf(open, key, func() error { return r.escalate(t, due, late, j, p) })
			if err != nil {
				return time.Time{}, err
			}
			pending = pending || !sent && !open
		}
		if j < maxEscalations {
			next = append(next, cal.AddOpen(due, time.Duration(j+1)*o.EscalateAfter))
		}
	}
	return earliest(next, pending, cal, r.now), nil
}

// afterSolved asks the patron whether it is sorted, then closes the ticket
// close_after later.
func (r *work) afterSolved(t *schedTicket, p *Planned) (time.Time, error) {
	if !t.SolvedAt.Valid {
		return time.Time{}, nil
	}
	cal, o := r.d.opts.Calendar, r.d.opts
	solved := time.Unix(t.SolvedAt.Int64, 0)
	key := fmt.Sprintf("followup:%d:%d", t.ID, solved.Unix())
	var askedAt int64
	err := r.tx.QueryRowContext(r.ctx, sqlScheduledAt, key).Scan(&askedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ask := cal.AddOpen(solved, o.FollowupAfter)
		if r.now.Before(ask) {
			return ask, nil
		}
		if !cal.IsOpen(r.now) {
			return cal.NextOpen(r.now), nil
		}
		if _, err := r.onceIf(true, key, func() error { return r.followupMail(t, p) }); err != nil {
			return time.Time{}, err
		}
		return cal.AddOpen(r.now, o.CloseAfter), nil
	case err != nil:
		return time.Time{}, err
	}
	closeAt := cal.AddOpen(time.Unix(askedAt, 0), o.CloseAfter)
	if r.now.Before(closeAt) {
		return closeAt, nil
	}
	// A solved ticket owes nothing already; next_check_at is cleared by
	// followUpBatch for the zero time returned below in any case.
	if err := r.moveTo(t.ID, move{to: StatusClosed}); err != nil {
		return time.Time{}, err
	}
	p.add("#%d closed: solved, and no reply to the follow-up", t.ID)
	return time.Time{}, r.event(t.ID, "patrondesk", "closed", "no reply to the follow-up", 0)
}

// onceIf runs do when ok and key was never used, and records key. It
// reports whether do ran.
func (r *work) onceIf(ok bool, key string, do func() error) (bool, error) {
	if !ok {
		return false, nil
	}
	res, err := r.tx.ExecContext(r.ctx, sqlScheduleOnce, key, unix(r.now))
	if err != nil {
		return false, fmt.Errorf("record %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, do()
}

// earliest is the soonest of next; when something waits for opening time,
// the next opening too.
func earliest(next []time.Time, pending bool, cal *calendar.Calendar, now time.Time) time.Time {
	if pending {
		next = append(next, cal.NextOpen(now))
	}
	if len(next) == 0 {
		return time.Time{}
	}
	return slices.MinFunc(next, func(a, b time.Time) int { return a.Compare(b) })
}

// RunScheduler runs Schedule until ctx ends: when the next ticket is due,
// and at least once a minute (for the daily summary, and for changes made
// by another process such as the command line).
func (d *Desk) RunScheduler(ctx context.Context) {
	runQueue(ctx, nil, func(ctx context.Context) {
		p, err := d.Schedule(ctx, d.clock.Now())
		if err != nil && ctx.Err() == nil {
			d.log.Warn("follow-up pass failed; trying again in a minute", "err", err)
		}
		for _, l := range p.Lines {
			d.log.Info("follow-up", "did", l)
		}
	}, d.untilNextCheck)
}

func (d *Desk) untilNextCheck(ctx context.Context) time.Duration {
	return untilDue(ctx, d.store.db, d.clock.Now(), time.Second, time.Minute, sqlNextCheckDue)
}
