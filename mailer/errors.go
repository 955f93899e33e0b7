package mailer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"syscall"

	"github.com/emersion/go-imap/v2"
)

// LoginError is a server's refusal of our username and password: retrying
// soon will not help, a person must fix the config.
type LoginError struct {
	Server string // "IMAP" or "SMTP"
	Addr   string // host:port
	User   string
	Err    error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("the %s server %s refused the login for %s: %v", e.Server, e.Addr, e.User, e.Err)
}

func (e *LoginError) Unwrap() error { return e.Err }

// IsLoginRefused reports whether err is a refused login (IMAP NO to LOGIN,
// SMTP 530/534/535 to AUTH).
func IsLoginRefused(err error) bool {
	var le *LoginError
	if errors.As(err, &le) || isTokenRefused(err) {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && (te.Code == 535 || te.Code == 534 || te.Code == 530)
}

// Problem names what kind of failure err is, in words an admin can act on,
// by the error's type, never its text: a refused login, a refused
// connection, an unknown host, a timeout, a TLS problem, a missing folder.
// It returns "" when err is none of these.
func Problem(err error) string {
	var (
		dns  *net.DNSError
		nerr net.Error
		hdr  tls.RecordHeaderError
		unk  x509.UnknownAuthorityError
		host x509.HostnameError
		inv  x509.CertificateInvalidError
		cve  *tls.CertificateVerificationError
		ie   *imap.Error
	)
	switch {
	case IsLoginRefused(err):
		return "login refused: check the username and password (or password_file)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing answers at that host and port; check host and port, and that the server runs"
	case errors.As(err, &dns):
		return "unknown host: check the host name"
	case errors.As(err, &hdr):
		return "TLS problem: the server does not speak TLS on this port; check security (none, starttls or tls) and port"
	case errors.As(err, &unk), errors.As(err, &host), errors.As(err, &inv), errors.As(err, &cve):
		return "TLS problem: the server's certificate is not trusted or not for this host name; check host and the certificate"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "no answer in time: check host and port, and any firewall between"
	case errors.As(err, &ie) && ie.Code == imap.ResponseCodeNonExistent:
		return "missing folder: no folder by that name; check the folder (mailbox) name"
	case errors.As(err, &ie):
		return "the IMAP server said no: " + ie.Text
	}
	return ""
}
