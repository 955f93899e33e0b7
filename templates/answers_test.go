package templates

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinAnswersExistAndAreTitled(t *testing.T) {
	s := New("")
	for _, lang := range []string{"en", "es"} {
		a, err := s.Answer("renewals", lang, "en")
		if err != nil || a.Lang != lang || a.Title == "" || a.Text == "" || len(a.Words) == 0 {
			t.Errorf("renewals/%s = %+v, %v", lang, a, err)
		}
		if strings.Contains(a.Text, "Words:") || strings.Contains(a.Text, "Title:") {
			t.Errorf("renewals/%s text keeps its header: %q", lang, a.Text)
		}
	}
	all, err := s.Answers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range all {
		names = append(names, a.Lang+"/"+a.Name)
	}
	for _, want := range []string{"en/renewals", "es/renewals", "en/opening-hours", "en/lost-card", "en/interlibrary-loan"} {
		if !slices.Contains(names, want) {
			t.Errorf("Answers() lacks %s: %v", want, names)
		}
	}
}

func TestAnswerLanguageFallback(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "answers", "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "answers", "en", "wifi.txt"), []byte("Words: wifi, internet\n\nThe password is on the card at the desk.\n"), 0o644)
	s := New(dir)
	cases := []struct {
		name, lang, fallback string
		wantLang, wantText   string
	}{
		{"renewals", "es", "en", "es", "Puede renovar"},
		{"renewals", "fr", "en", "en", "You can renew"},
		{"wifi", "es", "en", "en", "The password is on the card"},
		{"RENEWALS", "en", "en", "en", "You can renew"},
	}
	for _, c := range cases {
		a, err := s.Answer(c.name, c.lang, c.fallback)
		if err != nil || a.Lang != c.wantLang || !strings.HasPrefix(a.Text, c.wantText) {
			t.Errorf("Answer(%q, %q) = %+v, %v", c.name, c.lang, a, err)
		}
	}
	for _, bad := range []string{"../../etc/passwd", "nothing-like-this", "", "a/b"} {
		if _, err := s.Answer(bad, "en", "en"); err != ErrNoAnswer {
			t.Errorf("Answer(%q): err %v, want ErrNoAnswer", bad, err)
		}
	}
}

func TestLibraryAnswerOverridesBuiltin(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "answers", "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "answers", "en", "renewals.txt"), []byte("Title: Our renewals\n\nRenew at the kiosk.\n"), 0o644)
	a, err := New(dir).Answer("renewals", "en", "en")
	if err != nil || a.Text != "Renew at the kiosk." || a.Title != "Our renewals" {
		t.Errorf("override = %+v, %v", a, err)
	}
}

func TestSuggestAnswers(t *testing.T) {
	s := New("")
	cases := []struct {
		name, text, lang string
		want             []string
	}{
		{"renewal words", "Hi, can I renew my books? They are due tomorrow and I need more time.", "en", []string{"renewals"}},
		{"lost card", "I lost my card on the bus, what do I do?", "en", []string{"lost-card"}},
		{"spanish renewal", "Hola, ¿puedo renovar mis libros?", "es", []string{"renewals"}},
		{"nothing alike", "Do you have a room for a meeting of twelve people?", "en", nil},
		{"at most two", "I lost my card and want to renew my books. Are you open on Sunday?", "en", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.Suggest(c.text, c.lang, 2)
			if c.name == "at most two" {
				if len(got) != 2 {
					t.Errorf("Suggest = %v, want two", got)
				}
				return
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Suggest(%q) = %v, want %v", c.text, got, c.want)
			}
		})
	}
}

func TestBuiltinAnswersArePlain(t *testing.T) {
	s := New("")
	all, _ := s.Answers()
	for _, a := range all {
		r, err := s.LintAnswer(a)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() {
			t.Errorf("%s/%s: %v", a.Lang, a.Name, r.Problems)
		}
	}
}

func TestAnswersFolderIsNotALanguage(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "answers", "en"), 0o755)
	if langs := New(dir).Languages(); slices.Contains(langs, "answers") {
		t.Errorf("Languages() = %v", langs)
	}
}
