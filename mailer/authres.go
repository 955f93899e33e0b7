package mailer

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// Authenticated reports whether a trusted server (its authserv-id in the
// Authentication-Results header) found the message signed by domain: DKIM
// pass with header.d of that domain, or DMARC pass for a From in it. Headers
// from any other server are ignored, since anyone can write one.
func Authenticated(m *Message, authserv, domain string) bool {
	domain = strings.ToLower(domain)
	for _, v := range m.Header.Values("Authentication-Results") {
		id, results, err := authres.Parse(v)
		if err != nil || !strings.EqualFold(id, authserv) {
			continue
		}
		for _, r := range results {
			switch r := r.(type) {
			case *authres.DKIMResult:
				if r.Value == authres.ResultPass && strings.EqualFold(r.Domain, domain) {
					return true
				}
			case *authres.DMARCResult:
				if r.Value == authres.ResultPass && strings.EqualFold(r.From, domain) {
					return true
				}
			}
		}
	}
	return false
}
