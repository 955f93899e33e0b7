package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"patrondesk/config"
	"patrondesk/tickets"
)

// needPostgres is needDatabase for database.url: the PostgreSQL server
// answers and holds patrondesk's tables.
func needPostgres(cfg *config.Config) error {
	store, err := tickets.OpenReadOnly(context.Background(), cfg.DatabaseTarget())
	if errors.Is(err, tickets.ErrNoDatabase) {
		return usageErr("the PostgreSQL database %s has no patrondesk tables yet: check database.url in %s; for a new install run \"patrondesk init\" (it keeps your config and creates the tables), or move an SQLite database over with \"patrondesk migrate --to URL\"", cfg.DatabaseName(), cfg.Path)
	}
	if err != nil {
		return err
	}
	return store.Close()
}

// initPostgres is initDatabaseOnly for database.url: it creates the tables
// in the PostgreSQL database, which must be empty of them.
func initPostgres(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	if store, err := tickets.OpenReadOnly(ctx, cfg.DatabaseTarget()); err == nil {
		store.Close()
		return usageErr("%s and its database %s already exist; edit the file, or use --force to replace it with the example", cfg.Path, cfg.DatabaseName())
	} else if !errors.Is(err, tickets.ErrNoDatabase) {
		return err
	}
	store, err := tickets.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintf(stdout, "Kept %s as it is and created patrondesk's tables in %s.\nNext: run \"patrondesk check\".\n", cfg.Path, cfg.DatabaseName())
	return nil
}

// leaseLines says, for each watched mailbox, which daemon watches it now
// (its lease) or that none does, for `check` on a shared database.
func leaseLines(leases []tickets.Lease, boxes []watched, now time.Time) []string {
	held := map[string]tickets.Lease{}
	for _, l := range leases {
		held[l.Name] = l
	}
	var out []string
	for _, b := range boxes {
		l, ok := held[tickets.MailboxLease(b.name)]
		switch {
		case !ok || l.Holder == "":
			out = append(out, fmt.Sprintf("mailbox %s: no daemon watches it now (a running daemon takes it within a few seconds)", b.name))
		case l.ExpiresAt.Before(now):
			out = append(out, fmt.Sprintf("mailbox %s: no daemon watches it now (%s's lease ran out at %s)", b.name, l.Holder, l.ExpiresAt.Format(time.RFC3339)))
		default:
			out = append(out, fmt.Sprintf("mailbox %s: watched by the daemon %s (lease until %s)", b.name, l.Holder, l.ExpiresAt.Format(time.RFC3339)))
		}
	}
	return out
}
