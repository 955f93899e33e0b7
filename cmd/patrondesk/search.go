package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"patrondesk/config"
	"patrondesk/tickets"
)

// ticketsSearch is `tickets search WORDS`: tickets whose subjects or
// messages hold every word (or a word starting with it), best first.
func ticketsSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("tickets search", "tickets search WORDS [--json] [--limit N]", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array of objects with id, status, subject, patron_name, owner, snippet, score")
	limit := fs.Int("limit", 20, "show at most this many tickets")
	words, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return usageErr("tickets search needs words to look for, such as: patrondesk tickets search lost card")
	}
	store, _, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer store.Close()
	hits, err := store.Search(ctx, strings.Join(words, " "), *limit)
	if err != nil {
		return usageErr("%v", err)
	}
	if *asJSON {
		return writeJSON(stdout, hits)
	}
	if len(hits) == 0 {
		fmt.Fprintf(stdout, "No ticket mentions %q.\n", strings.Join(words, " "))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tPATRON\tSUBJECT\tWHERE")
	for _, h := range hits {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", h.ID, h.Status, h.PatronName, h.Subject, h.Snippet)
	}
	return tw.Flush()
}

// staffAddress finds a staff member's address by address, full name or
// unique first name ("" stays ""), for options such as --owner.
func staffAddress(cfg *config.Config, who string) (string, error) {
	w := strings.ToLower(strings.TrimSpace(who))
	if w == "" {
		return "", nil
	}
	if s := tickets.FindStaff(staffOf(cfg), w); s != nil {
		return strings.ToLower(s.Email), nil
	}
	if strings.Contains(w, "@") {
		return w, nil
	}
	return "", usageErr("nobody on the staff list is called %q: give their name or email address as in the config", who)
}
