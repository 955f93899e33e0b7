package tickets

import (
	"strings"
	"unicode"

	"patrondesk/mailer"
)

// Names, subjects and addresses as the desk shows and compares them.

// cleanName is a display name fit to show anyone: no bidi controls,
// zero-width or control characters, one line.
func cleanName(name string) string { return mailer.DisplayName(name) }

// oneLine is a subject as every mail shows it: control characters (an
// encoded CR/LF, tabs), bidi and zero-width characters become spaces, runs
// of spaces one.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.Join(strings.Fields(s), " ")
}

// shortLine is text as one line of at most max characters: the form of a
// verified sender's subject an acknowledgement may carry, a colleague's
// words in a collision notice.
func shortLine(s string, max int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > max {
		s = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}

// foldAddress is the mailbox an address reaches: case folded and the
// "+tag" of the local part removed, so victim+1@ and Victim+2@ count as one.
func foldAddress(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return strings.ToLower(email)
	}
	if base, _, ok := strings.Cut(local, "+"); ok && base != "" {
		local = base
	}
	return local + "@" + domain
}
