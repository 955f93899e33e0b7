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
}

// NewSigner returns a Signer for ids ending in @domain.
func NewSigner(key []byte, domain string) *Signer {
	return &Signer{key: key, domain: strings.ToLower(domain)}
}

// Token is what a verified Message-ID says.
type Token struct {
	Ticket int64
	Issued time.Time
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// MessageID returns a new signed id (without angle brackets) for a mail about
// ticket, made at t.
func (s *Signer) MessageID(ticket int64, t time.Time) string {
	nonce := make([]byte, 5)
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // cannot happen on Linux
	}
	body := fmt.Sprintf("pd.%d.%s.%s", ticket, strconv.FormatInt(t.Unix(), 36), strings.ToLower(b32.EncodeToString(nonce)))
	return body + "." + s.sign(body) + "@" + s.domain
}

func (s *Signer) sign(body string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(body + "@" + s.domain))
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
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(s.sign(body))) {
		return Token{}, false
	}
	parts := strings.Split(body, ".")
	if len(parts) != 4 || parts[0] != "pd" {
		return Token{}, false
	}
	ticket, err1 := strconv.ParseInt(parts[1], 10, 64)
	secs, err2 := strconv.ParseInt(parts[2], 36, 64)
	if err1 != nil || err2 != nil {
		return Token{}, false
	}
	return Token{Ticket: ticket, Issued: time.Unix(secs, 0).UTC()}, true
}

// FindToken returns the first verified token among a message's In-Reply-To and
// References (newest reference first, as clients append).
func (s *Signer) FindToken(m *Message) (Token, bool) {
	ids := append([]string{}, m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids = append(ids, m.References[i])
	}
	for _, id := range ids {
		if tok, ok := s.Verify(id); ok {
			return tok, true
		}
	}
	return Token{}, false
}
