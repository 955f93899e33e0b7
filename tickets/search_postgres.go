package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Folding for search on PostgreSQL: lower case and common Latin diacritics
// removed, the same table as pd_fold in migrations/postgres/017_limits.sql
// (TestReviewPGFoldAgreesWithTheDatabase checks they agree).
const (
	foldFrom = "áàâäãåāăąçćčďéèêëēėęěíìîïīįıłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿžźż"
	foldTo   = "aaaaaaaaacccdeeeeeeeeiiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz"
)

var folder = func() *strings.Replacer {
	from, to := []rune(foldFrom), []rune(foldTo)
	pairs := make([]string, 0, 2*len(from))
	for i := range from {
		pairs = append(pairs, string(from[i]), string(to[i]))
	}
	return strings.NewReplacer(pairs...)
}()

func fold(s string) string { return folder.Replace(strings.ToLower(s)) }

// searchPostgres finds the messages holding every word (as a prefix) with
// PostgreSQL's text search, then scores them and cuts the snippet as FTS4
// does on SQLite: subject matches count triple. Scores and snippets read the
// first 100,000 characters of a body, so a search matching many large
// mails does not read them whole.
func (s *Store) searchPostgres(ctx context.Context, terms string, limit int) ([]Hit, error) {
	var prefixes, query []string
	for _, t := range strings.Fields(fold(terms)) {
		t = strings.TrimSuffix(t, "*")
		prefixes, query = append(prefixes, t), append(query, t+":*")
	}
	rows, err := s.db.QueryContext(ctx, sqlSearchPostgres, strings.Join(query, " & "))
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	best := map[int64]*Hit{}
	for rows.Next() {
		var row Hit
		var subject, body string
		var updated int64
		if err := rows.Scan(&row.ID, &subject, &body, &row.Status, &row.Subject, &row.PatronName, &row.Owner, &updated); err != nil {
			return nil, err
		}
		inSubject, inBody := matchCount(subject, prefixes), matchCount(body, prefixes)
		score := subjectWeight*inSubject + inBody
		h := best[row.ID]
		if h == nil {
			row.Updated = time.Unix(updated, 0).UTC()
			h = &row
			best[row.ID] = h
		}
		if score > 0 && (h.Snippet == "" || score > h.Score) {
			text := body
			if inBody == 0 {
				text = subject
			}
			h.Snippet = oneLine(snippetOf(text, prefixes, 12))
		}
		h.Score += score
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return bestHits(best, limit), nil
}

// searchWords splits text into words as the search sees them.
func searchWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func matchesPrefix(word string, prefixes []string) bool {
	w := fold(word)
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func matchCount(text string, prefixes []string) int {
	n := 0
	for _, w := range searchWords(text) {
		if matchesPrefix(w, prefixes) {
			n++
		}
	}
	return n
}

// snippetOf is about size words of text around its first match, the
// matches in [brackets] and … where words were cut.
func snippetOf(text string, prefixes []string, size int) string {
	words := strings.Fields(text)
	first := 0
	for i, w := range words {
		if matchesPrefix(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), prefixes) {
			first = i
			break
		}
	}
	from := max(0, first-size/3)
	to := min(len(words), from+size)
	out := make([]string, 0, to-from+2)
	if from > 0 {
		out = append(out, "…")
	}
	for _, w := range words[from:to] {
		core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core != "" && matchesPrefix(core, prefixes) {
			w = strings.Replace(w, core, "["+core+"]", 1)
		}
		out = append(out, w)
	}
	if to < len(words) {
		out = append(out, "…")
	}
	return strings.Join(out, " ")
}
