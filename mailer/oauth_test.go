package mailer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tokenServer is a small OAuth2 token endpoint: it issues "tok-N" tokens for
// client credentials (secret or signed assertion), JWT bearer grants and
// refresh tokens (rotating them), and refuses as told.
type tokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	issued   int
	lifetime int // seconds; 0 = no expires_in
	refuse   string
	requests int
	grants   []string
	subjects []string
	pub      *rsa.PublicKey // checks client assertions when set
	refresh  string         // the refresh token currently valid
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{lifetime: 3600, refresh: "rt-1"}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.requests++
	w.Header().Set("Content-Type", "application/json")
	fail := func(code, desc string) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if ts.refuse != "" {
		code, desc, _ := strings.Cut(ts.refuse, ":")
		fail(code, desc)
		return
	}
	grant := r.Form.Get("grant_type")
	ts.grants = append(ts.grants, grant)
	resp := map[string]any{"token_type": "Bearer"}
	switch grant {
	case "client_credentials":
		if a := r.Form.Get("client_assertion"); a != "" {
			if err := verifyJWT(ts.pub, a); err != nil {
				fail("invalid_client", "AADSTS700027: "+err.Error())
				return
			}
		} else if r.Form.Get("client_secret") != "s3cret" {
			fail("invalid_client", "AADSTS7000215: Invalid client secret provided.")
			return
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		var claims struct{ Sub string }
		parts := strings.Split(r.Form.Get("assertion"), ".")
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		json.Unmarshal(b, &claims)
		ts.subjects = append(ts.subjects, claims.Sub)
	case "refresh_token":
		if r.Form.Get("refresh_token") != ts.refresh {
			fail("invalid_grant", "AADSTS70008: The refresh token has expired.")
			return
		}
		n := len(ts.refresh)
		ts.refresh = fmt.Sprintf("rt-%d", n)
		resp["refresh_token"] = ts.refresh
	default:
		fail("unsupported_grant_type", grant)
		return
	}
	ts.issued++
	resp["access_token"] = fmt.Sprintf("tok-%d", ts.issued)
	if ts.lifetime > 0 {
		resp["expires_in"] = ts.lifetime
	}
	json.NewEncoder(w).Encode(resp)
}

func verifyJWT(pub *rsa.PublicKey, tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

func TestTokenCachedAndRenewedBeforeExpiry(t *testing.T) {
	srv := newTokenServer(t)
	now := time.Now()
	ts := NewTokenSource(OAuth2Options{Provider: "generic", TokenURL: srv.URL, ClientID: "app", ClientSecret: "s3cret",
		Scopes: []string{"mail"}, Now: func() time.Time { return now }})
	ctx := context.Background()
	first, err := ts.Token(ctx)
	if err != nil || first != "tok-1" {
		t.Fatalf("first token %q, %v", first, err)
	}
	now = now.Add(50 * time.Minute) // an hour's token, 5 minutes early
	if again, _ := ts.Token(ctx); again != "tok-1" {
		t.Errorf("after 50 min the cached token should still serve, got %q", again)
	}
	now = now.Add(6 * time.Minute)
	if renewed, _ := ts.Token(ctx); renewed != "tok-2" {
		t.Errorf("6 minutes before expiry the token must be renewed, got %q", renewed)
	}
	ts.Invalidate()
	if fresh, _ := ts.Token(ctx); fresh != "tok-3" || ts.Fetches() != 3 {
		t.Errorf("a rejected token must be replaced: got %q after %d fetches", fresh, ts.Fetches())
	}
}

func TestTokenRefusedNamesTheCause(t *testing.T) {
	for _, tc := range []struct {
		name, provider, refuse, want string
	}{
		{"expired Microsoft secret", "microsoft", "invalid_client:AADSTS7000222: The provided client secret keys for app are expired.", "client secret has expired"},
		{"wrong secret", "microsoft", "invalid_client:AADSTS7000215: Invalid client secret provided.", "secret's Value"},
		{"no consent", "microsoft", "invalid_client:AADSTS65001: The user or administrator has not consented", "Grant admin consent"},
		{"generic invalid client", "generic", "invalid_client:bad client", "client id or secret is wrong"},
		{"google delegation missing", "google", "unauthorized_client:Client is unauthorized to retrieve access tokens using this method", "domain-wide delegation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTokenServer(t)
			srv.refuse = tc.refuse
			ts := NewTokenSource(OAuth2Options{Provider: tc.provider, TokenURL: srv.URL, ClientID: "app", ClientSecret: "s3cret"})
			_, err := ts.Token(context.Background())
			if !IsLoginRefused(err) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "login refused: no access token") {
				t.Errorf("error %v, want a refused login saying %q", err, tc.want)
			}
		})
	}
}

// TestTokenServerDownIsNotARefusedLogin: an endpoint out of reach is
// retried like a mail server out of reach, not alerted at once; a missing
// key file needs a person and is a refused login.
// TestRefusedTokenAskedAgainSlowly: after the provider says no, the daemon
// asks again after 30 s, then 1 min, ... (not at every reconnection), and a
// good answer resets that.
func TestRefusedTokenAskedAgainSlowly(t *testing.T) {
	srv := newTokenServer(t)
	srv.refuse = "invalid_client:AADSTS7000222: The provided client secret keys are expired."
	now := time.Now()
	ts := NewTokenSource(OAuth2Options{Provider: "microsoft", TokenURL: srv.URL, ClientID: "app", ClientSecret: "s3cret", Now: func() time.Time { return now }})
	asked := func(advance time.Duration) int {
		t.Helper()
		now = now.Add(advance)
		_, err := ts.Token(context.Background())
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if srv.refuse != "" && !IsLoginRefused(err) {
			t.Fatalf("want a refused login, got %v", err)
		}
		return srv.requests
	}
	for i, step := range []struct {
		advance time.Duration
		want    int
	}{{0, 1}, {time.Second, 1}, {28 * time.Second, 1}, {2 * time.Second, 2}, {31 * time.Second, 2}, {30 * time.Second, 3}} {
		if got := asked(step.advance); got != step.want {
			t.Errorf("step %d: the provider was asked %d times, want %d", i, got, step.want)
		}
	}
	srv.mu.Lock()
	srv.refuse = "" // a new secret
	srv.mu.Unlock()
	if got := asked(2 * time.Minute); got != 4 {
		t.Errorf("after the hold the provider was asked %d times, want 4", got)
	}
	if tok, err := ts.Token(context.Background()); err != nil || tok != "tok-1" {
		t.Errorf("token %q, %v", tok, err)
	}
}

func TestTokenServerDownIsNotARefusedLogin(t *testing.T) {
	srv := newTokenServer(t)
	url := srv.URL
	srv.Close()
	ts := NewTokenSource(OAuth2Options{Provider: "generic", TokenURL: url, ClientID: "app", ClientSecret: "s3cret"})
	_, err := ts.Token(context.Background())
	if err == nil || IsLoginRefused(err) || !strings.Contains(err.Error(), "get an OAuth2 token from "+url) {
		t.Errorf("token endpoint down: %v", err)
	}
	ts = NewTokenSource(OAuth2Options{Provider: "google", Flow: FlowServiceAccount, ServiceAccountKey: "/nonexistent/sa.json", User: "help@library.example"})
	if _, err := ts.Token(context.Background()); !IsLoginRefused(err) || !strings.Contains(err.Error(), "read service account key") {
		t.Errorf("missing key file: %v", err)
	}
}

func TestCertificateAssertionAccepted(t *testing.T) {
	srv := newTokenServer(t)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	srv.pub = &key.PublicKey
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "patrondesk"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	path := filepath.Join(t.TempDir(), "app.pem")
	pemData := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	os.WriteFile(path, pemData, 0o600)
	ts := NewTokenSource(OAuth2Options{Provider: "microsoft", TokenURL: srv.URL, ClientID: "app", Certificate: path, Scopes: []string{MicrosoftScope}})
	if tok, err := ts.Token(context.Background()); err != nil || tok != "tok-1" {
		t.Fatalf("token %q, %v", tok, err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	srv.pub = &other.PublicKey // the certificate in the app registration was replaced
	ts.Invalidate()
	if _, err := ts.Token(context.Background()); !IsLoginRefused(err) || !strings.Contains(err.Error(), "certificate is not the one uploaded") {
		t.Errorf("wrong certificate: %v", err)
	}
}

func TestServiceAccountActsAsTheMailbox(t *testing.T) {
	srv := newTokenServer(t)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "desk@proj.iam.gserviceaccount.com",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})), "token_uri": srv.URL})
	path := filepath.Join(t.TempDir(), "sa.json")
	os.WriteFile(path, keyFile, 0o600)
	ts := NewTokenSource(OAuth2Options{Provider: "google", Flow: FlowServiceAccount, ServiceAccountKey: path, Scopes: []string{GoogleScope}, User: "help@library.example"})
	if tok, err := ts.Token(context.Background()); err != nil || tok != "tok-1" {
		t.Fatalf("token %q, %v", tok, err)
	}
	if len(srv.subjects) != 1 || srv.subjects[0] != "help@library.example" {
		t.Errorf("the assertion acts as %v, want the mailbox", srv.subjects)
	}
}

func TestRefreshTokenKeptAndRotated(t *testing.T) {
	srv := newTokenServer(t)
	path := filepath.Join(t.TempDir(), "help.token")
	ts := NewTokenSource(OAuth2Options{Provider: "microsoft", Flow: FlowDevice, TokenURL: srv.URL, ClientID: "app", TokenFile: path})
	if _, err := ts.Token(context.Background()); !IsLoginRefused(err) || !strings.Contains(err.Error(), `run "patrondesk login" once`) {
		t.Errorf("without a saved token: %v", err)
	}
	if err := SaveRefreshToken(path, "rt-1"); err != nil {
		t.Fatal(err)
	}
	if tok, err := ts.Token(context.Background()); err != nil || tok != "tok-1" {
		t.Fatalf("token %q, %v", tok, err)
	}
	st, _ := os.Stat(path)
	data, _ := os.ReadFile(path)
	if st.Mode().Perm() != 0o600 || !strings.Contains(string(data), srv.refresh) || srv.refresh == "rt-1" {
		t.Errorf("token file mode %v holds %s; the server's current refresh token is %s", st.Mode().Perm(), data, srv.refresh)
	}
	srv.refresh = "revoked-by-admin"
	ts.Invalidate()
	if _, err := ts.Token(context.Background()); !IsLoginRefused(err) || !strings.Contains(err.Error(), "patrondesk login") {
		t.Errorf("revoked consent: %v", err)
	}
}

func TestDeviceLoginSavesRefreshToken(t *testing.T) {
	var mu sync.Mutex
	polls := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/device", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"device_code":"dev-1","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device","expires_in":600,"interval":1}`)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		polls++
		n := polls
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 { // the person has not typed the code yet
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"authorization_pending"}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-device"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "help.token")
	var shown string
	err := DeviceLogin(context.Background(), OAuth2Options{DeviceURL: srv.URL + "/device", TokenURL: srv.URL + "/token", ClientID: "app", TokenFile: path},
		func(url, code string) { shown = url + " " + code })
	if err != nil {
		t.Fatal(err)
	}
	rt, err := readRefreshToken(path)
	if shown != "https://login.example/device ABCD-EFGH" || rt != "rt-device" || err != nil {
		t.Errorf("shown %q, saved %q (%v)", shown, rt, err)
	}
}

// FuzzTokenPermissions: whatever a provider hands out as a token, reading
// its permissions never panics.
func FuzzTokenPermissions(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJyb2xlcyI6WyJJTUFQLkFjY2Vzc0FzQXBwIl19.c2ln")
	f.Add("ya29.a0AfH6SMB-opaque-google-token")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		TokenPermissions(token)
	})
}
