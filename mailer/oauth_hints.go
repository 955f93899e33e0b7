package mailer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"golang.org/x/oauth2"
)

// TokenHint says in plain words what usually causes a token error from this
// provider, and what to do.
func TokenHint(o OAuth2Options, err error) string {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return "" // a set-up error says itself what to do
	}
	text := re.ErrorCode + " " + re.ErrorDescription + " " + string(re.Body)
	for _, h := range tokenHints {
		if (h.provider == "" || h.provider == o.Provider) && strings.Contains(text, h.code) {
			return h.hint
		}
	}
	switch re.ErrorCode {
	case "invalid_client":
		return "the client id or secret is wrong or has expired: make a new secret and put it in client_secret_file"
	case "invalid_grant":
		if o.Flow == FlowDevice {
			return "the saved consent was revoked or has expired: run \"patrondesk login\" again"
		}
		return "the provider no longer accepts this grant: check that the app and the mailbox are still allowed"
	case "unauthorized_client":
		return "the app may not use this flow or scope: check its permissions"
	case "invalid_scope":
		return "the scopes are wrong for this provider: remove oauth2.scopes to use the usual ones"
	}
	return "the token endpoint refused: read its message above"
}

var tokenHints = []struct{ provider, code, hint string }{
	{"microsoft", "AADSTS7000222", "the client secret has expired: make a new one under Certificates & secrets in the app registration and put it in client_secret_file"},
	{"microsoft", "AADSTS7000215", "the client secret is wrong: copy the secret's Value (not its Secret ID) from the app registration"},
	{"microsoft", "AADSTS700016", "no app with this client_id in the tenant: check client_id and tenant"},
	{"microsoft", "AADSTS90002", "the tenant is not known: write the tenant id (a GUID) or the organisation's domain"},
	{"microsoft", "AADSTS900023", "the tenant is not known: write the tenant id (a GUID) or the organisation's domain"},
	{"microsoft", "AADSTS65001", "consent not granted: an administrator must click \"Grant admin consent\" under API permissions"},
	{"microsoft", "AADSTS700027", "the certificate is not the one uploaded to the app registration, or has expired"},
	{"microsoft", "AADSTS7000112", "the app is disabled in the tenant: enable it under Enterprise applications"},
	{"microsoft", "AADSTS50173", "the saved consent was revoked (the password changed?): run \"patrondesk login\" again"},
	{"microsoft", "AADSTS70008", "the saved consent has expired: run \"patrondesk login\" again"},
	{"google", "unauthorized_client", "domain-wide delegation is not set up: in the Admin console, allow the service account's client id the scope https://mail.google.com/"},
	{"google", "Invalid email or User ID", "the mailbox address (oauth2.user or the username) is not a user of this Google Workspace"},
	{"google", "invalid_grant", "the key was deleted, the account disabled, or the clock of this machine is wrong"},
}

// LoginHint says in plain words why a server usually refuses a freshly
// fetched token of this provider; step is "IMAP" or "SMTP".
func LoginHint(provider, step, user string) string {
	switch {
	case provider == "microsoft" && step == "IMAP":
		return "in Exchange Online the app's service principal must be registered (New-ServicePrincipal) and given FullAccess to " + user +
			" (Add-MailboxPermission); the app needs IMAP.AccessAsApp with admin consent; IMAP must be on for the mailbox"
	case provider == "microsoft":
		return "the app needs SMTP.SendAsApp with admin consent, SMTP AUTH must be on for " + user +
			" (Set-CASMailbox -SmtpClientAuthenticationDisabled $false), and the service principal needs FullAccess or SendAs on it"
	case provider == "google":
		return "IMAP must be on for " + user + " (Admin console: Apps, Google Workspace, Gmail, End User Access) and the domain-wide delegation must include https://mail.google.com/"
	}
	return "the server does not accept this token for " + user + ": check the token's user and scopes with your provider"
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Permissions Exchange Online wants in a token, app-only and delegated.
const (
	PermIMAPApp  = "IMAP.AccessAsApp"
	PermSMTPApp  = "SMTP.SendAsApp"
	PermIMAPUser = "IMAP.AccessAsUser.All"
	PermSMTPUser = "SMTP.Send"
)

// TokenPermissions reads the permissions a Microsoft access token carries
// (its "roles" for an app, its "scp" for a person), for check to say which
// one is missing. The token is not verified: this is a diagnosis, the
// server decides. ok is false when the token is not a readable JWT (Google's
// are not).
func TokenPermissions(token string) (perms []string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var claims struct {
		Roles []string `json:"roles"`
		Scp   string   `json:"scp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return nil, false
	}
	return append(claims.Roles, strings.Fields(claims.Scp)...), true
}
