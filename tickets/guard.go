package tickets

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// inlineQuoteLeak returns staff-only words that an inline reply keeps in
// the quotes it answers (above its last own line), or "". Quotes never
// reach the patron,
// but a writer who answers between quoted lines of staff-only text (a note,
// the notice's staff-only part) may have meant the patron to read them, so
// the reply is held. The quote above a bottom-posted or under a top-posted
// answer is the answered notice and does not count.
func (d *Desk) inlineQuoteLeak(text string, g guardTexts) string {
	q := mailer.InlineQuotes(text, mailer.ReplyOptions{IsMarker: templates.IsMarker, Banners: d.banners})
	if q == "" {
		return ""
	}
	return leak(withoutSeenLines(q, g.seen), g)
}

// withoutSeenLines drops the quoted lines that are the patron's own words
// (their question, split where the answer goes), so the labels around
// them in the notice ("What they wrote") do not join them into phrases
// that look staff-only.
func withoutSeenLines(q string, seen []string) string {
	var all []string
	for _, t := range seen {
		all = append(all, " "+strings.Join(words(t), " ")+" ")
	}
	var kept []string
	for _, l := range strings.Split(q, "\n") {
		w := words(l)
		if len(w) > 0 && slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, " "+strings.Join(w, " ")+" ") }) {
			kept = append(kept, "")
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "\n")
}

// forwardsMail reports a staff reply that carries a forwarded mail of the
// staff member's own: inline under their words, or attached. A forward
// inside the notice they answer (the patron's request was one) is not.
func (d *Desk) forwardsMail(m *mailer.Message) bool {
	o := mailer.ReplyOptions{IsMarker: templates.IsMarker, Banners: d.banners}
	if mailer.ForwardsMail(m.Text, o) {
		return true
	}
	f := m.Forwarded
	attached := f != nil && f.Text != "" && !strings.Contains(m.Text, f.Text)
	return attached && !strings.Contains(f.Text, templates.ReplyMarker)
}

// ownText is what a staff member wrote in a reply: without the notice they
// answered (above or below), quotes, gateway banners and phone lines.
func (d *Desk) ownText(text string) string {
	own, _ := mailer.OwnText(text, mailer.ReplyOptions{IsMarker: templates.IsMarker, Banners: d.banners})
	return own
}

// shingle is how many words in a row the leak guard compares: enough that
// a short common phrase ("the book is on") rarely matches by chance, few
// enough that any sentence of a note, however re-wrapped, does.
const shingle = 5

// guardTexts is what the leak guard compares an answer with.
type guardTexts struct {
	notes   []string // internal notes: phrases and short codes are secret
	notices []string // mail patrondesk sent to staff: phrases are secret
	seen    []string // what the patron wrote or was sent: never secret
}

// leak returns words of staff-only text found in answer, or "". It
// compares word sequences, whatever the quoting, line breaks, case or
// punctuation, and the numbers and codes of internal notes ("PIN 4821",
// "B12X9") one by one. Text the patron has seen does not count.
func leak(answer string, g guardTexts) string {
	seenGrams, seenWords := map[string]bool{}, map[string]bool{}
	for _, t := range g.seen {
		w := words(t)
		for _, k := range append(runs(w, shingle), runs(w, shingle-1)...) {
			seenGrams[k] = true
		}
		for _, x := range w {
			seenWords[x] = true
		}
	}
	secret := map[string]bool{}
	for _, t := range append(append([]string{}, g.notes...), g.notices...) {
		for _, k := range grams(words(t)) {
			if !seenGrams[k] {
				secret[k] = true
			}
		}
	}
	seenRuns := map[string]bool{}
	for _, t := range g.seen {
		for _, r := range digitRuns(t, true) {
			seenRuns[r] = true
		}
	}
	codes := map[string]bool{}
	for _, t := range g.notes {
		for _, x := range words(t) {
			if isCode(x) && !seenWords[x] {
				codes[x] = true
			}
		}
		for _, r := range digitRuns(t, false) {
			if !seenRuns[r] {
				codes["#"+r] = true
			}
		}
	}
	aw := words(answer)
	for _, k := range append(runs(aw, shingle), runs(aw, shingle-1)...) {
		if secret[k] {
			return k
		}
	}
	for _, x := range aw {
		if codes[x] {
			return x
		}
	}
	for _, r := range digitRuns(answer, true) {
		if codes["#"+r] {
			return r
		}
	}
	return ""
}

// digitRun is a number written with spaces, commas, dashes, dots, slashes
// or a line break (and its quote mark) in it: "4 8 2 1", "48-21", "48\n> 21".
var digitRun = regexp.MustCompile(`\d(?:[\s.,\-/>]{1,3}\d|\d)*`)

// digitGroup is one group of digits of a digit run.
var digitGroup = regexp.MustCompile(`\d+`)

// digitRuns are the numbers of four digits or more in text, without their
// separators, so a PIN spaced out or split over two lines in an answer is
// still the note's PIN; digits written as words ("four eight two one")
// count. In an answer (parts), so does every run of neighbouring groups:
// "4821 2" holds 4821. In a note, a run stays on its line, and counts
// whole and by its groups of four digits or more: "PIN 4821 2 books"
// holds 4821 and 48212.
func digitRuns(text string, parts bool) []string {
	text = digitWords(text)
	chunks := []string{text}
	if !parts {
		chunks = strings.Split(text, "\n")
	}
	var out []string
	for _, c := range chunks {
		for _, m := range digitRun.FindAllString(c, -1) {
			g := digitGroup.FindAllString(m, -1)
			if !parts {
				if whole := strings.Join(g, ""); len(whole) >= 4 {
					out = append(out, whole)
				}
				for _, x := range g {
					if len(x) >= 4 && len(g) > 1 {
						out = append(out, x)
					}
				}
				continue
			}
			// Codes are short: parts stop at 20 digits, so a mail of a
			// thousand numbers costs little.
			for i := range g {
				d := ""
				for j := i; j < len(g) && len(d) < 20; j++ {
					if d += g[j]; len(d) >= 4 {
						out = append(out, d)
					}
				}
			}
		}
	}
	return out
}

// digitWord is a digit written as a word, in the languages patrondesk has
// and their neighbours.
var digitWord = regexp.MustCompile(`(?i)\b(zero|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|zéro|un|deux|trois|quatre|cinq|sept|huit|neuf|null|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun)\b`)

var digitOf = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
	"cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
	"zéro": "0", "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7", "huit": "8", "neuf": "9",
	"null": "0", "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
}

// pairWord is an English number from ten to ninety-nine written as words,
// as a PIN is read out in pairs: "forty-eight twenty-one".
var pairWord = regexp.MustCompile(`(?i)\b(?:(ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)|(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](one|two|three|four|five|six|seven|eight|nine)\b)?)\b`)

var teens = map[string]string{"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
var tens = map[string]string{"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8", "ninety": "9"}

// digitWords writes digits and pairs spelt out as words as digits.
func digitWords(text string) string {
	text = pairWord.ReplaceAllStringFunc(text, func(w string) string {
		m := pairWord.FindStringSubmatch(w)
		if m[1] != "" {
			return teens[strings.ToLower(m[1])]
		}
		unit := "0"
		if m[3] != "" {
			unit = digitOf[strings.ToLower(m[3])]
		}
		return tens[strings.ToLower(m[2])] + unit
	})
	return digitWord.ReplaceAllStringFunc(text, func(w string) string { return digitOf[strings.ToLower(w)] })
}

// words is text as lower-case words and numbers, with everything else
// (quote marks, line breaks, punctuation, markup marks) gone.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// grams are the phrases of a staff-only text: every run of shingle
// words, or the whole text when it is one word shorter than that (a text
// of three words or fewer, "no answer yet", is too common to count).
func grams(w []string) []string {
	if len(w) == shingle-1 {
		return runs(w, shingle-1)
	}
	return runs(w, shingle)
}

// runs is every run of n words in w.
func runs(w []string, n int) []string {
	if len(w) < n {
		return nil
	}
	out := make([]string, 0, len(w)-n+1)
	for i := 0; i+n <= len(w); i++ {
		out = append(out, strings.Join(w[i:i+n], " "))
	}
	return out
}

// isCode is a word of a note short enough to slip past the phrase check
// but secret on its own: a number of three digits or more, or a mix of
// letters and digits.
func isCode(w string) bool {
	digits, letters := 0, 0
	for _, r := range w {
		if unicode.IsDigit(r) {
			digits++
		} else {
			letters++
		}
	}
	return digits >= 3 || digits > 0 && letters > 0 && len(w) >= 4
}

// addressForms matches every way a staff member's addresses can be
// written: any case, with a "+tag", as a mailto link, with "(at)" or
// "[at]" or "%40" for the "@".
func addressForms(staff []Staff) *regexp.Regexp {
	var alts []string
	for _, s := range staff {
		for _, a := range append([]string{s.Email}, s.Aliases...) {
			local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(a)), "@")
			if !ok || local == "" || domain == "" {
				continue
			}
			local, _, _ = strings.Cut(local, "+")
			alts = append(alts, regexp.QuoteMeta(local)+`(\+[^@\s<>()\[\],;]*)?(@|\s?[\[(]at[\])]\s?|%40)`+regexp.QuoteMeta(domain))
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return regexp.MustCompile(`(?i)(mailto:)?\b(` + strings.Join(alts, "|") + `)\b`)
}

// hideStaffAddresses keeps staff addresses out of text meant for a patron
// (a signature often carries one): a line holding only an address goes, and
// an address inside a sentence becomes the library's own.
func hideStaffAddresses(text string, staff []Staff, library string) string {
	re := addressForms(staff)
	if re == nil {
		return text
	}
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if re.MatchString(l) && strings.Trim(re.ReplaceAllString(l, ""), " \t<>()[]:,;|") == "" {
			continue
		}
		kept = append(kept, re.ReplaceAllString(l, library))
	}
	return strings.Join(kept, "\n")
}
