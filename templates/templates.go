// Package templates holds the words patrondesk sends: the built-in message
// templates (embedded, one folder per language), the rendering of them, and a
// library's own overrides read from a folder.
//
// A template file is named NAME.txt. Its first line is "Subject: ...", then a
// blank line, then the body. Both are Go text/template text with the fields of
// Data.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"
)

//go:embed en es
var builtin embed.FS

// Data is everything a template can use. Not every field is set for every
// template; each template's comment says which it uses.
type Data struct {
	Library    string // the library's name
	Tag        string // the subject tag word, e.g. "Seymour"
	Ticket     int64  // the request number
	Subject    string // the patron's subject line
	PatronName string // the patron's name, or their address when no name was given
	Owner      string // first name of the person looking after the request ("" = nobody yet)
	OwnerFull  string // full name, for staff mail
	Team       string
	Promise    string // when to expect an answer, in plain words ("by Tuesday afternoon")
	Text       string // what the patron wrote
	// Staff mail and answers.
	Staff    string   // first name of the staff member who answered or acted
	Answer   string   // what staff wrote to the patron
	Greeting string   // the staff member's own greeting ("Hi Sam,"), used instead of ours
	SignOff  string   // the staff member's own sign-off ("Kind regards,"), over their name
	Handover string   // what a staff member wrote to the new owner with #assign
	Problems []string // commands that were not understood
	Summary  string   // a request's state, for #status; a list, for #mine, #late, #history
	Event    string   // the first line of a mail to staff, when the template does not write its own
	// The owner's notice: saved answers that look right, and the patron's
	// last requests.
	Suggestions string
	Earlier     []string
	Commands    string // the list of commands, one per line
	Marker      string // ReplyMarker, at the top of every mail to staff
	// Follow-up mail.
	Priority string
	Due      string // when the answer was due ("Mon 7 Dec 10:00")
	Late     string // how late, in open hours ("3 open hours late")
	Digest   Digest // the supervisors' summary
	// Safety, in staff mail: the patron's address, and why their mail is
	// doubted ("" = not doubted).
	PatronEmail string
	Suspect     string
}

// Digest is the supervisors' daily summary. It names patrons but never
// their addresses or what they wrote.
type Digest struct {
	Day, At     string // "Tue 8 Dec", "08:30"
	Overdue     []DigestLine
	Owners      []DigestOwner // Overdue grouped by who has them
	Unowned     []DigestLine
	Quarantined int
	FailedMail  int
	Spam        int // kept in the spam queue since the last summary
	Yesterday   Figures
	// Answers are the last 30 days' first answers against Promise (days
	// with answers only), drawn as bars in the HTML part.
	Answers []AnswerDay
	Promise string // the promise for normal requests, "16 open hours"
	// Link is the reader's own sign-in link to the desk page, working
	// until LinkUntil ("" when the page is off).
	Link, LinkUntil string
}

// AnswerDay is one day's first answers against the promise.
type AnswerDay struct {
	Day      string // "Mon 2 Nov"
	Answered int    // requests first answered that day
	Kept     int    // of them, within their promise
	Median   string // median open time to a first answer, "2h 10m"
	Bar      int    // the median as a share of the chart's width, 1-100
	Late     bool   // the median is past the promise
}

// DigestOwner is one person's late requests.
type DigestOwner struct {
	Name  string
	Lines []DigestLine
}

// DigestLine is one request in the summary.
type DigestLine struct {
	Ticket                         int64
	Patron, Owner, Due, Late, Last string
	Since                          string
}

// Figures are one day's counts.
type Figures struct {
	Day                        string
	Received, Answered, Solved int
	MedianFirstAnswer          string
}

// ReplyMarker tops every mail to staff. What a reply has below it (the quoted
// notice, its staff-only section) is never sent to a patron.
const ReplyMarker = "##- Write your answer above this line -##"

// IsMarker reports a line that holds the marker, quoted or not.
func IsMarker(line string) bool {
	return strings.Contains(line, "##- Write your answer above this line")
}

// Mail is a rendered template.
type Mail struct {
	Subject string
	Text    string
	HTML    string // from NAME.html when there is one
}

// Set renders templates, preferring a library's own folder over the built-in
// ones.
type Set struct {
	dir string // override folder; "" = built-in only
	// Parsed templates and languages and what files exist, kept: a Set
	// is read-only once made (a config reload makes a new one).
	mu       sync.Mutex
	texts    map[string]*template.Template
	langs    map[string]*Language
	has      map[string]bool // "es/ack": whether the file exists
	langList []string
	answers  []Answer // every saved answer, once read (see Answers)
}

// New returns a Set that looks in dir first (dir may be "").
func New(dir string) *Set {
	return &Set{dir: dir, texts: map[string]*template.Template{}, langs: map[string]*Language{}, has: map[string]bool{}}
}

// Render fills template name in language lang (falling back to English).
func (s *Set) Render(name, lang string, d Data) (Mail, error) {
	t, err := s.text(name, lang)
	if err != nil {
		return Mail{}, err
	}
	d.Marker = ReplyMarker
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return Mail{}, fmt.Errorf("template %s/%s: %w", lang, name, err)
	}
	m, err := split(b.String())
	if err != nil {
		return m, err
	}
	m.HTML, err = s.renderHTML(name, lang, d)
	return m, err
}

// text parses template name in lang once.
func (s *Set) text(name, lang string) (*template.Template, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.texts[lang+"/"+name]; t != nil {
		return t, nil
	}
	src, err := s.source(name, lang)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template %s/%s: %w", lang, name, err)
	}
	s.texts[lang+"/"+name] = t
	return t, nil
}

// renderHTML fills NAME.html, the optional HTML alternative, with
// html/template so patron and staff text is escaped.
func (s *Set) renderHTML(name, lang string, d Data) (string, error) {
	src, err := s.source(name+".html", lang)
	if err != nil {
		return "", nil // no HTML alternative
	}
	t, err := htmltemplate.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", fmt.Errorf("template %s/%s.html: %w", lang, name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("template %s/%s.html: %w", lang, name, err)
	}
	return b.String(), nil
}

// source finds a template file: NAME (".txt" added when it has no
// extension) in the library's folder, then built in; in lang, then English.
func (s *Set) source(name, lang string) (string, error) {
	file := name
	if filepath.Ext(name) == "" {
		file = name + ".txt"
	}
	for _, l := range []string{lang, "en"} {
		if s.dir != "" {
			b, err := os.ReadFile(filepath.Join(s.dir, l, file))
			if err == nil {
				return string(b), nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("read template: %w", err)
			}
		}
		if b, err := builtin.ReadFile(l + "/" + file); err == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("no template named %q", name)
}

// split separates the "Subject:" line from the body.
func split(s string) (Mail, error) {
	first, body, _ := strings.Cut(s, "\n")
	subject, ok := strings.CutPrefix(first, "Subject:")
	if !ok {
		return Mail{}, errors.New(`a template must start with a "Subject:" line`)
	}
	return Mail{Subject: strings.TrimSpace(subject), Text: strings.TrimSpace(body) + "\n"}, nil
}
