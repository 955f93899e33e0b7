package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"patrondesk/tickets"
)

// ticketsMerge is `tickets merge KEEP OTHER`: OTHER's messages and history
// move to KEEP, and replies to either land in KEEP from now on.
func ticketsMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("tickets merge", "tickets merge KEEP OTHER", stderr)
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	var ids []int64
	for _, p := range pos {
		id, err := strconv.ParseInt(strings.TrimPrefix(p, "#"), 10, 64)
		if err != nil {
			return usageErr("%q is not a ticket number; write: patrondesk tickets merge 12 15 (15 becomes part of 12)", p)
		}
		ids = append(ids, id)
	}
	if len(ids) != 2 {
		return usageErr("tickets merge needs two ticket numbers: the one to keep, then the one to merge into it")
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
	if d, err := a.store.Show(ctx, ids[1], a.clock.Now()); err == nil {
		if into := mergedInto(d); into == ids[0] {
			fmt.Fprintf(stdout, "Ticket %d is already part of ticket %d: nothing changed.\n", ids[1], ids[0])
			return nil
		} else if into != 0 {
			return usageErr("ticket %d was merged into ticket %d already; to make it part of %d, merge %d: patrondesk tickets merge %d %d", ids[1], into, ids[0], into, ids[0], into)
		}
	}
	err = a.desk.Merge(ctx, ids[0], ids[1])
	var bad *tickets.ErrCommand
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		return noTicket(ids[0])
	case errors.As(err, &bad):
		return usageErr("%s", bad.Error())
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Ticket %d is now part of ticket %d: its messages and history moved there, and replies to either land in %d. Nobody was mailed.\n", ids[1], ids[0], ids[0])
	return nil
}

// mergedInto is the ticket d was merged into, from its history, or 0. Asked
// twice, the desk follows the merge and answered "request 4 is this request".
func mergedInto(d *tickets.Detail) int64 {
	for _, e := range d.Events {
		var into int64
		if e.Action == "merged" {
			if _, err := fmt.Sscanf(e.Detail, "merged into request %d", &into); err == nil {
				return into
			}
		}
	}
	return 0
}
