package tickets

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Hit is one ticket found by Search. The field names are a contract with
// outside scripts (`tickets search --json`).
type Hit struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Subject    string `json:"subject"`
	PatronName string `json:"patron_name"`
	Owner      string `json:"owner"`
	// Snippet is the best matching words in context, the matches in [brackets].
	Snippet string    `json:"snippet"`
	Score   int       `json:"score"`
	Updated time.Time `json:"updated_at"`
}

// searchTerms turns what a person typed into an FTS4 query that cannot be
// malformed: words of letters and digits only, each a prefix, all required.
// "renew card!" becomes `renew* card*`.
func searchTerms(words string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(words), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		terms = append(terms, w+"*")
	}
	return strings.Join(terms, " ")
}

// subjectWeight makes a word in a subject count more than one in a body.
const subjectWeight = 3

// Search finds tickets by the words in their subjects and messages, best
// first: a ticket's score is its matches, subject matches counted triple,
// ties going to the most recently updated. limit 0 means 50.
func (s *Store) Search(ctx context.Context, words string, limit int) ([]Hit, error) {
	q := searchTerms(words)
	if q == "" {
		return nil, fmt.Errorf("search needs at least one word of letters or digits")
	}
	if limit <= 0 {
		limit = 50
	}
	if s.db.engine == PostgreSQL {
		return s.searchPostgres(ctx, q, limit)
	}
	rows, err := s.db.QueryContext(ctx, sqlSearchSQLite, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	best := map[int64]*Hit{}
	for rows.Next() {
		var row Hit
		var offsets, snippet string
		var updated int64
		if err := rows.Scan(&row.ID, &offsets, &snippet, &row.Status, &row.Subject, &row.PatronName, &row.Owner, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		score := offsetScore(offsets)
		h := best[row.ID]
		if h == nil {
			row.Updated = time.Unix(updated, 0).UTC()
			h = &row
			best[row.ID] = h
		}
		if score > 0 && (h.Snippet == "" || score > h.Score) {
			h.Snippet = oneLine(snippet)
		}
		h.Score += score
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return bestHits(best, limit), nil
}

// bestHits orders the tickets found, best first, and keeps limit of them.
func bestHits(best map[int64]*Hit, limit int) []Hit {
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, *h)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Updated.After(hits[j].Updated)
	})
	return hits[:min(len(hits), limit)]
}

// offsetScore counts the matches that FTS4's offsets() lists (four numbers
// per match: column, term, byte offset, size), subject matches weighted.
func offsetScore(offsets string) int {
	f := strings.Fields(offsets)
	score := 0
	for i := 0; i+3 < len(f); i += 4 {
		if col, _ := strconv.Atoi(f[i]); col == 0 {
			score += subjectWeight
		} else {
			score++
		}
	}
	return score
}
