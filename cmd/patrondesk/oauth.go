package main

import (
	"fmt"
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
