package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"patrondesk/templates"
	"patrondesk/tickets/calendar"
)

// dailySummary sends each supervisor the day's summary once, on open days
// at policy.summary_at: by the pass that crosses that moment. The very first
// pass crosses nothing, so a first start sends no summary; a pass after a
// stop that spanned summary_at sends the missed one. Each summary covers
// everything since the one before (Monday's, the weekend).
func (r *work) dailySummary(p *Planned) error {
	prevPass, err := r.setting("summary_checked_at")
	if err != nil {
		return err
	}
	if err := r.setSetting("summary_checked_at", unix(r.now)); err != nil {
		return err
	}
	sups := r.supervisors("")
	cal := r.d.opts.Calendar
	today := calendar.DateOf(r.now.In(r.d.opts.Location))
	at := cal.At(today, r.d.opts.SummaryAt)
	if len(sups) == 0 || !cal.IsOpenDay(today) || r.now.Before(at) || prevPass == 0 || prevPass >= unix(at) {
		return nil
	}
	_, err = r.onceIf(true, "summary:"+today.String(), func() error {
		since, err := r.setting("summary_sent_at")
		if err != nil {
			return err
		}
		if err := r.setSetting("summary_sent_at", unix(r.now)); err != nil {
			return err
		}
		from := time.Unix(since, 0)
		if since == 0 {
			from = r.now.Add(-24 * time.Hour)
		}
		dg, err := r.digest(from)
		if err != nil {
			return err
		}
		for _, s := range sups {
			data := templates.Data{Library: r.d.opts.Library, Tag: r.d.opts.Tag, Staff: s.FirstName(), Digest: dg}
			if err := r.addLink(&data.Digest, s.Email); err != nil {
				return err
			}
			if err := r.enqueue(outMail{template: "summary", toName: s.Name, toEmail: s.Email, auto: "auto-generated", bulk: true, data: data}); err != nil {
				return err
			}
			p.add("daily summary to %s (%d late)", s.Email, len(dg.Overdue))
		}
		return nil
	})
	return err
}

// Digest builds the supervisors' summary as it would go out at now, without
// sending it (for previews and the benchmark).
func (d *Desk) Digest(ctx context.Context, now time.Time) (templates.Digest, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var dg templates.Digest
	err := d.store.tx(ctx, func(tx *Tx) error {
		var err error
		dg, err = d.workAt(ctx, tx, now).digest(now.Add(-24 * time.Hour))
		return err
	})
	return dg, err
}

// digest gathers the summary: late tickets by owner, tickets nobody has,
// what waits for a person, and the figures since from. Patron names only.
func (r *work) digest(from time.Time) (templates.Digest, error) {
	loc := r.d.opts.Location
	fmtAt := func(n int64) string { return time.Unix(n, 0).In(loc).Format("Mon 2 Jan 15:04") }
	dg := templates.Digest{Day: r.now.In(loc).Format("Mon 2 Jan"), At: r.now.In(loc).Format("15:04")}
	// The last action by a person (staff or patron), not by patrondesk.
	rows, err := r.tx.QueryContext(r.ctx, sqlDigestOverdue, unix(r.now))
	if err != nil {
		return dg, fmt.Errorf("read late tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l templates.DigestLine
		var owner, action string
		var due, at int64
		if err := rows.Scan(&l.Ticket, &l.Patron, &owner, &due, &action, &at); err != nil {
			return dg, err
		}
		l.Patron, l.Owner = patronLabel(l.Patron), r.staffName(owner)
		l.Due, l.Late = fmtAt(due), lateWords(r.d.opts.Calendar.OpenBetween(time.Unix(due, 0), r.now))
		if action != "" {
			l.Last = action + " " + fmtAt(at)
		}
		dg.Overdue = append(dg.Overdue, l)
	}
	if err := rows.Err(); err != nil {
		return dg, err
	}
	for _, l := range dg.Overdue {
		if len(dg.Owners) == 0 || dg.Owners[len(dg.Owners)-1].Name != l.Owner {
			dg.Owners = append(dg.Owners, templates.DigestOwner{Name: l.Owner})
		}
		o := &dg.Owners[len(dg.Owners)-1]
		o.Lines = append(o.Lines, l)
	}
	if dg.Unowned, err = r.unowned(fmtAt); err != nil {
		return dg, err
	}
	if err := r.tx.QueryRowContext(r.ctx, sqlSummaryQueues, unix(from)).
		Scan(&dg.Quarantined, &dg.FailedMail, &dg.Spam); err != nil {
		return dg, err
	}
	if dg.Yesterday, err = r.figures(from); err != nil {
		return dg, err
	}
	answers, err := r.firstAnswers(newOpenMeter(r.d.opts.Calendar))
	if err != nil {
		return dg, err
	}
	promise := r.d.opts.FirstAnswer["normal"]
	dg.Answers, dg.Promise = AnswerBars(r.days("", answers), promise), openHours(promise)
	return dg, nil
}

// addLink puts the supervisor's own desk page link in their copy of the
// summary, signed with the key in the database now.
func (r *work) addLink(dg *templates.Digest, email string) error {
	if r.d.opts.DeskURL == "" {
		return nil
	}
	key, err := currentKey(r.ctx, r.tx)
	if err != nil {
		return err
	}
	life := r.d.opts.DeskLinkLifetime
	if life <= 0 {
		life = 7 * 24 * time.Hour
	}
	link, until := DeskLink(r.d.opts.DeskURL, key, email, r.now, life)
	dg.Link, dg.LinkUntil = link, until.In(r.d.opts.Location).Format("Mon 2 Jan 15:04")
	return nil
}

// openHours writes a promise for people: "16 open hours".
func openHours(d time.Duration) string {
	if h := d.Hours(); h == float64(int(h)) {
		if h == 1 {
			return "1 open hour"
		}
		return fmt.Sprintf("%d open hours", int(h))
	}
	return hoursMinutes(d) + " of open hours"
}

func (r *work) unowned(fmtAt func(int64) string) ([]templates.DigestLine, error) {
	rows, err := r.tx.QueryContext(r.ctx, sqlUnowned)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []templates.DigestLine
	for rows.Next() {
		var l templates.DigestLine
		var created int64
		if err := rows.Scan(&l.Ticket, &l.Patron, &created); err != nil {
			return nil, err
		}
		l.Patron, l.Since = patronLabel(l.Patron), fmtAt(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// figures are those from start until now, from the same report as
// `patrondesk report`. Day says when they start ("Fri 4 Dec 08:30").
func (r *work) figures(start time.Time) (templates.Figures, error) {
	f := templates.Figures{Day: start.In(r.d.opts.Location).Format("Mon 2 Jan 15:04"), MedianFirstAnswer: "none answered"}
	rep, err := report(r.ctx, r.tx, start, r.now, r.d.opts.Calendar)
	if err != nil {
		return f, fmt.Errorf("yesterday's figures: %w", err)
	}
	f.Received, f.Answered, f.Solved = rep.Received, rep.Answered, rep.Solved
	if m := rep.FirstAnswer.Median; m != nil {
		f.MedianFirstAnswer = hoursMinutes(time.Duration(*m * float64(time.Hour)))
	}
	return f, nil
}

func hoursMinutes(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// patronLabel is a patron's name for staff summaries, never their address.
func patronLabel(name string) string {
	if name == "" || strings.Contains(name, "@") {
		return "(no name given)"
	}
	return name
}

func (r *work) staffName(email string) string {
	if s := r.staff(email); s != nil {
		return s.Name
	}
	if email == "" {
		return "nobody"
	}
	return email
}
