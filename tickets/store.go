// Package tickets is the help desk's decisions and its memory, with no network
// of its own: tickets and their states, the store (SQLite or PostgreSQL) and
// its migrations, routing to owners, and the outbox that the sender drains.
package tickets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Store is the desk's database: an SQLite file, or PostgreSQL.
type Store struct {
	db    *DB
	hooks commitHooks // run after a transaction commits (logs)
}

// Open opens the database and applies any migrations it lacks. target is a
// file path (SQLite; the file is created readable by the owner only) or a
// PostgreSQL URL ("postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable").
func Open(ctx context.Context, target string) (*Store, error) {
	if IsPostgresURL(target) {
		return openPostgres(ctx, target)
	}
	return openSQLite(ctx, target)
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create database %s: %w", path, err)
		}
		f.Close()
	}
	// BEGIN IMMEDIATE: deferred transactions that upgrade to a write lock
	// fail at once with "database is locked" instead of waiting.
	dsn := "file:" + uriPath(path) + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: &DB{DB: db, engine: SQLite}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return s, nil
}

// uriPath escapes the characters that end or escape a path in an SQLite URI
// filename, so "/srv/desk #2/patrondesk.db" opens that file.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrationFiles lists the engine's migrations by version.
func migrationFiles(e Engine) (map[int]string, []int, error) {
	names, err := fs.Glob(migrations, "migrations/"+string(e)+"/*.sql")
	if err != nil {
		return nil, nil, err
	}
	files, versions := map[int]string{}, []int{}
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		files[version] = name
		versions = append(versions, version)
	}
	sort.Ints(versions)
	return files, versions, nil
}

func (s *Store) migrate(ctx context.Context) error {
	if err := s.tx(ctx, func(tx *Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, sqlCreateMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	files, versions, err := migrationFiles(s.db.engine)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if err := s.apply(ctx, v, files[v]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, version int, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := lockMigrations(ctx, tx); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, sqlMigrationApplied, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("apply migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, sqlRecordMigration, version); err != nil {
		return err
	}
	return tx.Commit()
}

// tx runs fn in one write transaction.
func (s *Store) tx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() { s.hooks.done(tx, committed) }()
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// SigningKey returns the key for signed Message-IDs, making it on first use.
func (s *Store) SigningKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.tx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, sqlSigningKey).Scan(&key)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		// Daemons starting together on one database: the first key wins,
		// and every daemon reads that one.
		if _, err = tx.ExecContext(ctx, sqlInsertSigningKey, key); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, sqlSigningKey).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return key, nil
}

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(n.Int64, 0).UTC()
	return &t
}

// lockMigrations makes daemons starting together on one PostgreSQL
// database change its schema one at a time (even CREATE TABLE IF NOT EXISTS
// fails when two run at once); the lock ends with the transaction, so
// connection poolers do not break it. SQLite's write lock does the same.
func lockMigrations(ctx context.Context, tx *Tx) error {
	if tx.db.engine != PostgreSQL {
		return nil
	}
	if _, err := tx.ExecContext(ctx, sqlLockMigrations); err != nil {
		return fmt.Errorf("wait for other daemons' migrations: %w", err)
	}
	return nil
}
