package tickets

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Engine names the database behind a Store. SQLite (one file) is the
// default; PostgreSQL is for several daemons sharing one database.
type Engine string

const (
	SQLite     Engine = "sqlite"
	PostgreSQL Engine = "postgres"
)

// IsPostgresURL reports whether a database target is a PostgreSQL URL
// ("postgres://…" or "postgresql://…") rather than a file path.
func IsPostgresURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// DB is the connection pool in the engine's dialect. The desk's SQL is
// written once, with ? placeholders and the SQL both engines share; DB
// numbers the placeholders ($1, $2, …) for PostgreSQL.
type DB struct {
	*sql.DB
	engine Engine
	bound  sync.Map // query → its PostgreSQL form
}

// Tx is one transaction in the engine's dialect.
type Tx struct {
	*sql.Tx
	db *DB
}

// args are the query's arguments in the engine's types: SQLite keeps a
// bool as 1 or 0, and so do the desk's PostgreSQL columns. PostgreSQL text
// holds no NUL and only valid UTF-8 (SQLite holds anything): text from
// broken mail is mended rather than refused, so the mail is not lost (its
// raw bytes are kept as they came).
func (d *DB) args(args []any) []any {
	if d.engine != PostgreSQL {
		return args
	}
	for i, a := range args {
		switch v := a.(type) {
		case bool:
			args[i] = 0
			if v {
				args[i] = 1
			}
		case string:
			args[i] = pgText(v)
		case *string:
			if v != nil {
				args[i] = pgText(*v)
			}
		}
	}
	return args
}

func pgText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

func (d *DB) bind(q string) string {
	if d.engine != PostgreSQL || !strings.Contains(q, "?") {
		return q
	}
	if b, ok := d.bound.Load(q); ok {
		return b.(string)
	}
	b := numberPlaceholders(q)
	d.bound.Store(q, b)
	return b
}

// numberPlaceholders turns each ? outside quotes and comments into $1, $2, … and each
// ?NNN (SQLite's numbered parameter) into $NNN.
func numberPlaceholders(q string) string {
	var b strings.Builder
	n, quote := 0, byte(0)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			quote = '\n' // a comment, to the end of the line
		case c == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			b.WriteByte('$') // ?NNN, a numbered parameter: $NNN
			continue
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (d *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.bind(q), d.args(args)...)
}

func (d *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.bind(q), d.args(args)...)
}

func (d *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.bind(q), d.args(args)...)
}

// BeginTx starts a transaction in the same dialect.
func (d *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, db: d}, nil
}

func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.db.bind(q), t.db.args(args)...)
}

func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.db.bind(q), t.db.args(args)...)
}

func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.db.bind(q), t.db.args(args)...)
}

// placeholders is "?, ?, ?", one for each value, and the values as
// arguments: for an IN (…) list.
func placeholders[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "), args
}

// Engine says which database the store is on.
func (s *Store) Engine() Engine { return s.db.engine }

// Exec, Query and QueryRow are the same without a context (tests use them).
func (d *DB) Exec(q string, args ...any) (sql.Result, error) {
	return d.ExecContext(context.Background(), q, args...)
}

func (d *DB) Query(q string, args ...any) (*sql.Rows, error) {
	return d.QueryContext(context.Background(), q, args...)
}

func (d *DB) QueryRow(q string, args ...any) *sql.Row {
	return d.QueryRowContext(context.Background(), q, args...)
}
