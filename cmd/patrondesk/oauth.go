package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"patrondesk/config"
	"patrondesk/mailer"
)

// oauthOptions turns a resolved [oauth2] into the mailer's options.
func oauthOptions(o config.OAuth2) mailer.OAuth2Options {
	return mailer.OAuth2Options{Provider: o.Provider, Flow: o.Flow, TokenURL: o.TokenURL, DeviceURL: o.DeviceURL, ClientID: o.ClientID,
		ClientSecret: o.ClientSecret, Certificate: o.Certificate, ServiceAccountKey: o.ServiceAccountKey, TokenFile: o.TokenFile,
		Scopes: o.Scopes, Mechanism: o.Mechanism, User: o.User}
}

// tokenSource is the login's token source, or nil for a password login.
func tokenSource(o config.OAuth2, ok bool) *mailer.TokenSource {
	if !ok {
		return nil
	}
	return mailer.NewTokenSource(oauthOptions(o))
}

// watchLogins has the refusals hear how each login with ts's tokens goes,
// under label ("mailbox INBOX", "SMTP"). ts nil (a password login) is left
// alone.
func watchLogins(ts *mailer.TokenSource, r *refusals, label string) {
	if ts == nil {
		return
	}
	ts.OnLogin(func(err error) {
		if err != nil {
			r.refused(label, err)
		} else {
			r.clear(label)
		}
	})
}

// refusals remembers, per login, a refusal since the last good login:
// /healthz names it at once and the admin is alerted without waiting for
// intake.alert_after, because it will not mend itself.
type refusals struct {
	mu   sync.Mutex
	last map[string]string
	kick chan struct{}
}

func newRefusals() *refusals {
	return &refusals{last: map[string]string{}, kick: make(chan struct{}, 1)}
}

func (r *refusals) refused(label string, err error) {
	r.mu.Lock()
	r.last[label] = err.Error()
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *refusals) clear(label string) {
	r.mu.Lock()
	delete(r.last, label)
	r.mu.Unlock()
}

// list says, in label order, which logins are refused and why.
func (r *refusals) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for label, why := range r.last {
		out = append(out, fmt.Sprintf("%s: %s", label, why))
	}
	sort.Strings(out)
	return out
}

// cmdLogin runs the device-code flow for one mailbox whose administrator
// must consent interactively, and keeps the refresh token for the daemon.
func cmdLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("login", "login [--mailbox NAME]", stderr)
	box := fs.String("mailbox", "", "the [[mailbox]] to log in; default [imap]'s (and [smtp]'s)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	o, ok := cfg.IMAPOAuth2()
	if !ok {
		o, ok = cfg.SMTPOAuth2()
	}
	if *box != "" {
		ok = false
		for i, m := range cfg.Mailboxes {
			if m.Name == *box {
				o, ok = cfg.MailboxOAuth2(i)
			}
		}
		if !ok {
			return usageErr("no [[mailbox]] named %q with auth = \"oauth2\"", *box)
		}
	}
	if !ok {
		return usageErr("no login uses OAuth2: set auth = \"oauth2\" in [imap] or [smtp] and fill in [oauth2]")
	}
	if o.Flow != mailer.FlowDevice {
		return usageErr("oauth2.flow is %q: only flow = \"device\" needs `patrondesk login`; `patrondesk check` tests the others", o.Flow)
	}
	err = mailer.DeviceLogin(ctx, oauthOptions(o), func(url, code string) {
		fmt.Fprintf(stdout, "To let patrondesk read and send mail as %s:\n  1. open %s\n  2. type the code %s\n  3. sign in as %s and accept.\nWaiting...\n", o.User, url, code, o.User)
	})
	if err != nil {
		return err
	}
	// Never the token itself: it is a password.
	fmt.Fprintf(stdout, "Done. The consent is kept in %s (readable by this user only).\nNext: patrondesk check\n", o.TokenFile)
	return nil
}
