package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// ticketRow is a ticket as the desk works with it.
type ticketRow struct {
	ID          int64
	Status      Status
	Subject     string
	PatronName  string
	PatronEmail string
	Owner       sql.NullString
	Team        string
	Language    string
	Priority    string
	DueAt       sql.NullInt64
	OwedSince   sql.NullInt64
	Origin      sql.NullInt64 // the first ticket of a chain of replies, see origin
	ClosedAt    sql.NullInt64
	Suspect     string // why the sender is doubted; "" = not doubted
}

// timeOf is a stored time, zero when unset.
func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// loadTicket reads ticket id, or the ticket it was merged into: mail about a
// merged ticket belongs to the one that was kept. On PostgreSQL the row is
// locked until the transaction ends: what the desk decides from it (is
// there a crossing answer? is it closed?) must not be decided at the same
// time by another daemon, which would not see this transaction's writes.
// SQLite's single writer gives the same.
func loadTicket(ctx context.Context, tx *Tx, id int64) (*ticketRow, error) {
	q := sqlLoadTicket
	if tx.db.engine == PostgreSQL {
		q = sqlLoadTicketLocked
	}
	for hops := 0; ; hops++ {
		t := &ticketRow{}
		var merged sql.NullInt64
		err := tx.QueryRowContext(ctx, q, id).
			Scan(&t.ID, &t.Status, &t.Subject, &t.PatronName, &t.PatronEmail, &t.Owner, &t.Team, &t.Language, &t.Priority, &t.DueAt, &t.OwedSince, &t.ClosedAt, &t.Suspect, &merged)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("load ticket %d: %w", id, err)
		}
		if !merged.Valid || hops == maxMergeHops {
			return t, nil
		}
		id = merged.Int64
	}
}

// create opens a ticket for the message, assigns it and queues the
// acknowledgement and the owner's notice. previous is a closed ticket this
// message answered, linked from the new one.
func (r *receipt) create(key string, previous *ticketRow) error {
	_, err := r.open(key, previous, "")
	return err
}

// open is create; hold, when not "", is why nobody but staff who must
// confirm may be written to yet (an unproven forward): the ticket is made
// and assigned, and the acknowledgement and notice wait.
func (r *receipt) open(key string, previous *ticketRow, hold string) (*ticketRow, error) {
	team := r.d.opts.MailboxTeams[r.in.Mailbox]
	if team == "" {
		team = routeTeam(r.d.opts.Routes, r.m)
	}
	owner, err := r.owner(team)
	if err != nil {
		return nil, err
	}
	status, ownerEmail := StatusNew, sql.NullString{}
	if owner != nil {
		status, ownerEmail = StatusOpen, sql.NullString{String: owner.Email, Valid: true}
	}
	var linked any
	if previous != nil {
		linked = previous.ID
	}
	// A tag of ours in a new ticket's subject belongs to some other ticket.
	subject := oneLine(r.d.tagPattern.ReplaceAllString(oneLine(r.m.Subject), ""))
	if subject == "" {
		subject = "(no subject)"
	}
	due := r.d.dueAfter(r.now, "normal")
	lang, err := r.patronLanguage(r.sender())
	if err != nil {
		return nil, err
	}
	origin, err := r.origin()
	if err != nil {
		return nil, err
	}
	suspect, flood := hold, false
	if suspect == "" {
		if suspect, flood, err = r.suspicion(); err != nil {
			return nil, err
		}
	}
	name := cleanName(r.senderName())
	var id int64
	err = r.tx.QueryRowContext(r.ctx, sqlInsertTicket,
		string(status), subject, name, r.sender(), ownerEmail, team, lang, linked, origin, unix(r.now), unix(r.now), unix(due), unix(due), unix(r.now), unix(due), suspect, r.senderAuth().Verified).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("create ticket: %w", err)
	}
	t := &ticketRow{ID: id, Origin: origin, Status: status, Subject: subject, Priority: "normal", PatronName: name, PatronEmail: r.sender(), Owner: ownerEmail, Team: team, Language: lang,
		DueAt: sql.NullInt64{Int64: unix(due), Valid: true}, Suspect: suspect}
	msgID, err := r.saveMessage(key, &t.ID, "personal", "")
	if err != nil {
		return nil, err
	}
	noticeText, files, err := r.noticeFiles(t.ID, msgID, r.m.Text)
	if err != nil {
		return nil, err
	}
	detail := "team " + orNone(team)
	if previous != nil {
		detail += fmt.Sprintf("; follows closed request %d", previous.ID)
	}
	if r.viaForm != "" {
		detail += "; sent through the web form (" + r.viaForm + ")"
	}
	if err := r.event(t.ID, r.sender(), "created", detail, msgID); err != nil {
		return nil, err
	}
	if suspect != "" {
		if err := r.event(t.ID, "patrondesk", "suspect", suspect, 0); err != nil {
			return nil, err
		}
	}
	data := r.templateData(t, owner)
	if hold == "" {
		if err := r.acknowledge(t, data); err != nil {
			return nil, err
		}
	}
	if owner == nil {
		return t, r.event(t.ID, "patrondesk", "not assigned", "no staff member can take it", 0)
	}
	if err := r.event(t.ID, "patrondesk", "assigned", owner.Email, 0); err != nil {
		return nil, err
	}
	if flood {
		if err := r.tellAdminFlood(suspect); err != nil {
			return nil, err
		}
	}
	if hold != "" || flood {
		return t, r.event(t.ID, "patrondesk", "notice not sent", orNone(suspect), 0)
	}
	data.Text = noticeText
	if err := r.noticeExtras(&data, t, r.m.Text); err != nil {
		return nil, err
	}
	if err := r.queue(t, "assigned", owner.Name, owner.Email, data, "auto-generated"); err != nil {
		return nil, err
	}
	return t, r.attachLast(files)
}

// appendTo adds a patron's reply to their ticket. It reopens a ticket that
// was waiting, solved or recently closed, and tells the owner.
func (r *receipt) appendTo(t *ticketRow, key string) error {
	from := r.sender()
	msgID, err := r.saveMessage(key, &t.ID, "personal", "")
	if err != nil {
		return err
	}
	meaning, err := r.meaning(t)
	if err != nil {
		return err
	}
	if meaning == meansThanks || meaning == meansSorted {
		return r.takeThanks(t, meaning, msgID)
	}
	if err := r.event(t.ID, from, "patron replied", "", msgID); err != nil {
		return err
	}
	if meaning == meansNotSorted {
		if err := r.event(t.ID, from, "not sorted on follow-up", "", msgID); err != nil {
			return err
		}
	}
	if !t.Status.Owed() { // waiting, solved or closed: the patron reopens it
		if err := r.owe(t.ID, t.Priority); err != nil {
			return err
		}
		if err := r.event(t.ID, "patrondesk", "reopened", "the patron wrote again", 0); err != nil {
			return err
		}
	} else if _, err := r.tx.ExecContext(r.ctx, sqlTouchTicket, unix(r.now), t.ID); err != nil {
		return err
	}
	text, files, err := r.noticeFiles(t.ID, msgID, mailer.StripReply(r.m.Text))
	if err != nil {
		return err
	}
	owner := r.staff(t.Owner.String)
	if owner == nil {
		return nil
	}
	data := r.templateData(t, owner)
	data.Text = text
	if err := r.queue(t, "patron_replied", owner.Name, owner.Email, data, "auto-generated"); err != nil {
		return err
	}
	return r.attachLast(files)
}

// owe reopens ticket id: an answer is owed from now, due by the promise for
// its priority, and the scheduler looks at it again.
func (r *receipt) owe(id int64, priority string) error {
	due := r.d.dueAfter(r.now, priority)
	if err := r.moveTo(id, move{to: StatusOpen, due: due}); err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	return nil
}

// incomingText is the text of the message being taken ("" without one).
func (r *work) incomingText() string {
	if r.m == nil {
		return ""
	}
	return r.m.Text
}

func (r *work) templateData(t *ticketRow, owner *Staff) templates.Data {
	d := templates.Data{
		Library: r.d.opts.Library, Tag: r.d.opts.Tag, Ticket: t.ID, Subject: oneLine(t.Subject),
		PatronName: cleanName(t.PatronName), PatronEmail: t.PatronEmail, Suspect: t.Suspect, Team: t.Team, Text: r.incomingText(),
		Promise: r.promiseWords(timeOf(t.DueAt), t.Language),
	}
	if owner != nil {
		d.Owner, d.OwnerFull = owner.FirstName(), owner.Name
	}
	return d
}

// acknowledge queues the patron's acknowledgement, unless the sender is
// doubted or a cap says no (see backscatter.go). What the sender wrote goes
// into it only when their mail server proved them: their subject, short and
// on one line, and their name. Otherwise it holds the request number and our
// own words, nothing a forger could use to send spam through us.
func (r *receipt) acknowledge(t *ticketRow, data templates.Data) error {
	why, err := r.noAck(t)
	if err != nil || why != "" {
		if err == nil {
			err = r.event(t.ID, "patrondesk", "acknowledgement not sent", why, 0)
		}
		return err
	}
	toName := ""
	data.Subject, data.PatronName = "", ""
	if r.senderAuth().Verified {
		toName = t.PatronName
		data.Subject = shortLine(t.Subject, maxAckSubject)
		if n := firstName(t.PatronName, t.PatronEmail); n != "there" {
			data.PatronName = n
		}
	}
	status, err := r.firstAckStatus(t)
	if err != nil {
		return err
	}
	return r.queueAck(t, toName, data, status)
}

// origin is the first ticket of the chain this message replies to: the
// ticket of a patron token in its references, or of the tag in its subject,
// when the message could not join that ticket (it is from someone else).
// Robots that answer every mail from a new address build such chains.
func (r *receipt) origin() (sql.NullInt64, error) {
	id := r.d.subjectTicket(r.m.Subject)
	if tok, ok := r.d.signer.FindToken(r.m, mailer.ForPatron); ok {
		id = tok.Ticket
	}
	if id == 0 {
		return sql.NullInt64{}, nil
	}
	var o sql.NullInt64
	err := r.tx.QueryRowContext(r.ctx, sqlChainOrigin, id).Scan(&o)
	if errors.Is(err, sql.ErrNoRows) {
		return sql.NullInt64{}, nil
	}
	return o, err
}

// chainLimited reports whether the chain from origin has had
// ThreadReplyLimit acknowledgements within the window.
func (r *receipt) chainLimited(origin sql.NullInt64) (bool, error) {
	if !origin.Valid || r.d.opts.ThreadReplyLimit <= 0 {
		return false, nil
	}
	var n int
	err := r.tx.QueryRowContext(r.ctx, sqlCountAcksAlongChain, origin.Int64, unix(r.now.Add(-r.d.opts.AutoReplyWindow))).Scan(&n)
	return n >= r.d.opts.ThreadReplyLimit, err
}

// firstName is how patrons are greeted: "Ann" for "Ann Lee", "there" when
// only an address is known.
func firstName(name, email string) string {
	if name == "" || name == email || strings.Contains(name, "@") {
		return "there"
	}
	if _, first, ok := strings.Cut(name, ","); ok && strings.TrimSpace(first) != "" {
		name = strings.TrimSpace(first) // "Lee, Ann"
	}
	f, _, _ := strings.Cut(name, " ")
	return f
}

// queue renders a template for one recipient. Mail to the patron threads on
// the patron's message being taken; mail to staff starts its own thread.
func (r *work) queue(t *ticketRow, name, toName, toEmail string, data templates.Data, auto string) error {
	return r.enqueue(r.outTo(t, name, toName, toEmail, data, auto))
}

func (r *work) outTo(t *ticketRow, name, toName, toEmail string, data templates.Data, auto string) outMail {
	m := outMail{ticket: t, template: name, toName: toName, toEmail: toEmail, auto: auto, data: data}
	if r.m != nil && toEmail == t.PatronEmail && r.sender() == toEmail && r.m.MessageID != "" {
		m.inReplyTo = r.m.MessageID
		m.refs = strings.Join(append(append([]string{}, r.m.References...), r.m.MessageID), " ")
	}
	return m
}

// outMail is one mail to put in the outbox.
type outMail struct {
	ticket          *ticketRow // nil for mail about no one ticket (the summary)
	template        string
	toName, toEmail string
	fromName        string // "" = the library's name
	inReplyTo, refs string
	auto            string
	bulk            bool // Precedence: bulk, so staff auto-replies keep quiet
	data            templates.Data
	status          string // "" = queued; "held" or "confirm" waits (see backscatter.go)
}

// enqueue renders the template and writes the outbox row, with its signed
// Message-ID fixed now: a staff token for staff, a patron token otherwise.
// The row is due at once (0), whatever the clock says, so `run --once --at`
// sends what it planned.
func (r *work) enqueue(m outMail) error {
	if held, err := r.guardPatronMail(&m); err != nil || held {
		return err
	}
	lang, patron, id := r.d.opts.Language, "", int64(0)
	var ticket any
	contentLang := "" // said on patron mail, whose templates exist in every language
	if t := m.ticket; t != nil {
		patron, id, ticket = t.PatronEmail, t.ID, t.ID
		if m.toEmail == patron {
			lang = t.Language // staff mail stays in the library's language
			contentLang = lang
		}
	}
	if t := m.ticket; t != nil && m.data.Promise != "" {
		m.data.Promise = r.promiseWords(timeOf(t.DueAt), lang)
	}
	mail, err := r.d.tpl.Render(m.template, lang, m.data)
	if err != nil {
		return fmt.Errorf("render %s: %w", m.template, err)
	}
	if m.fromName == "" {
		m.fromName = r.d.opts.Library
	}
	aud := mailer.ForPatron
	if m.toEmail != patron && r.staff(m.toEmail) != nil {
		aud = mailer.ForStaff
	}
	if aud == mailer.ForStaff && m.ticket != nil && m.inReplyTo == "" {
		if m.inReplyTo, m.refs, err = r.staffThread(id, m.toEmail); err != nil {
			return err
		}
	}
	msgID := r.d.signer.MessageID(id, aud, r.now)
	status := m.status
	if status == "" {
		status = "queued"
	}
	err = r.tx.QueryRowContext(r.ctx, sqlInsertOutbox,
		ticket, m.template, m.toName, m.toEmail, m.fromName, r.d.opts.Address, mail.Subject, mail.Text, mail.HTML, msgID, m.inReplyTo, m.refs, m.auto, m.bulk, unix(r.now), status, contentLang).Scan(&r.lastOutbox)
	if err != nil {
		return fmt.Errorf("queue %s: %w", m.template, err)
	}
	r.queued = r.queued || status == "queued"
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// automaticToPatron are the patron mails the scheduler sends on its own.
var automaticToPatron = map[string]bool{"patron_update": true, "followup": true}

// neutralSubject stands for an unverified sender's subject in the
// scheduler's mail to them, by language.
var neutralSubject = map[string]string{"en": "Your request", "es": "Su solicitud"}

// guardPatronMail applies the backscatter rules to the scheduler's own mail
// to a patron, as to the acknowledgement: a doubted sender gets nothing
// (held is true, and why is recorded), an unverified one none of their own
// words (the subject and name are replaced). Staff answers are staff's
// choice and pass.
func (r *work) guardPatronMail(m *outMail) (held bool, err error) {
	if m.ticket == nil || !automaticToPatron[m.template] || m.toEmail != m.ticket.PatronEmail {
		return false, nil
	}
	var suspect string
	var verified bool
	if err := r.tx.QueryRowContext(r.ctx, sqlTicketSuspicion, m.ticket.ID).Scan(&suspect, &verified); err != nil {
		return false, err
	}
	if suspect != "" {
		return true, r.event(m.ticket.ID, "patrondesk", m.template+" not sent", "the sender is doubted: "+suspect, 0)
	}
	if !verified {
		m.toName, m.data.PatronName = "", firstName("", m.toEmail)
		if m.data.Subject = neutralSubject[m.ticket.Language]; m.data.Subject == "" {
			m.data.Subject = neutralSubject["en"]
		}
	}
	return false, nil
}
