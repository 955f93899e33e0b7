package tickets

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// maxThreadRefs is how many ids a notice's References keeps: the first
// notice and the latest ones, as RFC 5322 suggests for long threads.
const maxThreadRefs = 10

// staffThread is the In-Reply-To and References that make a notice to a
// staff member about one ticket follow the previous notice sent to them
// about it, so their mail client shows one conversation per ticket.
func (r *work) staffThread(ticket int64, to string) (string, string, error) {
	var prev, refs string
	err := r.tx.QueryRowContext(r.ctx, sqlLastMailTo, ticket, to).Scan(&prev, &refs)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("find the previous notice about ticket %d: %w", ticket, err)
	}
	ids := append(strings.Fields(refs), prev)
	if len(ids) > maxThreadRefs {
		ids = append(ids[:1], ids[len(ids)-maxThreadRefs+1:]...)
	}
	return prev, strings.Join(ids, " "), nil
}
