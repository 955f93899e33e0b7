package mailer

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"patrondesk/mailer/memserver"
)

// Replies as providers send them (from their documentation and bounce
// reports), and ordinary replies that must not hold the outbox.
var providerReplies = []struct {
	name string
	code int
	text string
	want int
}{
	{"Gmail daily sending limit", 550, "5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852", DailyQuota},
	{"Gmail SMTP relay daily limit", 550, "5.4.5 Daily SMTP relay limit exceeded for user. For more information on SMTP relay sending limits please contact your administrator", DailyQuota},
	{"Exchange submission quota", 554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]", DailyQuota},
	{"Exchange recipient limit", 550, "5.1.90 Your message can't be sent because you've reached your daily limit for message recipients", DailyQuota},
	{"Exchange recipient rate", 554, "5.2.0 STOREDRV.Submission.Exception:RecipientRateLimitExceededException; Failed to process message", DailyQuota},
	{"5.7.x sending limit", 550, "5.7.1 Your account has exceeded its sending limit for today", DailyQuota},
	{"Exchange thread limit", 432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", SlowDown},
	{"Exchange server busy", 451, "4.7.500 Server busy. Please try again later from [203.0.113.7]", SlowDown},
	{"Gmail try later", 421, "4.7.0 Try again later, closing connection. (EHLO)", SlowDown},
	{"Gmail unusual rate", 421, "4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address", SlowDown},
	{"Gmail receiving rate", 450, "4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered", SlowDown},
	{"Postfix rate limit", 421, "4.7.0 mail.example Error: too many messages from 192.0.2.1", SlowDown},
	{"no such user", 550, "5.1.1 The email account that you tried to reach does not exist", NoLimit},
	{"recipient mailbox full", 552, "5.2.2 The email account that you tried to reach is over quota", NoLimit},
	{"SendAs denied", 554, "5.2.252 SendAsDenied; help@library.example not allowed to send as boss@library.example", NoLimit},
	{"spam refused", 550, "5.7.1 Message rejected as spam by Content Filtering", NoLimit},
	{"a word with rate inside", 451, "4.3.0 Error: could not generate a queue file; separate problem", NoLimit},
	{"too many recipients", 452, "4.5.3 Too many recipients", NoLimit},
	{"greylisting", 450, "4.2.0 <ann@patrons.example>: Recipient address rejected: Greylisted", NoLimit},
}

func TestClassifyProviderReplies(t *testing.T) {
	for _, tc := range providerReplies {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassifyLimit(tc.code, strconv.Itoa(tc.code)+" "+tc.text); got != tc.want {
				t.Errorf("ClassifyLimit(%d %q) = %d, want %d", tc.code, tc.text, got, tc.want)
			}
		})
	}
}

// TestQuotaReplyThroughSMTPIsHeld sends through a real SMTP server that
// answers with a provider's daily-quota reply: the error must be retried
// later, not given up.
func TestQuotaReplyThroughSMTPIsHeld(t *testing.T) {
	srv, err := memserver.Start(nil, "help@library.test")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port := splitAddr(t, srv.SMTPAddr)
	for _, tc := range []struct {
		name  string
		reply *smtp.SMTPError
		held  time.Duration
		temp  bool
	}{
		{"daily quota 5.4.5", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 4, 5}, Message: "Daily user sending limit exceeded."}, DailyQuotaHold, true},
		{"slow down 4.7.0", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Try again later, closing connection."}, SlowDownHold, true},
		{"unknown user", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reject(tc.reply)
			sess, err := DialSMTP(context.Background(), SMTPOptions{Host: host, Port: port, Security: "none"})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			serr := sess.Send(&Outgoing{FromAddress: "help@library.test", ToAddress: "ann@patrons.test", Subject: "x", Text: "x",
				MessageID: "q-" + tc.name + "@library.test", Date: time.Now()})
			held, _ := LimitHold(serr)
			if serr == nil || held != tc.held || IsTemporary(serr) != tc.temp {
				t.Errorf("send error %v: hold %v (want %v), temporary %v (want %v)", serr, held, tc.held, IsTemporary(serr), tc.temp)
			}
		})
	}
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return host, port
}

// FuzzClassifyLimit: any reply text is classified without a panic, and only
// 4xx and 5xx replies can hold the outbox.
func FuzzClassifyLimit(f *testing.F) {
	for _, r := range providerReplies {
		f.Add(r.code, strconv.Itoa(r.code)+" "+r.text)
	}
	f.Fuzz(func(t *testing.T, code int, text string) {
		if k := ClassifyLimit(code, text); k != NoLimit && (code < 400 || code >= 600) {
			t.Errorf("reply %d %q classified as a limit (%d)", code, text, k)
		}
	})
}
