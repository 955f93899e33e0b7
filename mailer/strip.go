package mailer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dimiro1/reply"
)

// StripReply returns what the writer of a reply wrote themselves: the text
// without the quoted message under or above it, "On … wrote:" and Outlook
// header blocks, "-- " signatures and "Sent from my …" lines. The heavy
// lifting is github.com/dimiro1/reply (a port of Discourse's trimmer).
//
// When unsure it keeps text: losing words a person wrote is worse than
// keeping a quote. So an answer that strips to nothing is returned whole,
// and a ruler line ("----") that is not a quote separator does not cut off
// the text under it.
func StripReply(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return ""
	}
	guarded, rulers := guardRulers(text)
	out := strings.TrimSpace(reply.FromText(guarded))
	for i, r := range rulers {
		out = strings.ReplaceAll(out, rulerPlaceholder(i), r)
	}
	if out == "" {
		return text
	}
	return out
}

// ruler is a line of only punctuation; the trimmer reads any such line as the
// start of a quoted message.
var ruler = regexp.MustCompile(`^[ \t]*[-_=+~#*—]{2,}[ \t]*$`)

// guardRulers hides the ruler lines that separate parts of an answer
// ("Steps:" / "----" / "1. ...") from the trimmer. A ruler stays a cut when
// it is the "-- " signature mark, an underscore line (Outlook puts one above
// the quoted header block), or when a header line ("From:", "De:") or a
// quote follows it.
func guardRulers(text string) (string, []string) {
	lines := strings.Split(text, "\n")
	var kept []string
	for i, l := range lines {
		if !ruler.MatchString(l) || strings.TrimRight(l, " \t") == "--" || strings.Contains(l, "__") {
			continue
		}
		next := nextNonBlank(lines, i+1)
		if next == "" || strings.HasPrefix(next, ">") || quoteHeader.MatchString(next) {
			continue
		}
		kept = append(kept, l)
		lines[i] = rulerPlaceholder(len(kept) - 1)
	}
	return strings.Join(lines, "\n"), kept
}

func rulerPlaceholder(i int) string { return fmt.Sprintf("pdruler%dpd", i) }

func nextNonBlank(lines []string, from int) string {
	for _, l := range lines[from:] {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// quoteHeader is the first line of a quoted header block in several
// languages.
var quoteHeader = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da|från|fra|od|от)\s*:`)
