package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// cmdReport prints what happened since a date: the figures a director asks
// for, in open hours.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("report", "report [--since DATE] [--until DATE] [--json]", stderr)
	since := fs.String("since", "", "first day, like 2026-11-01 (default: 30 days ago)")
	until := fs.String("until", "", "the day after the last, like 2026-12-01 (default: tomorrow)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	loc := cfg.Location()
	now := clock.System{}.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today.AddDate(0, 0, -30), today.AddDate(0, 0, 1)
	for _, f := range []struct {
		flag, value string
		into        *time.Time
	}{{"--since", *since, &from}, {"--until", *until, &to}} {
		if f.value == "" {
			continue
		}
		if *f.into, err = time.ParseInLocation("2006-01-02", f.value, loc); err != nil {
			return usageErr("%s %q is not a date; write it like 2026-11-01", f.flag, f.value)
		}
	}
	if !to.After(from) {
		return usageErr("--until %s is not after --since %s: --until is the day after the last one counted", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return err
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.Report(ctx, from, to, cal)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	printReport(stdout, rep, loc)
	return nil
}

func printReport(w io.Writer, r *tickets.Report, loc *time.Location) {
	fmt.Fprintf(w, "From %s to %s (times are open hours)\n\n", r.From.In(loc).Format("Mon 2 Jan 2006"), r.To.In(loc).Add(-time.Second).Format("Mon 2 Jan 2006"))
	fmt.Fprintf(w, "Received   %d\nAnswered   %d\nSolved     %d\n\n", r.Received, r.Answered, r.Solved)
	fmt.Fprintf(w, "Time to a first answer: %s\n", spreadWords(r.FirstAnswer))
	fmt.Fprintf(w, "Time to a solution:     %s\n", spreadWords(r.Solution))
	if r.WithinPromise != nil {
		fmt.Fprintf(w, "Answered within the promise: %.0f%%\n", 100**r.WithinPromise)
	}
	fmt.Fprintf(w, "Reassignments per request:   %.2f\n", r.Reassignments)
	if r.SortedOnFollowup != nil {
		fmt.Fprintf(w, "Sorted on follow-up:         %.0f%% of %d follow-up emails\n", 100**r.SortedOnFollowup, r.FollowupsSent)
	}
	for _, part := range []struct {
		title    string
		groups   []tickets.Group
		received bool
	}{{"By team", r.ByTeam, true}, {"By owner (each request counted for the person who has it now)", r.ByOwner, true},
		{"By who wrote the answer or solved it", r.ByAnswerer, false}} {
		fmt.Fprintf(w, "\n%s\n", part.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if part.received {
			fmt.Fprintln(tw, "  \tRECEIVED\tANSWERED\tSOLVED")
		} else {
			fmt.Fprintln(tw, "  \tANSWERED\tSOLVED")
		}
		for _, g := range part.groups {
			if part.received {
				fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", g.Name, g.Received, g.Answered, g.Solved)
			} else {
				fmt.Fprintf(tw, "  %s\t%d\t%d\n", g.Name, g.Answered, g.Solved)
			}
		}
		tw.Flush()
	}
}

func spreadWords(s tickets.Spread) string {
	if s.Median == nil {
		return "none measured"
	}
	return fmt.Sprintf("median %.1f h, 90%% within %.1f h (%s)", *s.Median, *s.P90, plural(s.Count, "request", "requests"))
}

// plural is "1 request" or "3 requests".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
