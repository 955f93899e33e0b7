package mailer

import (
	"regexp"
	"strings"
	"unicode"
)

// ReplyOptions tells the reply reader what it cannot see in the text: the
// line that starts the mail being answered, and the gateway banners of the
// library's mail system.
type ReplyOptions struct {
	// IsMarker reports a line of the answered mail from which everything
	// under it, quoted or not, is that mail (patrondesk's reply marker).
	IsMarker func(line string) bool
	// Banners are extra banner patterns (case-insensitive regular
	// expressions) on top of DefaultBanners.
	Banners []*regexp.Regexp
}

// OwnText is what the writer of a reply wrote themselves, in the order they
// wrote it: without the quoted mail (top-, bottom- or inline-posted), its
// "On … wrote:" and Outlook header lines, the banners a mail gateway puts on
// top, and the "Sent from my …" lines phones add. inline reports a writer's
// text found between quoted parts.
func OwnText(text string, o ReplyOptions) (own string, inline bool) {
	lines := strings.Split(NormaliseText(text), "\n")
	lines = lines[:quoteCut(lines, o.IsMarker)]
	var segs [][]string
	var cur []string
	quoted := false
	for i, l := range lines {
		if isQuoteLine(lines, i) {
			quoted = true
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		if quoted && len(cur) == 0 && strings.TrimSpace(l) == "" {
			continue
		}
		if t := strings.TrimSpace(l); isDeviceLine(t) || imageLine.MatchString(t) {
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	var parts []string
	answers := 0
	for _, s := range segs {
		p := strings.TrimSpace(strings.Join(s, "\n"))
		if p == "" {
			continue
		}
		parts = append(parts, p)
		// A signature a client puts under the quote does not make an
		// answer inline.
		if first, _, _ := strings.Cut(p, "\n"); len(parts) == 1 || strings.TrimSpace(first) != "--" {
			answers++
		}
	}
	own = strings.Join(parts, "\n\n")
	own = strings.TrimSpace(dropBanners(own, o.Banners))
	return own, answers > 1
}

// InlineQuotes is, for an inline answer (the writer's lines in two places
// or more between quotes), the quoted lines above its last own line
// (without their quote marks): what the answer answers. The quote left
// under the last answer is not in it, and a top- or bottom-posted answer
// (one block of own lines) has none; a signature under the quote does not
// count as own lines.
func InlineQuotes(text string, o ReplyOptions) string {
	lines := strings.Split(NormaliseText(text), "\n")
	lines = lines[:quoteCut(lines, o.IsMarker)]
	first, last := -1, -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "--" {
			break // the signature under the quote
		}
		if t == "" || isQuoteLine(lines, i) || isDeviceLine(t) || imageLine.MatchString(t) {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	var out []string
	between := false
	for i := 0; first >= 0 && i < last; i++ {
		if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, ">") {
			out = append(out, strings.TrimLeft(t, "> "))
			between = between || i > first
		}
	}
	if !between {
		return "" // one block of own lines: not inline
	}
	return strings.Join(out, "\n")
}

// NormaliseText makes "\n" line ends, turns non-breaking spaces into
// spaces, drops zero-width and bidi control characters and trailing space.
func NormaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u00a0' || r == '\u202f' || r == '\u2007':
			return ' '
		case r == '＃' || r == '﹟':
			return '#'
		case r == '\t':
			return r
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			return -1
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f':
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// quoteCut is the index of the first line of an unquoted copy of the
// answered mail (Outlook puts it under the answer without "> "), or
// len(lines).
func quoteCut(lines []string, isMarker func(string) bool) int {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") {
			continue
		}
		switch {
		case isMarker != nil && isMarker(t):
			return headerStart(lines, i)
		case originalMessage.MatchString(t):
			return i
		case headerFrom.MatchString(t) && headerBlockFollows(lines, i):
			return headerStart(lines, i)
		}
	}
	return len(lines)
}

// headerStart moves a cut up over the header block ("From:", "Sent:", in
// any language) and the ruler line a client puts above the quoted mail. A
// block of "Key: value" lines counts when one of them names an address or
// is a known header, so an answer's own last line ("Pickup: Friday") stays.
func headerStart(lines []string, i int) int {
	j, top, known := i-1, i, false
	for ; j >= 0; j-- {
		t := strings.TrimSpace(lines[j])
		switch {
		case t == "":
			continue
		case strings.Trim(t, "_-—=") == "":
			top = j
			continue
		case headerFrom.MatchString(t) || replyHeaderField.MatchString(t):
			top, known = j, true
			continue
		case anyHeader.MatchString(t):
			top = j
			known = known || strings.Contains(t, "@")
			continue
		}
		break
	}
	if !known {
		// Only rulers or unknown "Key: value" lines: keep the rulers' cut.
		for top < i && strings.Trim(strings.TrimSpace(lines[top]), "_-—=") != "" {
			top++
		}
	}
	return top
}

// anyHeader is a "Key: value" line of a quoted header block in any
// language ("Wysłano: …", "Temat: …").
var anyHeader = regexp.MustCompile(`^\*?[\p{L}][\p{L} .-]{0,24}\*?\s?:\*?\s+\S`)

// headerBlockFollows reports a "Sent:"/"Date:" line just under a "From:".
func headerBlockFollows(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if replyHeaderField.MatchString(strings.TrimSpace(lines[j])) {
			return true
		}
	}
	return false
}

var (
	headerFrom       = regexp.MustCompile(`(?i)^\*?(from|von|de|van|da|från|fra|od|от|desde|lähettäjä)\s*:\*?\s*\S`)
	replyHeaderField = regexp.MustCompile(`(?i)^\*?(sent|date|envoy[ée]|gesendet|datum|enviado|fecha|verzonden|inviato|data|skickat|sendt|to|à|an|para|aan|a|til|till|subject|objet|betreff|asunto|onderwerp|oggetto|ämne|emne)\s*:`)
	originalMessage  = regexp.MustCompile(`(?i)^-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|oorspronkelijk bericht|messaggio originale|ursprungligt meddelande|opprinnelig melding|original meddelelse)\s*-{2,}$`)
	// attribution is the "On … wrote:" line over a quote, in the
	// languages of common clients; it may be wrapped over two lines.
	attribution     = regexp.MustCompile(`(?i)^(on|am|le|el|op|il|den|em|w dniu|dne|på|em|в)\b.{3,300}(wrote|schrieb|a [ée]crit|escribi[óo]|schreef|ha scritto|skrev|escreveu|napisał|napsal|написал\S*)\s*:?$`)
	bareAttribution = regexp.MustCompile(`(?i)^.{1,200}\s(wrote|schrieb|a [ée]crit|escribi[óo]|schreef|ha scritto|skrev|escreveu)\s*:$`)
)

// isQuoteLine reports a quoted line or an attribution line over a quote.
func isQuoteLine(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	if strings.HasPrefix(t, ">") {
		return true
	}
	if t == "" {
		return false
	}
	next := ""
	if i+1 < len(lines) {
		next = strings.TrimSpace(lines[i+1])
	}
	nextQuoted := strings.HasPrefix(next, ">") || next == "" && i+2 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+2]), ">")
	if attribution.MatchString(t) || (nextQuoted && bareAttribution.MatchString(t)) {
		return true
	}
	// The first half of an attribution that wraps.
	if i+1 < len(lines) && attribution.MatchString(t+" "+next) && !attribution.MatchString(next) {
		return true
	}
	// The second half of one.
	if i > 0 {
		prev := strings.TrimSpace(lines[i-1])
		if prev != "" && attribution.MatchString(prev+" "+t) && !attribution.MatchString(prev) {
			return true
		}
	}
	return false
}

// isDeviceLine reports the short line a phone or webmail adds under what
// was written; a sentence ("Sent via courier today, it will arrive
// Friday.") is the writer's.
func isDeviceLine(t string) bool {
	return deviceLine.MatchString(t) && len(strings.Fields(t)) <= 8 && !strings.HasSuffix(t, ".")
}

// deviceLine is the line a phone or webmail adds under what was written.
var deviceLine = regexp.MustCompile(`(?i)^(sent from my\b|sent from (mail|outlook|yahoo|samsung|aol|gmail|proton)\b|sent with\b|sent via\b|sent using\b|sent on the go\b|get outlook for\b|download outlook for\b|envoy[ée] (de|depuis) (mon|l'application|outlook|yahoo)\b|enviado (desde|do|de) (mi|meu|o meu|outlook|yahoo)\b|von meinem .{1,40} gesendet|gesendet von\b|verzonden (vanaf|met|via) (mijn|outlook)\b|inviato da\b|skickat från\b|wysłane z\b|verstuurd (vanaf|met|via)\b|sendt fra\b|lähetetty\b|отправлено с\b|obtener outlook para\b|obtenha o outlook para\b|télécharger outlook pour\b|outlook für .{1,20} herunterladen|holen sie sich outlook\b|scarica outlook per\b|.{1,30} gönderildi$)`)

// imageLine is what a plain part shows for an inline image: Outlook's
// "[cid:image001.png@01DB…]", Gmail's "[image: logo.png]".
var imageLine = regexp.MustCompile(`(?i)^\[(cid:|image:?\s)[^\]]*\]$`)

// DefaultBanners are the notices mail gateways put on top of a message.
var DefaultBanners = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(originated|comes|came|was sent) from outside (of )?(the|your|our|this)\b`),
	regexp.MustCompile(`(?i)\bdo not (click|open) (on )?(any )?(links|attachments)`),
	regexp.MustCompile(`(?i)\byou don'?t often get e-?mail from\b`),
	regexp.MustCompile(`(?i)\bdon'?t often get e-?mail from\b`),
	regexp.MustCompile(`(?i)^\[?\s*(external|extern|externe|externo|ext)\s*(e-?mail|sender|message|mail)?\s*\]?\s*[:!-]?\s*$`),
	regexp.MustCompile(`(?i)^(\[|\*\*)?\s*(caution|warning|attention|notice|achtung|attention)\s*[:!]?\s*(\]|\*\*)?\s*(this )?(is an? )?(external|extern|outside)\b`),
	regexp.MustCompile(`(?i)\bexternal (e-?mail|sender|message)\b.{0,80}\b(caution|care|careful|links|attachments|trust)`),
	regexp.MustCompile(`(?i)\b(use|exercise|take) (extra )?caution\b.{0,60}\b(links|attachments|sender|replying)`),
	regexp.MustCompile(`(?i)^\s*\[\s*(external|extern|externe|externo|ext|caution)\s*\].{0,120}\b(caution|careful|links|attachments|outside|sender|verify)\b`),
	regexp.MustCompile(`(?i)\b(ce (courriel|message) provient de l'extérieur|este (correo|mensaje) (se originó|proviene) fuera|diese e-?mail stammt von (außerhalb|extern))`),
}

// bannerTag is a gateway's tag in front of the first line.
var bannerTag = regexp.MustCompile(`(?i)^\s*\[\s*(external|extern|externe|externo|ext|caution)\s*\]\s*:?\s*`)

// dropBanners removes gateway banners from the top of text: each leading
// paragraph that matches a banner pattern, up to a line that starts a
// command or greets.
func dropBanners(text string, extra []*regexp.Regexp) string {
	pats := append(append([]*regexp.Regexp{}, DefaultBanners...), extra...)
	lines := strings.Split(text, "\n")
	for {
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
		if len(lines) == 0 {
			return ""
		}
		end := 0
		for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
			end++
		}
		para := strings.Join(lines[:end], " ")
		hit := false
		for _, p := range pats {
			if p.MatchString(para) {
				hit = true
				break
			}
		}
		if !hit {
			// A tag alone in front of the text: "[EXTERNAL] #note".
			lines[0] = bannerTag.ReplaceAllString(lines[0], "")
			return strings.Join(lines, "\n")
		}
		cut := end
		for j := 0; j < end; j++ {
			t := strings.TrimLeft(strings.TrimSpace(lines[j]), "*_")
			if strings.HasPrefix(t, "#") || IsGreeting(lines[j]) {
				cut = j
				break
			}
		}
		if cut == 0 {
			return strings.Join(lines, "\n")
		}
		lines = lines[cut:]
	}
}

// greeting is a first line that greets the reader.
var greeting = regexp.MustCompile(`(?i)^(hi|hello|hey|dear|good (morning|afternoon|evening|day)|greetings|hiya|bonjour|bonsoir|salut|cher|chère|hola|buenos d[ií]as|buenas tardes|buenas|estimad[oa]s?|querid[oa]|hallo|guten (tag|morgen|abend)|liebe[rs]?|sehr geehrte[rs]?|moin|servus|ciao|buongiorno|gentile|olá|ola|bom dia|boa tarde|prezad[oa]|hej|hoi|beste|goedemiddag|goedemorgen|witam|dzień dobry)\b`)

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
	if c := knownSignature(lines[:cut], s.Signatures); c < cut {
		cut = c
	}
	if c := nameLine(lines[:cut], s); c < cut {
		cut = c
	}
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
var signOff = regexp.MustCompile(`(?i)^(with )?(best|kind|kindest|warm|warmest|many|all the|with|yours|thanks|thank you|thanks again|cheers|sincerely|regards|respectfully|cordially|take care|have a (good|great|nice) (day|one|weekend)|talk soon|speak soon|bye|cordialement|bien (à vous|cordialement)|merci( beaucoup)?|saludos( cordiales)?|un saludo|atentamente|gracias|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|lg|mfg|danke|groeten|met vriendelijke groet(en)?|cordiali saluti|grazie|obrigad[oa]|atenciosamente|pozdrawiam|med vänlig hälsning|mvh|vh)\b[\w\s,.!&'-]{0,40}$`)

// IsSignOff reports a short closing line: "Best,", "Thanks!", "Kind
// regards", "Many thanks again,".
func IsSignOff(line string) bool {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "*_-–—"))
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
	return len(lines)
}

// isNameLine reports a line that starts a signature with the writer's
// name: "Alice", "Alice Smith | Circulation", "Dr. Alice M. Smith",
// "Alice (she/her)", "Smith, Alice".
func isNameLine(line, first, full string) bool {
	n := normLine(honorificStart.ReplaceAllString(strings.TrimSpace(line), ""))
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
	low := strings.ToLower(t)
	for _, name := range []string{full, first} {
		if name == "" || !strings.HasSuffix(low, name) {
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
	// A sentence ("Call the desk at 555-0100.") is part of the answer.
	if words > 12 || words >= 4 && strings.ContainsAny(t[len(t)-1:], ".?!") {
		return false
	}
	return phoneLine.MatchString(t) || webLine.MatchString(t) || addressLine.MatchString(t) ||
		titleLine.MatchString(t) && !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "?")
}

// trailingSignature finds a trailing block of signature-looking lines above
// cut (phones, links, titles), with the short name line on top of it, and
// returns where it starts; or cut when there is none. It needs a phone, a
// link, an address or a disclaimer: a title alone is too like a sentence.
func trailingSignature(lines []string, s Writer, cut int) int {
	i := len(lines)
	strong, n := false, 0
	for i > 0 {
		t := strings.TrimSpace(lines[i-1])
		if t == "" {
			i--
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
