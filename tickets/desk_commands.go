package tickets

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// The desk features staff use by email beyond the basic commands: saved
// answers (#answer), merging (#merge), the patron's history (#history),
// their own queue (#mine, #late), collisions (#send) and spam (#spam).

// replyCommands answer the staff member instead of acting on the ticket.
var replyCommands = []string{"status", "help", "history", "mine", "late"}

// answerNames lists the saved answers, for the command reader.
func (d *Desk) answerNames() []string {
	all, err := d.tpl.Answers()
	if err != nil {
		return nil
	}
	var names []string
	for _, a := range all {
		if !slices.Contains(names, a.Name) {
			names = append(names, a.Name)
		}
	}
	return names
}

// placeholder stands for a saved answer while the reply is read, so that
// the reader sees one plain line where "#answer NAME" was.
func placeholder(i int) string { return fmt.Sprintf("pdsavedanswer%dpd", i) }

// placeAnswers replaces each "#answer NAME" line of text (anywhere in the
// staff member's own words) by a placeholder line, and returns the saved
// answers' names in order. Other commands on the same line stay, on a line
// of their own above it. A name that is not a saved answer is a problem.
func (r *receipt) placeAnswers(text string, known []string) (string, []string, []string) {
	lines := strings.Split(text, "\n")
	var names, problems []string
	for i, l := range lines {
		cl := commandLine(l)
		if !strings.Contains(strings.ToLower(cl), "#answer") || !strings.HasPrefix(cl, "#") {
			continue
		}
		var others, places []string
		for _, part := range splitCommands(cl) {
			word, arg, _ := strings.Cut(strings.TrimPrefix(part, "#"), " ")
			if strings.ToLower(word) != "answer" {
				others = append(others, part)
				continue
			}
			name := strings.ToLower(strings.TrimRight(strings.TrimSpace(arg), ".,;:!"))
			if !slices.Contains(known, name) {
				problems = append(problems, fmt.Sprintf("#answer: there is no saved answer called %q; the saved answers are %s. Write it like this: %s", arg, strings.Join(known, ", "), commandHelp["answer"]))
				continue
			}
			places = append(places, placeholder(len(names)))
			names = append(names, name)
		}
		// "#answer renewals #close": the commands on a line above it.
		lines[i] = strings.Join(append(others, places...), "\n")
	}
	return commandsFirst(strings.Join(lines, "\n")), names, problems
}

// commandsFirst moves the saved answers' placeholders in the block of
// command lines at the top (under a greeting, if any) below that block:
// "#answer renewals\n#close" sends the answer and closes.
func commandsFirst(text string) string {
	lines := strings.Split(text, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) && mailer.IsGreeting(lines[i]) {
		i++
	}
	var cmds, places []string
	j := i
	for ; j < len(lines); j++ {
		l := strings.TrimSpace(lines[j])
		switch {
		case l == "":
			continue
		case strings.HasPrefix(l, "pdsavedanswer") && strings.HasSuffix(l, "pd"):
			places = append(places, l)
			continue
		case strings.HasPrefix(commandLine(l), "#"):
			cmds = append(cmds, l)
			continue
		}
		break
	}
	if len(places) == 0 || len(cmds) == 0 {
		return text
	}
	top := append(append(append([]string{}, lines[:i]...), cmds...), places...)
	return strings.Join(append(top, lines[j:]...), "\n")
}

// unplace writes "#answer NAME" back where a placeholder stands in words
// that do not go to the patron (a note handed over with #assign).
func unplace(text string, names []string) string {
	for i, name := range names {
		text = strings.ReplaceAll(text, placeholder(i), "#answer "+name)
	}
	return text
}

// fillAnswers puts the saved answers, in the patron's language, where their
// placeholders are in the answer. It says why not when a placeholder is
// not in the words for the patron (it fell in a signature or a note).
func (r *receipt) fillAnswers(t *ticketRow, out answerText, names []string) (answerText, string) {
	for i, name := range names {
		a, err := r.d.tpl.Answer(name, t.Language, r.d.opts.Language)
		if err != nil {
			return out, fmt.Sprintf("the saved answer %q could not be read.", name)
		}
		p := placeholder(i)
		if !strings.Contains(out.body, p) {
			return out, fmt.Sprintf("patrondesk could not tell where the saved answer %q goes in your words. Put #answer %s on a line of its own, above your name.", name, name)
		}
		out.body = strings.Replace(out.body, p, a.Text, 1)
	}
	return out, ""
}

// mergeProblems checks every #merge of a reply about t before anything is
// done.
func (r *receipt) mergeProblems(t *ticketRow, cmds []command) ([]string, error) {
	var problems []string
	for _, c := range cmds {
		if c.name != "merge" {
			continue
		}
		other, err := loadTicket(r.ctx, r.tx, c.merge)
		if err != nil {
			return nil, err
		}
		if why := mergeProblem(t, other); why != "" {
			problems = append(problems, fmt.Sprintf("#merge %d: %s.", c.merge, why))
		}
	}
	return problems, nil
}

// applyMerge carries out #merge N on t.
func (r *receipt) applyMerge(t *ticketRow, actor *Staff, n int64) error {
	other, err := loadTicket(r.ctx, r.tx, n)
	if err != nil {
		return err
	}
	if why := mergeProblem(t, other); why != "" {
		return r.event(t.ID, actor.Email, "not merged", why, 0)
	}
	return mergeInto(r.ctx, r.tx, t, other, actor.Email, unix(r.now))
}

// collision is another staff member's answer to the patron, sent after the
// mail a reply answers was made.
type collision struct {
	who   string
	at    time.Time
	words string
}

// collided finds another staff member's answer to t's patron made after
// the staff mail this reply answers: by the outbox's order when that mail is
// known (answers can cross within a second), else by time.
func (r *receipt) collided(t *ticketRow, actor *Staff, since time.Time) (*collision, error) {
	after, err := r.repliedOutboxID()
	if err != nil {
		return nil, err
	}
	mine := actor.FirstName() + " at " + r.d.opts.Library
	var from string
	var at int64
	q := `SELECT from_name, created_at FROM outbox WHERE ticket_id = ? AND to_email = ? AND kind IN ('update', 'closed') AND from_name <> ? AND `
	arg := any(after)
	if after > 0 {
		q += `id > ? ORDER BY id DESC LIMIT 1`
	} else {
		q += `created_at > ? ORDER BY id DESC LIMIT 1`
		arg = unix(since)
	}
	err = r.tx.QueryRowContext(r.ctx, q, t.ID, t.PatronEmail, mine, arg).Scan(&from, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for another answer: %w", err)
	}
	who, _, _ := strings.Cut(from, " at ")
	var body sql.NullString
	err = r.tx.QueryRowContext(r.ctx, sqlLastAnswerByAnother, t.ID, actor.Email).Scan(&body)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read the other answer: %w", err)
	}
	return &collision{who: who, at: time.Unix(at, 0), words: answerWords(body.String)}, nil
}

// repliedOutboxID is the outbox row of the staff mail this reply answers
// (the first signed staff id among In-Reply-To and References), or 0.
func (r *receipt) repliedOutboxID() (int64, error) {
	ids := append([]string{}, r.m.InReplyTo...)
	for i := len(r.m.References) - 1; i >= 0; i-- {
		ids = append(ids, r.m.References[i])
	}
	for _, id := range ids {
		tok, ok := r.d.signer.Verify(id)
		if !ok || tok.Audience != mailer.ForStaff {
			continue
		}
		var n int64
		err := r.tx.QueryRowContext(r.ctx, sqlOutboxWithMessageID, strings.Trim(id, "<> ")).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return n, err
	}
	return 0, nil
}

// answerWords is what a colleague wrote, for the collision notice: their
// own lines without commands, on one line, cut short.
func answerWords(body string) string {
	var kept []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(commandLine(l), "#") {
			kept = append(kept, l)
		}
	}
	return shortLine(strings.Join(kept, " "), 300)
}

// holdCollision keeps an answer that crossed a colleague's: the patron gets
// nothing now, the writer is told what the colleague wrote and that #send
// (within a day) sends theirs anyway.
func (r *receipt) holdCollision(t *ticketRow, actor *Staff, key, text string, c *collision) error {
	when := c.at.In(r.d.opts.Location).Format("15:04")
	if !sameDay(c.at, r.now, r.d.opts.Location) {
		when = c.at.In(r.d.opts.Location).Format("Mon 2 Jan 15:04")
	}
	why := fmt.Sprintf("%s answered %s at %s: %q. Your answer is kept; reply #send within a day to send it anyway.", c.who, firstName(t.PatronName, t.PatronEmail), when, c.words)
	return r.holdAs(kindHeldAnswer, t, actor, key, text, why)
}

// kindHeldAnswer is an answer held because another answer crossed it.
const kindHeldAnswer = "held_answer"

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// sendHeld is #send: the writer's latest held answer on t, from the last
// day, is read and sent as if it had just arrived (every other check still
// applies).
func (r *receipt) sendHeld(t *ticketRow, actor *Staff, msgID int64) error {
	var id int64
	var body string
	err := r.tx.QueryRowContext(r.ctx, sqlHeldAnswer,
		t.ID, kindHeldAnswer, actor.Email, unix(r.now.Add(-24*time.Hour))).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return r.event(t.ID, actor.Email, "nothing to send", "no answer of yours was held on this request in the last day", msgID)
	}
	if err != nil {
		return fmt.Errorf("read the held answer: %w", err)
	}
	if _, err := r.tx.ExecContext(r.ctx, sqlMarkHeldSent, id); err != nil {
		return err
	}
	r.sending = true
	defer func() { r.sending = false }()
	return r.act(t, actor, fmt.Sprintf("send:%d", id), body)
}

// replyText is what #history, #mine and #late answer, and the subject of
// that answer.
func (r *receipt) replyText(t *ticketRow, actor *Staff, name string) (subject, text string, err error) {
	loc := r.d.opts.Location
	switch name {
	case "history":
		lines, err := historyList(r.ctx, r.tx, t.PatronEmail, t.ID, 0, loc)
		if err != nil || len(lines) == 0 {
			return t.Subject, fmt.Sprintf("%s has no other requests.", t.PatronName), err
		}
		return t.Subject, fmt.Sprintf("%s's other requests:\n\n%s", t.PatronName, strings.Join(lines, "\n")), nil
	case "mine":
		s, err := mineList(r.ctx, r.tx, actor.Email, r.now, loc)
		return "Your open requests", s, err
	case "late":
		if !actor.Supervisor && actor != &adminActor {
			return "Late requests", "#late is for supervisors. #mine lists your own requests.", nil
		}
		s, err := lateList(r.ctx, r.tx, r.d.opts.Staff, r.now, loc)
		return "Late requests", s, err
	case "help":
		return "The commands", "Write these on the first lines of a reply to a patrondesk email about a request:\n\n" + helpText(), nil
	}
	return "", "", fmt.Errorf("no reply for #%s", name)
}

// queueRequest reads a new mail from a staff member (no ticket) whose first
// line is #mine, #late or #help: it asks for a list, not for help from the
// library. It returns the command or "".
func (r *receipt) queueRequest() string {
	if r.staff(r.sender()) == nil {
		return ""
	}
	first := ""
	for _, l := range strings.Split(r.d.ownText(r.m.Text), "\n") {
		if first = strings.ToLower(commandLine(l)); first != "" {
			break
		}
	}
	switch first {
	case "#mine", "#late", "#help":
		return strings.TrimPrefix(first, "#")
	}
	return ""
}

// answerQueue answers a queue request by email: the list goes to the staff
// member who asked, about no one ticket.
func (r *receipt) answerQueue(key, name string) error {
	actor := r.staff(r.sender())
	if _, err := r.saveMessage(key, nil, "staff_command", "#"+name); err != nil {
		return err
	}
	if r.d.opts.RequireAuthenticated {
		_, domain, _ := strings.Cut(r.sender(), "@")
		if !mailer.Authenticated(r.m, r.d.opts.TrustedAuthserv, domain) {
			return nil // the list goes only to a proven sender
		}
	}
	data := templates.Data{Library: r.d.opts.Library, Tag: r.d.opts.Tag, Staff: actor.FirstName()}
	var err error
	if data.Subject, data.Summary, err = r.replyText(&ticketRow{}, actor, name); err != nil {
		return err
	}
	data.Event = data.Subject + ", as you asked."
	return r.enqueue(outMail{template: "queue", toName: actor.Name, toEmail: actor.Email, auto: "auto-replied", data: data})
}

// noticeExtras adds to an owner's notice the saved answers whose words
// match the request (at most two) and the patron's last three requests, so
// staff neither write a standard answer again nor ask twice.
func (r *work) noticeExtras(data *templates.Data, t *ticketRow, text string) error {
	if names := r.d.tpl.Suggest(t.Subject+"\n"+text, t.Language, 2); len(names) > 0 {
		data.Suggestions = fmt.Sprintf("This looks like: %s. Reply #answer %s to send it.", strings.Join(names, " or "), names[0])
	}
	earlier, err := historyList(r.ctx, r.tx, t.PatronEmail, t.ID, 3, r.d.opts.Location)
	data.Earlier = earlier
	return err
}
