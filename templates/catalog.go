package templates

import (
	"time"
)

// Info documents one template: who gets it, when, and the fields it uses
// beyond the common ones (Library, Tag, Ticket, Subject, PatronName, Owner).
type Info struct {
	Name   string
	To     string // patron, staff, supervisors or admin
	When   string
	Fields string
}

// Catalog is every template patrondesk sends.
var Catalog = []Info{
	{"ack", "patron", "a new request arrives", "Promise (when to expect an answer)"},
	{"update", "patron", "a staff member answers by email", "Answer, Staff (their first name), Greeting and SignOff (the staff member's own, when they wrote them)"},
	{"patron_update", "patron", "no answer yet after policy.patron_update_after", "Owner"},
	{"followup", "patron", "policy.followup_after a request was solved", ""},
	{"closed", "patron", "staff close a request with #close", "Answer (the final answer, may be empty), Staff, Greeting, SignOff"},
	{"reopened", "patron", "staff reopen a request with #reopen", "Promise"},
	{"assigned", "staff", "a request is given to them", "OwnerFull, Team, Promise, Text (what the patron wrote), Staff and Handover (what was written to them with #assign), Suggestions (saved answers that match), Earlier (the patron's last three requests)"},
	{"patron_replied", "staff", "the patron writes again", "Text (the patron's new words)"},
	{"nag", "staff", "an answer is due, then every policy.nag_every", "Due, Late, Team"},
	{"escalation", "supervisors", "an answer is policy.escalate_after late (up to three times)", "Due, Late, OwnerFull, Priority"},
	{"bounced", "staff", "a mail to the patron came back (a bounce): to the owner, else the supervisors", "Staff (who is told), Summary (which mail), Answer (the mail server's reason)"},
	{"command_reply", "staff", "a staff member writes #status", "Summary"},
	{"command_error", "staff", "a command was not understood or not allowed", "Staff, Problems, Commands"},
	{"held", "staff", "a staff reply was not sent to the patron because it was not clear it was meant for them (a command below the top, nothing left after the signature, words of an internal note)", "Staff, Problems"},
	{"help", "staff", "a staff member writes #help", "Staff, Commands"},
	{"queue", "staff", "a staff member writes #history, #mine or #late (in a reply, or #mine/#late as the first line of a new email)", "Event (what the list is), Summary (the list: request number, patron's name, subject, due or state)"},
	{"thanks", "staff", "the patron of a solved or closed request writes only to say thank you", "Text (their words)"},
	{"sorted", "staff", "the patron answers the follow-up email that it is sorted", "Text (their words)"},
	{"summary", "supervisors", "each open day at policy.summary_at (with summary.html)", "Digest, Staff"},
	{"alert", "admin", "mail could not be sent or read, or a mailbox could not be reached (to library.admin)", "Summary, Problems"},
	{"forward_check", "staff", "a forward from their address came without proof it was theirs (no DKIM/DMARC pass)", "PatronEmail, Suspect"},
	{"recovered", "admin", "the problem of the last alert has gone away", "Problems"},
}

// ForPatrons reports whether a template goes to patrons: these must pass
// the plain-language lint and exist in every language.
func (i Info) ForPatrons() bool { return i.To == "patron" }

// Sample is the data previews and the lint render templates with.
func (s *Set) Sample(lang string) Data {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	promise := "by Tuesday afternoon"
	if l, err := s.Language(lang); err == nil {
		promise = l.Promise(now.Add(32*time.Hour), now, time.UTC)
	}
	text, answer := "Can I keep my three books two more weeks?", "I have renewed all three books until 7 January."
	if lang == "es" {
		text, answer = "¿Puedo tener mis tres libros dos semanas más?", "He renovado sus tres libros hasta el 7 de enero."
	}
	return Data{
		Library: "Seymour Library", Tag: "Seymour", Ticket: 42, Subject: "Please renew my books",
		PatronName: "Ann", PatronEmail: "ann@patrons.example", Owner: "Alice", OwnerFull: "Alice Smith", Team: "front desk", Promise: promise,
		Text:        text,
		Staff:       "Alice",
		Answer:      answer,
		Problems:    []string{`"#clsoe" is not a command patrondesk knows. Write #help to get the list.`},
		Summary:     "Request 42: Please renew my books\nStatus:       open",
		Event:       "Ann's other requests, as you asked.",
		Suggestions: "This looks like: renewals. Reply #answer renewals to send it.",
		Earlier:     []string{"#17  2 Nov 2026, closed: Lost card"},
		Commands:    "  #note  (keep this as a note for staff; nothing goes to the patron)",
		Priority:    "normal", Due: "Tue 8 Dec 17:00", Late: "8 open hours late",
		Digest: Digest{Day: "Wed 9 Dec", At: "08:30",
			Overdue:   []DigestLine{{Ticket: 42, Patron: "Ann Lee", Owner: "Alice Smith", Due: "Tue 8 Dec 17:00", Late: "8 open hours late", Last: "created Mon 7 Dec 09:00"}},
			Owners:    []DigestOwner{{Name: "Alice Smith", Lines: []DigestLine{{Ticket: 42, Patron: "Ann Lee", Due: "Tue 8 Dec 17:00", Late: "8 open hours late", Last: "created Mon 7 Dec 09:00"}}}},
			Yesterday: Figures{Day: "Tue 8 Dec", Received: 5, Answered: 4, Solved: 3, MedianFirstAnswer: "2h 10m"}, Spam: 2,
			Promise: "16 open hours",
			Answers: []AnswerDay{{Day: "Mon 7 Dec", Answered: 6, Kept: 6, Median: "3h 20m", Bar: 17},
				{Day: "Tue 8 Dec", Answered: 4, Kept: 3, Median: "19h 30m", Bar: 100, Late: true}},
			Link: "https://desk.library.test/desk/login?t=SAMPLE", LinkUntil: "Wed 16 Dec 08:30"},
	}
}
