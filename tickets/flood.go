package tickets

import (
	"strings"
	"unicode"
)

// Floods: a robot that answers every mail from a new address with a new
// subject defeats the per-address and per-chain caps. What it cannot change
// is its words: several first-time senders writing near-identical text
// within minutes are a flood, and get no more mail.

// maxFloodScan bounds how many recent messages one new message is compared
// with.
const maxFloodScan = 300

// floodWords is a text as flood detection compares it: lower-case words of
// letters only (numbers, which robots vary, are dropped), at most 400.
func floodWords(text string) []string {
	w := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	return w[:min(len(w), 400)]
}

// shingles are a text's word pairs.
func shingles(w []string) map[string]bool {
	out := map[string]bool{}
	for i := 0; i+1 < len(w); i++ {
		out[w[i]+" "+w[i+1]] = true
	}
	return out
}

// alike reports near-identical texts: nine in ten word pairs shared
// (Jaccard), or the very same words when the texts are short.
func alike(a, b []string) bool {
	if len(a) < 8 || len(b) < 8 {
		return strings.Join(a, " ") == strings.Join(b, " ")
	}
	sa, sb := shingles(a), shingles(b)
	both := 0
	for s := range sa {
		if sb[s] {
			both++
		}
	}
	union := len(sa) + len(sb) - both
	return union > 0 && float64(both)/float64(union) >= 0.8
}

// floodCount counts the other senders who wrote near-identical text within
// FloodWindow, when this sender is new (a patron who wrote before is no
// robot's fresh address). short says the text is too short to be sure.
func (r *receipt) floodCount() (n int, short bool, err error) {
	mine := floodWords(r.m.Text)
	if len(mine) < 3 {
		return 0, false, nil
	}
	if first, err := r.firstTime(r.sender(), 0); err != nil || !first {
		return 0, false, err
	}
	rows, err := r.tx.QueryContext(r.ctx, `SELECT sender, body FROM messages WHERE direction = 'in' AND kind = 'personal' AND received_at > ? AND ticket_id IS NOT NULL
		ORDER BY id DESC LIMIT ?`, unix(r.now.Add(-r.d.opts.FloodWindow)), maxFloodScan)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	me, senders := foldAddress(r.sender()), map[string]bool{}
	for rows.Next() {
		var sender, body string
		if err := rows.Scan(&sender, &body); err != nil {
			return 0, false, err
		}
		if f := foldAddress(sender); f != me && !senders[f] && alike(mine, floodWords(body)) {
			senders[f] = true
		}
	}
	return len(senders), len(mine) < 8, rows.Err()
}
