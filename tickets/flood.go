package tickets

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode"

	"patrondesk/mailer"
)

// Floods: a robot that answers every mail from a new address with a new
// subject defeats the per-address and per-chain caps. What it cannot change
// is its words: several senders writing near-identical text within minutes
// are a flood, and get no more mail.

// maxFloodScan bounds how many recent messages one new message is compared
// with (the first 8 KB of each).
const maxFloodScan = 300

// floodWords is a text as flood detection compares it: lower-case words of
// letters only (numbers, which robots vary, are dropped; zero-width
// characters inside a word are not a break), at most 400, of what the
// sender wrote themselves (see ownWords).
func floodWords(text string) []string {
	text = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.ToLower(ownWords(text)))
	w := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) })
	return w[:min(len(w), 400)]
}

// ownWords is, cheaply, what a sender wrote themselves: quoted lines,
// everything under a "-- " line and the line a phone adds ("Sent from my
// iPhone") are left out. Three patrons asking "Can I renew my books?" from
// their phones are not alike because their phones sign alike.
func ownWords(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "--" {
			break
		}
		if strings.HasPrefix(t, ">") || mailer.IsDeviceLine(t) {
			continue
		}
		b.WriteString(t + "\n")
	}
	return b.String()
}

// floodText is one text as flood detection compares it: its words and
// its word pairs (shingles), each pair as a hash, sorted and distinct, so
// two texts are compared in one merge rather than a map lookup per pair.
type floodText struct {
	words []string
	pairs []uint64
}

func newFloodText(text string) floodText {
	w := floodWords(text)
	pairs := make([]uint64, 0, len(w))
	for i := 0; i+1 < len(w); i++ {
		h := fnv.New64a()
		h.Write([]byte(w[i] + " " + w[i+1]))
		pairs = append(pairs, h.Sum64())
	}
	slices.Sort(pairs)
	return floodText{words: w, pairs: slices.Compact(pairs)}
}

// alike reports near-identical texts: four in five word pairs shared
// (Jaccard), or the very same words when the texts are short.
func alike(a, b floodText) bool {
	if len(a.words) < 8 || len(b.words) < 8 {
		return slices.Equal(a.words, b.words)
	}
	if 5*min(len(a.pairs), len(b.pairs)) < 4*max(len(a.pairs), len(b.pairs)) {
		return false // sizes this far apart cannot share four in five
	}
	both := 0
	for i, j := 0, 0; i < len(a.pairs) && j < len(b.pairs); {
		switch {
		case a.pairs[i] < b.pairs[j]:
			i++
		case a.pairs[i] > b.pairs[j]:
			j++
		default:
			both, i, j = both+1, i+1, j+1
		}
	}
	union := len(a.pairs) + len(b.pairs) - both
	return union > 0 && float64(both)/float64(union) >= 0.8
}

// floodMemo keeps recent messages' flood texts, so each message is read and
// split once, not once for every new message in the window after it (a
// backlog of a thousand mails would otherwise split each a few hundred
// times). A message is known by its id, arrival and sender: an id SQLite
// hands out again after a rollback is then not mistaken for the old one.
type floodMemo struct {
	mu    sync.Mutex
	texts map[floodKey]floodText
}

type floodKey struct {
	id, at int64
	sender string
}

func (f *floodMemo) get(k floodKey) (floodText, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.texts[k]
	return t, ok
}

// put keeps t; when the memo has grown well past one scan, it keeps only
// the messages of the latest scan.
func (f *floodMemo) put(k floodKey, t floodText, scan []floodKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.texts == nil || len(f.texts) > 3*maxFloodScan {
		old := f.texts
		f.texts = make(map[floodKey]floodText, 2*maxFloodScan)
		for _, s := range scan {
			if v, ok := old[s]; ok {
				f.texts[s] = v
			}
		}
	}
	f.texts[k] = t
}

// floodCount counts the other senders (mailboxes) who wrote near-identical
// text within FloodWindow. A robot cycling through a few addresses is caught
// as well as one using a new address each time. short says the text is too
// short to be sure.
func (r *receipt) floodCount() (n int, short bool, err error) {
	if r.viaForm != "" {
		// Every mail of a web form carries the form's own words (labels,
		// a privacy notice), so different people's questions look alike.
		// Form mail is never verified and is held by the first-time cap
		// instead; stopping form robots is the form's CAPTCHA's work.
		return 0, false, nil
	}
	mine := newFloodText(r.m.Text)
	if len(mine.words) < 3 {
		return 0, false, nil
	}
	scan, from, err := r.recentPersonalMail()
	if err != nil {
		return 0, false, err
	}
	me, senders := foldAddress(r.sender()), map[string]bool{}
	for i, k := range scan {
		f := foldAddress(from[i])
		if f == me || senders[f] {
			continue
		}
		theirs, err := r.floodTextOf(k, scan)
		if err != nil {
			return 0, false, err
		}
		if alike(mine, theirs) {
			senders[f] = true
		}
	}
	return len(senders), len(mine.words) < 8, nil
}

// recentPersonalMail lists the personal mail of the flood window, newest
// first: each message's key and its sender.
func (r *receipt) recentPersonalMail() ([]floodKey, []string, error) {
	rows, err := r.tx.QueryContext(r.ctx, sqlRecentPersonalMail, unix(r.now.Add(-r.d.opts.FloodWindow)), maxFloodScan)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var keys []floodKey
	var senders []string
	for rows.Next() {
		var k floodKey
		if err := rows.Scan(&k.id, &k.at, &k.sender); err != nil {
			return nil, nil, err
		}
		keys, senders = append(keys, k), append(senders, k.sender)
	}
	return keys, senders, rows.Err()
}

// floodTextOf is the flood text of a recent message, read and split once.
func (r *receipt) floodTextOf(k floodKey, scan []floodKey) (floodText, error) {
	if t, ok := r.d.flood.get(k); ok {
		return t, nil
	}
	var body string
	if err := r.tx.QueryRowContext(r.ctx, sqlFloodBody, k.id).Scan(&body); err != nil {
		return floodText{}, fmt.Errorf("read message %d for flood detection: %w", k.id, err)
	}
	t := newFloodText(body)
	r.d.flood.put(k, t, scan)
	return t, nil
}

// tellAdminFlood mails library.admin when a flood starts: its requests get
// no acknowledgement and no owner's notice, so a person should look (a
// newsletter that made many patrons answer alike looks the same). Once per
// FloodWindow.
func (r *receipt) tellAdminFlood(why string) error {
	if r.d.opts.Admin == "" {
		return nil
	}
	last, err := r.setting("flood_alerted_at")
	if err != nil || r.now.Unix()-last < int64(r.d.opts.FloodWindow.Seconds()) {
		return err
	}
	data := r.templateData(&ticketRow{}, nil)
	data.Summary = "a flood of near-identical mail"
	data.Problems = []string{fmt.Sprintf("%s. Their mails are kept in the spam queue, with no request number and no mail to anyone. "+
		"See them with \"patrondesk spam list\"; if one is a real person, take it as a request with \"patrondesk spam release ID\".", why)}
	if err := r.enqueue(outMail{template: "alert", toEmail: r.d.opts.Admin, auto: "auto-generated", data: data}); err != nil {
		return err
	}
	return r.setSetting("flood_alerted_at", r.now.Unix())
}
