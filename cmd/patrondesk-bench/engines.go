package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, as "pgx"

	"patrondesk/tickets"
	"patrondesk/tickets/testdb"
)

// perEngine are the parts run on each engine, side by side; the others
// (the whole pass, scale, memory) measure the SQLite default.
var perEngine = map[string]bool{"ingest": true, "send": true, "latency": true}

// engines reads -engine: "sqlite", "postgres" or "both"; without it, both
// when a PostgreSQL URL is given (-postgres or $PATRONDESK_TEST_POSTGRES).
func engines(flagValue, pgURL string) ([]string, error) {
	if flagValue == "" {
		flagValue = "sqlite"
		if pgURL != "" {
			flagValue = "both"
		}
	}
	var out []string
	switch flagValue {
	case "sqlite":
		out = []string{"sqlite"}
	case "postgres":
		out = []string{"postgres"}
	case "both":
		out = []string{"sqlite", "postgres"}
	default:
		return nil, fmt.Errorf("-engine is sqlite, postgres or both, not %q", flagValue)
	}
	if len(out) > 1 || out[0] == "postgres" {
		if pgURL == "" {
			return nil, fmt.Errorf("-engine %s needs a PostgreSQL admin URL: -postgres URL or $PATRONDESK_TEST_POSTGRES (bash .ci/postgres start prints one)", flagValue)
		}
	}
	return out, nil
}

// target is the database a part works in on the current engine: a file
// in the bench folder, or a schema of its own in PostgreSQL.
func (b *bench) target(name string) string {
	if b.engine != "postgres" {
		return filepath.Join(b.dir, name)
	}
	return testdb.WithSearchPath(b.postgres, b.schema(name))
}

func (b *bench) schema(name string) string {
	return fmt.Sprintf("bench_%s_%d", strings.TrimSuffix(name, ".db"), os.Getpid())
}

// makeSchema creates the part's PostgreSQL schema (dropped by dropSchemas).
func (b *bench) makeSchema(ctx context.Context, name string) error {
	if b.engine != "postgres" {
		return nil
	}
	db, err := sql.Open("pgx", b.postgres)
	if err != nil {
		return err
	}
	defer db.Close()
	s := b.schema(name)
	if _, err := db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+s+" CASCADE; CREATE SCHEMA "+s); err != nil {
		return fmt.Errorf("make schema %s: %w", s, err)
	}
	b.schemas = append(b.schemas, s)
	return nil
}

func (b *bench) dropSchemas() {
	if len(b.schemas) == 0 {
		return
	}
	db, err := sql.Open("pgx", b.postgres)
	if err != nil {
		return
	}
	defer db.Close()
	for _, s := range b.schemas {
		db.Exec("DROP SCHEMA IF EXISTS " + s + " CASCADE")
	}
}

// openTarget opens a part's database with its engine's driver, for reading
// it directly.
func openTarget(target string) (*sql.DB, error) {
	if tickets.IsPostgresURL(target) {
		return sql.Open("pgx", target)
	}
	return sql.Open("sqlite3", "file:"+target)
}
