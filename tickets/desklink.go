package tickets

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Passes to the supervisors' desk page. A pass names a person and when it
// ends, and is signed with a key derived from the database's signing key:
// replacing that key (`patrondesk keys rotate`) ends every link and session
// at once, with nothing else to revoke. The links in the daily summary are
// made here because the summary is written inside the scheduler's
// transaction; the HTTP side (cookies, limits) lives in cmd.

// The purposes a pass is signed for; a link cannot be used as a session
// cookie, nor a cookie as a link.
const (
	PassLink    = "link"
	PassSession = "session"
)

// Errors of VerifyPass. Both mean "no access"; they differ only for logs.
var (
	ErrPassExpired = errors.New("the pass has expired")
	ErrPassInvalid = errors.New("the pass is not valid")
)

// deskKey derives the page's key from the signing key, so a pass can never
// be confused with a signed Message-ID made from the same secret.
func deskKey(signingKey []byte) []byte {
	m := hmac.New(sha256.New, signingKey)
	m.Write([]byte("patrondesk desk page v1"))
	return m.Sum(nil)
}

// SignPass makes a pass for email and purpose that works until until.
func SignPass(signingKey []byte, purpose, email string, until time.Time) string {
	body := base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(email))) + "." + strconv.FormatInt(until.Unix(), 10)
	return body + "." + passMAC(signingKey, purpose, body)
}

func passMAC(signingKey []byte, purpose, body string) string {
	m := hmac.New(sha256.New, deskKey(signingKey))
	m.Write([]byte(purpose + "|" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyPass returns the address a pass was made for, if it is signed with
// the current key for this purpose and has not ended at now.
func VerifyPass(signingKey []byte, purpose, pass string, now time.Time) (string, time.Time, error) {
	if len(pass) > 512 {
		return "", time.Time{}, ErrPassInvalid
	}
	i := strings.LastIndexByte(pass, '.')
	if i < 0 {
		return "", time.Time{}, ErrPassInvalid
	}
	body, mac := pass[:i], pass[i+1:]
	if !hmac.Equal([]byte(mac), []byte(passMAC(signingKey, purpose, body))) {
		return "", time.Time{}, ErrPassInvalid
	}
	enc, secs, ok := strings.Cut(body, ".")
	email, err1 := base64.RawURLEncoding.DecodeString(enc)
	n, err2 := strconv.ParseInt(secs, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return "", time.Time{}, ErrPassInvalid
	}
	until := time.Unix(n, 0).UTC()
	if !now.Before(until) {
		return "", until, ErrPassExpired
	}
	return string(email), until, nil
}

// DeskLink is the sign-in link for email on the page at base
// ("https://desk.library.test"), working for life from now.
func DeskLink(base string, signingKey []byte, email string, now time.Time, life time.Duration) (string, time.Time) {
	until := now.Add(life).UTC().Truncate(time.Second)
	return strings.TrimRight(base, "/") + "/desk/login?t=" + url.QueryEscape(SignPass(signingKey, PassLink, email, until)), until
}

// MayViewDesk reports whether email may get a link to the desk page: the
// supervisors and the configured admin, as the config says now.
func (d *Desk) MayViewDesk(email string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return false
	}
	if email == d.opts.Admin {
		return true
	}
	s := d.staffByEmail(email)
	return s != nil && s.Supervisor
}

func (d *Desk) staffByEmail(email string) *Staff {
	for i := range d.opts.Staff {
		if d.opts.Staff[i].Email == email {
			return &d.opts.Staff[i]
		}
	}
	return nil
}

// currentKey reads the signing key inside tx: the one in the database now,
// not the one the desk was started with.
func currentKey(ctx context.Context, tx *Tx) ([]byte, error) {
	var key []byte
	if err := tx.QueryRowContext(ctx, sqlSigningKey).Scan(&key); err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	return key, nil
}
