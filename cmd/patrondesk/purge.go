package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"patrondesk/tickets/clock"
)

// cmdPurge anonymises closed requests older than policy.retention, as the
// daemon does once a day; --dry-run only lists them.
func cmdPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("purge", "purge [--dry-run]", stderr)
	dry := fs.Bool("dry-run", false, "list what would be anonymised, change nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	keep := cfg.Policy.Retention.Duration
	if keep <= 0 {
		fmt.Fprintln(stdout, "policy.retention is 0: patrondesk keeps everything, so there is nothing to purge.")
		return nil
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	now := clock.System{}.Now()
	cutoff := now.Add(-keep)
	out, err := store.Purge(ctx, cutoff, now, *dry)
	if err != nil {
		return err
	}
	verb := "Anonymised"
	if *dry {
		verb = "Would anonymise"
	}
	fmt.Fprintf(stdout, "%s %d closed request(s) closed before %s (policy.retention = %s).\n", verb, len(out),
		cutoff.In(cfg.Location()).Format("Mon 2 Jan 2006 15:04"), inDays(cfg.Policy.Retention.Duration))
	var ids []string
	for _, p := range out {
		ids = append(ids, fmt.Sprintf("#%d (closed %s)", p.ID, p.ClosedAt.In(cfg.Location()).Format("2 Jan 2006")))
	}
	if len(ids) > 0 {
		fmt.Fprintln(stdout, "  "+strings.Join(ids, "\n  "))
	}
	return nil
}

// inDays writes a whole number of days as the config does ("365d"), not as
// Go does ("8760h0m0s").
func inDays(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
