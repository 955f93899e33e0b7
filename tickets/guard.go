package tickets

import (
	"strings"
	"unicode/utf8"

	"patrondesk/mailer"
	"patrondesk/templates"
)

// staffText is what a staff member wrote in a reply: the text above the
// marker of the notice they answered, without quotes and signature.
func staffText(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if templates.IsMarker(l) {
			lines = lines[:i]
			break
		}
	}
	return mailer.StripReply(strings.Join(lines, "\n"))
}

// minGuardedLine is the shortest line the leak guard compares: shorter ones
// ("Thanks,", "Hi Ann") are too common to mean a quote.
const minGuardedLine = 16

// leakGuard removes from an answer every line that repeats a line of
// staff-only text (internal notes, notices sent to staff), whether quoted
// with ">" or pasted bare. Lines the patron has already seen (their own
// words, our mail to them) stay. It returns the answer and how many lines
// it took out.
func leakGuard(answer string, staffOnly, patronSeen []string) (string, int) {
	secret := map[string]bool{}
	for _, t := range staffOnly {
		for _, l := range strings.Split(t, "\n") {
			if k := guardKey(l); k != "" {
				secret[k] = true
			}
		}
	}
	for _, t := range patronSeen {
		for _, l := range strings.Split(t, "\n") {
			delete(secret, guardKey(l))
		}
	}
	var kept []string
	removed := 0
	for _, l := range strings.Split(answer, "\n") {
		if k := guardKey(l); k != "" && secret[k] {
			removed++
			continue
		}
		kept = append(kept, l)
	}
	return strings.TrimSpace(strings.Join(kept, "\n")), removed
}

// guardKey is a line without quote marks, case or spacing differences, or ""
// when it is too short to compare.
func guardKey(line string) string {
	line = strings.TrimLeft(line, "> \t")
	k := strings.ToLower(strings.Join(strings.Fields(line), " "))
	if utf8.RuneCountInString(k) < minGuardedLine {
		return ""
	}
	return k
}

// hideStaffAddresses keeps staff addresses out of text meant for a patron
// (a signature often carries one): a line holding only an address goes, and
// an address inside a sentence becomes the library's own.
func hideStaffAddresses(text string, staff []Staff, library string) string {
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		bare := strings.ToLower(strings.Trim(l, " \t<>()[]:,;"))
		drop := false
		for _, s := range staff {
			if s.Email == "" {
				continue
			}
			if bare == s.Email || bare == "mailto:"+s.Email {
				drop = true
				break
			}
			l = replaceFold(l, s.Email, library)
		}
		if !drop {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func replaceFold(s, old, repl string) string {
	lower := strings.ToLower(s)
	var b strings.Builder
	for {
		i := strings.Index(lower, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i] + repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
