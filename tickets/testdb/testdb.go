// Package testdb gives each test a database of its own on the engine the
// test run asks for, so every store test runs on both engines:
//
//	go test ./...                                   # SQLite files
//	PATRONDESK_TEST_ENGINE=postgres \
//	PATRONDESK_TEST_POSTGRES=postgres://…/postgres go test ./...   # PostgreSQL
//
// On PostgreSQL each test gets a schema of its own (fast to make and drop),
// named in the URL's search_path.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver
)

// Postgres is the admin URL of the PostgreSQL the tests may use, or "".
func Postgres() string { return os.Getenv("PATRONDESK_TEST_POSTGRES") }

// Engine is the engine this test run uses: "sqlite" or "postgres".
func Engine() string {
	if os.Getenv("PATRONDESK_TEST_ENGINE") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Target is a new, empty database for the test on the run's engine: a
// file in dir, or a PostgreSQL URL.
func Target(t testing.TB, dir string) string {
	t.Helper()
	if Engine() == "postgres" {
		return Schema(t)
	}
	return filepath.Join(dir, "desk.db")
}

var schemas atomic.Int64

// Schema makes a new PostgreSQL schema for the test, dropped when it ends,
// and returns the URL that works in it. Without PATRONDESK_TEST_POSTGRES
// the test is skipped, except in CI (CI=true), where it fails.
func Schema(t testing.TB) string {
	t.Helper()
	admin := Postgres()
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PATRONDESK_TEST_POSTGRES is not set: CI runs the PostgreSQL tests (bash .ci/postgres start prints the URL)")
		}
		t.Skip("no PostgreSQL: set PATRONDESK_TEST_POSTGRES (bash .ci/postgres start prints it)")
	}
	name := fmt.Sprintf("pdt_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemas.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		t.Fatalf("make a schema for the test in %s: %v", admin, err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		db.Close()
	})
	return WithSearchPath(admin, name)
}

// WithSearchPath is the URL with its search_path set to schema.
func WithSearchPath(admin, schema string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return strings.Replace(u.String(), "%2C", ",", -1)
}
