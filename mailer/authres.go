package mailer

import (
	"regexp"
	"strings"
)

// Authentication-Results (RFC 8601) as the library's own MX writes it. The
// header is read with a small tolerant reader rather than go-msgauth's
// authres.Parse, because the big providers write it in forms that parser
// refuses: Microsoft 365 leaves out the server's name ("spf=pass (sender IP
// is …) smtp.mailfrom=…; dkim=pass …") and everyone writes comments in
// parentheses between the properties.

// authResult is one "method=result prop=value …" of a header.
type authResult struct {
	header        int // which Authentication-Results header, top first
	method, value string
	props         map[string]string // "header.d", "header.from", "smtp.mailfrom"
}

var authComment = regexp.MustCompile(`\([^()]*\)`)

// parseAuthResults reads one header value into its authserv-id ("" when the
// writer left it out) and its results.
func parseAuthResults(v string) (id string, results []authResult) {
	for i := 0; i < 3 && strings.Contains(v, "("); i++ {
		v = authComment.ReplaceAllString(v, " ") // nested comments, from the inside out
	}
	parts := strings.Split(v, ";")
	first := strings.TrimSpace(parts[0])
	if !strings.Contains(first, "=") {
		id, _, _ = strings.Cut(first, " ") // "mx.library.test 1": the version follows the name
		parts = parts[1:]
	}
	for _, p := range parts {
		fields := strings.Fields(p)
		if len(fields) == 0 {
			continue
		}
		k, val, ok := strings.Cut(fields[0], "=")
		if !ok {
			continue
		}
		r := authResult{method: strings.ToLower(k), value: strings.ToLower(strings.Trim(val, `"`)), props: map[string]string{}}
		for _, f := range fields[1:] {
			if pk, pv, ok := strings.Cut(f, "="); ok {
				r.props[strings.ToLower(pk)] = strings.ToLower(strings.Trim(pv, `"`))
			}
		}
		results = append(results, r)
	}
	return id, results
}

// namelessProviders are the names a library may give as its trusted server
// when its mail is hosted by a provider that writes Authentication-Results
// without a server name (Microsoft 365 / Exchange Online). For them only the
// topmost header counts: the provider adds its header above everything the
// sender wrote.
var namelessProviders = map[string]bool{
	"microsoft365": true, "office365": true, "exchange-online": true, "outlook.com": true,
	"protection.outlook.com": true, "mx.microsoft.com": true, "microsoft": true,
}

// trustedResults are the results written by the trusted server authserv
// (case-insensitive), or by a nameless provider's topmost header. Headers
// from any other server are ignored, since anyone can write one.
func trustedResults(m *Message, authserv string) []authResult {
	authserv = strings.ToLower(strings.TrimSpace(authserv))
	if authserv == "" {
		return nil
	}
	var out []authResult
	for i, v := range m.Header.Values("Authentication-Results") {
		id, results := parseAuthResults(v)
		for j := range results {
			results[j].header = i
		}
		switch {
		case id != "" && strings.EqualFold(id, authserv):
			out = append(out, results...)
		case id == "" && i == 0 && namelessProviders[authserv]:
			out = append(out, results...)
		}
	}
	return dropContradicted(out)
}

// dropContradicted removes the passes of a method that another header
// claiming the same server reports as not passing. RFC 8601 asks the MX to
// remove headers with its name that arrive from outside, but many do not, so
// a forger can write "dkim=pass" under the MX's own "dkim=none": the MX's
// word against the forger's is no proof. Failures always stay.
func dropContradicted(rs []authResult) []authResult {
	notPass := map[string]map[int]bool{}
	for _, r := range rs {
		if r.value != "pass" {
			if notPass[r.method] == nil {
				notPass[r.method] = map[int]bool{}
			}
			notPass[r.method][r.header] = true
		}
	}
	out := rs[:0:0]
	for _, r := range rs {
		if r.value == "pass" && contradicted(notPass[r.method], r.header) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// contradicted reports a non-pass in a header other than h.
func contradicted(headers map[int]bool, h int) bool {
	for i := range headers {
		if i != h {
			return true
		}
	}
	return false
}

// Authenticated reports whether a trusted server (its authserv-id in the
// Authentication-Results header) found the message signed by domain: DKIM
// pass with header.d of that domain, or DMARC pass for a From in it.
func Authenticated(m *Message, authserv, domain string) bool {
	domain = strings.ToLower(domain)
	for _, r := range trustedResults(m, authserv) {
		if r.value != "pass" {
			continue
		}
		switch r.method {
		case "dkim":
			if r.props["header.d"] == domain {
				return true
			}
		case "dmarc":
			if r.props["header.from"] == domain {
				return true
			}
		}
	}
	return false
}

// SenderAuth is what the trusted server's checks say about a message's
// From address.
type SenderAuth struct {
	// Verified: DKIM pass for the From domain (or a parent of it) or DMARC
	// pass. Only a verified sender may see words of their own in our mail.
	Verified bool
	// Suspect says why the From address is probably forged ("" = no sign).
	Suspect string
}

// CheckSender reads the trusted server's verdicts on the From address:
// DMARC fail, or SPF fail without a DKIM pass, makes the sender suspect;
// a DKIM pass aligned with the From domain or a DMARC pass verifies it.
// With no trusted server named, nobody is verified and nobody is suspect.
func CheckSender(m *Message, authserv string) SenderAuth {
	_, domain, _ := strings.Cut(m.From.Email, "@")
	var a SenderAuth
	dkimPass, spfFail, dmarcFail, compFail := false, false, false, false
	for _, r := range trustedResults(m, authserv) {
		switch {
		case r.method == "dkim" && r.value == "pass":
			if d := r.props["header.d"]; d != "" && aligned(domain, d) {
				dkimPass = true
			}
		case r.method == "dmarc" && r.value == "pass":
			// A pass that names no domain proves nothing about this From.
			if f := r.props["header.from"]; f != "" && f == domain {
				a.Verified = true
			}
		case r.method == "dmarc" && r.value == "fail":
			dmarcFail = true
		case r.method == "spf" && r.value == "fail":
			spfFail = true
		case r.method == "compauth" && r.value == "fail":
			compFail = true
		}
	}
	a.Verified = a.Verified || dkimPass
	switch {
	case dmarcFail:
		a.Suspect = "the library's mail server found that the sender's domain did not authorise this mail (DMARC fail)"
	case spfFail && !dkimPass:
		a.Suspect = "the library's mail server found it was sent from a server the sender's domain does not use (SPF fail, no DKIM signature)"
	case compFail && !a.Verified:
		a.Suspect = "the library's mail server could not confirm the sender (Microsoft composite authentication fail)"
	}
	if a.Suspect != "" {
		a.Verified = false
	}
	return a
}

// aligned reports whether a DKIM signing domain d covers the From domain:
// the same domain or a parent of it (relaxed alignment, RFC 7489).
func aligned(from, d string) bool {
	return from != "" && (from == d || strings.HasSuffix(from, "."+d))
}
