package tickets

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// patronLanguage chooses the language of the mail a new ticket's patron
// gets: the one staff chose for them before (#lang), else the message's
// Content-Language, else the language their own words are in, else the
// library's. Only languages with an acknowledgement template count.
func (r *receipt) patronLanguage(email string) (string, error) {
	var remembered string
	err := r.tx.QueryRowContext(r.ctx, sqlPatronLanguage, email).Scan(&remembered)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read the patron's language: %w", err)
	}
	if r.d.hasLanguage(remembered) {
		return remembered, nil
	}
	if cl := r.m.Header.Get("Content-Language"); cl != "" {
		first, _, _ := strings.Cut(cl, ",")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(first)), "-")
		if r.d.hasLanguage(primary) {
			return primary, nil
		}
	}
	if l := r.d.sureLanguage(r.m.Text); l != "" {
		return l, nil
	}
	return r.d.opts.Language, nil
}

// patronLanguages are the languages patrons can be written to in.
func (d *Desk) patronLanguages() []string {
	var out []string
	for _, l := range d.tpl.Languages() {
		if d.tpl.Has("ack", l) {
			out = append(out, l)
		}
	}
	return out
}

// hasLanguage reports a language code that names one of our patron
// languages. Codes come from mail (Content-Language) and staff (#lang), so
// only two or three letters are looked up at all: never a path.
func (d *Desk) hasLanguage(l string) bool {
	return languageCode.MatchString(l) && slices.Contains(d.patronLanguages(), l)
}

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// sureLanguage is the patron language a text is in, or "" unless sure:
// the template languages' word count must lead, with at least two common
// words, and no language we have no templates for may do as well. A French
// mail shares "la", "de" and "que" with Spanish; it must get the library's
// language, not Spanish.
func (d *Desk) sureLanguage(text string) string {
	langs := d.patronLanguages()
	best := d.tpl.Detect(text, langs)
	if best == "" {
		return ""
	}
	l, err := d.tpl.Language(best)
	if err != nil {
		return ""
	}
	ws := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	ws = ws[:min(len(ws), 400)]
	score := hits(ws, l.Words)
	if score < 2 {
		return ""
	}
	for code, common := range otherLanguages {
		if !slices.Contains(langs, code) && hits(ws, common) >= score {
			return ""
		}
	}
	return best
}

func hits(ws, common []string) int {
	n := 0
	for _, w := range ws {
		if slices.Contains(common, w) {
			n++
		}
	}
	return n
}

// otherLanguages are the common words of languages patrons write in that
// may have no templates, written in Latin letters (other scripts share no
// words with the template languages). They only veto a guess.
var otherLanguages = map[string][]string{
	"fr": {"je", "le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "pour", "que", "qui", "pas", "mes", "mon", "ma", "vous", "nous", "avec", "sur", "merci", "bonjour", "livre", "livres", "jusqu'à", "à", "au", "ce", "cette", "il", "elle", "votre", "voudrais", "peux", "puis", "est-ce"},
	"de": {"ich", "und", "der", "die", "das", "ist", "nicht", "ein", "eine", "mit", "für", "auf", "zu", "mein", "meine", "sie", "bitte", "danke", "hallo", "kann", "können", "buch", "bücher", "bis", "woche", "wir", "ihr", "ihre", "den", "dem", "es", "auch", "noch"},
	"it": {"il", "la", "di", "che", "e", "un", "una", "per", "non", "sono", "mio", "miei", "mia", "grazie", "ciao", "buongiorno", "posso", "libro", "libri", "fino", "alla", "della", "con", "vorrei", "settimana", "prossima", "è"},
	"pt": {"o", "a", "os", "as", "de", "do", "da", "que", "e", "um", "uma", "para", "não", "meu", "meus", "minha", "obrigado", "obrigada", "olá", "posso", "livro", "livros", "até", "semana", "próxima", "com", "por", "favor", "gostaria", "você"},
	"nl": {"ik", "de", "het", "een", "en", "van", "is", "niet", "mijn", "met", "voor", "op", "dank", "bedankt", "hallo", "kan", "boek", "boeken", "tot", "week", "volgende", "graag", "u", "wij"},
	"pl": {"i", "w", "nie", "na", "z", "się", "że", "do", "jest", "to", "moje", "mój", "dziękuję", "dzień", "dobry", "czy", "mogę", "książki", "książkę", "przyszłego", "tygodnia", "proszę"},
	"ro": {"și", "în", "de", "la", "nu", "este", "cu", "pentru", "mea", "mele", "mulțumesc", "bună", "pot", "cărțile", "până", "săptămâna"},
	"sv": {"jag", "och", "att", "det", "är", "inte", "en", "ett", "med", "för", "på", "mina", "min", "tack", "hej", "kan", "böcker", "boken", "till", "nästa", "vecka"},
	"da": {"jeg", "og", "at", "det", "er", "ikke", "en", "et", "med", "for", "på", "mine", "min", "tak", "hej", "kan", "bøger", "til", "næste", "uge"},
	"tl": {"ang", "ng", "sa", "na", "ko", "mga", "po", "ako", "salamat", "ba", "aking", "libro", "hanggang", "susunod", "linggo", "pwede", "puwede"},
	"tr": {"ve", "bir", "bu", "için", "ile", "ben", "benim", "kitap", "kitaplarımı", "teşekkürler", "merhaba", "lütfen", "mi", "mı", "gelecek", "hafta", "kadar"},
	"vi": {"tôi", "và", "của", "là", "không", "có", "cho", "được", "sách", "cảm", "ơn", "xin", "chào", "tuần", "sau", "đến", "các"},
	"ca": {"el", "la", "els", "les", "de", "i", "que", "no", "per", "amb", "meu", "meus", "gràcies", "bon", "dia", "puc", "llibres", "fins", "setmana", "vinent"},
}

// setLanguage is "#lang es": the ticket and every later ticket of its
// patron are written in it.
func (r *receipt) setLanguage(t *ticketRow, actor *Staff, lang string, msgID int64) error {
	if _, err := r.tx.ExecContext(r.ctx, sqlSetPatronLanguage,
		t.PatronEmail, lang, actor.Email, unix(r.now)); err != nil {
		return fmt.Errorf("remember the patron's language: %w", err)
	}
	return r.update(t.ID, actor, msgID, "language", lang, `language = ?`, lang)
}

// promiseWords is a due time in plain words in lang.
func (r *work) promiseWords(due time.Time, lang string) string {
	l, err := r.d.tpl.Language(lang)
	if err != nil {
		if l, err = r.d.tpl.Language("en"); err != nil {
			return due.In(r.d.opts.Location).Format("Mon 2 Jan 15:04")
		}
	}
	return l.Promise(due, r.now, r.d.opts.Location)
}
