package templates

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Language is what a language folder's language.toml says: how to write
// dates and promises, the common words that recognise it, and the jargon the
// lint flags.
type Language struct {
	Code     string   `toml:"-"`
	Name     string   `toml:"name"`
	Weekdays []string `toml:"weekdays"` // Sunday first
	Months   []string `toml:"months"`
	Parts    []string `toml:"parts"` // morning, afternoon, evening
	SameDay  string   `toml:"same_day"`
	NextDay  string   `toml:"next_day"`
	ThisWeek string   `toml:"this_week"`
	Later    string   `toml:"later"`
	Soon     string   `toml:"soon"`
	Words    []string `toml:"words"`
	Jargon   []string `toml:"jargon"`
	// A short reply that only thanks: at least one Thanks word (or phrase)
	// and nothing but ThanksAlso words besides.
	Thanks     []string `toml:"thanks"`
	ThanksAlso []string `toml:"thanks_also"`
	// Answers to the follow-up mail ("Is it sorted?"): a short reply with a
	// Sorted word means yes, one with a NotSorted word means no.
	Sorted    []string `toml:"sorted"`
	NotSorted []string `toml:"not_sorted"`
	common    map[string]bool
}

// Language reads lang's language.toml (the library's folder first). A
// language without one borrows English's.
func (s *Set) Language(lang string) (*Language, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.langs[lang]; l != nil {
		return l, nil
	}
	l, err := s.readLanguage(lang)
	if err == nil {
		s.langs[lang] = l
	}
	return l, err
}

func (s *Set) readLanguage(lang string) (*Language, error) {
	src, err := s.source("language.toml", lang)
	if err != nil {
		return nil, err
	}
	l := &Language{Code: lang}
	md, err := toml.Decode(src, l)
	if err != nil {
		return nil, fmt.Errorf("%s/language.toml: %w", lang, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("%s/language.toml: unknown key %q", lang, u[0].String())
	}
	if len(l.Weekdays) != 7 || len(l.Months) != 12 || len(l.Parts) != 3 {
		return nil, fmt.Errorf("%s/language.toml: needs 7 weekdays, 12 months and 3 parts of the day", lang)
	}
	l.common = map[string]bool{}
	for _, w := range l.Words {
		l.common[strings.ToLower(w)] = true
	}
	return l, nil
}

// Languages lists the language folders, built in and the library's.
func (s *Set) Languages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.langList == nil {
		s.langList = s.readLanguages()
	}
	return s.langList
}

func (s *Set) readLanguages() []string {
	seen := map[string]bool{}
	if entries, err := fs.ReadDir(builtin, "."); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				seen[e.Name()] = true
			}
		}
	}
	if s.dir != "" {
		if entries, err := os.ReadDir(s.dir); err == nil {
			for _, e := range entries {
				if e.IsDir() && validLang(e.Name()) && e.Name() != "answers" {
					seen[e.Name()] = true
				}
			}
		}
	}
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the template name exists in lang itself (without
// falling back to English).
func (s *Set) Has(name, lang string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := lang + "/" + name
	if has, ok := s.has[key]; ok {
		return has
	}
	has := false
	if s.dir != "" {
		_, err := os.Stat(filepath.Join(s.dir, lang, name+".txt"))
		has = err == nil
	}
	if !has {
		_, err := fs.Stat(builtin, key+".txt")
		has = err == nil
	}
	s.has[key] = has
	return has
}

func validLang(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

// Promise says when in plain words in this language: "by Tuesday
// afternoon", or with the date when it is more than six days away.
func (l *Language) Promise(due, now time.Time, loc *time.Location) string {
	if due.IsZero() {
		return l.Soon
	}
	d, n := due.In(loc), now.In(loc)
	part := l.Parts[0]
	switch h := d.Hour(); {
	case h > 17 || h == 17 && d.Minute() > 0: // closing time, 17:00, is still the afternoon
		part = l.Parts[2]
	case h >= 12:
		part = l.Parts[1]
	}
	days := int(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Sub(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)).Hours() / 24)
	pattern := l.Later
	switch {
	case days <= 0:
		pattern = l.SameDay
	case days == 1:
		pattern = l.NextDay
	case days <= 6:
		pattern = l.ThisWeek
	}
	return strings.NewReplacer("{part}", part, "{weekday}", l.Weekdays[d.Weekday()],
		"{day}", strconv.Itoa(d.Day()), "{month}", l.Months[d.Month()-1]).Replace(pattern)
}

// Detect guesses which of langs a short text is written in by counting its
// common words; it returns "" when no language clearly leads. Counting
// words is right on two-line emails where letter statistics are not, and it
// costs nothing in size or memory.
func (s *Set) Detect(text string, langs []string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(words) > 400 {
		words = words[:400]
	}
	best, bestScore, second := "", 0, 0
	for _, code := range langs {
		l, err := s.Language(code)
		if err != nil || len(l.Words) == 0 {
			continue
		}
		score := 0
		for _, w := range words {
			if l.common[w] {
				score++
			}
		}
		switch {
		case score > bestScore:
			best, bestScore, second = code, score, bestScore
		case score > second:
			second = score
		}
	}
	if bestScore == 0 || bestScore == second {
		return ""
	}
	return best
}
