package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"patrondesk/tickets/calendar"
)

// Report is what happened in a period, in open hours. The supervisors'
// daily summary uses the same figures for yesterday.
type Report struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Received      int       `json:"received"` // tickets opened
	Answered      int       `json:"answered"` // tickets whose staff answer reached the patron (the SMTP server took it)
	Solved        int       `json:"solved"`
	FirstAnswer   Spread    `json:"time_to_first_answer"` // of tickets first answered in the period
	Solution      Spread    `json:"time_to_solution"`     // of tickets first solved in the period
	WithinPromise *float64  `json:"answered_within_promise"`
	// Reassignments is how often, on average, a ticket opened in the period
	// changed hands after its first owner.
	Reassignments float64 `json:"reassignments_per_ticket"`
	// Follow-up emails sent in the period, and the share of them the
	// patron answered "yes, it is sorted" (nil when none was sent).
	FollowupsSent    int      `json:"followups_sent"`
	SortedOnFollowup *float64 `json:"sorted_on_followup"`
	ByTeam           []Group  `json:"by_team"`
	// ByOwner counts each ticket for the person who has it now; ByAnswerer
	// counts answers and solutions for the person who wrote them.
	ByOwner    []Group `json:"by_owner"`
	ByAnswerer []Group `json:"by_answerer"`
}

// Spread is a median and 90th percentile in open hours; nil when nothing
// was measured.
type Spread struct {
	Count  int      `json:"count"`
	Median *float64 `json:"median_hours"`
	P90    *float64 `json:"p90_hours"`
}

// Group is one team's or one person's share.
type Group struct {
	Name     string `json:"name"`
	Received int    `json:"received"`
	Answered int    `json:"answered"`
	Solved   int    `json:"solved"`
}

// Report counts the period [from, to), measuring times with cal.
func (s *Store) Report(ctx context.Context, from, to time.Time, cal *calendar.Calendar) (*Report, error) {
	var rep *Report
	err := s.tx(ctx, func(tx *Tx) error {
		var err error
		rep, err = report(ctx, tx, from, to, cal)
		return err
	})
	return rep, err
}

func report(ctx context.Context, tx *Tx, from, to time.Time, cal *calendar.Calendar) (*Report, error) {
	r := &Report{From: from.UTC(), To: to.UTC(), ByTeam: []Group{}, ByOwner: []Group{}, ByAnswerer: []Group{}}
	a, b := unix(from), unix(to)
	teams, owners, answerers := map[string]*Group{}, map[string]*Group{}, map[string]*Group{}
	group := func(m map[string]*Group, name string) *Group {
		if name == "" {
			name = "(none)"
		}
		if m[name] == nil {
			m[name] = &Group{Name: name}
		}
		return m[name]
	}
	// Received, by team and by owner, and reassignments.
	rows, err := tx.QueryContext(ctx, sqlReportReceived, a, b)
	if err != nil {
		return nil, fmt.Errorf("report: tickets opened: %w", err)
	}
	moves := 0
	for rows.Next() {
		var team, owner string
		var assigned int
		if err := rows.Scan(&team, &owner, &assigned); err != nil {
			rows.Close()
			return nil, err
		}
		r.Received++
		group(teams, team).Received++
		group(owners, owner).Received++
		moves += max(assigned-1, 0)
	}
	rows.Close()
	if r.Received > 0 {
		r.Reassignments = float64(moves) / float64(r.Received)
	}
	// Answered and solved in the period, by the ticket's team, its owner and
	// who did it. An answer counts only when its mail to the patron was
	// taken by the SMTP server: an answer that the leak guard emptied, that
	// went nowhere or that the server refused is no answer.
	for _, c := range []struct {
		query string
		count *int
		field func(*Group) *int
	}{
		{sqlReportAnswered, &r.Answered, func(g *Group) *int { return &g.Answered }},
		{sqlReportSolved, &r.Solved, func(g *Group) *int { return &g.Solved }},
	} {
		rows, err := tx.QueryContext(ctx, c.query, a, b)
		if err != nil {
			return nil, fmt.Errorf("report: answered and solved: %w", err)
		}
		// A request counts once, for the first who answered or solved it
		// (rows come in order).
		seen := map[int64]bool{}
		for rows.Next() {
			var id int64
			var actor, team, owner string
			if err := rows.Scan(&id, &actor, &team, &owner); err != nil {
				rows.Close()
				return nil, err
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			*c.count++
			*c.field(group(teams, team))++
			*c.field(group(owners, owner))++
			*c.field(group(answerers, actor))++
		}
		rows.Close()
	}
	// Time to first answer, and the promise kept.
	var waits []time.Duration
	kept := 0
	rows, err = tx.QueryContext(ctx, sqlReportFirstAnswers, a, b)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c, f int64
		var due sql.NullInt64
		if err := rows.Scan(&c, &f, &due); err != nil {
			rows.Close()
			return nil, err
		}
		waits = append(waits, cal.OpenBetween(time.Unix(c, 0), time.Unix(f, 0)))
		if !due.Valid || f <= due.Int64 {
			kept++
		}
	}
	rows.Close()
	r.FirstAnswer = spread(waits)
	if len(waits) > 0 {
		share := float64(kept) / float64(len(waits))
		r.WithinPromise = &share
	}
	// Time to solution: tickets whose first "solved" falls in the period.
	var sols []time.Duration
	rows, err = tx.QueryContext(ctx, sqlReportSolutionTimes, a, b, a)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c, sv int64
		if err := rows.Scan(&c, &sv); err != nil {
			rows.Close()
			return nil, err
		}
		sols = append(sols, cal.OpenBetween(time.Unix(c, 0), time.Unix(sv, 0)))
	}
	rows.Close()
	r.Solution = spread(sols)
	r.ByTeam, r.ByOwner, r.ByAnswerer = groups(teams), groups(owners), groups(answerers)
	if err := followupFigures(ctx, tx, r, a, b); err != nil {
		return nil, err
	}
	return r, nil
}

// followupFigures counts the follow-up emails sent in [a, b) and how many of
// their tickets the patron then said were sorted.
func followupFigures(ctx context.Context, tx *Tx, r *Report, a, b int64) error {
	var sorted int
	err := tx.QueryRowContext(ctx, sqlReportFollowups, a, b).Scan(&r.FollowupsSent, &sorted)
	if err != nil {
		return fmt.Errorf("report: follow-ups: %w", err)
	}
	if r.FollowupsSent > 0 {
		share := float64(sorted) / float64(r.FollowupsSent)
		r.SortedOnFollowup = &share
	}
	return nil
}

func spread(ds []time.Duration) Spread {
	s := Spread{Count: len(ds)}
	if len(ds) == 0 {
		return s
	}
	slices.Sort(ds)
	hours := func(d time.Duration) *float64 { h := float64(d.Round(time.Minute)) / float64(time.Hour); return &h }
	s.Median = hours(ds[(len(ds)-1)/2])
	s.P90 = hours(ds[min(len(ds)-1, int(float64(len(ds))*0.9))])
	return s
}

func groups(m map[string]*Group) []Group {
	out := []Group{}
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
