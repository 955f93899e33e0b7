package mailer

import (
	"regexp"
	"strings"
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

// ForwardsMail reports a reply whose writer put a forwarded mail under
// their own words (a "Forwarded message" line where their text ends),
// other than the answered mail itself (which holds its marker).
func ForwardsMail(text string, o ReplyOptions) bool {
	lines := strings.Split(NormaliseText(text), "\n")
	cut := quoteCut(lines, o.IsMarker)
	for i := cut; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if i == cut && !forwardMarker.MatchString(t) {
			return false
		}
		if o.IsMarker != nil && o.IsMarker(t) {
			return false
		}
	}
	return cut < len(lines)
}

// InlineQuotes is, for an inline answer (the writer's lines in two places
// or more between quotes), the quoted lines between its first and last own
// lines and the quoted paragraph just above the first (without their
// quote marks): what the answer answers. The quote left
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
	// Above the first own line, only the quoted paragraph it answers counts:
	// the rest is the answered mail, as over a bottom-posted answer.
	start := first
	for start > 0 && strings.TrimSpace(lines[start-1]) == "" {
		start--
	}
	for start > 0 && strings.HasPrefix(strings.TrimSpace(lines[start-1]), ">") && strings.Trim(strings.TrimSpace(lines[start-1]), "> ") != "" {
		start--
	}
	var out []string
	between := false
	for i := max(start, 0); first >= 0 && i < last; i++ {
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
			return attributionAbove(lines, i, headerStart(lines, i))
		case originalMessage.MatchString(t) || forwardMarker.MatchString(t):
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

// attributionAbove moves a cut at an unquoted copy of the answered mail
// (marker at i) up to the "On … wrote:" line a client put over it, and
// over the lines between (the copy's first lines, above its marker), when
// that line is at most three lines up. Yahoo and webmails indent the copy
// instead of quoting it.
func attributionAbove(lines []string, i, cut int) int {
	seen := 0
	for j := min(i, cut) - 1; j >= 0 && seen < 3; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		seen++
		if attribution.MatchString(t) || bareAttribution.MatchString(t) {
			return j
		}
	}
	// An indented copy without one: its lines above the marker are indented
	// as the marker is.
	indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
	for cut == i && indent != "" && cut > 0 && strings.HasPrefix(lines[cut-1], indent) && strings.TrimSpace(lines[cut-1]) != "" {
		cut--
	}
	return cut
}

// anyHeader is a "Key: value" line of a quoted header block in any
// language ("Wysłano: …", "Temat: …").
var anyHeader = regexp.MustCompile(`^\*?[\p{L}][\p{L} .-]{0,24}\*?\s?:\*?\s+\S`)

// headerBlockFollows reports a "Sent:"/"Date:" line just under a "From:",
// and a "Subject:" line in the block: an answer's own "From: Monday" /
// "Date: 4 January" lines are not a quoted mail's header.
func headerBlockFollows(lines []string, i int) bool {
	field, subject := false, false
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		t := strings.TrimSpace(lines[j])
		if j <= i+4 && replyHeaderField.MatchString(t) {
			field = true
		}
		if subjectField.MatchString(t) {
			subject = true
		}
	}
	return field && subject
}

// subjectField is the "Subject:" line of a quoted header block.
var subjectField = regexp.MustCompile(`(?i)^\*?(subject|objet|betreff|asunto|onderwerp|oggetto|ämne|emne|temat|assunto|aihe|тема|předmět|tárgy|konu|subiect|θέμα|件名|主题|主旨|제목|נושא|الموضوع)\s*:`)

var (
	headerFrom       = regexp.MustCompile(`(?i)^\*?(from|von|de|de la|van|da|från|fra|od|от|desde|lähettäjä|feladó|kimden|από|差出人|发件人|寄件者|보낸 사람)\s*:\*?\s*\S`)
	replyHeaderField = regexp.MustCompile(`(?i)^\*?(sent|date|envoy[ée]|gesendet|datum|enviado|fecha|verzonden|inviato|data|skickat|sendt|to|à|an|para|aan|a|til|till|subject|objet|betreff|asunto|onderwerp|oggetto|ämne|emne|odesláno|komu|předmět|elküldve|címzett|tárgy|gönderildi|kime|konu|wysłano|do|temat|lähetetty|vastaanottaja|aihe|отправлено|кому|тема|trimis|către|subiect|στάλθηκε|προς|θέμα|送信日時|宛先|件名|发送时间|收件人|主题|寄件日期|主旨|받는 사람|보낸 날짜|제목)\s*:`)
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
	return deviceLine.MatchString(t) && len(strings.Fields(t)) <= 10 && (!strings.HasSuffix(t, ".") || deviceApp.MatchString(t))
}

// IsDeviceLine is isDeviceLine for one line with its spaces.
func IsDeviceLine(line string) bool { return isDeviceLine(strings.TrimSpace(line)) }

// deviceApp is a device line that ends in a full stop and names the app or
// device: "Sent with Proton Mail secure email.", "Sent from my iPhone."
var deviceApp = regexp.MustCompile(`(?i)\b(iphone|ipad|android|galaxy|samsung|blackberry|outlook|yahoo mail|proton ?mail|secure email|gmail|aol|mobile|phone|smartphone|tablet|device|gesendet|verzonden|gönderildi)\.$`)

// deviceLine is the line a phone or webmail adds under what was written.
var deviceLine = regexp.MustCompile(`(?i)^(sent from my\b|sent from (mail|outlook|yahoo|samsung|aol|gmail|proton)\b|sent with\b|sent via\b|sent using\b|sent on the go\b|get outlook for\b|download outlook for\b|get \S+ for (ios|android|iphone|ipad|windows|mac)\b|sent from the all new aol app\b|envoy[ée] (de|depuis) (mon|l'application|outlook|yahoo)\b|enviado (desde|do|de) (mi|meu|o meu|outlook|yahoo)\b|von meinem .{1,40} gesendet|gesendet von\b|verzonden (vanaf|met|via) (mijn|outlook)\b|inviato da\b|skickat från\b|wysłane z\b|verstuurd (vanaf|met|via)\b|sendt fra\b|lähetetty\b|отправлено с\b|obtener outlook para\b|obtenir outlook pour\b|descargar outlook para\b|baixe o outlook para\b|obtenha o outlook para\b|télécharger outlook pour\b|outlook für .{1,20} herunterladen|holen sie sich outlook\b|scarica outlook per\b|.{1,30} gönderildi$)`)

// imageLine is what a plain part shows for an inline image: Outlook's
// "[cid:image001.png@01DB…]", Gmail's "[image: logo.png]".
var imageLine = regexp.MustCompile(`(?i)^\[(cid:|image:?\s)[^\]]*\]$`)
