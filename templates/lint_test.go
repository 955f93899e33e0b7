package templates

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden renders every template in every language it exists in with the
// sample data and compares it with testdata/golden/LANG/NAME.txt (and .html).
// Run with -update after changing a template on purpose.
func TestGolden(t *testing.T) {
	s := New("")
	for _, lang := range s.Languages() {
		for _, info := range Catalog {
			if !s.Has(info.Name, lang) {
				if info.ForPatrons() {
					t.Errorf("%s/%s is missing: every patron template must exist in every language", lang, info.Name)
				}
				continue
			}
			m, err := s.Render(info.Name, lang, s.Sample(lang))
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, info.Name, err)
			}
			golden(t, filepath.Join("testdata", "golden", lang, info.Name+".txt"), "Subject: "+m.Subject+"\n\n"+m.Text)
			if m.HTML != "" {
				golden(t, filepath.Join("testdata", "golden", lang, info.Name+".html"), m.HTML)
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendered template:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestLintDefaults prints the lint figures of every built-in template and
// requires every patron template to meet the targets.
func TestLintDefaults(t *testing.T) {
	s := New("")
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-15s %-4s %5s %9s %6s %6s  %s\n", "template", "lang", "words", "sentences", "grade", "ease", "result")
	for _, lang := range s.Languages() {
		for _, info := range Catalog {
			if !s.Has(info.Name, lang) {
				continue
			}
			r, err := s.Lint(info.Name, lang)
			if err != nil {
				t.Fatal(err)
			}
			grade := "-"
			if r.Grade != 0 {
				grade = fmt.Sprintf("%.1f", r.Grade)
			}
			result := "ok"
			if !r.OK() {
				result = strings.Join(r.Problems, "; ")
			}
			fmt.Fprintf(&b, "%-15s %-4s %5d %9d %6s %6.0f  %s\n", info.Name, lang, r.Words, r.Sentences, grade, r.Ease, result)
			if info.ForPatrons() && (!r.OK() || !r.Scored) {
				t.Errorf("%s/%s does not meet the plain-language targets: %v", lang, info.Name, r.Problems)
			}
		}
	}
	t.Log(b.String())
}

func TestLintRules(t *testing.T) {
	s := New("")
	en, _ := s.Language("en")
	es, _ := s.Language("es")
	for _, tc := range []struct {
		name string
		l    *Language
		text string
		want string // part of a problem, or of a hint when it starts with "hint:"
	}{
		{"long sentence", en, "We are writing to let you know that the book you asked for last week has now come back and you can pick it up at the front desk today.", "sentence of 30 words"},
		{"hard words", en, "Unfortunately, institutional reorganisation necessitates comprehensive reconsideration.", "reading grade"},
		{"jargon", en, "Your item is on the hold shelf.", `library jargon "hold shelf"`},
		{"jargon in capitals only", en, "Your ILL request has arrived.", `library jargon "ILL"`},
		{"passive voice hint", en, "Your books were renewed.", "hint:passive voice"},
		{"spanish hard words", es, "Desafortunadamente, la reorganización institucional requiere reconsideraciones administrativas extraordinariamente complicadas.", "Fernández-Huerta"},
		{"spanish jargon", es, "Puede pedirlo por préstamo interbibliotecario.", `"préstamo interbibliotecario"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := LintText(tc.text, tc.l)
			list, want := r.Problems, tc.want
			if h, ok := strings.CutPrefix(want, "hint:"); ok {
				list, want = r.Hints, h
			}
			if !strings.Contains(strings.Join(list, "\n"), want) {
				t.Errorf("got problems %q, hints %q; want one with %q", r.Problems, r.Hints, want)
			}
		})
	}
	if r := LintText("I feel ill today.", en); !r.OK() {
		t.Errorf("the word ill flagged as jargon: %v", r.Problems)
	}
}

func TestSyllables(t *testing.T) {
	for _, tc := range []struct {
		word, lang string
		want       int
	}{
		{"library", "en", 3}, {"renew", "en", 2}, {"table", "en", 2}, {"sorted", "en", 2}, {"made", "en", 1}, {"the", "en", 1},
		{"biblioteca", "es", 4}, {"solicitud", "es", 4}, {"leer", "es", 2}, {"tienda", "es", 2}, {"día", "es", 2}, {"cuando", "es", 2},
	} {
		if got := countSyllables(tc.word, tc.lang); got != tc.want {
			t.Errorf("%s (%s): %d syllables, want %d", tc.word, tc.lang, got, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	s := New("")
	langs := s.Languages()
	for _, tc := range []struct{ text, want string }{
		{"Please renew my books until next week.", "en"},
		{"Hi, can I renew my card? Thanks", "en"},
		{"¿Puedo renovar mis libros hasta la próxima semana?", "es"},
		{"Hola, perdí mi tarjeta de la biblioteca. Gracias", "es"},
		{"12345", ""},
	} {
		if got := s.Detect(tc.text, langs); got != tc.want {
			t.Errorf("Detect(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestPromiseInSpanish(t *testing.T) {
	s := New("")
	es, err := s.Language("es")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for add, want := range map[time.Duration]string{
		4 * time.Hour: "hoy por la tarde", 32 * time.Hour: "mañana por la tarde", 50 * time.Hour: "el miércoles por la mañana",
		10 * 24 * time.Hour: "el jueves 17 de diciembre",
	} {
		if got := es.Promise(now.Add(add), now, time.UTC); got != want {
			t.Errorf("+%v: %q, want %q", add, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := New("")
	d := s.Sample("en")
	for b.Loop() {
		if _, err := s.Render("ack", "en", d); err != nil {
			b.Fatal(err)
		}
	}
}
