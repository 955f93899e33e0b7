package mailer

import (
	"regexp"
	"strings"
)

// greeting is a first line that greets the reader.
var greeting = regexp.MustCompile(`(?i)^(hi|hello|hey|dear|(good )?(morning|afternoon|evening)|good day|greetings|hiya|bonjour|bonsoir|salut|cher|chère|hola|buenos d[ií]as|buenas tardes|buenas|estimad[oa]s?|querid[oa]|hallo|guten (tag|morgen|abend)|liebe[rs]?|sehr geehrte[rs]?|moin|servus|ciao|buongiorno|gentile|olá|ola|bom dia|boa tarde|prezad[oa]|hej|hoi|beste|goedemiddag|goedemorgen|witam|dzień dobry|madame|monsieur|mesdames|messieurs|madam|señora|señor|signora|signore)\b`)

// IsGreeting reports a line that only greets: "Hi Sam,", "Dear Mr. Lee:",
// "Hello!".
func IsGreeting(line string) bool {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "*_"))
	if !greeting.MatchString(t) || len(strings.Fields(t)) > 7 || len(t) > 60 {
		return false
	}
	// A sentence that goes on ("Hi, your book is ready.") is not only a greeting.
	body := honorific.ReplaceAllString(strings.TrimRight(t, ",:!.;"), "$1")
	return !strings.ContainsAny(body, ".?!")
}

var honorific = regexp.MustCompile(`(?i)\b(mr|mrs|ms|dr|prof|sr|sra|srta|mme|mlle|st|hr|fr)\.`)

// SplitGreeting takes a greeting line off the top of text: a greeting word
// ("Hi Sam,") or one of the reader's names alone ("Ann -", "Ann,").
func SplitGreeting(text string, names ...string) (greet, rest string) {
	text = strings.TrimLeft(text, "\n")
	first, after, _ := strings.Cut(text, "\n")
	if IsGreeting(first) || nameGreeting(first, names) {
		return strings.TrimSpace(first), strings.TrimSpace(after)
	}
	// "Hi Ann, your books are renewed.": the greeting is the part before
	// the comma, so the desk does not greet a second time.
	if head, tail, ok := strings.Cut(first, ","); ok && strings.TrimSpace(tail) != "" && greeting.MatchString(strings.TrimSpace(head)) && IsGreeting(head+",") {
		return strings.TrimSpace(head) + ",", strings.TrimSpace(strings.TrimSpace(tail) + "\n" + after)
	}
	return "", strings.TrimSpace(text)
}

// nameGreeting is a line of only one of names and punctuation.
func nameGreeting(line string, names []string) bool {
	t := strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line), ",:;!-–— ")))
	if t == "" || t == strings.ToLower(strings.TrimSpace(line)) {
		return false // no punctuation: a line of text, not a greeting
	}
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" && t == n {
			return true
		}
	}
	return false
}
