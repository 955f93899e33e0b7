package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

const ticketsUsage = `Usage:
  patrondesk tickets list [--status S] [--json]
  patrondesk tickets show N [--json]`

func cmdTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("tickets needs a subcommand\n%s", ticketsUsage)
	}
	switch args[0] {
	case "list":
		return ticketsList(ctx, args[1:], stdout, stderr)
	case "show":
		return ticketsShow(ctx, args[1:], stdout, stderr)
	case "-h", "--help":
		fmt.Fprintln(stdout, ticketsUsage)
		return nil
	}
	return usageErr("unknown tickets subcommand %q\n%s", args[0], ticketsUsage)
}

func openStore(ctx context.Context, cfgPath string) (*tickets.Store, *time.Location, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	store, err := tickets.Open(ctx, cfg.Rel(cfg.Database.Path))
	return store, cfg.Location(), err
}

func ticketsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("tickets list", "tickets list [--status S] [--json]", stderr)
	status := fs.String("status", "active", "which tickets: "+strings.Join(tickets.Statuses, ", ")+" (active = not closed)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains(tickets.Statuses, *status) {
		return usageErr("--status must be one of %s", strings.Join(tickets.Statuses, ", "))
	}
	store, loc, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.List(ctx, *status, clock.System{}.Now())
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, list)
	}
	printTable(stdout, list, loc)
	return nil
}

// printTable shows tickets with times in the library's time zone.
func printTable(w io.Writer, list []tickets.View, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tOWNER\tDUE\tPATRON\tSUBJECT")
	for _, v := range list {
		owner, due := "-", "-"
		if v.Owner != nil {
			owner = *v.Owner
		}
		if v.DueAt != nil {
			due = v.DueAt.In(loc).Format("Mon 2 Jan 15:04")
			if v.Overdue {
				due += " (late)"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Status, owner, due, v.PatronName, v.Subject)
	}
	tw.Flush()
	if len(list) == 0 {
		fmt.Fprintln(w, "(no tickets)")
	}
}

func ticketsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("tickets show", "tickets show N [--json]", stderr)
	asJSON := fs.Bool("json", false, "print a JSON object")
	// Accept the number before or after the options.
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if idArg == "" && fs.NArg() > 0 {
		idArg = fs.Arg(0)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(idArg, "#"), 10, 64)
	if err != nil {
		return usageErr("tickets show needs a ticket number, such as: patrondesk tickets show 42")
	}
	store, loc, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer store.Close()
	d, err := store.Show(ctx, id, clock.System{}.Now())
	if errors.Is(err, tickets.ErrNotFound) {
		return fmt.Errorf("there is no ticket %d", id)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, d)
	}
	printDetail(stdout, d, loc)
	return nil
}

func printDetail(w io.Writer, d *tickets.Detail, loc *time.Location) {
	owner := "nobody yet"
	if d.Owner != nil {
		owner = *d.Owner
	}
	fmt.Fprintf(w, "Ticket %d: %s\nStatus:  %s\nPatron:  %s <%s>\nOwner:   %s (team %s)\nCreated: %s\n",
		d.ID, d.Subject, d.Status, d.PatronName, d.Patron, owner, d.Team, d.CreatedAt.In(loc).Format(time.RFC1123))
	if d.DueAt != nil {
		fmt.Fprintf(w, "Due:     %s\n", d.DueAt.In(loc).Format(time.RFC1123))
	}
	for _, m := range d.Thread {
		fmt.Fprintf(w, "\n--- %s, %s (%s) ---\n%s\n", m.From, m.ReceivedAt.In(loc).Format("Mon 2 Jan 15:04"), m.Kind, m.Text)
	}
	fmt.Fprintln(w, "\nHistory:")
	for _, e := range d.Events {
		fmt.Fprintf(w, "  %s  %-20s %s %s\n", e.At.In(loc).Format("2006-01-02 15:04"), e.Action, e.Actor, e.Detail)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
