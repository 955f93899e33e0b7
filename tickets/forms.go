package tickets

import (
	"regexp"
	"slices"
	"strings"

	"patrondesk/mailer"
)

// Many libraries' "Ask a librarian" forms send mail from the website's own
// address with the person who filled in the form in Reply-To, or only in the
// body ("Name: … / Email: …"). Mail from an address listed in
// intake.form_senders is taken as that person's: they are the patron, get the
// acknowledgement and the answers. Mail from anyone else keeps From.

var (
	formEmail = regexp.MustCompile(`(?im)^[ \t*]*(?:your[ \t]+)?e-?mail(?:[ \t]+address)?[ \t*]*:[ \t*]*(.+)$`)
	formName  = regexp.MustCompile(`(?im)^[ \t*]*(?:your[ \t]+|full[ \t]+)?name[ \t*]*:[ \t*]*(.+)$`)
	formAddr  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
)

// formHeaders are what form software adds that would make the request look
// automated; the relay is the library's own, so they say nothing of the
// person who wrote.
var formHeaders = []string{"Auto-Submitted", "Precedence", "X-Auto-Response-Suppress"}

// errNoFormPatron is why a form mail without the person's address is kept
// for a human instead of answered: the only address is the website's.
const errNoFormPatron = "it came from the web form, but names no address to answer (no Reply-To and no \"Email:\" line " +
	"other than the library's own or a staff member's)"

// formPatron finds the person a relayed form mail is from. Anyone can type
// anything into a form, so an address that reaches the library itself (its
// own, the relay's, a staff member's, in any case or with any +tag) is never
// the patron: a form naming a staff address would otherwise speak with the
// staff member's voice, and the website's DKIM pass would vouch for it.
func formPatron(m *mailer.Message, ours func(string) bool) (mailer.Address, bool) {
	for _, a := range m.ReplyTo {
		if a.Email != "" && !ours(a.Email) {
			if a.Name == "" {
				a.Name = formField(formName, m.Text)
			}
			return a, true
		}
	}
	if f := formField(formEmail, m.Text); f != "" {
		if email := strings.ToLower(formAddr.FindString(f)); email != "" && !ours(email) {
			return mailer.Address{Name: formField(formName, m.Text), Email: email}, true
		}
	}
	return mailer.Address{}, false
}

// oursOrStaff reports an address that reaches the library: its own, a form
// relay's or a staff member's, case and +tag folded.
func (r *receipt) oursOrStaff(email string) bool {
	f := foldAddress(email)
	for _, a := range append([]string{r.d.opts.Address, r.m.From.Email}, r.d.opts.FormSenders...) {
		if f == foldAddress(a) {
			return true
		}
	}
	return r.staff(email) != nil
}

func formField(re *regexp.Regexp, text string) string {
	if m := re.FindStringSubmatch(text); m != nil {
		return strings.TrimSpace(strings.Trim(m[1], " \t*"))
	}
	return ""
}

// fromForm makes a relayed form mail the patron's own: From becomes the
// person in the form. It reports errNoFormPatron when there is none.
func (r *receipt) fromForm() (problem string) {
	if !slices.Contains(r.d.opts.FormSenders, r.m.From.Email) {
		return ""
	}
	p, ok := formPatron(r.m, r.oursOrStaff)
	if !ok {
		return errNoFormPatron
	}
	m := *r.m
	m.Header = r.m.Header.Copy()
	for _, k := range formHeaders {
		m.Header.Del(k)
	}
	r.viaForm = r.m.From.Email
	m.From, m.ReplyTo = p, nil
	r.m = &m
	return ""
}
