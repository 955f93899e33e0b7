package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, as "pgx"
)

// openPostgres opens the PostgreSQL database at the URL and brings its
// schema up to date (several daemons may do so at once: see apply).
func openPostgres(ctx context.Context, target string) (*Store, error) {
	db, err := sql.Open("pgx", withLockTimeout(target))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(target), err)
	}
	// A daemon needs a few connections at once (each mailbox, the sender,
	// the scheduler, the web page); three daemons stay far below the
	// server's usual 100.
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(5)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database %s: %w", redactURL(target), err)
	}
	if err := mustBeUTF8(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", redactURL(target), err)
	}
	s := &Store{db: &DB{DB: db, engine: PostgreSQL}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", redactURL(target), err)
	}
	return s, nil
}

// withLockTimeout gives statements that wait for a lock (another process
// holding a table, a long transaction) 10 s before they fail, as SQLite's
// busy timeout does, so a stuck lock is logged and retried rather than
// waited on for ever. A lock_timeout in the URL wins.
func withLockTimeout(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	if q.Get("lock_timeout") == "" {
		q.Set("lock_timeout", "10s")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactURL hides the password of a database URL, for messages and logs.
func redactURL(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	return u.Redacted()
}

// TargetName is a database target as messages may show it: a file's path
// as it is, a PostgreSQL URL without its password.
func TargetName(target string) string {
	if !IsPostgresURL(target) {
		return target
	}
	return redactURL(target)
}

// idTables are the tables whose rows are numbered by the database.
var idTables = []string{"tickets", "messages", "events", "outbox", "quarantine", "attachments"}

// syncIDs moves PostgreSQL's id sequences past ids written explicitly (a
// copy from SQLite keeps its numbers), so the next ticket is numbered one
// more than the highest, as on SQLite.
func (s *Store) syncIDs(ctx context.Context) error {
	if s.db.engine != PostgreSQL {
		return nil
	}
	for _, t := range idTables {
		q := `SELECT setval(pg_get_serial_sequence('` + t + `', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ` + t
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("number %s: %w", t, err)
		}
	}
	return nil
}

// openPostgresReadOnly opens the PostgreSQL database without migrating it,
// for `check` and operator commands: ErrNoDatabase when it holds no
// patrondesk tables.
func openPostgresReadOnly(ctx context.Context, target string) (*Store, error) {
	db, err := sql.Open("pgx", target)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(target), err)
	}
	var n int
	err = db.QueryRowContext(ctx, sqlHasSchema).Scan(&n)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database %s: %w", redactURL(target), err)
	}
	if n == 0 {
		db.Close()
		return nil, fmt.Errorf("%w in %s", ErrNoDatabase, redactURL(target))
	}
	return &Store{db: &DB{DB: db, engine: PostgreSQL}}, nil
}

// mustBeUTF8 refuses a database whose encoding is not UTF8. SQL_ASCII (what
// initdb makes when no locale is set) takes any bytes and folds only A to
// Z, so search misses accented words; LATIN1 and the like cannot hold every
// name and subject, so a mail in Cyrillic could never be saved.
func mustBeUTF8(ctx context.Context, db *sql.DB) error {
	var enc string
	if err := db.QueryRowContext(ctx, sqlServerEncoding).Scan(&enc); err != nil {
		return fmt.Errorf("read the database's encoding: %w", err)
	}
	if enc != "UTF8" {
		return fmt.Errorf("the database's encoding is %s; patrondesk needs UTF8: make the database with CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0", enc)
	}
	return nil
}
