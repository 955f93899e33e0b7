package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/mattn/go-sqlite3"
)

// Backup copies the live database to path, an SQLite file, so the daemon
// keeps running: with SQLite's online backup, or from PostgreSQL with the
// copier (one consistent moment; the file is restored with migrate). The
// copy is created readable by its owner only; an existing file is never
// overwritten.
func (s *Store) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; give a new file name", path)
		}
		return fmt.Errorf("create backup %s: %w", path, err)
	}
	f.Close()
	if s.db.engine == PostgreSQL {
		return s.backupToFile(ctx, path)
	}
	dst, err := sql.Open("sqlite3", "file:"+uriPath(path))
	if err != nil {
		return err
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open backup %s: %w", path, err)
	}
	defer dconn.Close()
	sconn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer sconn.Close()
	return dconn.Raw(func(d any) error {
		return sconn.Raw(func(src any) error {
			bk, err := d.(*sqlite3.SQLiteConn).Backup("main", src.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return fmt.Errorf("start backup: %w", err)
			}
			if _, err := bk.Step(-1); err != nil {
				bk.Finish()
				return fmt.Errorf("copy database: %w", err)
			}
			return bk.Finish()
		})
	})
}

func (s *Store) backupToFile(ctx context.Context, path string) error {
	dst, err := Open(ctx, path)
	if err == nil {
		_, err = s.CopyTo(ctx, dst)
		dst.Close()
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("back up into %s: %w", path, err)
	}
	return nil
}

// Health is what `patrondesk check` says of the database.
type Health struct {
	Integrity string // "ok", or SQLite's first complaint
	Migration int    // the newest migration applied
	Tickets   int64
}

// Check runs SQLite's quick integrity check (PostgreSQL checks its own
// pages) and reads the schema version.
func (s *Store) Check(ctx context.Context) (Health, error) {
	h := Health{Integrity: "ok"}
	if s.db.engine == SQLite {
		if err := s.db.QueryRowContext(ctx, sqlQuickCheck).Scan(&h.Integrity); err != nil {
			return h, fmt.Errorf("integrity check: %w", err)
		}
	}
	if err := s.db.QueryRowContext(ctx, sqlSchemaVersion).Scan(&h.Migration); err != nil {
		return h, err
	}
	err := s.db.QueryRowContext(ctx, sqlHighestTicket).Scan(&h.Tickets)
	return h, err
}
