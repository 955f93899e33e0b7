package tickets

import (
	"fmt"
	"strings"
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
	mine := floodWords(r.m.Text)
	if len(mine) < 3 {
		return 0, false, nil
	}
	rows, err := r.tx.QueryContext(r.ctx, sqlRecentPersonalMail, unix(r.now.Add(-r.d.opts.FloodWindow)), maxFloodScan)
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
