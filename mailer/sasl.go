package mailer

import (
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/wneessen/go-mail/smtp"
)

// The two SASL mechanisms that carry an OAuth2 bearer token. Servers
// (Gmail, Exchange, Dovecot) answer a bad token with a JSON challenge and
// wait for one more line from the client before saying NO; go-sasl's client
// returns an error there instead, and go-imap then gives up with the
// AUTHENTICATE command unfinished on the wire. These clients answer the
// challenge (RFC 7628 3.2.3: "%x01"; XOAUTH2: an empty line), keep what the
// server said for the error message, and let the server end the exchange,
// so the same connection can try again with a fresh token.

// SASL mechanism names as written in the config.
const (
	MechXOAUTH2     = "xoauth2"
	MechOAUTHBEARER = "oauthbearer"
)

// bearerClient is an XOAUTH2 or OAUTHBEARER client for go-imap (sasl.Client)
// that remembers the server's error challenge.
type bearerClient struct {
	start  func() (string, []byte, error)
	answer []byte // the reply to an error challenge
	said   string // the server's error challenge, for the error message
}

func (c *bearerClient) Start() (string, []byte, error) { return c.start() }

func (c *bearerClient) Next(challenge []byte) ([]byte, error) {
	if c.said != "" {
		return nil, fmt.Errorf("the server sent a second challenge after refusing the token: %q", challenge)
	}
	c.said = strings.TrimSpace(string(challenge))
	if c.said == "" {
		c.said = "(no details)"
	}
	return c.answer, nil
}

// refusal says what the server said about the token, or "".
func (c *bearerClient) refusal() string { return c.said }

// newBearerClient returns a SASL client for mech ("xoauth2" or
// "oauthbearer") that logs user in with token.
func newBearerClient(mech, user, token, host string, port int) (*bearerClient, error) {
	switch strings.ToLower(mech) {
	case MechXOAUTH2, "":
		ir := []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
		return &bearerClient{start: func() (string, []byte, error) { return "XOAUTH2", ir, nil }, answer: []byte{}}, nil
	case MechOAUTHBEARER:
		inner := sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port})
		return &bearerClient{start: inner.Start, answer: []byte{0x01}}, nil
	}
	return nil, fmt.Errorf("unknown SASL mechanism %q: use %q or %q", mech, MechXOAUTH2, MechOAUTHBEARER)
}

// smtpAuth adapts a bearerClient to go-mail's smtp.Auth.
type smtpAuth struct{ c *bearerClient }

func (a smtpAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return a.c.Start() }

func (a smtpAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return a.c.Next(fromServer)
}
