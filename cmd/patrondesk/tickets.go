package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"patrondesk/config"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// actUsage is each action's synopsis; actCommand turns its words into the
// #command staff would write by email.
var actUsage = map[string]string{
	"assign":   "tickets assign N WHO",
	"take":     "tickets take N WHO",
	"close":    "tickets close N",
	"reopen":   "tickets reopen N",
	"note":     "tickets note N TEXT",
	"priority": "tickets priority N low|normal|urgent",
	"wait":     "tickets wait N UNTIL",
}

func actCommand(verb, words string) string {
	switch verb {
	case "close":
		return "#note\n#close"
	case "note":
		return "#note\n" + words // actWordsAreData made sure its first line is no command
	case "take":
		return "#assign " + words
	case "reopen":
		return "#reopen"
	}
	return "#" + verb + " " + words
}

// ticketsAct runs assign, take, close, reopen, note, priority and wait: the
// same actions staff take by email, as "admin", and says the new state.
func ticketsAct(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	usage := actUsage[verb]
	fs, cfgPath := flags("tickets "+verb, usage, stderr)
	rest, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	id, perr := strconv.ParseInt(strings.TrimPrefix(first(rest), "#"), 10, 64)
	if perr != nil {
		return usageErr("%s needs a ticket number, such as: patrondesk %s", verb, strings.Replace(usage, "N", "42", 1))
	}
	words := strings.TrimSpace(strings.Join(rest[1:], " "))
	if strings.Contains(usage, "N ") && words == "" {
		return usageErr("usage: patrondesk %s", usage)
	}
	if err := actWordsAreData(verb, words); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if verb == "take" && tickets.FindStaff(staffOf(cfg), words) == nil {
		return usageErr("%q is nobody on the staff list (or is the first name of two: give the full name or the address); take gives a ticket to a person (use assign for a team)", words)
	}
	if err := needDatabase(cfg); err != nil {
		return err
	}
	if verb == "wait" {
		if day, derr := time.ParseInLocation(time.DateOnly, words, cfg.Location()); derr == nil && !day.After(time.Now()) {
			return usageErr("%s is in the past; give a later date (2026-12-24) or a length of time (3d, 2 weeks)", words)
		}
	}
	a, err := wire(ctx, cfg, clock.System{}, newLogger(stderr, false), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	before, err := a.store.Show(ctx, id, a.clock.Now())
	if errors.Is(err, tickets.ErrNotFound) {
		return noTicket(id)
	} else if err != nil {
		return err
	}
	if msg := actNoChange(verb, before); msg != "" {
		fmt.Fprintln(stdout, msg)
		return nil
	}
	err = a.desk.Act(ctx, id, actCommand(verb, words))
	var bad *tickets.ErrCommand
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		return noTicket(id)
	case errors.As(err, &bad):
		return usageErr("%s", cliProblem(verb, bad))
	case err != nil:
		return err
	}
	d, err := a.store.Show(ctx, id, a.clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, actResult(verb, d, cfg))
	switch verb {
	case "assign", "take":
		fmt.Fprintln(stdout, "The new owner's notice goes out with the running daemon at once, or with the next run --once.")
	case "reopen":
		fmt.Fprintln(stdout, "The patron is told; the mail goes out with the running daemon at once, or with the next run --once.")
	}
	return nil
}

// actWordsAreData refuses words the desk would read as more #commands: the
// action is written for the desk as an email would be ("#priority low"), so
// "tickets priority 5 'low #close'" also closed the request, and a note whose
// first line began with # was read as commands instead of kept.
func actWordsAreData(verb, words string) error {
	if verb == "note" {
		for _, l := range strings.Split(words, "\n") {
			if l = strings.TrimLeft(l, "*_~ \t"); l != "" {
				if strings.HasPrefix(l, "#") {
					return usageErr("a note cannot begin with #: the desk would read it as a command. Put a word first, like: patrondesk tickets note N \"Phoned her; #close after she confirms\"")
				}
				return nil
			}
		}
		return nil
	}
	if strings.ContainsAny(words, "#\n") {
		return usageErr("%q holds a # or a line break; give only what %s takes: patrondesk %s", words, verb, actUsage[verb])
	}
	return nil
}

// cliProblem says what was wrong with a terminal action in the terminal's
// words: the parser's "Write it like this: #assign NAME" is how to write it by
// email, not here.
func cliProblem(verb string, bad *tickets.ErrCommand) string {
	var out []string
	for _, p := range bad.Problems {
		p = strings.TrimPrefix(strings.TrimPrefix(p, "#"+actCommandWord(verb)+": "), "#assign: ")
		if i := strings.Index(p, " Write it like this: "); i >= 0 {
			p = p[:i] + " Write it like this: patrondesk " + actUsage[verb]
			if verb == "wait" {
				p += " (48h, 3d, 2 weeks or 2026-12-24)"
			}
		}
		out = append(out, p)
	}
	return strings.Join(out, "; ")
}

// actCommandWord is the #command a terminal verb becomes.
func actCommandWord(verb string) string {
	if verb == "take" {
		return "assign"
	}
	return verb
}

// actNoChange is what to say, instead of acting, when verb would change
// nothing: reopening a request that is still open would mail the patron
// "reopened" a second time.
func actNoChange(verb string, d *tickets.Detail) string {
	if verb == "reopen" && tickets.Status(d.Status).Active() { // not solved or closed
		return fmt.Sprintf("Ticket %d is %s, not solved or closed: nothing changed, and the patron was not written to.", d.ID, d.Status)
	}
	return ""
}

// actResult says in words what a ticket is now, after verb.
func actResult(verb string, d *tickets.Detail, cfg *config.Config) string {
	loc := cfg.Location()
	owner := "nobody yet"
	if d.Owner != nil {
		owner = *d.Owner
		for _, s := range cfg.Staff {
			if strings.EqualFold(s.Email, *d.Owner) {
				owner = s.Name
			}
		}
	}
	due := ""
	if d.DueAt != nil && tickets.Status(d.Status).Owed() {
		due = "; an answer is due " + d.DueAt.In(loc).Format("Mon 2 Jan 15:04")
	}
	switch verb {
	case "assign", "take":
		if d.Owner == nil {
			return fmt.Sprintf("Ticket %d now belongs to team %s (nobody in it could take it yet)%s.", d.ID, d.Team, due)
		}
		return fmt.Sprintf("Ticket %d now belongs to %s%s.", d.ID, owner, due)
	case "close":
		return fmt.Sprintf("Ticket %d is %s; the patron was not written to.", d.ID, d.Status)
	case "reopen":
		return fmt.Sprintf("Ticket %d is %s again and belongs to %s%s.", d.ID, d.Status, owner, due)
	case "priority":
		return fmt.Sprintf("Ticket %d is now %s priority%s.", d.ID, d.Priority, due)
	case "wait":
		if d.SnoozedUntil != nil {
			return fmt.Sprintf("Ticket %d: no reminders until %s.", d.ID, d.SnoozedUntil.In(loc).Format("Mon 2 Jan 2006 15:04"))
		}
		return fmt.Sprintf("Ticket %d: reminders go on as before.", d.ID)
	}
	return fmt.Sprintf("Ticket %d: note added (%d history entries).", d.ID, len(d.Events))
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

const ticketsUsage = `Usage:
  patrondesk tickets list [--status S] [--patron ADDR] [--owner WHO] [--json]
  patrondesk tickets show N [--json]
  patrondesk tickets search WORDS [--json]   find tickets by words in subjects and messages
  patrondesk tickets assign N WHO     give ticket N to a person (name or address) or a team
  patrondesk tickets take N WHO       give ticket N to a person
  patrondesk tickets close N          mark ticket N solved, without writing to the patron
  patrondesk tickets reopen N         open a solved or closed ticket again (the patron is told)
  patrondesk tickets priority N P     low, normal or urgent
  patrondesk tickets wait N UNTIL     no reminders until then: 48h, 3d, 2 weeks or 2026-12-24
  patrondesk tickets note N TEXT      add a note for staff to ticket N
  patrondesk tickets merge KEEP OTHER make ticket OTHER part of ticket KEEP (nobody is mailed)
  patrondesk tickets attachment N NAME > FILE
                                      write out one file attached to ticket N's mail`

func cmdTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("tickets needs a subcommand\n%s", ticketsUsage)
	}
	switch args[0] {
	case "list":
		return ticketsList(ctx, args[1:], stdout, stderr)
	case "show":
		return ticketsShow(ctx, args[1:], stdout, stderr)
	case "search":
		return ticketsSearch(ctx, args[1:], stdout, stderr)
	case "merge":
		return ticketsMerge(ctx, args[1:], stdout, stderr)
	case "assign", "take", "close", "reopen", "note", "priority", "wait":
		return ticketsAct(ctx, args[0], args[1:], stdout, stderr)
	case "attachment":
		return ticketsAttachment(ctx, args[1:], stdout, stderr)
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
	store, err := openExisting(ctx, cfg)
	return store, cfg.Location(), err
}

// openExisting opens the database for an operator command. Only init and run
// create one: a command that made an empty database at a mistyped
// database.path would answer "(no tickets)" or write an empty backup as if
// all were well.
func openExisting(ctx context.Context, cfg *config.Config) (*tickets.Store, error) {
	if err := needDatabase(cfg); err != nil {
		return nil, err
	}
	return tickets.Open(ctx, cfg.DatabaseTarget())
}

// wireExisting wires patrondesk for a command that works on the database as
// it is: it must exist already (only init, run and deliver make one).
func wireExisting(ctx context.Context, cfg *config.Config, stderr io.Writer) (*app, error) {
	if err := needDatabase(cfg); err != nil {
		return nil, err
	}
	return wire(ctx, cfg, clock.System{}, newLogger(stderr, false), nil)
}

// needDatabase is the error for a database.path where there is no file.
func needDatabase(cfg *config.Config) error {
	if cfg.Database.URL != "" {
		return needPostgres(cfg)
	}
	path := cfg.Rel(cfg.Database.Path)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return usageErr("no database at %s: check database.path in %s; for a new install run \"patrondesk init\" (it keeps your config and creates the database)", path, cfg.Path)
	}
	return nil
}

func ticketsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("tickets list", "tickets list [--status S] [--patron ADDR] [--owner WHO] [--json]", stderr)
	status := fs.String("status", "active", "which tickets: "+strings.Join(tickets.Statuses, ", ")+" (active = not closed)")
	patron := fs.String("patron", "", "only this patron's tickets (their email address)")
	owner := fs.String("owner", "", "only the tickets of this staff member (name or address)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains(tickets.Statuses, *status) {
		return usageErr("--status must be one of %s", strings.Join(tickets.Statuses, ", "))
	}
	if *patron != "" && !strings.Contains(*patron, "@") {
		// A name matched no address and listed "(no tickets)", as if the
		// patron had never written.
		return usageErr("--patron takes the patron's whole email address, like ann@example.org; to find a patron by name: patrondesk tickets search %s", *patron)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	ownerEmail, err := staffAddress(cfg, *owner)
	if err != nil {
		return err
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	loc := cfg.Location()
	list, err := store.ListBy(ctx, tickets.Filter{Status: *status, Patron: *patron, Owner: ownerEmail}, clock.System{}.Now())
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
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(first(pos), "#"), 10, 64)
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
		return noTicket(id)
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
	if d.Unreachable != "" {
		fmt.Fprintf(w, "Email:   the patron cannot be reached by email (%s); phone them\n", d.Unreachable)
	}
	for _, m := range d.Thread {
		fmt.Fprintf(w, "\n--- %s, %s (%s) ---\n%s\n", m.From, m.ReceivedAt.In(loc).Format("Mon 2 Jan 15:04"), m.Kind, m.Text)
	}
	printAttachments(w, d)
	fmt.Fprintln(w, "\nHistory:")
	// Columns as wide as their longest entry: "acknowledged a new sender" ran
	// into the actor in a fixed-width column.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range d.Events {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.At.In(loc).Format("2006-01-02 15:04"), e.Action, e.Actor, e.Detail)
	}
	tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// noTicket is the error for a ticket number that is not there, with where to
// find the numbers that are.
func noTicket(id int64) error {
	return fmt.Errorf("there is no ticket %d; see the numbers with: patrondesk tickets list --status all", id)
}
