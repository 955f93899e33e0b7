package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// batch gathers rows of one table and writes them with one INSERT.
type batch struct {
	table string
	cols  []string
	kinds []byte   // per column: 'b' bytes, 't' text, 'i' a number
	later []string // columns filled in by finish (laterColumns)
	rows  [][]any
	bytes int
	fills [][]any // the later columns' values, then the row's id
}

// add converts one row to the target's types and writes the batch when it
// is full.
func (b *batch) add(ctx context.Context, dst *Tx, vals []any) error {
	for i, v := range vals {
		vals[i] = convert(v, b.kinds[i])
		switch x := vals[i].(type) {
		case []byte:
			b.bytes += len(x)
		case string:
			b.bytes += len(x)
		}
	}
	if len(b.later) > 0 {
		b.holdBack(vals)
	}
	b.rows = append(b.rows, vals)
	if len(b.rows) >= batchRows || b.bytes >= batchBytes {
		return b.flush(ctx, dst)
	}
	return nil
}

// holdBack empties the row's later columns, keeping their values and the
// row's id for finish.
func (b *batch) holdBack(vals []any) {
	fill, some := make([]any, 0, len(b.later)+1), false
	for _, c := range b.later {
		i := slices.Index(b.cols, c)
		fill = append(fill, vals[i])
		some = some || vals[i] != nil
		vals[i] = nil
	}
	if some {
		b.fills = append(b.fills, append(fill, vals[slices.Index(b.cols, "id")]))
	}
}

// convert turns a value into what the target column holds: SQLite may
// have kept text in a BLOB column or bytes in a TEXT one.
func convert(v any, kind byte) any {
	switch x := v.(type) {
	case string:
		if kind == 'b' {
			return []byte(x)
		}
	case []byte:
		if kind == 't' {
			return string(x)
		}
		return slices.Clone(x) // the driver may reuse the buffer
	}
	return v
}

func (b *batch) flush(ctx context.Context, dst *Tx) error {
	if len(b.rows) == 0 {
		return nil
	}
	quoted := make([]string, len(b.cols))
	for i, c := range b.cols {
		quoted[i] = `"` + c + `"`
	}
	marks, _ := placeholders(b.cols)
	one := "(" + marks + ")"
	var q strings.Builder
	q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(quoted, ", ") + ") VALUES ")
	args := make([]any, 0, len(b.rows)*len(b.cols))
	for i, r := range b.rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
		args = append(args, r...)
	}
	if _, err := dst.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("write %d row(s): %w", len(b.rows), err)
	}
	b.rows, b.bytes = b.rows[:0], 0
	return nil
}

// finish writes the last rows, then the columns that waited for them.
func (b *batch) finish(ctx context.Context, dst *Tx) error {
	if err := b.flush(ctx, dst); err != nil {
		return err
	}
	if len(b.fills) == 0 {
		return nil
	}
	set := make([]string, len(b.later))
	for i, c := range b.later {
		set[i] = `"` + c + `" = ?`
	}
	q := "UPDATE " + b.table + " SET " + strings.Join(set, ", ") + " WHERE id = ?"
	for _, f := range b.fills {
		if _, err := dst.ExecContext(ctx, q, f...); err != nil {
			return fmt.Errorf("link row %v: %w", f[len(f)-1], err)
		}
	}
	return nil
}
