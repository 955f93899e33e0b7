package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// migrate times `patrondesk migrate --to`: the copier moving a desk of
// b.moveTickets tickets (built as the scale test builds its database) from
// SQLite into a new PostgreSQL schema, counts checked.
func (b *bench) migrate(ctx context.Context) error {
	if b.postgres == "" {
		fmt.Fprintln(os.Stderr, "  skipped: no PostgreSQL (-postgres or $PATRONDESK_TEST_POSTGRES)")
		return nil
	}
	b.engine = "sqlite"
	src, _, err := b.newDesk(ctx, "move.db")
	if err != nil {
		return err
	}
	defer src.Close()
	clk := clock.System{}
	if _, _, err := generate(b.target("move.db"), b.moveTickets, clk.Now()); err != nil {
		return err
	}
	b.engine = "postgres"
	if err := b.makeSchema(ctx, "move.db"); err != nil {
		return err
	}
	dst, err := tickets.Open(ctx, b.target("move.db"))
	if err != nil {
		return err
	}
	defer dst.Close()
	start := clk.Now()
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		return err
	}
	took := clk.Now().Sub(start)
	var rows int64
	for _, c := range counts {
		rows += c.Copied
	}
	b.engine = "sqlite → postgres"
	b.add(row{what: fmt.Sprintf("migrate --to: %dk tickets, %d rows", b.moveTickets/1000, rows), floor: "-",
		patrondesk: fmt.Sprintf("%.1f s (%.0f rows/s)", took.Seconds(), float64(rows)/took.Seconds()), ratio: "-", target: "-"})
	fmt.Fprintf(os.Stderr, "  copied in %v\n", took.Round(time.Millisecond))
	return nil
}
