package tickets

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"patrondesk/mailer"
)

// How a staff reply is read: a greeting over the commands, the commands,
// and the answer under them with its own greeting, sign-off and signature.

// reading is a staff reply as the desk reads it.
type reading struct {
	cmds     []command
	rest     string // the text under the commands
	problems []string
	stray    string     // a known command below the top
	answer   answerText // the words for the patron, unless a command keeps them
}

func (rd reading) has(name string) bool {
	return slices.ContainsFunc(rd.cmds, func(c command) bool { return c.name == name })
}

// readReply reads a staff member's own text: a greeting may stand over
// the commands, the commands come next, and under them the answer, with
// its greeting, sign-off and signature told apart (writer gives what is
// known of the writer's signature, from the text under the commands).
// names are the patron's, so "Ann -" is taken for a greeting.
func readReply(p commandParser, text string, names []string, writer func(rest string) mailer.Writer) reading {
	greet, body := mailer.SplitGreeting(text, names...)
	if !startsWithCommand(body) {
		greet, body = "", text
	}
	var rd reading
	rd.cmds, rd.rest, rd.problems = p.parse(body)
	if rd.has("note") {
		return rd // a note goes to no patron: a command inside it is just words
	}
	rd.stray = stray(rd.rest)
	under := rd.rest
	if greet == "" {
		greet, under = mailer.SplitGreeting(rd.rest, names...)
	}
	tr := mailer.TrimSignature(under, writer(under))
	rd.answer = answerText{greeting: greet, body: tr.Body, signOff: tr.SignOff}
	return rd
}

// staffOnlyWords start a line a staff member means for colleagues, written
// without #note: "Internal note: …", "Staff only", "Note to staff".
var staffOnlyWords = regexp.MustCompile(`(?i)^[\s*_>\[(-]*(internal( note)?|staff[ -]only|for staff( only)?|staff note|note (to|for) (staff|self|colleagues|the team)|private note|not for (the )?patron|do not (send|forward) (to|this)|nota interna|solo (para )?personal|note interne|r[ée]serv[ée] au personnel|nur intern|interne notiz)\s*([:\])\-–—.!]|$)`)

// staffOnlyLine is the first line of text that opens with staffOnlyWords,
// or "".
func staffOnlyLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); staffOnlyWords.MatchString(t) {
			return t
		}
	}
	return ""
}

// hasWords reports text with a letter or a digit in it.
func hasWords(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// subjectCommand is a known command a staff member wrote in the subject of
// a reply (not one the patron's own subject holds), or "".
func subjectCommand(subject, ticketSubject string) string {
	theirs := strayAll(ticketSubject)
	for _, c := range strayAll(subject) {
		if !slices.Contains(theirs, c) {
			return c
		}
	}
	return ""
}

// startsWithCommand reports text whose first line is a command.
func startsWithCommand(text string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return strings.HasPrefix(commandLine(first), "#")
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// answerText is what goes to the patron: the staff member's own greeting
// and sign-off, when they wrote them, around the body.
type answerText struct{ greeting, body, signOff string }

func (a answerText) full() string {
	return strings.Join(nonEmpty(a.greeting, a.body, a.signOff), "\n")
}
