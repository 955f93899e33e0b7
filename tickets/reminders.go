package tickets

import (
	"fmt"
	"time"

	"patrondesk/templates"
)

// nag reminds the owner that an answer is due.
func (r *work) nag(t *schedTicket, due time.Time, late time.Duration, p *Planned) error {
	owner := r.staff(t.Owner.String)
	if owner == nil {
		return nil
	}
	data := r.lateData(t, owner, due, late)
	if err := r.enqueue(outMail{ticket: t.ticketRow, template: "nag", toName: owner.Name, toEmail: owner.Email, auto: "auto-generated", bulk: true, data: data}); err != nil {
		return err
	}
	p.add("#%d reminder to %s (%s)", t.ID, owner.Email, data.Late)
	return r.event(t.ID, "patrondesk", "reminder sent", owner.Email, 0)
}

// escalate tells the supervisors of the ticket's team (or all of them) that
// an answer is late; step counts the escalations for this deadline.
func (r *work) escalate(t *schedTicket, due time.Time, late time.Duration, step int, p *Planned) error {
	owner := r.staff(t.Owner.String)
	data := r.lateData(t, owner, due, late)
	sups := r.supervisors(t.Team)
	for _, s := range sups {
		if err := r.enqueue(outMail{ticket: t.ticketRow, template: "escalation", toName: s.Name, toEmail: s.Email, auto: "auto-generated", bulk: true, data: data}); err != nil {
			return err
		}
		p.add("#%d escalation %d to %s (%s)", t.ID, step, s.Email, data.Late)
	}
	if len(sups) == 0 {
		return r.event(t.ID, "patrondesk", "late", "no supervisor is configured to tell", 0)
	}
	return r.event(t.ID, "patrondesk", "escalated", fmt.Sprintf("step %d, %s", step, data.Late), 0)
}

// supervisors of a team, else every supervisor.
func (r *work) supervisors(team string) []Staff {
	var inTeam, all []Staff
	for _, s := range r.d.opts.Staff {
		if !s.Supervisor {
			continue
		}
		all = append(all, s)
		for _, t := range s.Teams {
			if t == team && team != "" {
				inTeam = append(inTeam, s)
			}
		}
	}
	if len(inTeam) > 0 {
		return inTeam
	}
	return all
}

// patronUpdate tells a patron still waiting for a first answer that the
// library has not forgotten them, and who is on it.
func (r *work) patronUpdate(t *schedTicket, p *Planned) error {
	return r.toPatron(t, "patron_update", "update sent to the patron", p)
}

// followupMail asks the patron whether a solved request is sorted.
func (r *work) followupMail(t *schedTicket, p *Planned) error {
	return r.toPatron(t, "followup", "follow-up sent to the patron", p)
}

func (r *work) toPatron(t *schedTicket, name, action string, p *Planned) error {
	if limited, err := r.robotLimited(t.PatronEmail); err != nil || limited {
		if err == nil {
			err = r.event(t.ID, "patrondesk", name+" not sent", "too many automatic mails to this address lately", 0)
		}
		return err
	}
	if err := r.mailPatron(t.ticketRow, name, "", "auto-generated", r.templateData(t.ticketRow, r.staff(t.Owner.String))); err != nil {
		return err
	}
	p.add("#%d %s to the patron", t.ID, name)
	return r.event(t.ID, "patrondesk", action, "", 0)
}

// robotLimited reports whether an address has had auto_reply_limit
// automatic mails in auto_reply_window already.
func (r *work) robotLimited(email string) (bool, error) {
	var recent int
	since := r.now.Add(-r.d.opts.AutoReplyWindow)
	if err := r.tx.QueryRowContext(r.ctx, sqlCountMailToSince, email, unix(since)).Scan(&recent); err != nil {
		return false, err
	}
	return recent >= r.d.opts.AutoReplyLimit, nil
}

func (r *work) lateData(t *schedTicket, owner *Staff, due time.Time, late time.Duration) templates.Data {
	data := r.templateData(t.ticketRow, owner)
	data.Due = due.In(r.d.opts.Location).Format("Mon 2 Jan 15:04")
	data.Late = lateWords(late)
	data.Priority = t.Priority
	return data
}

// lateWords says how late in open hours, in plain words.
func lateWords(d time.Duration) string {
	switch h := int(d / time.Hour); {
	case h < 1:
		return "less than an open hour late"
	case h == 1:
		return "1 open hour late"
	default:
		return fmt.Sprintf("%d open hours late", h)
	}
}
