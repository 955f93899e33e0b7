package tickets

import (
	"fmt"
	"strings"
	"time"

	"patrondesk/templates"
)

// answer sends staff's words to the patron from the library's address,
// signed with the staff member's first name, without staff addresses.
func (r *receipt) answer(t *ticketRow, actor *Staff, a answerText, closing bool, msgID int64) error {
	hide := func(s string) string {
		return strings.TrimSpace(hideStaffAddresses(s, r.d.opts.Staff, r.d.opts.Address))
	}
	body := hide(a.body)
	name := "update"
	if closing {
		name = "closed"
	} else if err := r.moveTo(t.ID, move{to: StatusWaiting, from: []Status{StatusNew, StatusOpen}}); err != nil {
		return err
	}
	// Answered: nothing is owed until the patron writes again, so the
	// clock stops (no reminders while the ball is with the patron).
	if _, err := r.tx.ExecContext(r.ctx, sqlMarkAnswered, unix(r.now), unix(r.now), t.ID); err != nil {
		return err
	}
	if body != "" { // a #close with no words is no answer (report counts these events)
		if err := r.event(t.ID, actor.Email, "answered the patron", "", msgID); err != nil {
			return err
		}
	}
	data := r.templateData(t, r.staff(t.Owner.String))
	data.Answer, data.Staff = body, actor.FirstName()
	data.Greeting, data.SignOff = hide(a.greeting), hide(a.signOff)
	if err := r.mailPatron(t, name, actor.FirstName()+" at "+r.d.opts.Library, "auto-replied", data); err != nil {
		return err
	}
	return r.sendFiles(t.ID, msgID)
}

// mailPatron sends the ticket's patron a template, greeted by first name and
// threaded on their own messages. fromName "" is the library's name.
func (r *work) mailPatron(t *ticketRow, name, fromName, auto string, data templates.Data) error {
	data.PatronName = firstName(t.PatronName, t.PatronEmail)
	inReplyTo, refs, err := r.patronThread(t.ID)
	if err != nil {
		return err
	}
	return r.enqueue(outMail{ticket: t, template: name, toName: t.PatronName, toEmail: t.PatronEmail,
		fromName: fromName, inReplyTo: inReplyTo, refs: refs, auto: auto, data: data})
}

// reply answers #status and #help to the staff member who asked.
func (r *receipt) reply(t *ticketRow, actor *Staff, name string) error {
	data := r.templateData(t, r.staff(t.Owner.String))
	data.Staff, data.Commands = actor.FirstName(), helpText()
	if name == "history" || name == "mine" || name == "late" {
		what, list, err := r.replyText(t, actor, name)
		if err != nil {
			return err
		}
		if name == "history" {
			what = t.PatronName + "'s other requests"
		}
		data.Event, data.Summary = what+", as you asked.", list
		return r.queue(t, "queue", actor.Name, actor.Email, data, "auto-replied")
	}
	tpl := "help"
	if name == "status" {
		tpl = "command_reply"
		s, err := r.summary(t)
		if err != nil {
			return err
		}
		data.Summary = s
	}
	return r.queue(t, tpl, actor.Name, actor.Email, data, "auto-replied")
}

// summary is a request's state in a few lines, for #status.
func (r *receipt) summary(t *ticketRow) (string, error) {
	loc := r.d.opts.Location
	at := func(n int64) string { return time.Unix(n, 0).In(loc).Format("Mon 2 Jan 15:04") }
	var created int64
	var first, snoozed, lastAt *int64
	var lastAction, lastActor *string
	err := r.tx.QueryRowContext(r.ctx, sqlTicketStatusLines, t.ID).Scan(&created, &first, &snoozed, &lastAt, &lastAction, &lastActor)
	if err != nil {
		return "", fmt.Errorf("summary of ticket %d: %w", t.ID, err)
	}
	owner := "nobody yet"
	if s := r.staff(t.Owner.String); s != nil {
		owner = s.Name
	}
	lines := []string{
		fmt.Sprintf("Request %d: %s", t.ID, t.Subject),
		"Status:       " + string(t.Status),
		"Patron:       " + t.PatronName,
		"Looked after: " + owner,
		"Team:         " + orNone(t.Team),
		"Priority:     " + t.Priority,
		"Opened:       " + at(created),
	}
	if first != nil {
		lines = append(lines, "First answer: "+at(*first))
	} else if t.DueAt.Valid {
		lines = append(lines, "Answer due:   "+at(t.DueAt.Int64))
	}
	if snoozed != nil && *snoozed > unix(r.now) {
		lines = append(lines, "No reminders until "+at(*snoozed))
	}
	if lastAt != nil {
		lines = append(lines, fmt.Sprintf("Last action:  %s by %s, %s", *lastAction, *lastActor, at(*lastAt)))
	}
	return strings.Join(lines, "\n"), nil
}

// guardTexts collects what the leak guard compares an answer with: the
// internal notes and mail to staff of the ticket and of its patron's other
// requests (a note pasted from the wrong one is as secret), and what the
// patron has already seen or wrote (their subjects too). A reply that was held or not acted on is not a
// note (the staff member will send it again), except what follows a
// "#note" in it.
func (r *receipt) guardTexts(ticket int64) (guardTexts, error) {
	var g guardTexts
	rows, err := r.tx.QueryContext(r.ctx, sqlGuardTexts,
		ticket)
	if err != nil {
		return g, fmt.Errorf("read staff-only text: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var body, what string
		if err := rows.Scan(&body, &what); err != nil {
			return g, err
		}
		switch what {
		case "seen":
			g.seen = append(g.seen, body)
		case "notice":
			g.notices = append(g.notices, body)
		case "note":
			g.notes = append(g.notes, body)
		case "held":
			if i := strings.Index(strings.ToLower(body), "#note"); i >= 0 {
				g.notes = append(g.notes, body[i:])
			}
		}
	}
	return g, rows.Err()
}

// patronThread is the In-Reply-To and References that thread a mail in the
// patron's client: their latest message, under their first one.
func (r *work) patronThread(ticket int64) (string, string, error) {
	rows, err := r.tx.QueryContext(r.ctx, sqlPatronMessageIDs, ticket)
	if err != nil {
		return "", "", fmt.Errorf("read the patron's thread: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", "", err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return "", "", rows.Err()
	}
	if len(ids) > 10 {
		ids = append(ids[:1], ids[len(ids)-9:]...)
	}
	return ids[len(ids)-1], strings.Join(ids, " "), rows.Err()
}

// firstWords is the patron's first message, for the notice to a new owner.
func (r *work) firstWords(ticket int64) string {
	var body string
	_ = r.tx.QueryRowContext(r.ctx, sqlFirstPatronBody, ticket).Scan(&body)
	return body
}

// tellReopened tells the patron that staff opened their request again.
func (r *receipt) tellReopened(t *ticketRow) error {
	return r.mailPatron(t, "reopened", "", "auto-generated", r.templateData(t, r.staff(t.Owner.String)))
}
