package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"patrondesk/tickets"
)

const spamUsage = `Usage: patrondesk spam list [--json]
       patrondesk spam show ID        who sent it, why it is spam, what it says
       patrondesk spam release ID     take it as a patron's request after all (they get the usual answer)

Mail the safety rules judge spam (the mail server's spam verdict, a flood of
near-identical mail from new senders, a sender staff marked with #spam) gets no
request number and no mail. It is kept here.`

func cmdSpam(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, spamUsage)
		if len(args) == 0 {
			return usageErr("spam needs one of: list, show, release")
		}
		return nil
	}
	verb := args[0]
	fs, cfgPath := flags("spam "+verb, "spam "+verb, stderr)
	asJSON := fs.Bool("json", false, "with list: print a JSON array")
	rest, err := parseAround(fs, args[1:])
	if err != nil {
		return err
	}
	id, err := messageNumber("spam", verb, rest, "show", "release")
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	a, err := wireExisting(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	err = spamDo(ctx, a, verb, id, *asJSON, stdout)
	if errors.Is(err, tickets.ErrNoSpam) {
		return fmt.Errorf("there is no message %d in the spam queue (see patrondesk spam list)", id)
	}
	return err
}

func spamDo(ctx context.Context, a *app, verb string, id int64, asJSON bool, stdout io.Writer) error {
	switch verb {
	case "list":
		list, err := a.store.ListSpam(ctx, 0)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(stdout, list)
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "Nothing in the spam queue.")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRECEIVED\tFROM\tSUBJECT\tWHY")
		for _, m := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", m.ID, m.ReceivedAt.Format("2006-01-02 15:04"), cut(m.From, 30), cut(m.Subject, 30), cut(m.Reason, 60))
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d message(s). See one with: patrondesk spam show ID\n", len(list))
		return nil
	case "release":
		m, _ := a.store.GetSpam(ctx, id) // for the sender, to say where the request is
		out, err := a.desk.ReleaseSpam(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Message %d left the spam queue: %s.\n", id, outcomeWords(out))
		if out == tickets.Created || out == tickets.Appended {
			fmt.Fprintln(stdout, "Any mail it causes goes out with the running daemon at once, or with the next run --once.")
			if m != nil && m.From != "" {
				fmt.Fprintf(stdout, "See it with: patrondesk tickets list --patron %s\n", m.From)
			}
		}
		return nil
	}
	m, err := a.store.GetSpam(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Spam message %d\nReceived: %s\nFrom:     %s\nSubject:  %s\nWhy:      %s\n", m.ID, m.ReceivedAt.Format(time.RFC3339), m.From, m.Subject, m.Reason)
	if m.Released {
		fmt.Fprintln(stdout, "Released: yes (it was taken as a request)")
	}
	fmt.Fprintf(stdout, "\n%s\n\nNext: patrondesk spam release %d, if it is a real request\n", m.Text, m.ID)
	return nil
}
