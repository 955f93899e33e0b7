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
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// The grants patrondesk asks tokens with: client credentials (a secret, or a
// certificate's signed assertion), a Google service account's JWT acting as
// the mailbox, and a refresh token kept from one device-code consent.

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
