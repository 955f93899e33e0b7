package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patrondesk/config"
	"patrondesk/mailer"
)

// checkOAuth2 is the first link of the chain for logins with auth =
// "oauth2": can a token be had at all, and (Microsoft) does it carry the
// IMAP or SMTP permission? The IMAP and SMTP checks that follow then try it
// on the servers, and a refusal there names the provider's usual causes.
func checkOAuth2(ctx context.Context, cfg *config.Config, report func(string, error, string)) {
	type login struct {
		what string
		o    config.OAuth2
	}
	var logins []login
	if o, ok := cfg.IMAPOAuth2(); ok {
		logins = append(logins, login{"[imap]", o})
	}
	for i, m := range cfg.Mailboxes {
		if o, ok := cfg.MailboxOAuth2(i); ok {
			logins = append(logins, login{"mailbox " + m.Name, o})
		}
	}
	if o, ok := cfg.SMTPOAuth2(); ok {
		logins = append(logins, login{"[smtp]", o})
	}
	for _, l := range logins {
		what := fmt.Sprintf("OAuth2 token for %s (%s, %s, %s)", l.o.User, l.what, l.o.Provider, flowWords(l.o.Flow))
		tok, err := mailer.NewTokenSource(oauthOptions(l.o)).Token(ctx)
		report(what, err, tokenAdvice(l.o))
		if err == nil && l.o.Provider == "microsoft" {
			if perm, missing := missingPermission(tok, l.what == "[smtp]", l.o.Flow == mailer.FlowDevice); missing {
				report("permission "+perm, fmt.Errorf("the token for %s does not carry %s", l.o.User, perm),
					"in the app registration: API permissions, add "+perm+" (Office 365 Exchange Online), then \"Grant admin consent\"; allow a few minutes")
			}
		}
	}
}

// missingPermission names the Exchange Online permission a Microsoft token
// lacks for its use (IMAP, or SMTP when smtp), if it can tell.
func missingPermission(token string, smtp, delegated bool) (string, bool) {
	perms, ok := mailer.TokenPermissions(token)
	if !ok {
		return "", false
	}
	want := map[[2]bool]string{{false, false}: mailer.PermIMAPApp, {true, false}: mailer.PermSMTPApp,
		{false, true}: mailer.PermIMAPUser, {true, true}: mailer.PermSMTPUser}[[2]bool{smtp, delegated}]
	return want, !slices.Contains(perms, want)
}

func flowWords(flow string) string {
	switch flow {
	case mailer.FlowServiceAccount:
		return "service account acting as the mailbox"
	case mailer.FlowDevice:
		return "consent kept by patrondesk login"
	}
	return "app id and secret or certificate"
}

// tokenAdvice is what to look at when no token comes, by provider; the
// error itself already names the likely cause.
func tokenAdvice(o config.OAuth2) string {
	var b strings.Builder
	switch o.Provider {
	case "microsoft":
		b.WriteString("check [oauth2] tenant, client_id and the secret or certificate in the app registration (Microsoft Entra admin center); " +
			"a secret expires: make a new one under Certificates & secrets")
	case "google":
		b.WriteString("check the service account key file and, in the Admin console, Security > API controls > Domain-wide delegation for its client id with scope https://mail.google.com/")
	default:
		b.WriteString("check [oauth2] token_url, client_id and client_secret")
	}
	if o.Flow == mailer.FlowDevice {
		b.WriteString("; run \"patrondesk login\" again if the consent was withdrawn")
	}
	return b.String()
}
