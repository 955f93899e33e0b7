package mailer

import (
	"regexp"
	"strings"
)

// DefaultBanners are the notices mail gateways put on top of a message.
var DefaultBanners = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(originated|comes|came|was sent) (from )?outside (of )?(the|your|our|this)\b`),
	regexp.MustCompile(`(?i)\b(originated|originates|comes|came|was sent|is) from an? (external|outside|untrusted|unverified) (source|sender|address|domain|network|party)\b`),
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
