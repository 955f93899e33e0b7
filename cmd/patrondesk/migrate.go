package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"patrondesk/config"
	"patrondesk/tickets"
)

const migrateHelp = `Usage: patrondesk migrate --to postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable
       patrondesk migrate --from postgres://… --to FILE
       patrondesk migrate --from BACKUP-FILE --to postgres://…

Copies the whole desk - tickets, messages with their raw mail, attachments,
history, outbox, quarantine, settings (the signing key, so the replies and
desk links already sent keep working), mailbox positions and counters - from
the config's database into a new one, and checks the rows table by table.
Ticket numbers stay the same.

Before: stop every patrondesk daemon (mail taken during the copy would stay
behind), and create an empty PostgreSQL database and user for patrondesk.
After: put the URL under [database] as url = "…" and start the daemons.
The SQLite file is left as it was: it is the way back.

--from URL --to FILE is the way back: a PostgreSQL database into a new
SQLite file (then set database.path to the file and remove database.url).
--from FILE --to URL restores a file "patrondesk backup" wrote.

Options:
`

// cmdMigrate copies the desk's database to another engine.
func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("migrate", "migrate --to URL", stderr)
	to := fs.String("to", "", "the new database: a PostgreSQL URL, or (with --from) a new SQLite file")
	from := fs.String("from", "", "copy from this PostgreSQL URL or SQLite file instead of the config's database")
	fs.Usage = func() { fmt.Fprint(stderr, migrateHelp); fs.PrintDefaults() }
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *to == "" {
		return usageErr("migrate needs the new database: patrondesk migrate --to \"postgres://patrondesk:PASSWORD@db.example.org:5432/patrondesk?sslmode=disable\" (see patrondesk migrate --help)")
	}
	src, err := migrateSource(ctx, *cfgPath, *from)
	if err != nil {
		return err
	}
	defer src.store.Close()
	if src.target == *to {
		return usageErr("--to is the database patrondesk uses already; name a new one")
	}
	dst, err := openTarget(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "Copying %s to %s.\n", src.name, tickets.TargetName(*to))
	start := time.Now()
	counts, err := src.store.CopyTo(ctx, dst)
	if err != nil {
		return fmt.Errorf("copy: %w; the source is unchanged", err)
	}
	printCounts(stdout, counts, time.Since(start))
	printNextSteps(stdout, src, *to)
	return nil
}

// migrateFrom is the database being copied.
type migrateFrom struct {
	store  *tickets.Store
	target string // path or URL
	name   string // without a password
	cfg    *config.Config
}

// migrateSource opens the config's database (or --from), which must exist.
func migrateSource(ctx context.Context, cfgPath, from string) (*migrateFrom, error) {
	if from != "" {
		if err := mustHoldDesk(ctx, from); err != nil {
			return nil, err
		}
		s, err := tickets.Open(ctx, from)
		return &migrateFrom{store: s, target: from, name: tickets.TargetName(from)}, err
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	if err := daemonAnswers(cfg); err != nil {
		return nil, err
	}
	s, err := openExisting(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &migrateFrom{store: s, target: cfg.DatabaseTarget(), name: cfg.DatabaseName(), cfg: cfg}, nil
}

// daemonAnswers refuses to copy while a daemon with this config answers on
// its health listener: it would take mail the copy leaves behind.
func daemonAnswers(cfg *config.Config) error {
	if cfg.HTTP.Listen == "" {
		return nil
	}
	c, err := net.DialTimeout("tcp", cfg.HTTP.Listen, time.Second)
	if err != nil {
		return nil
	}
	c.Close()
	return usageErr("a patrondesk daemon answers at %s (http.listen): stop it first (systemctl stop patrondesk), then run migrate again", cfg.HTTP.Listen)
}

func mustHoldDesk(ctx context.Context, target string) error {
	s, err := tickets.OpenReadOnly(ctx, target)
	if errors.Is(err, tickets.ErrNoDatabase) {
		return usageErr("%s holds no patrondesk database: check --from", tickets.TargetName(target))
	}
	if err != nil {
		return err
	}
	return s.Close()
}

// openTarget creates the new database, which must hold no tickets: a
// PostgreSQL database (the schema is created), or a new SQLite file.
func openTarget(ctx context.Context, target string) (*tickets.Store, error) {
	if tickets.IsPostgresURL(target) {
		if s, err := tickets.OpenReadOnly(ctx, target); err == nil {
			h, err := s.Check(ctx)
			s.Close()
			if err != nil {
				return nil, err
			}
			if h.Tickets > 0 {
				return nil, usageErr("%s already holds tickets (up to #%d): migrate copies only into a new, empty database; create one, or drop the old one's tables if it was a trial", tickets.TargetName(target), h.Tickets)
			}
		} else if !errors.Is(err, tickets.ErrNoDatabase) {
			return nil, err
		}
	} else if _, err := os.Stat(target); err == nil {
		return nil, usageErr("%s already exists: migrate writes only a new file; name another", target)
	}
	return tickets.Open(ctx, target)
}

func printCounts(w io.Writer, counts []tickets.TableCount, took time.Duration) {
	fmt.Fprintf(w, "  %-20s %13s %8s\n", "table", "in the source", "copied")
	var total int64
	for _, c := range counts {
		fmt.Fprintf(w, "  %-20s %13d %8d\n", c.Table, c.Source, c.Copied)
		total += c.Copied
	}
	fmt.Fprintf(w, "All counts match: %d rows in %d tables, copied in %s.\n", total, len(counts), took.Round(time.Millisecond))
}

func printNextSteps(w io.Writer, src *migrateFrom, to string) {
	cfgFile := "the config file"
	if src.cfg != nil {
		cfgFile = src.cfg.Path
	}
	fmt.Fprintln(w, "\nNext steps:")
	if tickets.IsPostgresURL(to) {
		fmt.Fprintf(w, "  1. In %s, under [database], add the URL you gave (with its password):\n       url = %q\n", cfgFile, tickets.TargetName(to))
		fmt.Fprintln(w, "     database.path is then no longer used; keep the file as the way back.")
	} else {
		fmt.Fprintf(w, "  1. In %s, under [database], remove url and set:\n       path = %q\n", cfgFile, to)
	}
	fmt.Fprintln(w, "  2. Run \"patrondesk check\", then start the daemon(s): on PostgreSQL two or three, on different machines, may share the database.")
}
