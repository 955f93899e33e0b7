//go:build e2e

package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patrondesk/tickets/testdb"
)

// The end-to-end suite runs on the engine the run asks for: SQLite files by
// default, PostgreSQL with PATRONDESK_TEST_ENGINE=postgres (each test its
// own schema in PATRONDESK_TEST_POSTGRES), as .ci/run does both.

// databaseSection is the [database] table a test's config starts with: ""
// for SQLite (the default file beside the config), or the test's own
// PostgreSQL schema. url is that schema's URL ("" on SQLite).
func databaseSection(t *testing.T) (section, url string) {
	if testdb.Engine() != "postgres" {
		return "", ""
	}
	url = testdb.Schema(t)
	return fmt.Sprintf("[database]\nurl = %q\nlease = \"5s\"\n\n", url), url
}

// openTestDatabase opens a test's database for reading what the daemon did:
// the PostgreSQL schema at url, or the SQLite file in dir.
func openTestDatabase(t *testing.T, dir, url string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+filepath.Join(dir, "patrondesk.db")+"?_busy_timeout=10000"
	if url != "" {
		driver, dsn = "pgx", url
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dbTarget is what dbRows reads: the test's URL or file.
func (e *e2e) dbTarget() string {
	if e.dbURL != "" {
		return e.dbURL
	}
	return filepath.Join(filepath.Dir(e.cfg), "patrondesk.db")
}

// onSQLite puts e back on the SQLite file beside its config, whatever the
// suite's engine: for a test of moving from SQLite to PostgreSQL.
func (e *e2e) onSQLite() {
	e.t.Helper()
	if e.dbSection == "" {
		return
	}
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(e.cfg, []byte(strings.Replace(string(b), e.dbSection, "", 1)), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.dbURL, e.dbSection = "", ""
}

// dbPath is the SQLite file of a test on SQLite.
func (e *e2e) dbPath() string { return filepath.Join(filepath.Dir(e.cfg), "patrondesk.db") }
