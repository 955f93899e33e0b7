package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// OpenCopy copies the database at path (a file or a PostgreSQL URL) into
// a new SQLite file in a private folder and opens the copy, for a drill:
// the original is read in one read-only transaction and nothing is written
// to it (not even a migration). Where there is no database yet the copy
// starts empty, and fresh says so. done closes the copy and removes it.
func OpenCopy(ctx context.Context, path string) (copy *Store, fresh bool, done func(), err error) {
	if IsPostgresURL(path) {
		return openPostgresCopy(ctx, path)
	}
	if _, err := os.Stat(path); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil, fmt.Errorf("database %s: %w", path, err)
		}
		fresh = true
	}
	dir, err := os.MkdirTemp("", "patrondesk-drill-") // 0700: the copy holds patron mail
	if err != nil {
		return nil, false, nil, fmt.Errorf("make a folder for the drill's copy: %w", err)
	}
	dst := filepath.Join(dir, "drill.db")
	if !fresh {
		if err := copyReadOnly(ctx, path, dst); err != nil {
			os.RemoveAll(dir)
			return nil, false, nil, err
		}
	}
	s, err := Open(ctx, dst)
	if err != nil {
		os.RemoveAll(dir)
		return nil, false, nil, err
	}
	return s, fresh, func() { s.Close(); os.RemoveAll(dir) }, nil
}

// openPostgresCopy is OpenCopy for PostgreSQL: the copier writes one
// moment of the database into the private SQLite file, while the daemons
// go on working.
func openPostgresCopy(ctx context.Context, target string) (*Store, bool, func(), error) {
	src, err := OpenReadOnly(ctx, target)
	fresh := errors.Is(err, ErrNoDatabase)
	if err != nil && !fresh {
		return nil, false, nil, err
	}
	dir, err := os.MkdirTemp("", "patrondesk-drill-") // 0700: the copy holds patron mail
	if err != nil {
		if src != nil {
			src.Close()
		}
		return nil, false, nil, fmt.Errorf("make a folder for the drill's copy: %w", err)
	}
	s, err := Open(ctx, filepath.Join(dir, "drill.db"))
	if err == nil && !fresh {
		_, err = src.CopyTo(ctx, s)
		src.Close()
		if err != nil {
			s.Close()
			err = fmt.Errorf("copy %s for the drill: %w", redactURL(target), err)
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, false, nil, err
	}
	return s, fresh, func() { s.Close(); os.RemoveAll(dir) }, nil
}

// copyReadOnly copies src to dst with SQLite's online backup, opening src
// read-only so a running daemon is not disturbed and nothing in it changes.
func copyReadOnly(ctx context.Context, src, dst string) error {
	sdb, err := sql.Open("sqlite3", "file:"+uriPath(src)+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer sdb.Close()
	ddb, err := sql.Open("sqlite3", "file:"+uriPath(dst))
	if err != nil {
		return err
	}
	defer ddb.Close()
	sconn, err := sdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open database %s read-only: %w", src, err)
	}
	defer sconn.Close()
	dconn, err := ddb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open the drill's copy: %w", err)
	}
	defer dconn.Close()
	return dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			bk, err := d.(*sqlite3.SQLiteConn).Backup("main", s.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return fmt.Errorf("copy database %s: %w", src, err)
			}
			if _, err := bk.Step(-1); err != nil {
				bk.Finish()
				return fmt.Errorf("copy database %s: %w", src, err)
			}
			return bk.Finish()
		})
	})
}

// QueuedMail is one mail waiting in the outbox, as a drill shows it.
type QueuedMail struct {
	ID, Ticket int64
	Kind       string // the template
	To         string
	Subject    string
	At         time.Time // when it is due to go
}

// Queued lists the mail waiting to be sent, oldest first.
func (s *Store) Queued(ctx context.Context) ([]QueuedMail, error) {
	q, err := s.db.QueryContext(ctx, sqlQueuedMail)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer q.Close()
	var out []QueuedMail
	for q.Next() {
		var m QueuedMail
		var at int64
		if err := q.Scan(&m.ID, &m.Ticket, &m.Kind, &m.To, &m.Subject, &at); err != nil {
			return nil, err
		}
		m.At = time.Unix(at, 0).UTC()
		out = append(out, m)
	}
	return out, q.Err()
}

// ErrNoDatabase is OpenReadOnly's answer when there is no file at the path.
var ErrNoDatabase = errors.New("no database")

// OpenReadOnly opens an existing database without creating it, migrating it
// or writing to it: for `check`, which must change nothing.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if IsPostgresURL(path) {
		return openPostgresReadOnly(ctx, path)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", "file:"+uriPath(path)+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	return &Store{db: &DB{DB: db, engine: SQLite}}, nil
}

// LatestMigration is the schema version this build brings a database to.
func LatestMigration() int {
	_, versions, _ := migrationFiles(SQLite)
	if len(versions) == 0 {
		return 0
	}
	return versions[len(versions)-1]
}
