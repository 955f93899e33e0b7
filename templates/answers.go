package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Saved answers are a library's standard replies (renewals, opening hours,
// a lost card), kept as files answers/LANG/NAME.txt: built-in examples here,
// and the library's own in its templates folder, which win. A file starts
// with optional "Title:" and "Words:" lines (the words that suggest it for a
// request), then a blank line, then the answer as plain text.
//
//go:embed answers
var builtinAnswers embed.FS

// Answer is one saved answer in one language.
type Answer struct {
	Name, Lang string
	Title      string
	Words      []string // what suggests it, lower-case
	Text       string
}

// answerName is what a saved answer may be called: it becomes a file name,
// so nothing that could climb out of the folder.
var answerName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,40}$`)

// ErrNoAnswer is a saved answer that does not exist in any language asked.
var ErrNoAnswer = errors.New("no saved answer with that name")

// Answer returns saved answer name in lang, else in fallback (the library's
// language), else in English.
func (s *Set) Answer(name, lang, fallback string) (Answer, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !answerName.MatchString(name) {
		return Answer{}, ErrNoAnswer
	}
	for _, l := range []string{lang, fallback, "en"} {
		if !validLang(l) {
			continue
		}
		src, err := s.answerSource(l, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Answer{}, err
		}
		return parseAnswer(name, l, src), nil
	}
	return Answer{}, ErrNoAnswer
}

// answerSource reads answers/LANG/NAME.txt, the library's folder first.
func (s *Set) answerSource(lang, name string) (string, error) {
	file := filepath.Join("answers", lang, name+".txt")
	if s.dir != "" {
		b, err := os.ReadFile(filepath.Join(s.dir, file))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("read saved answer %s: %w", file, err)
		}
	}
	b, err := builtinAnswers.ReadFile("answers/" + lang + "/" + name + ".txt")
	return string(b), err
}

func parseAnswer(name, lang, src string) Answer {
	a := Answer{Name: name, Lang: lang}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	i := 0
	for ; i < len(lines); i++ {
		k, v, ok := strings.Cut(lines[i], ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "title":
			a.Title = strings.TrimSpace(v)
			continue
		case "words":
			for _, w := range strings.Split(v, ",") {
				if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
					a.Words = append(a.Words, w)
				}
			}
			continue
		}
		if !ok || strings.TrimSpace(lines[i]) == "" {
			break
		}
	}
	a.Text = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if a.Title == "" {
		a.Title = name
	}
	return a
}

// Answers lists every saved answer in every language, the library's own
// and the built-in ones, by name then language.
//
// They are read once per Set: the desk asks on every staff reply (#answer)
// and every new request (Suggest), and a reload makes a new Set.
func (s *Set) Answers() ([]Answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers != nil {
		return s.answers, nil
	}
	all, err := s.readAnswers()
	if err == nil {
		s.answers = all
	}
	return all, err
}

func (s *Set) readAnswers() ([]Answer, error) {
	seen := map[string]bool{}
	var out []Answer
	add := func(fsys fs.FS) error {
		langs, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return nil // no answers folder here
		}
		for _, l := range langs {
			if !l.IsDir() || !validLang(l.Name()) {
				continue
			}
			files, err := fs.ReadDir(fsys, l.Name())
			if err != nil {
				return err
			}
			for _, f := range files {
				name, ok := strings.CutSuffix(f.Name(), ".txt")
				if !ok || !answerName.MatchString(name) || seen[l.Name()+"/"+name] {
					continue
				}
				seen[l.Name()+"/"+name] = true
				a, err := s.Answer(name, l.Name(), l.Name())
				if err != nil {
					return err
				}
				out = append(out, a)
			}
		}
		return nil
	}
	if s.dir != "" {
		if err := add(os.DirFS(filepath.Join(s.dir, "answers"))); err != nil {
			return nil, err
		}
	}
	sub, _ := fs.Sub(builtinAnswers, "answers")
	if err := add(sub); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Lang < out[j].Lang
	})
	return out, nil
}

// Suggest names up to max saved answers in lang whose words appear in text,
// the most matching words first: "This looks like: renewals."
func (s *Set) Suggest(text, lang string, max int) []string {
	all, err := s.Answers()
	if err != nil {
		return nil
	}
	t := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), notLetter), " ") + " "
	type scored struct {
		name  string
		score int
	}
	var hits []scored
	for _, a := range all {
		if a.Lang != lang {
			continue
		}
		n := 0
		for _, w := range a.Words {
			if strings.Contains(t, " "+strings.Join(strings.FieldsFunc(w, notLetter), " ")+" ") {
				n++
			}
		}
		if n > 0 {
			hits = append(hits, scored{a.Name, n})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	var out []string
	for _, h := range hits[:min(len(hits), max)] {
		out = append(out, h.name)
	}
	return out
}

func notLetter(r rune) bool {
	return !(r == '\'' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127)
}

// LintAnswer checks a saved answer's words against the plain-language
// targets of its language.
func (s *Set) LintAnswer(a Answer) (Report, error) {
	l, err := s.Language(a.Lang)
	if err != nil {
		return Report{}, err
	}
	r := LintText(a.Text, l)
	r.Template, r.Lang = "answers/"+a.Name, a.Lang
	return r, nil
}
