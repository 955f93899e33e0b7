package main

import (
	"cmp"
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
)

const quarantineUsage = `Usage: patrondesk quarantine list [--all] [--json]
       patrondesk quarantine show ID        reason, size and headers
       patrondesk quarantine export ID      the message as it arrived (> msg.eml)
       patrondesk quarantine release ID     take it again (after an upgrade, say)
       patrondesk quarantine delete ID      drop it for good

Mail that patrondesk could not read is kept here with the reason, never lost.`

func cmdQuarantine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, quarantineUsage)
		if len(args) == 0 {
			return usageErr("quarantine needs one of: list, show, export, release, delete")
		}
		return nil
	}
	verb := args[0]
	fs, cfgPath := flags("quarantine "+verb, "quarantine "+verb, stderr)
	asJSON := fs.Bool("json", false, "with list: print a JSON array")
	all := fs.Bool("all", false, "with list: also the messages already released")
	rest, err := parseAround(fs, args[1:])
	if err != nil {
		return err
	}
	id, err := messageNumber("quarantine", verb, rest, "show", "export", "release", "delete")
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
	err = quarantineDo(ctx, a, verb, id, *asJSON, *all, stdout)
	if errors.Is(err, tickets.ErrNoQuarantined) {
		return fmt.Errorf("there is no message %d in quarantine (see patrondesk quarantine list --all)", id)
	}
	return err
}

func quarantineDo(ctx context.Context, a *app, verb string, id int64, asJSON, all bool, stdout io.Writer) error {
	switch verb {
	case "list":
		list, err := a.store.ListQuarantine(ctx, all)
		if err != nil {
			return err
		}
		return printQuarantine(stdout, list, asJSON)
	case "delete":
		if err := a.store.DeleteQuarantined(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Quarantined message %d is deleted.\n", id)
		return nil
	case "release":
		out, err := a.desk.Release(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Quarantined message %d was taken again: %s.\n", id, outcomeWords(out))
		if out == tickets.Quarantined {
			if list, err := a.store.ListQuarantine(ctx, false); err == nil && len(list) > 0 {
				newest := slices.MaxFunc(list, func(a, b *tickets.QuarantinedMail) int { return cmp.Compare(a.ID, b.ID) })
				fmt.Fprintf(stdout, "Its new number is %d: patrondesk quarantine show %d\n", newest.ID, newest.ID)
			}
		}
		if out != tickets.Quarantined && out != tickets.Duplicate {
			fmt.Fprintln(stdout, "Any mail it causes goes out with the running daemon at once, or with the next run --once.")
		}
		return nil
	}
	m, err := a.store.GetQuarantined(ctx, id)
	if err != nil {
		return err
	}
	if verb == "export" {
		_, err = stdout.Write(m.Raw)
		return err
	}
	fmt.Fprintf(stdout, "Quarantined message %d\nReceived: %s\nMailbox:  %s (uid %d)\nSize:     %d bytes\nReason:   %s\n",
		m.ID, m.ReceivedAt.Format(time.RFC3339), m.Mailbox, m.UID, m.Size, m.Reason)
	if m.ResolvedAt != nil {
		fmt.Fprintf(stdout, "Released: %s\n", m.ResolvedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "\n%s\n\nNext: patrondesk quarantine export %d > msg.eml, release %d, or delete %d\n", m.HeaderBlock(8<<10), m.ID, m.ID, m.ID)
	return nil
}

func printQuarantine(stdout io.Writer, list []*tickets.QuarantinedMail, asJSON bool) error {
	if asJSON {
		if list == nil {
			list = []*tickets.QuarantinedMail{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "Nothing in quarantine.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tSIZE\tFROM\tSUBJECT\tREASON\tRELEASED")
	for _, m := range list {
		released := "" // --all lists released ones too: say which
		if m.ResolvedAt != nil {
			released = m.ResolvedAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", m.ID, m.ReceivedAt.Format("2006-01-02 15:04"), m.Size, cut(m.From, 30), cut(m.Subject, 30), cut(m.Reason, 60), released)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d message(s). See one with: patrondesk quarantine show ID\n", len(list))
	return nil
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// outcomeWords says what taking a message did.
func outcomeWords(o tickets.Outcome) string {
	switch o {
	case tickets.Created:
		return "it is a new request now"
	case tickets.Appended:
		return "it was added to its request"
	case tickets.Duplicate:
		return "it was taken before, so nothing changed"
	case tickets.Automated:
		return "it is automated mail; it is kept and nobody is answered"
	case tickets.Old:
		return "it is older than intake.since; it is kept and nobody is answered"
	case tickets.Quarantined:
		return "it still cannot be read, so it is back in quarantine under a new number"
	case tickets.Spam:
		return "it is kept as spam; nobody is answered"
	}
	return string(o)
}

// messageNumber reads the number after a verb of a queue command
// (quarantine, spam): "list" takes none, the verbs named take one.
func messageNumber(cmd, verb string, rest []string, withID ...string) (int64, error) {
	if verb == "list" {
		return 0, nil
	}
	if !slices.Contains(withID, verb) {
		all := append([]string{"list"}, withID...)
		return 0, usageErr("%s has no %q; use %s or %s", cmd, verb, strings.Join(all[:len(all)-1], ", "), all[len(all)-1])
	}
	id, err := strconv.ParseInt(first(rest), 10, 64)
	if err != nil {
		return 0, usageErr("%s %s needs the message's number, such as: patrondesk %s %s 3 (see patrondesk %s list)", cmd, verb, cmd, verb, cmd)
	}
	return id, nil
}
