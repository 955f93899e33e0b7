package tickets

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"patrondesk/mailer"
)

// command is one "#word args" line from the top of a staff reply, already
// checked: an assign names a real person or team, a wait a real time.
type command struct {
	name     string // note, close, assign, take, wait, priority, reopen, away, status, help
	owner    *Staff // assign, take
	team     string // assign to a team
	until    time.Time
	priority string
	lang     string
	answer   string // #answer: a saved answer's name
	merge    int64  // #merge: the request to make part of this one
}

// commandHelp is how each command is written, for the replies that explain
// a command that was not understood.
var commandHelp = map[string]string{
	"note":     "#note  (keep this as a note for staff; nothing goes to the patron)",
	"close":    "#close  (mark the request solved; any text you write goes to the patron as the final answer)",
	"assign":   "#assign NAME  (give the request to a person, by name or address, or to a team)",
	"take":     "#take  (make the request yours)",
	"wait":     "#wait 3d  or  #wait 2026-12-24  (no reminders until then)",
	"priority": "#priority low  or  normal  or  urgent",
	"reopen":   "#reopen  (open a solved or closed request again)",
	"away":     "#away 2026-12-24  (you are away until that day: new requests skip you and your open ones go to your team)",
	"lang":     "#lang es  (write to this patron in that language from now on)",
	"status":   "#status  (get a summary of the request)",
	"help":     "#help  (get the list of commands)",
	"answer":   "#answer renewals  (send a saved answer in the patron's language, on its own line; your own words above and below it go with it)",
	"merge":    "#merge 123  (make request 123 part of this one; nobody is written to)",
	"history":  "#history  (get this patron's other requests)",
	"mine":     "#mine  (get your open requests, late ones first; also as the first line of a new email to the help address)",
	"late":     "#late  (supervisors: get every late request)",
	"send":     "#send  (send the answer that was held because someone else had answered first)",
	"spam":     "#spam  (close the request without a word and keep the sender's later mail as spam)",
}

// commandOrder is the order the help lists the commands in.
var commandOrder = []string{"note", "close", "answer", "assign", "take", "wait", "priority", "reopen", "merge", "lang", "away", "spam", "send", "status", "history", "mine", "late", "help"}

// commandParser knows what names and teams exist and when "now" is, to check
// the arguments.
type commandParser struct {
	staff []Staff
	now   time.Time
	loc   *time.Location
	langs []string // languages patrons can be written to in
	// answers names the saved answers (#answer).
	answers []string
}

// parse reads the commands at the top of text: the lines, before any other
// line, that start with "#" (several commands may share a line) once the
// marks of a converted HTML mail are gone ("*#note*", "_#close_"). Text
// after "#note" on its line is the first line of the note. It returns the
// commands, the text under them, and a plain sentence for each command it
// could not understand.
func (p commandParser) parse(text string) (cmds []command, rest string, problems []string) {
	lines := strings.Split(text, "\n")
	var first string // what followed #note on its line
	i := 0
	for ; i < len(lines); i++ {
		l := commandLine(lines[i])
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, "#") {
			break
		}
		if w, after, ok := noteWithText(l); ok {
			l, first = w, after
		}
		for _, part := range splitCommands(l) {
			c, problem := p.one(part)
			if problem != "" {
				problems = append(problems, problem)
				continue
			}
			cmds = append(cmds, c)
		}
		if first != "" {
			i++
			break
		}
	}
	rest = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if first != "" {
		rest = strings.TrimSpace(first + "\n" + rest)
	}
	return cmds, rest, problems
}

// commandLine is a line as a command reader sees it: without the bold and
// italic marks HTML conversion leaves, zero-width characters and spacing.
func commandLine(l string) string {
	l = strings.TrimSpace(width.Fold.String(mailer.NormaliseText(l)))
	if !strings.HasPrefix(strings.TrimLeft(l, "*_~ "), "#") {
		return l
	}
	f := strings.Fields(strings.ReplaceAll(l, "*", " "))
	for i := range f {
		f[i] = strings.Trim(f[i], "_~")
	}
	return strings.Join(f, " ")
}

// noteWithText splits "#note: she owes $40" into "#note" and the text.
func noteWithText(l string) (cmd, text string, ok bool) {
	word, after, _ := strings.Cut(l, " ")
	if w := strings.ToLower(strings.TrimRight(word, ":")); w != "#note" {
		return "", "", false
	}
	after = strings.TrimSpace(after)
	if strings.HasPrefix(after, "#") {
		return "", "", false // "#note #wait 3d": two commands
	}
	if after == "" {
		return "#note", "", strings.HasSuffix(word, ":")
	}
	return "#note", after, true
}

// strayCommand finds a known command written below the top of a reply,
// where it does not count: "…\n#note she owes $40" would otherwise reach
// the patron.
var strayCommand = regexp.MustCompile(`(?i)(^|[\s(\[>"'*_])#(note|close|assign|take|wait|priority|reopen|lang|away|status|help|answer|merge|mine|history|late|send|spam)\b`)

// stray returns the first known command in text, or "".
func stray(text string) string {
	if all := strayAll(text); len(all) > 0 {
		return all[0]
	}
	return ""
}

// strayAll returns every known command in text, in order.
func strayAll(text string) []string {
	var out []string
	for _, m := range strayCommand.FindAllStringSubmatch(strings.ReplaceAll(width.Fold.String(mailer.NormaliseText(text)), "*", " "), -1) {
		out = append(out, "#"+strings.ToLower(m[2]))
	}
	return out
}

// splitCommands cuts "#take #priority urgent" into its commands.
func splitCommands(line string) []string {
	var out []string
	for _, f := range strings.Split(" "+line, " #") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, "#"+strings.TrimPrefix(f, "#"))
		}
	}
	return out
}

func (p commandParser) one(s string) (command, string) {
	word, arg, _ := strings.Cut(strings.TrimPrefix(s, "#"), " ")
	word, arg = strings.ToLower(strings.TrimSpace(word)), strings.TrimSpace(arg)
	c := command{name: word}
	usage, known := commandHelp[word]
	switch {
	case !known:
		return c, fmt.Sprintf("%q is not a command patrondesk knows. Write #help to get the list.", s)
	case word == "assign":
		if arg == "" {
			return c, "#assign needs a name. Write it like this: " + usage
		}
		c.owner, c.team = p.who(arg)
		if c.owner == nil && c.team == "" {
			return c, fmt.Sprintf("#assign: nobody on the staff list is called %q, and no team has that name. Write it like this: %s", arg, usage)
		}
	case word == "wait" || word == "away":
		until, ok := parseUntil(arg, p.now, p.loc)
		if !ok {
			return c, fmt.Sprintf("#%s: %q is not a time patrondesk understands. Write it like this: %s", word, arg, usage)
		}
		c.until = until
	case word == "priority":
		switch a := strings.ToLower(arg); a {
		case "low", "normal", "urgent":
			c.priority = a
		default:
			return c, fmt.Sprintf("#priority: %q is not a priority. Write it like this: %s", arg, usage)
		}
	case word == "answer":
		c.answer = strings.ToLower(arg)
		if !slices.Contains(p.answers, c.answer) {
			return c, fmt.Sprintf("#answer: there is no saved answer called %q; the saved answers are %s. Write it like this: %s", arg, strings.Join(p.answers, ", "), usage)
		}
	case word == "merge":
		n, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
		if err != nil || n <= 0 {
			return c, fmt.Sprintf("#merge needs the number of the other request (found %q). Write it like this: %s", arg, usage)
		}
		c.merge = n
	case word == "lang":
		c.lang = strings.ToLower(arg)
		if !slices.Contains(p.langs, c.lang) {
			return c, fmt.Sprintf("#lang: there are no patron templates in %q; the languages are %s. Write it like this: %s", arg, strings.Join(p.langs, ", "), usage)
		}
	case arg != "":
		return c, fmt.Sprintf("#%s takes nothing after it (found %q). Write it like this: %s", word, arg, usage)
	}
	return c, ""
}

// who finds a staff member by address, full name or unique first name, or
// else a team.
func (p commandParser) who(arg string) (*Staff, string) {
	if s := FindStaff(p.staff, arg); s != nil {
		return s, ""
	}
	a := strings.ToLower(strings.TrimSpace(arg))
	for _, s := range p.staff {
		for _, t := range s.Teams {
			if strings.ToLower(t) == a {
				return nil, t
			}
		}
	}
	return nil, ""
}

// FindStaff finds the staff member who names: their address, their full
// name, or a first name only one of them has, in any case; nil when it
// names nobody. #assign, `tickets take` and --owner all read names so.
func FindStaff(staff []Staff, who string) *Staff {
	a := strings.TrimSpace(who)
	var byFirst []int
	for i, s := range staff {
		if strings.EqualFold(s.Email, a) || strings.EqualFold(s.Name, a) {
			return &staff[i]
		}
		if strings.EqualFold(s.FirstName(), a) {
			byFirst = append(byFirst, i)
		}
	}
	if len(byFirst) == 1 {
		return &staff[byFirst[0]]
	}
	return nil
}

var waitFor = regexp.MustCompile(`^(\d{1,4})\s*(h|hours?|d|days?|w|weeks?)$`)

// parseUntil reads "3d", "2 weeks", "48h" or a date "2026-12-24" (the
// start of that day in the library's time zone).
func parseUntil(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if m := waitFor.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[m[2][0]]
		return now.Add(time.Duration(n) * unit), n > 0
	}
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil && d.After(now) {
		return d.UTC(), true
	}
	return time.Time{}, false
}

// helpText lists every command, one per line.
func helpText() string {
	var b strings.Builder
	for _, name := range commandOrder {
		b.WriteString("  " + commandHelp[name] + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
