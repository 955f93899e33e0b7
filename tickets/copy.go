package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// copyTables are the desk's tables in the order a copy writes them: each
// after the tables it refers to. The search index is not among them: it
// comes with the messages (SQLite's triggers fill it; PostgreSQL's is an
// expression index).
var copyTables = []string{
	"settings", "tickets", "messages", "raw_parts", "events", "outbox",
	"blobs", "attachments", "outbox_attachments", "quarantine", "mailboxes",
	"scheduled", "away", "patrons", "counters", "blocked_senders",
}

// notCopied are tables a copy leaves behind: schema_migrations is made by
// the target's own migrations, and leases say which running daemon watches
// which mailbox (the daemons of the copy take their own).
var notCopied = []string{"schema_migrations", "leases"}

// laterColumns refer to rows of their own table that may come later (a
// ticket merged into a newer one): they are written empty with the row and
// filled in once all the table's rows are in.
var laterColumns = map[string][]string{"tickets": {"linked_ticket", "merged_into"}}

// TableCount is one table's rows in the source and in the copy.
type TableCount struct {
	Table          string
	Source, Copied int64
}

// Batches stay under both engines' limits on bound values and keep large
// raw mails from piling up in memory.
const (
	batchRows  = 200
	batchBytes = 4 << 20
)

// CopyTo copies every row of the desk's database into dst, which must be a
// new database with the same schema and no rows, on either engine. Ids are
// kept, so ticket numbers, reply tokens and desk links stay valid. The
// source is read in one consistent snapshot; the copy is written in one
// transaction and checked table by table before it is committed.
func (s *Store) CopyTo(ctx context.Context, dst *Store) ([]TableCount, error) {
	src, err := s.db.BeginTx(ctx, snapshot(s.db.engine))
	if err != nil {
		return nil, fmt.Errorf("read the source database: %w", err)
	}
	defer src.Rollback()
	if err := checkCopyable(ctx, src, s.db.engine); err != nil {
		return nil, err
	}
	var counts []TableCount
	err = dst.tx(ctx, func(tx *Tx) error {
		if err := sameMigrations(ctx, src, tx); err != nil {
			return err
		}
		if err := mustBeEmpty(ctx, tx); err != nil {
			return err
		}
		for _, table := range copyTables {
			c, err := copyTable(ctx, src, tx, table)
			if err != nil {
				return fmt.Errorf("copy table %s: %w", table, err)
			}
			counts = append(counts, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, dst.syncIDs(ctx)
}

// snapshot is how the source is read: PostgreSQL's repeatable read sees one
// moment however long the copy takes, while daemons go on writing; SQLite's
// one transaction does so by itself.
func snapshot(e Engine) *sql.TxOptions {
	if e == PostgreSQL {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return nil
}

// checkCopyable refuses a source with a table the copier does not know,
// so nothing is silently left behind.
func checkCopyable(ctx context.Context, src *Tx, e Engine) error {
	names, err := tableNames(ctx, src, e)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.Contains(notCopied, n) && !slices.Contains(copyTables, n) {
			return fmt.Errorf("the database has a table %q that this version of patrondesk cannot copy; nothing was copied (use the patrondesk version that made it)", n)
		}
	}
	return nil
}

// tableNames lists the engine's tables, without SQLite's own and the
// search index (whose rows come with the messages).
func tableNames(ctx context.Context, q *Tx, e Engine) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'message\_search%' ESCAPE '\'`
	if e == PostgreSQL {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names, rows.Err()
}

// sameMigrations makes sure both databases have the same schema.
func sameMigrations(ctx context.Context, src, dst *Tx) error {
	a, err := migrationsApplied(ctx, src)
	if err != nil {
		return err
	}
	b, err := migrationsApplied(ctx, dst)
	if err != nil {
		return err
	}
	if !slices.Equal(a, b) {
		return fmt.Errorf("the two databases are at different schema versions (%v and %v): open both with the same patrondesk version first", a, b)
	}
	return nil
}

func migrationsApplied(ctx context.Context, q *Tx) ([]int, error) {
	rows, err := q.QueryContext(ctx, sqlMigrationsApplied)
	if err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// mustBeEmpty refuses to copy over rows already there.
func mustBeEmpty(ctx context.Context, dst *Tx) error {
	for _, table := range copyTables {
		n, err := countRows(ctx, dst, table)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("the target database already holds %d row(s) in %s: copy only into a new, empty database", n, table)
		}
	}
	return nil
}

func countRows(ctx context.Context, q *Tx, table string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, sqlCountTable(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// copyTable copies one table's rows in batches and checks the counts.
func copyTable(ctx context.Context, src, dst *Tx, table string) (TableCount, error) {
	c := TableCount{Table: table}
	rows, err := src.QueryContext(ctx, sqlWholeTable(table))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return c, err
	}
	kinds, err := columnKinds(ctx, dst, table, cols)
	if err != nil {
		return c, err
	}
	b := &batch{table: table, cols: cols, kinds: kinds, later: laterColumns[table]}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return c, err
		}
		if err := b.add(ctx, dst, vals); err != nil {
			return c, err
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if err := b.finish(ctx, dst); err != nil {
		return c, err
	}
	return checkCount(ctx, src, dst, table)
}

func checkCount(ctx context.Context, src, dst *Tx, table string) (TableCount, error) {
	c := TableCount{Table: table}
	var err error
	if c.Source, err = countRows(ctx, src, table); err != nil {
		return c, err
	}
	if c.Copied, err = countRows(ctx, dst, table); err != nil {
		return c, err
	}
	if c.Source != c.Copied {
		return c, fmt.Errorf("%d rows in the source but %d in the copy; nothing was copied", c.Source, c.Copied)
	}
	return c, nil
}

// columnKinds reads what each column holds in the target ('b' bytes, 't'
// text, 'i' a number): SQLite keeps whatever it is given, so a value is
// turned into the target column's type before it is written.
func columnKinds(ctx context.Context, dst *Tx, table string, cols []string) ([]byte, error) {
	query := `SELECT name, type FROM pragma_table_info(?)`
	if dst.db.engine == PostgreSQL {
		query = `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`
	}
	rows, err := dst.QueryContext(ctx, query, table)
	if err != nil {
		return nil, fmt.Errorf("read the target's columns: %w", err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		types[name] = strings.ToLower(typ)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(types) != len(cols) {
		return nil, fmt.Errorf("the source has %d columns and the target %d: open both with the same patrondesk version first", len(cols), len(types))
	}
	kinds := make([]byte, len(cols))
	for i, col := range cols {
		switch typ, ok := types[col]; {
		case !ok:
			return nil, fmt.Errorf("the target has no column %s: open both with the same patrondesk version first", col)
		case typ == "blob" || typ == "bytea":
			kinds[i] = 'b'
		case typ == "text":
			kinds[i] = 't'
		default:
			kinds[i] = 'i'
		}
	}
	return kinds, nil
}
