package mailer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signer makes and checks the Message-IDs of the mail patrondesk sends. Each
// carries the ticket number, when it was made and an HMAC over both, so a reply
// quoting it in In-Reply-To or References proves which ticket it answers.
// Forged or altered ids do not verify.
type Signer struct {
	key    []byte
	domain string
	// previous is the key before the last rotation; ids it signed up to
	// rotated still verify, until the desk stops loading it (the token
	// lifetime after the rotation).
	previous []byte
	rotated  time.Time
}

// NewSigner returns a Signer for ids ending in @domain.
func NewSigner(key []byte, domain string) *Signer {
	return &Signer{key: key, domain: strings.ToLower(domain)}
}

// WithPrevious returns a copy of s that also accepts ids signed with the
// previous key and issued no later than rotated, when the key was replaced.
func (s *Signer) WithPrevious(key []byte, rotated time.Time) *Signer {
	c := *s
	c.previous, c.rotated = key, rotated
	return &c
}

// Audience is who a Message-ID was made for. It is signed into the id, so a
// patron cannot use the id of a mail they received to act as staff.
type Audience string

// The audiences: "pd" ids go to patrons, "ps" ids to staff.
const (
	ForPatron Audience = "pd"
	ForStaff  Audience = "ps"
)

// Token is what a verified Message-ID says.
type Token struct {
	Ticket   int64
	Issued   time.Time
	Audience Audience
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// MessageID returns a new signed id (without angle brackets) for a mail about
// ticket to aud, made at t.
func (s *Signer) MessageID(ticket int64, aud Audience, t time.Time) string {
	nonce := make([]byte, 5)
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // cannot happen on Linux
	}
	body := fmt.Sprintf("%s.%d.%s.%s", aud, ticket, strconv.FormatInt(t.Unix(), 36), strings.ToLower(b32.EncodeToString(nonce)))
	return body + "." + s.sign(body) + "@" + s.domain
}

func (s *Signer) sign(body string) string { return signWith(s.key, body, s.domain) }

func signWith(key []byte, body, domain string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(body + "@" + domain))
	return strings.ToLower(b32.EncodeToString(mac.Sum(nil)[:10]))
}

// Verify checks one id and returns what it says.
func (s *Signer) Verify(id string) (Token, bool) {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	local, domain, ok := strings.Cut(id, "@")
	if !ok || !strings.EqualFold(domain, s.domain) {
		return Token{}, false
	}
	i := strings.LastIndexByte(local, '.')
	if i < 0 {
		return Token{}, false
	}
	body, sig := local[:i], local[i+1:]
	sig = strings.ToLower(sig)
	current := hmac.Equal([]byte(sig), []byte(s.sign(body)))
	old := !current && s.previous != nil && hmac.Equal([]byte(sig), []byte(signWith(s.previous, body, s.domain)))
	if !current && !old {
		return Token{}, false
	}
	parts := strings.Split(body, ".")
	aud := Audience(parts[0])
	if len(parts) != 4 || aud != ForPatron && aud != ForStaff {
		return Token{}, false
	}
	ticket, err1 := strconv.ParseInt(parts[1], 10, 64)
	secs, err2 := strconv.ParseInt(parts[2], 36, 64)
	if err1 != nil || err2 != nil {
		return Token{}, false
	}
	tok := Token{Ticket: ticket, Issued: time.Unix(secs, 0).UTC(), Audience: aud}
	if old && tok.Issued.After(s.rotated) {
		return Token{}, false // made with the old key after it was replaced: a leaked key
	}
	return tok, true
}

// FindToken returns the first verified token for aud among a message's
// In-Reply-To and References (newest reference first, as clients append).
func (s *Signer) FindToken(m *Message, aud Audience) (Token, bool) {
	ids := append([]string{}, m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids = append(ids, m.References[i])
	}
	for _, id := range ids {
		if tok, ok := s.Verify(id); ok && tok.Audience == aud {
			return tok, true
		}
	}
	return Token{}, false
}
