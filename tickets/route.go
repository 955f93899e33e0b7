package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"patrondesk/mailer"
)

// Staff is one member of staff.
type Staff struct {
	Name       string
	Email      string // lower-case
	Teams      []string
	Supervisor bool
	Away       []Away // from the config
	// Aliases are other addresses of theirs, never shown to patrons.
	Aliases []string
	// Signature is their usual signature, cut from answers wherever it is.
	Signature string
}

// Away is a stretch of time a staff member is away: From up to Until.
type Away struct{ From, Until time.Time }

// awayAt reports whether s is away at t by the config.
func (s Staff) awayAt(t time.Time) bool {
	for _, a := range s.Away {
		if !t.Before(a.From) && t.Before(a.Until) {
			return true
		}
	}
	return false
}

// isAddressOf reports whether addr is one of s's addresses: their own or an
// alias, in any case, with or without a "+tag".
func (s Staff) isAddressOf(addr string) bool {
	a := canonicalAddress(addr)
	if a == "" {
		return false
	}
	for _, own := range append([]string{s.Email}, s.Aliases...) {
		if canonicalAddress(own) == a {
			return true
		}
	}
	return false
}

// canonicalAddress is an address in lower case without its "+tag".
func canonicalAddress(addr string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !ok {
		return ""
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// FirstName is what patrons see: "Alice" for "Alice Smith".
func (s Staff) FirstName() string {
	first, _, _ := strings.Cut(strings.TrimSpace(s.Name), " ")
	return first
}

// Route sends matching mail to a team; see config.Route.
type Route struct {
	Team         string
	To           []string
	SubjectWords []string
	BodyWords    []string
	Senders      []string
}

// routeTeam returns the team of the first route that matches, or "".
func routeTeam(routes []Route, m *mailer.Message) string {
	for _, r := range routes {
		if r.matches(m) {
			return r.Team
		}
	}
	return ""
}

func (r Route) matches(m *mailer.Message) bool {
	if len(r.To) > 0 && !anyAddress(r.To, append(append([]mailer.Address{}, m.To...), m.Cc...)) {
		return false
	}
	if len(r.SubjectWords) > 0 && !containsWord(m.Subject, r.SubjectWords) {
		return false
	}
	if len(r.BodyWords) > 0 && !containsWord(m.Text, r.BodyWords) {
		return false
	}
	if len(r.Senders) > 0 && !senderMatches(r.Senders, m.From.Email) {
		return false
	}
	return true
}

func anyAddress(want []string, got []mailer.Address) bool {
	for _, a := range got {
		for _, w := range want {
			if strings.EqualFold(a.Email, w) {
				return true
			}
		}
	}
	return false
}

// containsWord matches whole words, case-insensitively, so "card" does not
// match "discard". A word may be a short phrase ("library card").
func containsWord(text string, words []string) bool {
	t := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), notWordRune), " ") + " "
	for _, w := range words {
		w = strings.Join(strings.FieldsFunc(strings.ToLower(w), notWordRune), " ")
		if w != "" && strings.Contains(t, " "+w+" ") {
			return true
		}
	}
	return false
}

func notWordRune(r rune) bool {
	return !(r == '\'' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127)
}

// senderMatches takes addresses and whole domains written "@school.test".
func senderMatches(senders []string, from string) bool {
	for _, s := range senders {
		s = strings.ToLower(s)
		if s == from || (strings.HasPrefix(s, "@") && strings.HasSuffix(from, s)) {
			return true
		}
	}
	return false
}

// pickOwner chooses who gets a new ticket in team: the candidate with the
// fewest open tickets, ties going to whoever was given a ticket longest ago
// (round robin). Candidates are the team's non-supervisors, else anyone in the
// team, else every non-supervisor, else everyone.
func pickOwner(ctx context.Context, tx *Tx, staff []Staff, team string) (*Staff, error) {
	cands := candidates(staff, team)
	if len(cands) == 0 {
		return nil, nil
	}
	// Per candidate, by index: a team is a handful of people, while the
	// tickets grow without end.
	open := map[string]int{}
	last := map[string]int64{}
	for _, c := range cands {
		var n int
		var newest int64
		err := tx.QueryRowContext(ctx, sqlOwnerLoad, c.Email).Scan(&n, &newest)
		if err != nil {
			return nil, fmt.Errorf("count open tickets of %s: %w", c.Email, err)
		}
		open[c.Email], last[c.Email] = n, newest
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if open[c.Email] < open[best.Email] || (open[c.Email] == open[best.Email] && last[c.Email] < last[best.Email]) {
			best = c
		}
	}
	return &best, nil
}

func candidates(staff []Staff, team string) []Staff {
	inTeam := func(s Staff) bool { return team == "" || slices.Contains(s.Teams, team) }
	for _, keep := range []func(Staff) bool{
		func(s Staff) bool { return inTeam(s) && !s.Supervisor },
		inTeam,
		func(s Staff) bool { return !s.Supervisor },
		func(Staff) bool { return true },
	} {
		var out []Staff
		for _, s := range staff {
			if keep(s) {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}
