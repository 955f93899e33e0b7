package tickets

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"patrondesk/mailer"
)

// staffReply handles a staff member's reply about t that carries a staff
// token: commands at the top, then an answer for the patron or a note.
func (r *receipt) staffReply(t *ticketRow, tok mailer.Token, key string) error {
	actor := r.staff(r.sender())
	r.tok = &tok
	text := r.d.ownText(r.m.Text)
	if why := r.unproven(tok); why != "" {
		return r.refuse(t, actor, key, text, []string{why})
	}
	if problems := r.fileProblems(text); len(problems) > 0 {
		return r.refuse(t, actor, key, text, problems)
	}
	return r.act(t, actor, key, text)
}

// unproven says why a staff reply may not act, or "": the mail it answers
// must be recent and, when the library asks for it, the reply must be
// signed by the staff member's domain as a trusted server saw it.
func (r *receipt) unproven(tok mailer.Token) string {
	if lt := r.d.opts.TokenLifetime; lt > 0 && r.now.Sub(tok.Issued) > lt {
		return fmt.Sprintf("the email you answered is older than %d days, so patrondesk cannot be sure it is you. Reply to a newer email about the request, or ask for one with #status.", int(lt.Hours()/24))
	}
	if r.d.opts.RequireAuthenticated {
		_, domain, _ := strings.Cut(r.sender(), "@")
		if !mailer.Authenticated(r.m, r.d.opts.TrustedAuthserv, domain) {
			return "your email did not carry a DKIM or DMARC pass from the library's mail server, so patrondesk cannot be sure it is you."
		}
	}
	return ""
}

// refuse keeps a staff reply as a note, acts on nothing, sends the patron
// nothing, and tells the sender why.
func (r *receipt) refuse(t *ticketRow, actor *Staff, key, text string, problems []string) error {
	msgID, err := r.saveMessageBody(key, &t.ID, "staff_note", strings.Join(problems, " "), text)
	if err != nil {
		return err
	}
	if err := r.event(t.ID, actor.Email, "not acted on", strings.Join(problems, " "), msgID); err != nil {
		return err
	}
	data := r.templateData(t, r.staff(t.Owner.String))
	data.Staff, data.Problems, data.Commands = actor.FirstName(), problems, helpText()
	return r.queue(t, "command_error", actor.Name, actor.Email, data, "auto-replied")
}

// act applies the commands at the top of text and sends the rest to the
// patron, unless #note keeps it for staff or #assign hands it to the new
// owner. Whatever is in doubt sends the patron nothing (see hold).
func (r *receipt) act(t *ticketRow, actor *Staff, key, text string) error {
	p := commandParser{staff: r.d.opts.Staff, now: r.now, loc: r.d.opts.Location, langs: r.d.patronLanguages(), answers: r.d.answerNames()}
	names := []string{t.PatronName, firstName(t.PatronName, t.PatronEmail)}
	placed, saved, problems := r.placeAnswers(text, p.answers)
	if len(problems) > 0 {
		return r.refuse(t, actor, key, text, problems)
	}
	rd := readReply(p, placed, names, func(rest string) mailer.Writer { return r.writer(actor, rest) })
	cmds, rest, out := rd.cmds, rd.rest, rd.answer
	if mp, err := r.mergeProblems(t, cmds); err != nil || len(mp) > 0 {
		rd.problems = append(rd.problems, mp...)
		if err != nil {
			return err
		}
	}
	if len(rd.problems) > 0 {
		return r.refuse(t, actor, key, text, rd.problems)
	}
	if rd.stray != "" {
		return r.hold(t, actor, key, text, fmt.Sprintf("%s was not on the first lines of your email, so patrondesk could not tell whether the words around it were meant for the patron. Put commands alone on the first lines, above anything else.", rd.stray))
	}
	if l := staffOnlyLine(rest); l != "" && !rd.has("note") && !rd.has("spam") && !rd.has("assign") {
		return r.hold(t, actor, key, text, fmt.Sprintf("your email has the line %q, which reads as meant for staff only, so patrondesk did not send it to the patron. To keep words for staff, start the email with #note; to answer the patron, send it again without that line.", l))
	}
	if c := subjectCommand(r.m.Subject, t.Subject); c != "" && !rd.has("note") {
		return r.hold(t, actor, key, text, fmt.Sprintf("%s was in the subject of your email, where patrondesk does not read commands, so it could not tell whether your words were meant for the patron. Put commands alone on the first lines of the text.", c))
	}
	// #spam, like #note, keeps every word for staff.
	note, closing, reopening, handing := rd.has("note") || rd.has("spam"), rd.has("close"), rd.has("reopen"), rd.has("assign")
	if len(saved) > 0 && handing && !note {
		return r.hold(t, actor, key, text, "#answer sends a saved answer to the patron, but what you write with #assign goes only to the new owner, so patrondesk could not tell which you meant. Send #assign in one reply and the saved answer in another.")
	}
	if len(saved) > 0 && !note && !handing {
		var why string
		if out, why = r.fillAnswers(t, out, saved); why != "" {
			return r.hold(t, actor, key, text, why)
		}
	}
	if handing {
		// Words written with #assign are for the new owner, never the patron.
		h := out
		if note {
			h = answerText{body: mailer.TrimSignature(rest, r.writer(actor, rest)).Body}
		}
		r.handover = unplace(strings.TrimSpace(strings.Join(nonEmpty(h.greeting, h.body), "\n")), saved)
		out = answerText{}
	}
	if !hasWords(out.body) {
		out.body = "" // ".", "-", "👍": nothing a patron can read as an answer
	}
	if !note && !handing && out.body == "" && len(cmds) == 0 {
		return r.hold(t, actor, key, text, "there was nothing for the patron in your email once the greeting, sign-off and signature were taken off.")
	}
	forPatron := !note && !handing && (out.body != "" || closing)
	if forPatron && out.body != "" {
		why, err := r.staffOnlyIn(t, out)
		if err != nil {
			return err
		}
		if why != "" {
			return r.hold(t, actor, key, text, why)
		}
		if r.tok != nil && !r.sending {
			c, err := r.collided(t, actor, r.tok.Issued)
			if err != nil {
				return err
			}
			if c != nil {
				return r.holdCollision(t, actor, key, text, c)
			}
		}
	}
	kind := "staff_note"
	if forPatron {
		kind = "staff_answer"
	}
	msgID, err := r.saveMessageBody(key, &t.ID, kind, "", text)
	if err != nil {
		return err
	}
	// #reopen of a request that was never solved or closed tells nobody.
	wasOpen := t.Status.Owed()
	replies, err := r.applyAll(t, actor, cmds, msgID)
	if err != nil {
		return err
	}
	if t, err = loadTicket(r.ctx, r.tx, t.ID); err != nil {
		return err
	}
	switch {
	case forPatron:
		err = r.answer(t, actor, out, closing, msgID)
	case rest != "":
		err = r.event(t.ID, actor.Email, "note", "", msgID)
	case reopening && !wasOpen:
		err = r.tellReopened(t)
	}
	if err != nil {
		return err
	}
	// #status tells the state after the whole reply.
	if t, err = loadTicket(r.ctx, r.tx, t.ID); err != nil {
		return err
	}
	for _, c := range replies {
		if err := r.reply(t, actor, c.name); err != nil {
			return err
		}
	}
	return nil
}

// staffOnlyIn says why an answer may hold staff-only words, or "".
func (r *receipt) staffOnlyIn(t *ticketRow, out answerText) (string, error) {
	if r.d.forwardsMail(r.m) {
		return "your email forwards another email under your words, and patrondesk never sends forwarded mail to a patron: it may hold staff-only words. Copy what the patron should read into your answer and send it again.", nil
	}
	g, err := r.guardTexts(t.ID)
	if err != nil {
		return "", err
	}
	if w := leak(out.full(), g); w != "" {
		return fmt.Sprintf("it repeats words of an internal note or of a mail patrondesk sent to staff (%q), and that must not reach the patron. Write the answer again in your own words, without quoting the notes.", w), nil
	}
	if w := r.d.inlineQuoteLeak(r.m.Text, g); w != "" {
		return fmt.Sprintf("your answer sits between quoted lines that hold staff-only words (%q), so patrondesk could not tell what was meant for the patron. Write the answer again without quoting the notes or the staff-only part.", w), nil
	}
	return "", nil
}

// applyAll carries out the commands in the order written, each on the
// ticket as the one before left it, and returns those that ask for a reply
// (#status, #help) to answer once the whole reply is done.
func (r *receipt) applyAll(t *ticketRow, actor *Staff, cmds []command, msgID int64) ([]command, error) {
	var replies []command
	for _, c := range cmds {
		if slices.Contains(replyCommands, c.name) {
			replies = append(replies, c)
			continue
		}
		if err := r.apply(t, actor, c, msgID); err != nil {
			return nil, err
		}
		var err error
		if t, err = loadTicket(r.ctx, r.tx, t.ID); err != nil {
			return nil, err
		}
	}
	return replies, nil
}

// hold keeps a staff reply as a note and acts on nothing: it is not clear
// the text is meant for the patron and free of staff-only words. The
// sender is told why and how to send it.
func (r *receipt) hold(t *ticketRow, actor *Staff, key, text, why string) error {
	return r.holdAs("staff_note", t, actor, key, text, why)
}

// holdAs is hold, keeping the reply as a message of kind.
func (r *receipt) holdAs(kind string, t *ticketRow, actor *Staff, key, text, why string) error {
	if actor == &adminActor {
		// At the terminal: say it there, and change nothing.
		return &ErrCommand{Problems: []string{"nothing was done: " + why}}
	}
	msgID, err := r.saveMessageBody(key, &t.ID, kind, why, text)
	if err != nil {
		return err
	}
	if err := r.event(t.ID, actor.Email, "held", why, msgID); err != nil {
		return err
	}
	data := r.templateData(t, r.staff(t.Owner.String))
	data.Staff, data.Problems = actor.FirstName(), []string{why}
	return r.queue(t, "held", actor.Name, actor.Email, data, "auto-replied")
}

// apply carries out one command and records it.
func (r *receipt) apply(t *ticketRow, actor *Staff, c command, msgID int64) error {
	switch c.name {
	case "note", "answer":
		return nil // #answer is read with the words it goes with
	case "merge":
		return r.applyMerge(t, actor, c.merge)
	case "spam":
		return r.markSpam(t, actor, msgID)
	case "send":
		return r.sendHeld(t, actor, msgID)
	case "close":
		if err := r.moveTo(t.ID, move{to: StatusSolved}); err != nil {
			return fmt.Errorf("solved: %w", err)
		}
		return r.event(t.ID, actor.Email, "solved", "", msgID)
	case "reopen":
		if t.Status.Owed() {
			return r.event(t.ID, actor.Email, "not reopened", "it was still open", msgID)
		}
		if err := r.owe(t.ID, t.Priority); err != nil {
			return err
		}
		return r.event(t.ID, actor.Email, "reopened", "", msgID)
	case "priority":
		// A new priority moves the promise for the answer owed, if any.
		due := t.DueAt
		if t.OwedSince.Valid {
			due = sql.NullInt64{Int64: unix(r.d.dueAfter(time.Unix(t.OwedSince.Int64, 0), c.priority)), Valid: true}
		}
		return r.update(t.ID, actor, msgID, "priority", c.priority, `priority = ?, due_at = ?, next_check_at = ?`, c.priority, due, unix(r.now))
	case "wait":
		when := c.until.In(r.d.opts.Location).Format("Mon 2 Jan 2006 15:04")
		return r.update(t.ID, actor, msgID, "no reminders until", when, `snoozed_until = ?, next_check_at = ?`, unix(c.until), unix(c.until))
	case "take":
		return r.assign(t, actor, actor, t.Team, msgID)
	case "lang":
		return r.setLanguage(t, actor, c.lang, msgID)
	case "away":
		when := c.until.In(r.d.opts.Location).Format("Mon 2 Jan 2006")
		if err := r.setAway(actor, c.until, msgID); err != nil {
			return err
		}
		return r.event(t.ID, actor.Email, "away", "until "+when, msgID)
	case "assign":
		owner, team := c.owner, t.Team
		if owner == nil {
			var err error
			if owner, err = r.owner(c.team); err != nil {
				return err
			}
			if owner == nil {
				return r.event(t.ID, actor.Email, "not assigned", "everyone in team "+c.team+" is away", msgID)
			}
			team = c.team
		}
		return r.assign(t, actor, owner, team, msgID)
	}
	return fmt.Errorf("command %q has no action", c.name)
}

// update changes the ticket and records who did what.
func (r *work) update(id int64, actor *Staff, msgID int64, action, detail, set string, args ...any) error {
	args = append(args, unix(r.now), id)
	if _, err := r.tx.ExecContext(r.ctx, sqlUpdateTicket(set), args...); err != nil {
		return fmt.Errorf("%s ticket %d: %w", action, id, err)
	}
	return r.event(id, actor.Email, action, detail, msgID)
}

// assign gives t to owner, who is told unless they did it themselves.
func (r *work) assign(t *ticketRow, actor, owner *Staff, team string, msgID int64) error {
	detail := owner.Email
	if t.Owner.Valid && t.Owner.String != owner.Email {
		detail += " (was " + t.Owner.String + ")"
	}
	// Owned now, a new ticket is open; any other status stays.
	if t.Status == StatusNew {
		err := r.moveTo(t.ID, move{to: StatusOpen, claimed: true, extra: `owner_email = ?, team = ?`, extraArgs: []any{owner.Email, team}})
		if err != nil {
			return fmt.Errorf("assigned: %w", err)
		}
		if err := r.event(t.ID, actor.Email, "assigned", detail, msgID); err != nil {
			return err
		}
	} else if err := r.update(t.ID, actor, msgID, "assigned", detail, `owner_email = ?, team = ?`, owner.Email, team); err != nil {
		return err
	}
	if owner.Email == actor.Email || t.Owner.String == owner.Email && r.handover == "" {
		return nil // they know: it is theirs already, and nothing was written to them
	}
	nt, err := loadTicket(r.ctx, r.tx, t.ID)
	if err != nil {
		return err
	}
	data := r.templateData(nt, owner)
	text, files, err := r.handoverFiles(nt, r.firstWords(t.ID))
	if err != nil {
		return err
	}
	data.Text = text
	data.Staff, data.Handover = actor.FirstName(), r.handover
	r.handover = ""
	if err := r.noticeExtras(&data, nt, r.firstWords(t.ID)); err != nil {
		return err
	}
	if err := r.queue(nt, "assigned", owner.Name, owner.Email, data, "auto-generated"); err != nil {
		return err
	}
	return r.attachLast(files)
}
