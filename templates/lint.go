package templates

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Targets for the words patrons read: English at US grade 6 or easier
// (Flesch-Kincaid); Spanish at 70 or more on the Fernández-Huerta scale
// ("bastante fácil", about the same school year).
const (
	MaxGrade         = 6.0
	MinSpanishEase   = 70.0
	MaxSentenceWords = 20
)

// Report is the plain-language lint of one rendered template.
type Report struct {
	Template, Lang   string
	Words, Sentences int
	// Grade is the Flesch-Kincaid grade (English only); Ease is Flesch
	// reading ease for English and Fernández-Huerta for Spanish.
	Grade, Ease float64
	Scored      bool     // a readability formula exists for the language
	Problems    []string // each names the sentence or word to fix
	Hints       []string // passive voice: worth a look, not a failure
}

// OK reports whether the text meets the targets.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Lint renders template name in lang with sample data and checks its body.
func (s *Set) Lint(name, lang string) (Report, error) {
	m, err := s.Render(name, lang, s.Sample(lang))
	if err != nil {
		return Report{}, err
	}
	l, err := s.Language(lang)
	if err != nil {
		return Report{}, err
	}
	r := LintText(m.Text, l)
	r.Template, r.Lang = name, lang
	return r, nil
}

// LintText checks text written in language l.
func LintText(text string, l *Language) Report {
	var r Report
	sentences := splitSentences(text)
	syllables := 0
	for _, s := range sentences {
		words := wordsOf(s)
		r.Words += len(words)
		for _, w := range words {
			syllables += countSyllables(w, l.Code)
		}
		if len(words) > MaxSentenceWords {
			r.Problems = append(r.Problems, fmt.Sprintf("sentence of %d words (keep to %d): %q", len(words), MaxSentenceWords, s))
		}
		if p := passive(s, l.Code); p != "" {
			r.Hints = append(r.Hints, fmt.Sprintf("passive voice %q in: %q", p, s))
		}
	}
	r.Sentences = len(sentences)
	for _, j := range l.Jargon {
		if containsTerm(text, j) {
			r.Problems = append(r.Problems, fmt.Sprintf("library jargon %q: say it in everyday words", j))
		}
	}
	if r.Words == 0 {
		return r
	}
	wps := float64(r.Words) / float64(max(r.Sentences, 1))
	spw := float64(syllables) / float64(r.Words)
	switch l.Code {
	case "en":
		r.Scored = true
		r.Grade = 0.39*wps + 11.8*spw - 15.59
		r.Ease = 206.835 - 1.015*wps - 84.6*spw
		if r.Grade > MaxGrade {
			r.Problems = append(r.Problems, fmt.Sprintf("reading grade %.1f is above %.0f: use shorter sentences and words", r.Grade, MaxGrade))
		}
	case "es":
		// Fernández-Huerta as textstat and legible.es compute it: with
		// words per sentence, since the 1959 "sentences per 100 words"
		// would score longer sentences as easier.
		r.Scored = true
		r.Ease = 206.84 - 60*spw - 1.02*wps
		if r.Ease < MinSpanishEase {
			r.Problems = append(r.Problems, fmt.Sprintf("Fernández-Huerta %.0f is below %.0f: use shorter sentences and words", r.Ease, MinSpanishEase))
		}
	}
	return r
}

var sentenceEnd = regexp.MustCompile(`[.!?¿¡:;]+(\s|$)`)

// splitSentences takes each line as at least one sentence (greetings and
// signatures have no full stop) and splits lines at sentence ends.
func splitSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, s := range sentenceEnd.Split(line, -1) {
			if s = strings.TrimSpace(s); len(wordsOf(s)) > 0 {
				out = append(out, s)
			}
		}
	}
	return out
}

func wordsOf(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
}

// countSyllables counts vowel groups: for English, less a silent final
// "e"; for Spanish, with hiatus (two strong vowels, or a stressed í or ú)
// counted as two.
func countSyllables(word, lang string) int {
	w := []rune(strings.ToLower(word))
	if len(w) == 0 || unicode.IsDigit(w[0]) {
		return 1
	}
	n, prev := 0, rune(0)
	for i, c := range w {
		v := isVowel(c, lang)
		if v && !isVowel(prev, lang) {
			n++
		} else if v && lang == "es" && hiatus(prev, c) {
			n++
		}
		if lang != "es" && i == len(w)-1 && c == 'e' && n > 1 && !(len(w) > 2 && w[len(w)-2] == 'l' && !isVowel(w[len(w)-3], lang)) {
			n-- // a silent final e, but not in "table"
		}
		prev = c
	}
	return max(n, 1)
}

func isVowel(c rune, lang string) bool {
	if lang == "es" {
		return strings.ContainsRune("aeiouáéíóúü", c)
	}
	return strings.ContainsRune("aeiouy", c)
}

func hiatus(a, b rune) bool {
	strong := func(c rune) bool { return strings.ContainsRune("aeoáéó", c) }
	stressedWeak := func(c rune) bool { return c == 'í' || c == 'ú' }
	return strong(a) && strong(b) || stressedWeak(a) || stressedWeak(b)
}

var passives = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)\b(am|is|are|was|were|be|been|being)\s+(\w+ed|born|built|done|given|held|kept|known|made|paid|seen|sent|shown|taken|told|written)\b`),
	"es": regexp.MustCompile(`(?i)\b(fue|fueron|es|son|será|serán|sido)\s+\p{L}+(ado|ada|ados|adas|ido|ida|idos|idas)\b`),
}

func passive(s, lang string) string {
	if re := passives[lang]; re != nil {
		return re.FindString(s)
	}
	return ""
}

// containsTerm matches a whole word or phrase; an all-capitals term such as
// "ILL" only in capitals, so the word "ill" is not flagged.
func containsTerm(text, term string) bool {
	flags := "(?i)"
	if strings.ToUpper(term) == term {
		flags = ""
	}
	return regexp.MustCompile(flags + `(^|[^\p{L}])` + regexp.QuoteMeta(term) + `($|[^\p{L}])`).MatchString(text)
}
