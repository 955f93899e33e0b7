package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// cmdHeld lists, releases or drops the acknowledgements held because more
// first-time senders wrote than policy.first_ack_limit allows (see README,
// Safety).
func cmdHeld(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("held", "held list [--json] | held release [ID...] | held drop [ID...]", stderr)
	asJSON := fs.Bool("json", false, "list as JSON")
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usageErr("held: say list, release or drop")
	}
	var ids []int64
	for _, a := range pos[1:] {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return usageErr("held %s: %q is not the number of a held mail (see \"patrondesk held list\")", pos[0], a)
		}
		ids = append(ids, id)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	now := clock.System{}.Now()
	switch pos[0] {
	case "list":
		held, err := store.HeldMail(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if held == nil {
				held = []tickets.Held{}
			}
			return json.NewEncoder(stdout).Encode(held)
		}
		if len(held) == 0 {
			fmt.Fprintln(stdout, "No acknowledgements are held.")
			return nil
		}
		for _, h := range held {
			fmt.Fprintf(stdout, "%-6d request %-6d %-32s %s\n", h.ID, h.Ticket, h.To, h.Created.In(cfg.Location()).Format("Mon 2 Jan 15:04"))
		}
		fmt.Fprintf(stdout, "%d held. Send them with \"patrondesk held release\", delete them with \"patrondesk held drop\" (or name IDs).\n", len(held))
	case "release":
		n, err := store.ReleaseHeld(ctx, now, ids...)
		if err != nil {
			return err
		}
		if n == 0 && len(ids) == 0 {
			fmt.Fprintln(stdout, "No acknowledgements are held; nothing was released.")
			return nil
		}
		fmt.Fprintf(stdout, "Released %d acknowledgement(s); the running daemon sends them within a minute (or run \"patrondesk run --once\").\n", n)
		return heldMissing("release", n, ids)
	case "drop":
		n, err := store.DropHeld(ctx, now, ids...)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Dropped %d acknowledgement(s); the requests stay.\n", n)
		return heldMissing("drop", n, ids)
	default:
		return usageErr("held: unknown action %q; say list, release or drop", pos[0])
	}
	return nil
}

// heldMissing is the error for IDs named that were not held mail (a typo, or
// already released or dropped), so a script sees the exit code.
func heldMissing(verb string, done int, ids []int64) error {
	if len(ids) == 0 || done == len(ids) {
		return nil
	}
	return fmt.Errorf("held %s: %d of the %d number(s) named are not held acknowledgements (already released or dropped, or a typo); see \"patrondesk held list\"", verb, len(ids)-done, len(ids))
}
