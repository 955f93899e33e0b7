package mailer

import (
	"errors"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Providers refuse mail for the sender's rate or daily quota with replies
// that are not about the mail itself: "slow down" (4xx) and "quota reached",
// which Gmail and Exchange Online send as 5xx (5.4.5, 5.2.0 with
// SubmissionQuotaExceeded, 5.1.90, 5.7.x "sending limit"). Failing the mail
// for good would lose it; the whole outbox waits and tries again later.

// Hold times after a provider's limit reply.
const (
	SlowDownHold   = time.Minute // "too many messages, try later"
	DailyQuotaHold = time.Hour   // a daily quota frees up as the day rolls on
)

// Limit kinds.
const (
	NoLimit = iota
	SlowDown
	DailyQuota
)

var (
	dailyQuotaWords = regexp.MustCompile(`(?i)(daily|24[- ]hour|per day)[^.;]*(limit|quota)|sending (limit|quota)|(limit|quota) (for|of) (message|sending|recipient)|submissionquotaexceeded|recipientratelimitexceeded|messageratelimitexceeded|exceeded[^.;]*sending`)
	slowDownWords   = regexp.MustCompile(`(?i)\btry (again )?later\b|\brate\b|too many (messages|mails|connections|commands)|throttl|slow down|server busy|thread limit|concurrent|unusual`)
	policyRateWords = regexp.MustCompile(`(?i)\brate\b|throttl|too many`)
	enhancedCode    = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)
)

// ClassifyLimit says whether an SMTP reply (code and text, which holds the
// enhanced status code when there is one) means the sender hit a provider
// limit, and which kind.
func ClassifyLimit(code int, text string) int {
	if code < 400 || code >= 600 {
		return NoLimit // not a refusal at all
	}
	enh := enhancedCode.FindString(text)
	switch {
	case strings.HasPrefix(enh, "5.2.2"), strings.HasPrefix(enh, "4.2.2"):
		return NoLimit // the recipient's mailbox is full: about that mail only
	case enh == "5.4.5" || enh == "4.4.5" && dailyQuotaWords.MatchString(text), enh == "5.1.90":
		return DailyQuota
	case dailyQuotaWords.MatchString(text):
		return DailyQuota
	case code < 500 && (slowDownWords.MatchString(text) || enh == "4.7.0" || enh == "4.3.2" || enh == "4.7.28" || enh == "4.7.500"):
		return SlowDown
	case code >= 500 && strings.HasPrefix(enh, "5.7.") && policyRateWords.MatchString(text):
		return SlowDown
	}
	return NoLimit
}

// LimitHold reports whether err is a provider's limit reply and how long the
// outbox should wait before trying again.
func LimitHold(err error) (time.Duration, bool) {
	code, text, ok := smtpReply(err)
	if !ok {
		return 0, false
	}
	switch ClassifyLimit(code, text) {
	case SlowDown:
		return SlowDownHold, true
	case DailyQuota:
		return DailyQuotaHold, true
	}
	return 0, false
}

// smtpReply digs the server's reply out of a send error.
func smtpReply(err error) (int, string, bool) {
	if err == nil {
		return 0, "", false
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code == 0 {
			code = firstCode(err.Error())
		}
		return code, err.Error(), code != 0
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code, err.Error(), true
	}
	return 0, "", false
}

var replyCode = regexp.MustCompile(`\b([45]\d\d)[ -]`)

func firstCode(s string) int {
	m := replyCode.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
