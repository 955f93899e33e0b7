package mailer

import (
	"regexp"
	"strconv"
	"strings"
)

// DefaultSpamScore is the rspamd/SpamAssassin score above which mail counts
// as spam when the config does not say (SpamAssassin's own default).
const DefaultSpamScore = 5.0

var (
	spamScoreParam = regexp.MustCompile(`(?i)\bscore=(-?[0-9]+(\.[0-9]+)?)`)
	firstNumber    = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?`)
	msSCL          = regexp.MustCompile(`(?i)\bSFV:(SPM|BLK|SKS)\b`)
)

// SpamReason says why the receiving mail server's verdict makes a message
// spam, or "". It reads X-Spam-Flag and X-Spam-Status (SpamAssassin),
// X-Spam and X-Rspamd-Action/-Score (rspamd), X-Spam-Score, and Microsoft's
// spam confidence level. A sender can write these headers too, but the only
// thing they can do is stop their own acknowledgement.
func SpamReason(m *Message, threshold float64) string {
	if threshold <= 0 {
		threshold = DefaultSpamScore
	}
	if strings.HasPrefix(header(m, "X-Spam-Flag"), "yes") {
		return "marked as spam by the mail server (X-Spam-Flag)"
	}
	status := header(m, "X-Spam-Status")
	if strings.HasPrefix(status, "yes") {
		return "marked as spam by the mail server (X-Spam-Status)"
	}
	if v := header(m, "X-Spam"); v == "yes" || v == "true" {
		return "marked as spam by the mail server (X-Spam)"
	}
	switch header(m, "X-Rspamd-Action") {
	case "reject", "add header", "rewrite subject", "soft reject":
		return "marked as spam by rspamd (action " + header(m, "X-Rspamd-Action") + ")"
	}
	scores := map[string]string{"X-Spam-Status": "", "X-Spam-Score": "", "X-Rspamd-Score": "", "X-Spamd-Result": ""}
	if mm := spamScoreParam.FindStringSubmatch(status); mm != nil {
		scores["X-Spam-Status"] = mm[1]
	}
	scores["X-Spam-Score"] = firstNumber.FindString(header(m, "X-Spam-Score"))
	scores["X-Rspamd-Score"] = firstNumber.FindString(header(m, "X-Rspamd-Score"))
	if r := header(m, "X-Spamd-Result"); r != "" {
		// "default: False [7.20 / 15.00]; …"
		if _, after, ok := strings.Cut(r, "["); ok {
			scores["X-Spamd-Result"] = firstNumber.FindString(after)
		}
	}
	for _, k := range []string{"X-Spam-Status", "X-Spam-Score", "X-Rspamd-Score", "X-Spamd-Result"} {
		if s, err := strconv.ParseFloat(scores[k], 64); err == nil && s >= threshold {
			return "spam score " + scores[k] + " from the mail server (" + k + "), over " + strconv.FormatFloat(threshold, 'f', -1, 64)
		}
	}
	if scl, err := strconv.Atoi(header(m, "X-MS-Exchange-Organization-SCL")); err == nil && scl >= 5 {
		return "marked as spam by Microsoft 365 (SCL " + strconv.Itoa(scl) + ")"
	}
	if msSCL.MatchString(m.Header.Get("X-Forefront-Antispam-Report")) {
		return "marked as spam by Microsoft 365 (X-Forefront-Antispam-Report)"
	}
	return ""
}
