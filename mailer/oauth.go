package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// OAuth2 logins (Microsoft 365, Google Workspace, any OAuth2 provider): a
// TokenSource per login hands out access tokens, cached and renewed before
// they run out; imap.go and smtp.go offer them with sasl.go's clients.
// oauth_grants.go asks the provider, oauth_hints.go explains refusals.

// OAuth2 flows: how a token is had.
const (
	FlowClientCredentials = "client_credentials" // an app's id and secret or certificate
	FlowServiceAccount    = "service_account"    // Google: a service account acting as the mailbox
	FlowDevice            = "device"             // a refresh token kept by `patrondesk login`
)

// Well-known endpoints and scopes.
const (
	MicrosoftScope = "https://outlook.office365.com/.default"
	GoogleScope    = "https://mail.google.com/"
	GoogleTokenURL = "https://oauth2.googleapis.com/token"
)

// OAuth2Options says how to get tokens for one mailbox login. The config
// package has already filled in provider defaults (token URL, scopes, flow).
type OAuth2Options struct {
	Provider     string // microsoft | google | generic, for explanations
	Flow         string // client_credentials | service_account | device
	TokenURL     string
	DeviceURL    string // the device authorization endpoint (flow device)
	ClientID     string
	ClientSecret string
	// Certificate is a PEM file holding the app's certificate and its
	// private key (Microsoft's alternative to a secret).
	Certificate string
	// ServiceAccountKey is the JSON key file of a Google service account.
	ServiceAccountKey string
	// TokenFile keeps the refresh token of the device flow (mode 0600).
	TokenFile string
	Scopes    []string
	Mechanism string // xoauth2 | oauthbearer
	User      string // the mailbox the token acts as, and the SASL user
	// HTTPClient is used for the token endpoint; nil means a client with a
	// 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock for renewing before expiry; nil means time.Now.
	Now func() time.Time
}

// TokenSource hands out one login's access token, fetching it when there is
// none, when it nears its expiry, or after a server rejected it. It is safe
// for concurrent use.
type TokenSource struct {
	opts  OAuth2Options
	fetch func(ctx context.Context) (*oauth2.Token, error)

	mu      sync.Mutex
	tok     *oauth2.Token
	renewAt time.Time
	fetches int
	onLogin func(error)
	// After a refusal the provider is asked again only after hold, which
	// doubles up to maxRefusalHold: a refusal needs a person, and asking
	// every few seconds would only get the app throttled.
	refused      *LoginRefusedError
	refusedUntil time.Time
	hold         time.Duration
}

// NewTokenSource returns a source; no token is fetched yet. Options that
// cannot work (a missing key file, say) make every Token call fail with a
// refused login that says why, so a file fixed later is picked up.
func NewTokenSource(o OAuth2Options) *TokenSource {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Mechanism == "" {
		o.Mechanism = MechXOAUTH2
	}
	ts := &TokenSource{opts: o}
	_, err := newBearerClient(o.Mechanism, "", "", "", 0)
	switch {
	case err != nil:
	case o.Flow == FlowClientCredentials, o.Flow == "":
		ts.fetch, err = clientCredentialsFetch(o)
	case o.Flow == FlowServiceAccount:
		ts.fetch, err = serviceAccountFetch(o)
	case o.Flow == FlowDevice:
		ts.fetch, err = refreshFetch(o)
	default:
		err = fmt.Errorf("unknown OAuth2 flow %q", o.Flow)
	}
	if err != nil {
		ts.fetch = func(context.Context) (*oauth2.Token, error) { return nil, setupError{err} }
	}
	return ts
}

// Mechanism is the SASL mechanism to log in with.
func (ts *TokenSource) Mechanism() string { return ts.opts.Mechanism }

// User is the login the token is for ("" = the mailbox's username).
func (ts *TokenSource) User() string { return ts.opts.User }

// Options are the options the source was made with.
func (ts *TokenSource) Options() OAuth2Options { return ts.opts }

// Fetches counts the tokens fetched from the token endpoint so far.
func (ts *TokenSource) Fetches() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.fetches
}

// Token returns a token valid for a while yet. A token that cannot be had is
// a *LoginRefusedError saying why.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.opts.Now()
	if ts.tok != nil && (ts.renewAt.IsZero() || now.Before(ts.renewAt)) {
		return ts.tok.AccessToken, nil
	}
	if ts.refused != nil && now.Before(ts.refusedUntil) {
		return "", ts.refused
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, ts.opts.HTTPClient)
	tok, err := ts.fetch(ctx)
	if err == nil && tok.AccessToken == "" {
		err = &oauth2.RetrieveError{ErrorCode: "no_token", ErrorDescription: "the token endpoint answered without an access token"}
	}
	if err != nil {
		ts.tok = nil
		if !needsPerson(err) {
			// The endpoint could not be reached: like a mail server out
			// of reach, retried, and alerted only if it lasts.
			return "", fmt.Errorf("get an OAuth2 token from %s: %w", ts.opts.TokenURL, err)
		}
		refused := &LoginRefusedError{Step: "token", Err: err, Hint: TokenHint(ts.opts, err)}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) { // the provider said no (a missing file costs nothing to look at again)
			ts.hold = min(max(2*ts.hold, firstRefusalHold), maxRefusalHold)
			ts.refused, ts.refusedUntil = refused, now.Add(ts.hold)
		}
		return "", refused
	}
	ts.fetches++
	ts.refused, ts.hold = nil, 0
	ts.tok, ts.renewAt = tok, renewTime(now, tok.Expiry)
	return tok.AccessToken, nil
}

// How long a refused token request is answered from memory: 30 seconds,
// doubling to 10 minutes.
const (
	firstRefusalHold = 30 * time.Second
	maxRefusalHold   = 10 * time.Minute
)

// setupError is a token problem only a person can fix: a key file missing,
// no consent saved yet.
type setupError struct{ error }

func (e setupError) Unwrap() error { return e.error }

// needsPerson reports whether a token error is the provider saying no, or
// a set-up problem, rather than a network failure.
func needsPerson(err error) bool {
	var re *oauth2.RetrieveError
	var se setupError
	return errors.As(err, &re) || errors.As(err, &se)
}

// renewTime is when to fetch a new token: a fifth of its life before it
// ends, at most five minutes before, so a login never starts with a token
// about to run out. A token without expiry is kept until rejected.
func renewTime(now, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return time.Time{}
	}
	early := min(expiry.Sub(now)/5, 5*time.Minute)
	return expiry.Add(-max(early, 0))
}

// OnLogin sets f to be told of each login made with this source's tokens:
// nil when it succeeded, the *LoginRefusedError when it was refused.
// Network failures are not reported: they are not about the login.
func (ts *TokenSource) OnLogin(f func(error)) {
	ts.mu.Lock()
	ts.onLogin = f
	ts.mu.Unlock()
}

// loggedIn reports a login's outcome to OnLogin's function and returns err.
func (ts *TokenSource) loggedIn(err error) error {
	ts.mu.Lock()
	f := ts.onLogin
	ts.mu.Unlock()
	var le *LoginRefusedError
	switch {
	case f == nil:
	case err == nil:
		f(nil)
	case errors.As(err, &le):
		f(le) // the refusal itself, without the caller's context
	}
	return err
}

// Invalidate drops the cached token after a server rejected it, so the next
// Token fetches a new one.
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	ts.tok = nil
	ts.mu.Unlock()
}

// LoginRefusedError is a login that did not happen: no token could be had,
// or the server refused the one offered. Retrying soon will not help; a
// person must look (a secret expired, a permission was withdrawn).
type LoginRefusedError struct {
	Step string // "token", "IMAP" or "SMTP"
	Err  error
	Hint string // what to do, in plain words
}

func (e *LoginRefusedError) Error() string {
	msg := "login refused"
	switch e.Step {
	case "token":
		msg += ": no access token"
	case "":
	default:
		msg += " by the " + e.Step + " server"
	}
	msg += ": " + e.Err.Error()
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *LoginRefusedError) Unwrap() error { return e.Err }

// isTokenRefused reports a login that did not happen for want of a token.
func isTokenRefused(err error) bool {
	var le *LoginRefusedError
	return errors.As(err, &le)
}
