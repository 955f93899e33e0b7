package tickets

import (
	"strings"

	"patrondesk/mailer"
)

// writer is who signs a staff reply, for mailer.TrimSignature: their name
// and addresses, their configured signature, and the one learned from
// their earlier replies.
func (r *receipt) writer(actor *Staff, text string) mailer.Writer {
	w := mailer.Writer{Name: actor.Name, Addresses: append([]string{actor.Email}, actor.Aliases...)}
	if actor.Signature != "" {
		w.Signatures = append(w.Signatures, actor.Signature)
	}
	if sig := learnSignature(text, r.earlierReplies(actor.Email)); sig != "" {
		w.Signatures = append(w.Signatures, sig)
	}
	return w
}

// earlierReplies are the own texts of a staff member's latest replies.
func (r *receipt) earlierReplies(sender string) []string {
	rows, err := r.tx.QueryContext(r.ctx, sqlStaffEarlierBodies, sender)
	if err != nil {
		return nil // no learned signature; the other ways still work
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if rows.Scan(&b) == nil {
			out = append(out, b)
		}
	}
	return out
}

// learnSignature is the run of last lines that text shares with earlier
// replies of the same person: two lines or more shared with one reply, or
// one line shared with two. Its first line is never text's first line, so
// an answer sent twice is not all signature.
func learnSignature(text string, earlier []string) string {
	cur := tailLines(text)
	if len(cur) < 2 {
		return ""
	}
	best, ones := 0, 0
	for _, e := range earlier {
		n := commonTail(cur, tailLines(e))
		n = min(n, len(cur)-1)
		if n == 1 {
			ones++
		}
		best = max(best, n)
	}
	if best < 2 && !(best == 1 && ones >= 2) {
		return ""
	}
	sig := cur[len(cur)-best:]
	// Two answers may end with the same sentence ("Let me know if you need
	// anything else."): that is part of the answer, not of the signature.
	for len(sig) > 0 && isSentence(sig[0]) {
		sig = sig[1:]
	}
	return strings.Join(sig, "\n")
}

// isSentence is a line of four words or more that ends like a sentence.
func isSentence(l string) bool {
	return len(strings.Fields(l)) >= 4 && strings.ContainsAny(l[len(l)-1:], ".!?")
}

// tailLines are text's non-blank lines, compared without spacing and case.
func tailLines(text string) []string {
	var out []string
	for _, l := range strings.Split(mailer.NormaliseText(text), "\n") {
		if l = strings.ToLower(strings.Join(strings.Fields(l), " ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func commonTail(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}
