package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"patrondesk/templates"
)

// The supervisors' desk page reads only: these queries never write, and
// they name patrons as the summary does, never their addresses or words.

// ChartDays is how many days the first-answer chart covers.
const ChartDays = 30

// Dashboard is the desk as it stands at ReadAt: the whole library first,
// then each team.
type Dashboard struct {
	ReadAt  time.Time
	Read    string        // ReadAt in the library's time zone, "Wed 9 Dec 08:30"
	Promise time.Duration // the promise for normal requests, in open hours
	Library Section
	Teams   []Section
	// Quarantined is mail waiting for a person; Spam is mail the mail server
	// marked as spam in the last ChartDays days. Neither belongs to a team.
	Quarantined, Spam int
}

// Section is the whole library or one team.
type Section struct {
	Name    string // "" for the whole library
	Overdue []OverdueLine
	Unowned []UnownedLine
	Load    []Load
	Days    []DayFigure // oldest first, ChartDays of them
}

// OverdueLine is one late request.
type OverdueLine struct {
	Ticket   int64
	Patron   string // name only
	Owner    string
	Due      string        // "Tue 8 Dec 17:00"
	Late     time.Duration // open hours past due
	LateText string        // "8 open hours late"
}

// UnownedLine is a request nobody has.
type UnownedLine struct {
	Ticket int64
	Patron string
	Since  string
}

// Load is what one person has on their desk.
type Load struct {
	Name                   string
	Open, Overdue, Waiting int // waiting: on the patron
}

// DayFigure is one day's first answers against the promise.
type DayFigure struct {
	Date     time.Time // midnight, library time
	Day      string    // "Mon 2 Nov"
	Answered int       // requests first answered that day
	Kept     int       // of them, answered within their promise
	Median   time.Duration
}

// active is a request not yet solved, as the page needs it.
type active struct {
	id                  int64
	patron, owner, team string
	status              Status
	created             int64
	due                 sql.NullInt64
}

// Dashboard reads the desk at now.
func (d *Desk) Dashboard(ctx context.Context, now time.Time) (*Dashboard, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var db *Dashboard
	err := d.store.tx(ctx, func(tx *Tx) error {
		var err error
		db, err = d.workAt(ctx, tx, now).dashboard()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("desk page: %w", err)
	}
	return db, nil
}

func (r *work) dashboard() (*Dashboard, error) {
	loc := r.d.opts.Location
	db := &Dashboard{ReadAt: r.now, Read: r.now.In(loc).Format("Mon 2 Jan 15:04"), Promise: r.d.opts.FirstAnswer["normal"]}
	acts, err := r.activeTickets()
	if err != nil {
		return nil, err
	}
	meter := newOpenMeter(r.d.opts.Calendar)
	answers, err := r.firstAnswers(meter)
	if err != nil {
		return nil, err
	}
	db.Library = r.section("", acts, answers, meter)
	for _, team := range r.teams(acts) {
		db.Teams = append(db.Teams, r.section(team, acts, answers, meter))
	}
	since := r.now.Add(-ChartDays * 24 * time.Hour)
	err = r.tx.QueryRowContext(r.ctx, sqlDashboardQueues, unix(since)).
		Scan(&db.Quarantined, &db.Spam)
	if err != nil {
		return nil, fmt.Errorf("count quarantine and spam: %w", err)
	}
	return db, nil
}

func (r *work) activeTickets() ([]active, error) {
	rows, err := r.tx.QueryContext(r.ctx, sqlDashboardActive)
	if err != nil {
		return nil, fmt.Errorf("read open requests: %w", err)
	}
	defer rows.Close()
	var out []active
	for rows.Next() {
		var a active
		if err := rows.Scan(&a.id, &a.patron, &a.owner, &a.team, &a.status, &a.created, &a.due); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// teams are the teams of the config and of open requests, sorted.
func (r *work) teams(acts []active) []string {
	seen := map[string]bool{}
	for _, s := range r.d.opts.Staff {
		for _, t := range s.Teams {
			seen[t] = true
		}
	}
	for _, a := range acts {
		seen[a.team] = true
	}
	delete(seen, "")
	var out []string
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// overdue reports a request owed an answer past its due time.
func (r *work) overdue(a active) bool {
	return a.status.Overdue(a.due, r.now)
}

// section gathers one team's part (team "" = everything).
func (r *work) section(team string, acts []active, answers []answer, meter *openMeter) Section {
	loc := r.d.opts.Location
	fmtAt := func(n int64) string { return time.Unix(n, 0).In(loc).Format("Mon 2 Jan 15:04") }
	s := Section{Name: team}
	loads := map[string]*Load{}
	for _, a := range acts {
		if team != "" && a.team != team {
			continue
		}
		if a.owner == "" {
			s.Unowned = append(s.Unowned, UnownedLine{Ticket: a.id, Patron: patronLabel(a.patron), Since: fmtAt(a.created)})
			continue
		}
		l := loads[a.owner]
		if l == nil {
			l = &Load{Name: r.staffName(a.owner)}
			loads[a.owner] = l
		}
		switch {
		case a.status == StatusWaiting:
			l.Waiting++
		case r.overdue(a):
			l.Open++
			l.Overdue++
			late := meter.between(time.Unix(a.due.Int64, 0), r.now)
			s.Overdue = append(s.Overdue, OverdueLine{Ticket: a.id, Patron: patronLabel(a.patron), Owner: l.Name,
				Due: fmtAt(a.due.Int64), Late: late, LateText: lateWords(late)})
		default:
			l.Open++
		}
	}
	// Overdue by owner, the longest late first within each owner.
	sort.SliceStable(s.Overdue, func(i, j int) bool {
		a, b := s.Overdue[i], s.Overdue[j]
		if a.Owner != b.Owner {
			return a.Owner < b.Owner
		}
		return a.Late > b.Late
	})
	for _, l := range loads {
		s.Load = append(s.Load, *l)
	}
	sort.Slice(s.Load, func(i, j int) bool { return s.Load[i].Name < s.Load[j].Name })
	s.Days = r.days(team, answers)
	return s
}

// answer is one request's first answer.
type answer struct {
	team string
	at   time.Time
	wait time.Duration // open hours from arrival to the first answer
	kept bool
}

// firstAnswers are the first answers given in the chart's days.
func (r *work) firstAnswers(meter *openMeter) ([]answer, error) {
	start := r.chartStart()
	rows, err := r.tx.QueryContext(r.ctx, sqlDashboardFirstAnswers, unix(start), unix(r.now))
	if err != nil {
		return nil, fmt.Errorf("read first answers: %w", err)
	}
	defer rows.Close()
	var out []answer
	for rows.Next() {
		var a answer
		var created, first int64
		var due sql.NullInt64
		if err := rows.Scan(&a.team, &created, &first, &due); err != nil {
			return nil, err
		}
		a.at = time.Unix(first, 0)
		a.wait = meter.between(time.Unix(created, 0), a.at)
		a.kept = !due.Valid || first <= due.Int64
		out = append(out, a)
	}
	return out, rows.Err()
}

// chartStart is midnight, library time, ChartDays-1 days before today.
func (r *work) chartStart() time.Time {
	n := r.now.In(r.d.opts.Location)
	return time.Date(n.Year(), n.Month(), n.Day()-(ChartDays-1), 0, 0, 0, 0, n.Location())
}

// days sorts answers into the chart's days, today last.
func (r *work) days(team string, answers []answer) []DayFigure {
	start := r.chartStart()
	out := make([]DayFigure, ChartDays)
	waits := make([][]time.Duration, ChartDays)
	for i := range out {
		day := time.Date(start.Year(), start.Month(), start.Day()+i, 0, 0, 0, 0, start.Location())
		out[i] = DayFigure{Date: day, Day: day.Format("Mon 2 Jan")}
	}
	for _, a := range answers {
		if team != "" && a.team != team {
			continue
		}
		l := a.at.In(start.Location())
		i := int(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		if i < 0 || i >= ChartDays {
			continue
		}
		out[i].Answered++
		if a.kept {
			out[i].Kept++
		}
		waits[i] = append(waits[i], a.wait)
	}
	for i, ws := range waits {
		if len(ws) > 0 {
			slices.Sort(ws)
			out[i].Median = ws[(len(ws)-1)/2].Round(time.Minute)
		}
	}
	return out
}

// AnswerBars turns days into the summary's bars: only days with answers,
// each median as a share of a scale that holds both the longest median
// and the promise.
func AnswerBars(days []DayFigure, promise time.Duration) []templates.AnswerDay {
	scale := promise
	for _, d := range days {
		scale = max(scale, d.Median)
	}
	var out []templates.AnswerDay
	for _, d := range days {
		if d.Answered == 0 {
			continue
		}
		bar := 0
		if scale > 0 {
			bar = int(float64(d.Median) / float64(scale) * 100)
		}
		out = append(out, templates.AnswerDay{Day: d.Day, Answered: d.Answered, Kept: d.Kept,
			Median: hoursMinutes(d.Median), Bar: max(bar, 1), Late: promise > 0 && d.Median > promise})
	}
	return out
}

// HoursMinutes writes open time as the summary does: "3h 20m".
func HoursMinutes(d time.Duration) string { return hoursMinutes(d) }

// PromiseWords writes a promise as the summary does: "16 open hours".
func PromiseWords(d time.Duration) string { return openHours(d) }
