package tickets

import (
	"fmt"
	"strings"
	"unicode"

	"patrondesk/mailer"
)

// replyMeaning is what a patron's reply to a solved or closed request says.
type replyMeaning int

const (
	meansMore      replyMeaning = iota // a real message: reopen, as always
	meansThanks                        // only thanks: record it, tell the owner
	meansSorted                        // "yes" to the follow-up: close as sorted
	meansNotSorted                     // "no" to the follow-up: reopen
)

// maxShortReply is the most words a reply that only thanks, or only answers
// the follow-up, may have; anything longer is read as a message.
const maxShortReply = 20

// replyWords are the words, in every language patrondesk has templates for,
// that recognise thanks and answers to the follow-up mail.
type replyWords struct {
	thanks, thanksAlso, sorted, notSorted []string
}

func (d *Desk) replyWords() replyWords {
	var w replyWords
	for _, code := range d.tpl.Languages() {
		l, err := d.tpl.Language(code)
		if err != nil {
			continue // a broken language file: check and the lint say so
		}
		w.thanks = append(w.thanks, l.Thanks...)
		w.thanksAlso = append(w.thanksAlso, l.ThanksAlso...)
		w.sorted = append(w.sorted, l.Sorted...)
		w.notSorted = append(w.notSorted, l.NotSorted...)
	}
	return w
}

// meaning reads the patron's reply to t. Only a solved or closed request's
// replies can be thanks; only replies to its follow-up mail answer it.
func (r *receipt) meaning(t *ticketRow) (replyMeaning, error) {
	if t.Status != StatusSolved && t.Status != StatusClosed {
		return meansMore, nil
	}
	if len(r.m.Attachments) > 0 {
		return meansMore, nil // a file is more than thanks
	}
	text, w := mailer.StripReply(r.m.Text), r.d.replyWords()
	followup, err := r.answersFollowup(t.ID)
	if err != nil || followup {
		return followupAnswer(text, w), err
	}
	names := nameWords(t.PatronName, r.m.From.Name, r.d.opts.Library)
	for _, s := range r.d.opts.Staff {
		names = append(names, nameWords(s.Name)...)
	}
	if onlyThanks(text, w, names) {
		return meansThanks, nil
	}
	return meansMore, nil
}

// answersFollowup reports whether the message replies to the follow-up mail
// ("Is it sorted?") of ticket id.
func (r *receipt) answersFollowup(id int64) (bool, error) {
	for _, ref := range append(append([]string{}, r.m.InReplyTo...), r.m.References...) {
		var n int
		if err := r.tx.QueryRowContext(r.ctx, sqlCountFollowupWithID, id, ref).Scan(&n); err != nil || n > 0 {
			return n > 0, err
		}
	}
	return false, nil
}

// followupAnswer reads an answer to "Is it sorted?": a short reply with a
// "no" word reopens, one with a "yes" word closes, anything else (longer,
// a question) is a message.
func followupAnswer(text string, w replyWords) replyMeaning {
	if strings.Contains(text, "?") {
		return meansMore
	}
	words := wordsOf(text)
	if len(words) == 0 || len(words) > maxShortReply {
		return meansMore
	}
	rest, yes := without(words, w.sorted) // "no problem" is a yes
	if _, no := without(rest, w.notSorted); no {
		return meansNotSorted
	}
	if yes {
		return meansSorted
	}
	return meansMore
}

// onlyThanks reports a short reply that says thank you and nothing else: no
// question, a thanks word, and besides it only thanks_also words, greetings
// and names (the patron's, staff's, the library's, a signed name).
func onlyThanks(text string, w replyWords, names []string) bool {
	if strings.Contains(text, "?") {
		return false
	}
	words := wordsOf(withoutSignedName(text))
	if len(words) == 0 || len(words) > maxShortReply {
		return false
	}
	rest, thanked := without(words, w.thanks)
	if !thanked {
		return false
	}
	allowed := map[string]bool{}
	for _, a := range append(append([]string{}, w.thanksAlso...), names...) {
		allowed[strings.ToLower(a)] = true
	}
	for _, word := range rest {
		if !allowed[word] {
			return false
		}
	}
	return true
}

// withoutSignedName drops a last line that is a name ("Ann", "Ann Lee",
// "- Ann"): one to three capitalised words.
func withoutSignedName(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 2 {
		return text
	}
	last := strings.Fields(strings.Trim(lines[len(lines)-1], " \t-–—,."))
	if len(last) == 0 || len(last) > 3 {
		return text
	}
	for _, w := range last {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return text
		}
	}
	return strings.Join(lines[:len(lines)-1], "\n")
}

// wordsOf is text as lower-case words, punctuation and emoji dropped;
// apostrophes stay inside words ("isn't").
func wordsOf(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(text), "’", "'")
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// without removes every occurrence of the phrases (one or more words) from
// words and reports whether any was there. Longer phrases go first, so "no
// problem" is taken before "no".
func without(words, phrases []string) ([]string, bool) {
	var split [][]string
	for _, p := range phrases {
		if w := wordsOf(p); len(w) > 0 {
			split = append(split, w)
		}
	}
	found := false
	var out []string
	for i := 0; i < len(words); {
		best := 0
		for _, p := range split {
			if len(p) > best && i+len(p) <= len(words) && equalWords(words[i:i+len(p)], p) {
				best = len(p)
			}
		}
		if best > 0 {
			found = true
			i += best
			continue
		}
		out = append(out, words[i])
		i++
	}
	return out, found
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nameWords are the lower-case words of names.
func nameWords(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, wordsOf(n)...)
	}
	return out
}

// takeThanks records a reply that only thanks, or says yes to the follow-up
// mail, and tells the owner. Nothing becomes owed and no reminder starts. A
// thank-you leaves the request as it was (solved or closed), and stands for
// the answer to the follow-up, so none is sent; a yes to the follow-up
// closes the request as sorted.
func (r *receipt) takeThanks(t *ticketRow, m replyMeaning, msgID int64) error {
	action, detail, name := "patron thanked", "a short thank-you; the request stays done", "thanks"
	if m == meansSorted {
		action, detail, name = "sorted on follow-up", "the patron said it is sorted", "sorted"
	}
	if err := r.event(t.ID, r.sender(), action, detail, msgID); err != nil {
		return err
	}
	var err error
	switch {
	case t.Status == StatusSolved && m == meansSorted:
		err = r.closeSorted(t.ID, detail)
	case t.Status == StatusSolved:
		err = r.followupAnswered(t.ID)
	}
	if err != nil {
		return err
	}
	owner := r.staff(t.Owner.String)
	if owner == nil {
		return nil
	}
	data := r.templateData(t, owner)
	data.Text = mailer.StripReply(r.m.Text)
	return r.queue(t, name, owner.Name, owner.Email, data, "auto-generated")
}

// closeSorted closes a solved request the patron said is sorted.
func (r *receipt) closeSorted(id int64, detail string) error {
	if err := r.moveTo(id, move{to: StatusClosed}); err != nil {
		return err
	}
	return r.event(id, "patrondesk", "closed", detail, 0)
}

// followupAnswered records the follow-up of a solved request as done now
// (the scheduler's key, see afterSolved), so no "Is it sorted?" goes to a
// patron who just thanked us; the request closes close_after from now.
func (r *receipt) followupAnswered(id int64) error {
	var solved int64
	if err := r.tx.QueryRowContext(r.ctx, sqlTicketSolvedAt, id).Scan(&solved); err != nil || solved == 0 {
		return err
	}
	_, err := r.tx.ExecContext(r.ctx, sqlScheduleOnce,
		fmt.Sprintf("followup:%d:%d", id, solved), unix(r.now))
	return err
}
