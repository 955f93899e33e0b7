package mailer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// OAuth2 flows: how a token is had.
const (
	FlowClientCredentials = "client_credentials" // an app's id and secret or certificate
	FlowServiceAccount    = "service_account"    // Google: a service account acting as the mailbox
	FlowDevice            = "device"             // a refresh token kept by `patrondesk login`
)

// Well-known endpoints and scopes.
const (
	MicrosoftScope  = "https://outlook.office365.com/.default"
	GoogleScope     = "https://mail.google.com/"
	GoogleTokenURL  = "https://oauth2.googleapis.com/token"
	GoogleDeviceURL = "https://oauth2.googleapis.com/device/code"
)

// MicrosoftTokenURL is the token endpoint of a Microsoft Entra tenant (its
// id or its domain).
func MicrosoftTokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"
}

// MicrosoftDeviceURL is the device-code endpoint of a tenant.
func MicrosoftDeviceURL(tenant string) string {
	return "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/devicecode"
}

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
// for concurrent use (IMAP and SMTP share one).
type TokenSource struct {
	opts  OAuth2Options
	fetch func(ctx context.Context) (*oauth2.Token, error)

	mu      sync.Mutex
	tok     *oauth2.Token
	renewAt time.Time
	fetches int
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
	ctx = context.WithValue(ctx, oauth2.HTTPClient, ts.opts.HTTPClient)
	tok, err := ts.fetch(ctx)
	if err != nil {
		ts.tok = nil
		if !needsPerson(err) {
			// The endpoint could not be reached: like a mail server out
			// of reach, retried, and alerted only if it lasts.
			return "", fmt.Errorf("get an OAuth2 token from %s: %w", ts.opts.TokenURL, err)
		}
		return "", &LoginRefusedError{Step: "token", Err: err, Hint: TokenHint(ts.opts, err)}
	}
	if tok.AccessToken == "" {
		return "", &LoginRefusedError{Step: "token", Err: errors.New("the token endpoint answered without an access token"), Hint: TokenHint(ts.opts, nil)}
	}
	ts.fetches++
	ts.tok, ts.renewAt = tok, renewTime(now, tok.Expiry)
	return tok.AccessToken, nil
}

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

// IsLoginRefused reports whether err is a refused login.
func IsLoginRefused(err error) bool {
	var le *LoginRefusedError
	return errors.As(err, &le)
}

func clientCredentialsFetch(o OAuth2Options) (func(context.Context) (*oauth2.Token, error), error) {
	if o.TokenURL == "" || o.ClientID == "" {
		return nil, errors.New("the client-credentials flow needs a token URL and a client id")
	}
	cc := clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL, Scopes: o.Scopes,
		AuthStyle: oauth2.AuthStyleInParams}
	if o.Certificate == "" {
		if o.ClientSecret == "" {
			return nil, errors.New("the client-credentials flow needs a client secret or a certificate")
		}
		return cc.Token, nil
	}
	// A fresh signed assertion for every request: it lives ten minutes.
	return func(ctx context.Context) (*oauth2.Token, error) {
		key, thumb, err := loadCertificate(o.Certificate)
		if err != nil {
			return nil, setupError{err}
		}
		assertion, err := clientAssertion(key, thumb, o.ClientID, o.TokenURL, time.Now())
		if err != nil {
			return nil, err
		}
		c := cc
		c.ClientSecret = ""
		c.EndpointParams = map[string][]string{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		}
		return c.Token(ctx)
	}, nil
}

// loadCertificate reads a PEM file with a certificate and an RSA private key
// and returns the key and the certificate's SHA-1 thumbprint (x5t).
func loadCertificate(path string) (*rsa.PrivateKey, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read certificate: %w", err)
	}
	var key *rsa.PrivateKey
	var thumb string
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		switch block.Type {
		case "CERTIFICATE":
			sum := sha1.Sum(block.Bytes) // Microsoft names certificates by SHA-1 thumbprint
			thumb = base64.RawURLEncoding.EncodeToString(sum[:])
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			var k any
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
			if rk, ok := k.(*rsa.PrivateKey); ok {
				key = rk
			} else if err == nil {
				err = errors.New("the private key is not an RSA key")
			}
		}
		if err != nil {
			return nil, "", fmt.Errorf("certificate %s: %w", path, err)
		}
	}
	if key == nil || thumb == "" {
		return nil, "", fmt.Errorf("certificate %s must hold both the certificate and its RSA private key in PEM", path)
	}
	return key, thumb, nil
}

// clientAssertion is the signed JWT (RFC 7523) that proves the app holds the
// certificate's key.
func clientAssertion(key *rsa.PrivateKey, thumb, clientID, aud string, now time.Time) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": thumb})
	claims, _ := json.Marshal(map[string]any{"aud": aud, "iss": clientID, "sub": clientID, "jti": hex.EncodeToString(jti),
		"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign client assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// serviceAccountKey is the part of a Google service account's JSON key file
// the JWT flow needs.
type serviceAccountKey struct {
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

func serviceAccountFetch(o OAuth2Options) (func(context.Context) (*oauth2.Token, error), error) {
	if o.User == "" {
		return nil, errors.New("a service account needs the mailbox address to act as")
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		data, err := os.ReadFile(o.ServiceAccountKey)
		if err != nil {
			return nil, setupError{fmt.Errorf("read service account key: %w", err)}
		}
		var k serviceAccountKey
		if err := json.Unmarshal(data, &k); err != nil || k.ClientEmail == "" || k.PrivateKey == "" {
			return nil, setupError{fmt.Errorf("%s is not a service account key file (download it as JSON from the service account's Keys tab)", o.ServiceAccountKey)}
		}
		cfg := &jwt.Config{Email: k.ClientEmail, PrivateKey: []byte(k.PrivateKey), PrivateKeyID: k.PrivateKeyID,
			Scopes: o.Scopes, TokenURL: firstOf(o.TokenURL, k.TokenURI, GoogleTokenURL), Subject: o.User}
		return cfg.TokenSource(ctx).Token()
	}, nil
}

// deviceConfig is the oauth2 config of the device flow.
func deviceConfig(o OAuth2Options) *oauth2.Config {
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
		Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, DeviceAuthURL: o.DeviceURL, AuthStyle: oauth2.AuthStyleInParams}}
}

// savedToken is the file `patrondesk login` writes: the refresh token only.
type savedToken struct {
	RefreshToken string    `json:"refresh_token"`
	Saved        time.Time `json:"saved"`
}

func refreshFetch(o OAuth2Options) (func(context.Context) (*oauth2.Token, error), error) {
	if o.TokenFile == "" || o.TokenURL == "" || o.ClientID == "" {
		return nil, errors.New("the device flow needs a token URL, a client id and a token file")
	}
	cfg := deviceConfig(o)
	return func(ctx context.Context) (*oauth2.Token, error) {
		rt, err := readRefreshToken(o.TokenFile)
		if err != nil {
			return nil, setupError{err}
		}
		tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
		if err != nil {
			return nil, err
		}
		// Providers may hand out a new refresh token; the old one then
		// stops working, so keep the new one at once.
		if tok.RefreshToken != "" && tok.RefreshToken != rt {
			if err := SaveRefreshToken(o.TokenFile, tok.RefreshToken); err != nil {
				return nil, setupError{err}
			}
		}
		return tok, nil
	}, nil
}

func readRefreshToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no refresh token in %s yet: run \"patrondesk login\" once", path)
	}
	if err != nil {
		return "", fmt.Errorf("read refresh token: %w", err)
	}
	var s savedToken
	if err := json.Unmarshal(data, &s); err != nil || s.RefreshToken == "" {
		return "", fmt.Errorf("%s holds no refresh token: run \"patrondesk login\" again", path)
	}
	return s.RefreshToken, nil
}

// SaveRefreshToken writes the refresh token to path, readable by its owner
// only, replacing the file in one step.
func SaveRefreshToken(path, refresh string) error {
	data, _ := json.Marshal(savedToken{RefreshToken: refresh, Saved: time.Now().UTC()})
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return fmt.Errorf("save refresh token: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save refresh token: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save refresh token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save refresh token: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save refresh token: %w", err)
	}
	return nil
}

// DeviceLogin runs the device-code flow once: show tells the person where
// to go and which code to type; when they have consented, the refresh token
// is saved to the token file.
func DeviceLogin(ctx context.Context, o OAuth2Options, show func(url, code string)) error {
	if o.DeviceURL == "" || o.TokenURL == "" || o.ClientID == "" || o.TokenFile == "" {
		return errors.New("the device flow needs a device URL, a token URL, a client id and a token file")
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.HTTPClient)
	cfg := deviceConfig(o)
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return &LoginRefusedError{Step: "token", Err: fmt.Errorf("ask for a device code: %w", err), Hint: TokenHint(o, err)}
	}
	url := da.VerificationURIComplete
	if url == "" {
		url = da.VerificationURI
	}
	show(url, da.UserCode)
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return &LoginRefusedError{Step: "token", Err: fmt.Errorf("wait for consent: %w", err), Hint: TokenHint(o, err)}
	}
	if tok.RefreshToken == "" {
		return errors.New("the provider gave no refresh token: add the scope \"offline_access\" (Microsoft) or check the client type")
	}
	return SaveRefreshToken(o.TokenFile, tok.RefreshToken)
}

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
