package mailer

import (
	"regexp"
	"strings"
	"unicode"
)

// Writer is who wrote a reply, to find their signature.
type Writer struct {
	Name string // "Alice Smith"
	// Signatures are texts known to be theirs: configured, or learned from
	// their earlier mail.
	Signatures []string
	// Addresses are theirs; a line holding one is part of a signature.
	Addresses []string
}

// Trimmed is an answer split from how it was signed.
type Trimmed struct {
	Body      string // what is left for the reader
	SignOff   string // "Kind regards,": the first sign-off line, if any
	Signature string // what was cut under the body
}

// TrimSignature splits what a writer wrote into the body, one sign-off and
// the signature: after a "-- " line, a known signature, the writer's name on
// a line of its own (with their title, phone, address and links under it),
// or a trailing block that looks like a signature (phones, addresses,
// links, job titles, disclaimers) however it is written.
func TrimSignature(text string, s Writer) Trimmed {
	lines := strings.Split(strings.TrimSpace(NormaliseText(text)), "\n")
	cut := len(lines)
	for i, l := range lines {
		if t := strings.TrimRight(l, " "); t == "--" || t == "-- " || t == "—" {
			cut = i
			break
		}
	}
	for i, l := range lines[:cut] {
		if strings.EqualFold(strings.TrimSpace(l), "BEGIN:VCARD") {
			cut = i // a business card pasted as text
			break
		}
	}
	if c := knownSignature(lines[:cut], s.Signatures); c < cut {
		cut = c
	}
	if c := nameLine(lines[:cut], s); c < cut {
		cut = c
	}
	cut = epigraph(lines[:cut], cut)
	cut = trailingSignature(lines[:cut], s, cut)
	body := lines[:cut]
	sig, ps := postscriptOut(lines[cut:])
	tr := Trimmed{Signature: strings.TrimSpace(strings.Join(sig, "\n"))}
	if j := lastNonBlank(body); j > 0 {
		if so, ok := signOffWithName(body[j], s); ok {
			tr.SignOff, body = so, body[:j]
		}
	}
	// Sign-off lines at the end ("Thanks,", "Kind regards,"): keep the first.
	for {
		j := lastNonBlank(body)
		if j < 0 || !IsSignOff(body[j]) {
			break
		}
		tr.SignOff = strings.TrimSpace(body[j])
		body = body[:j]
	}
	tr.Body = strings.TrimSpace(strings.Join(body, "\n"))
	if ps != "" {
		tr.Body = strings.TrimSpace(tr.Body + "\n\n" + ps)
	}
	return tr
}

// Epigraphs: a quotation with its author, under a signature or in place
// of one ("So many books, so little time." - Frank Zappa).
var (
	quotation = regexp.MustCompile(`^["“„«‘'].{10,300}["”»’']\s*([-–—―~]+\s*\p{Lu}[^.!?]{0,60})?$`)
	author    = regexp.MustCompile(`^[-–—―~]+\s*\p{Lu}[^.!?]{0,60}$`)
)

// epigraph is where a quotation with its author starts, when it is the
// last thing before cut and something stands above it; or cut.
func epigraph(lines []string, cut int) int {
	j := lastNonBlank(lines)
	if j < 0 {
		return cut
	}
	t := strings.TrimSpace(lines[j])
	q := quotation.FindStringSubmatch(t)
	if q == nil || q[1] == "" {
		// The author on a line of its own under the quotation.
		if !author.MatchString(t) {
			return cut
		}
		if j = lastNonBlank(lines[:j]); j < 0 || !quotation.MatchString(strings.TrimSpace(lines[j])) {
			return cut
		}
	}
	above := lastNonBlank(lines[:j])
	if above < 0 || strings.HasSuffix(strings.TrimSpace(lines[above]), ":") {
		return cut // nothing else, or what the answer introduces: an answer that quotes
	}
	if len(strings.Fields(strings.TrimSpace(lines[j]))) < 4 {
		return cut // a title, not a saying
	}
	return j
}

// postscript starts a P.S.
var postscript = regexp.MustCompile(`(?i)^p\.?\s?s\.?(\s|:|-|$)`)

// postscriptOut takes a P.S. paragraph out of what was cut as signature: it
// is part of the answer, though written under the name.
func postscriptOut(sig []string) (rest []string, ps string) {
	for i, l := range sig {
		if !postscript.MatchString(strings.TrimSpace(l)) {
			continue
		}
		end := i
		for end < len(sig) && strings.TrimSpace(sig[end]) != "" {
			end++
		}
		rest = append(append(rest, sig[:i]...), sig[end:]...)
		return rest, strings.Join(sig[i:end], "\n")
	}
	return sig, ""
}

func lastNonBlank(lines []string) int {
	for j := len(lines) - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return j
		}
	}
	return -1
}

// signOff is a line that closes a letter.
var signOff = regexp.MustCompile(`(?i)^(with )?(best|kind|kindest|warm|warmest|many|all the|with|yours|thanks|thank you|thanks again|cheers|sincerely|regards|respectfully|cordially|take care|have a (good|great|nice) (day|one|weekend)|talk soon|speak soon|bye|cordialement|bien (à vous|cordialement)|merci( beaucoup)?|saludos( cordiales)?|un (cordial )?saludo|reciba(n)? un (cordial )?saludo|muchas gracias|mil gracias|un abrazo|abrazos|atentamente|gracias|bonne (journée|soirée|fin de journée)|belle journée|amicalement|bien amicalement|à bientôt|sinc[eè]res salutations|meilleures salutations|salutations|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|liebe grüße|herzliche grüße|schöne grüße|lg|mfg|danke|groeten|met vriendelijke groet(en)?|cordiali saluti|grazie|obrigad[oa]|atenciosamente|pozdrawiam|med vänlig hälsning|mvh|vh)\b[\w\s,.!&'-]{0,40}$`)

// IsSignOff reports a short closing line: "Best,", "Thanks!", "Kind
// regards", "Many thanks again,".
func IsSignOff(line string) bool {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "*_-–—¡¿"))
	if t == "" || len(strings.Fields(t)) > 6 || !signOff.MatchString(t) {
		return false
	}
	// "Thanks for waiting, your card is ready." is a sentence, not a sign-off.
	return !strings.ContainsAny(strings.TrimRight(t, ",.!"), ".?;:") && !strings.Contains(strings.ToLower(t), " for ")
}

// knownSignature is where one of the writer's known signatures starts, or
// len(lines).
func knownSignature(lines []string, sigs []string) int {
	norm := make([]string, len(lines))
	for i, l := range lines {
		norm[i] = normLine(l)
	}
	best := len(lines)
	for _, sig := range sigs {
		var want []string
		for _, l := range strings.Split(NormaliseText(sig), "\n") {
			if n := normLine(l); n != "" {
				want = append(want, n)
			}
		}
		if len(want) == 0 {
			continue
		}
	scan:
		for i := 1; i < len(norm); i++ {
			if norm[i] != want[0] {
				continue
			}
			k, j := 1, i+1
			for ; k < len(want) && j < len(norm); j++ {
				if norm[j] == "" {
					continue
				}
				if norm[j] != want[k] {
					continue scan
				}
				k++
			}
			if k == len(want) && i < best {
				best = i
			}
			break
		}
	}
	return best
}

// normLine is a line compared without case, spacing and decoration.
func normLine(l string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.Trim(l, " \t*_|-–—,.>")), " "))
}

// nameLine is the first line, among the last lines of text, that starts
// with the writer's name or first name ("Alice", "- Alice Smith",
// "Alice Smith | Circulation"), or len(lines). It may be the first line:
// then the text is all signature, and nothing is left for the patron.
func nameLine(lines []string, s Writer) int {
	full := strings.ToLower(strings.Join(strings.Fields(s.Name), " "))
	first, _, _ := strings.Cut(full, " ")
	if first == "" {
		return len(lines)
	}
	from, seen := len(lines), 0
	for from > 0 && seen < 12 {
		from--
		if strings.TrimSpace(lines[from]) != "" {
			seen++
		}
	}
	for i := from; i < len(lines); i++ {
		if isNameLine(lines[i], first, full) {
			return i
		}
	}
	// Initials alone on the last line: "-A", "~AS".
	if j := lastNonBlank(lines); j > 0 && isInitials(lines[j], full) {
		return j
	}
	return len(lines)
}

// isInitials reports a line of only the writer's initials, after a dash or
// tilde or alone: "-A", "— AS", "A.S.".
func isInitials(line, full string) bool {
	t := strings.TrimSpace(line)
	dashed := strings.IndexAny(t, "-–—~") == 0
	n := strings.ToLower(strings.NewReplacer(".", "", " ", "").Replace(strings.TrimLeft(t, "-–—~ ")))
	var ini, first string
	for i, w := range strings.Fields(full) {
		r := []rune(w)
		ini += string(r[0])
		if i == 0 {
			first = string(r[0])
		}
	}
	return n != "" && (n == ini && (dashed || len(ini) > 1) || n == first && dashed)
}

// isNameLine reports a line that starts a signature with the writer's
// name: "Alice", "Alice Smith | Circulation", "Dr. Alice M. Smith",
// "Alice (she/her)", "Smith, Alice".
func isNameLine(line, first, full string) bool {
	// "📚 Alice", "~Alice": marks around the name are decoration.
	n := strings.TrimFunc(line, func(r rune) bool {
		return unicode.IsSymbol(r) || unicode.IsSpace(r) || strings.ContainsRune("*_|-–—.,>•·", r)
	})
	n = normLine(honorificStart.ReplaceAllString(n, ""))
	switch {
	case n == first || n == full || reversedName(n, full):
		return true
	case strings.HasPrefix(n, full+" ") || strings.HasPrefix(n, full+","):
		return true
	case strings.HasPrefix(n, first+" |") || strings.HasPrefix(n, first+" -") || strings.HasPrefix(n, first+" ("):
		return true
	case strings.HasPrefix(n, first+",") || strings.HasPrefix(n, first+" "):
		return len(strings.Fields(n)) <= 4 && looksLikeName(line)
	}
	return false
}

// honorificStart is a title in front of a name.
var honorificStart = regexp.MustCompile(`(?i)^(mr|mrs|ms|mx|dr|prof)\.?\s+`)

// signOffWithName splits "Thanks, Alice" or "Best regards | Alice Smith"
// into the sign-off ("Thanks,") and true; a line that is not a sign-off
// followed by the writer's name gives false.
func signOffWithName(line string, s Writer) (string, bool) {
	full := strings.ToLower(strings.Join(strings.Fields(s.Name), " "))
	first, _, _ := strings.Cut(full, " ")
	t := strings.TrimSpace(line)
	for _, name := range []string{full, first} {
		if name == "" || len(t) < len(name) || !strings.EqualFold(t[len(t)-len(name):], name) {
			continue
		}
		head := strings.TrimRight(t[:len(t)-len(name)], " ,|-–—")
		if head != "" && IsSignOff(head) {
			return strings.TrimRight(head, ",") + ",", true
		}
	}
	return "", false
}

// reversedName is "Smith, Alice" for "alice smith".
func reversedName(n, full string) bool {
	f := strings.Fields(full)
	if len(f) < 2 {
		return false
	}
	return strings.HasPrefix(n, f[len(f)-1]+", "+f[0])
}

// Signature lines: phones, addresses, links, titles, disclaimers.
var (
	phoneLine   = regexp.MustCompile(`(?i)(^|\b)(tel|phone|ph|fax|mobile|mob|cell|direct|office|t|m|p|f|o|d)\b\.?\s*[:.]?\s*\+?[\d(][\d\s().\-/]{5,}|^\+?[\d(][\d\s().\-/]{6,}\d\b|\(\d{3}\)\s*\d{3}|\b\d{3}[.\-]\d{3}[.\-]\d{4}\b|\b\d{3}[ .\-]\d{4}\b`)
	webLine     = regexp.MustCompile(`(?i)(https?://|www\.|\S+@\S+\.\w+|\b\w+\.(org|com|net|edu|gov|info|us|ca|uk|de|fr|es)\b)`)
	titleLine   = regexp.MustCompile(`(?i)\b(librar(y|ian|ians)|manager|assistant|associate|coordinator|director|supervisor|specialist|officer|clerk|technician|services|department|dept|branch|circulation|reference|desk|team|head of|lead|division|university|college|county|city of|public|bibliothèque|biblioteca|bibliothek|he/him|she/her|they/them|pronouns|follow us|facebook|instagram|twitter|linkedin|hours|open (mon|tue|daily))\b`)
	addressLine = regexp.MustCompile(`(?i)^\d{1,6}\s+\w+.{0,60}\b(st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|drive|dr|way|place|pl|square|sq|court|ct|hwy|highway|plaza|suite)\b|\b[A-Z]{2}\s+\d{5}(-\d{4})?\b|\bsuite\s+\d|\b(p\.?o\.?|po) box\b`)
	disclaimer  = regexp.MustCompile(`(?i)\b(confidential|privileged|intended (solely )?(only )?for the (use of the )?(named )?(addressee|recipient)|intended recipient|if you (have )?received this (e-?mail|message) in error|please consider the environment|think before you print|public records?|disclosure|unauthori[sz]ed)\b`)
)

// sigLike reports a line that belongs in a signature rather than an answer.
func sigLike(l string, s Writer) bool {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "*_|"))
	if t == "" {
		return false
	}
	low := strings.ToLower(t)
	for _, a := range s.Addresses {
		if a != "" && strings.Contains(low, strings.ToLower(a)) {
			return true
		}
	}
	words := len(strings.Fields(t))
	if disclaimer.MatchString(t) {
		return true
	}
	// A sentence ("Call the desk at 555-0100.") is part of the answer, and
	// so is one that asks ("Questions? Call 555-0100") or goes on from the
	// line above ("or write to …").
	if words > 12 || words >= 4 && strings.ContainsAny(t[len(t)-1:], ".?!") || sentenceLike.MatchString(t) {
		return false
	}
	return phoneLine.MatchString(t) || webLine.MatchString(t) || addressLine.MatchString(t) ||
		titleLine.MatchString(t) && !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "?")
}

// sentenceLike is a line that asks and goes on, or continues a sentence.
var sentenceLike = regexp.MustCompile(`\?\s+\p{L}|^(or|and|then|but|so)\s`)

// trailingSignature finds a trailing block of signature-looking lines above
// cut (phones, links, titles), with the short name line on top of it, and
// returns where it starts; or cut when there is none. It needs a phone, a
// link, an address or a disclaimer: a title alone is too like a sentence.
func trailingSignature(lines []string, s Writer, cut int) int {
	i := len(lines)
	strong, n := false, 0
	for i > 0 {
		t := strings.TrimSpace(lines[i-1])
		if t == "" || n > 0 && !strings.ContainsFunc(t, isLetterOrDigit) {
			i-- // a blank, or a ruler or drawing inside the signature
			continue
		}
		if !sigLike(t, s) {
			break
		}
		if !titleLine.MatchString(t) || phoneLine.MatchString(t) || webLine.MatchString(t) || disclaimer.MatchString(t) || addressLine.MatchString(t) {
			strong = true
		}
		n++
		i--
	}
	if !strong || i == len(lines) {
		return cut
	}
	// A short name line on top ("Alice S.", "Ms. Alice Smith") goes with it.
	named := false
	if j := lastNonBlank(lines[:i]); j >= 0 && looksLikeName(lines[j]) {
		i, named = j, true
	}
	// A link alone under the answer, with no name, is the answer's: "You
	// can renew online.\n\nhttps://…".
	if !named && n == 1 {
		if t := strings.TrimSpace(lines[lastNonBlank(lines)]); webLine.MatchString(t) && !phoneLine.MatchString(t) && !addressLine.MatchString(t) && !disclaimer.MatchString(t) && len(strings.Fields(t)) == 1 {
			return cut
		}
	}
	// Without a name on top, the block must stand apart from the answer: "Your
	// book is waiting at:\nSeymour Library\n12 Main Street" is an answer.
	if j := lastNonBlank(lines[:i]); !named && j >= 0 {
		k := i
		for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
			k++
		}
		above := strings.TrimSpace(lines[j])
		if strings.HasSuffix(above, ":") || j == k-1 && !IsSignOff(above) {
			return cut
		}
	}
	for i > 0 && strings.TrimSpace(lines[i-1]) == "" {
		i--
	}
	// A text that is all signature-like needs a name or several such lines
	// to be taken for a signature: "Call 555-1234 to renew." is an answer.
	if i == 0 && !named && n < 2 {
		return cut
	}
	return i
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// looksLikeName is a short line of capitalised words with no sentence end.
func looksLikeName(l string) bool {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "*_-–—"))
	f := strings.Fields(t)
	if len(f) == 0 || len(f) > 4 || strings.ContainsAny(t, "!?:;") || strings.HasSuffix(t, ",") {
		return false
	}
	if last := f[len(f)-1]; strings.HasSuffix(last, ".") && len([]rune(last)) > 3 {
		return false // a sentence, not "Alice S."
	}
	for _, w := range f {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
	}
	return !IsSignOff(t) && !IsGreeting(t)
}
