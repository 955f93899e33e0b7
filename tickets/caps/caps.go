// Package caps holds the one set of defaults for every cap on automated mail
// patrondesk sends: the config reads them for keys a file leaves out, and
// the desk for options a caller leaves at zero. A cap cannot be switched off,
// only raised.
package caps

import "time"

// Caps are the limits that end mail loops and backscatter.
type Caps struct {
	// AutoReplyLimit automatic mails to one address (case and +tag folded)
	// in AutoReplyWindow.
	AutoReplyLimit  int
	AutoReplyWindow time.Duration
	// ThreadReplyLimit acknowledgements along one chain of tickets opened by
	// replies to each other's mail from changing addresses, in AutoReplyWindow.
	ThreadReplyLimit int
	// FirstAckLimit acknowledgements to first-time senders in FirstAckWindow,
	// all senders together; beyond it acknowledgements are held for the admin.
	FirstAckLimit  int
	FirstAckWindow time.Duration
	// FloodSenders new senders writing near-identical mail within
	// FloodWindow are a flood (a robot rotating addresses): no more mail to
	// any of them.
	FloodSenders int
	FloodWindow  time.Duration
	// SpamScore is the rspamd/SpamAssassin score from which mail is spam.
	SpamScore float64
}

// Default is every cap's default.
func Default() Caps {
	return Caps{
		AutoReplyLimit: 10, AutoReplyWindow: 3 * time.Hour, ThreadReplyLimit: 5,
		FirstAckLimit: 10, FirstAckWindow: 10 * time.Minute,
		FloodSenders: 3, FloodWindow: 30 * time.Minute,
		SpamScore: 5,
	}
}

// Fill sets every zero cap in c to its default.
func (c *Caps) Fill() {
	d := Default()
	setInt(&c.AutoReplyLimit, d.AutoReplyLimit)
	setDur(&c.AutoReplyWindow, d.AutoReplyWindow)
	setInt(&c.ThreadReplyLimit, d.ThreadReplyLimit)
	setInt(&c.FirstAckLimit, d.FirstAckLimit)
	setDur(&c.FirstAckWindow, d.FirstAckWindow)
	setInt(&c.FloodSenders, d.FloodSenders)
	setDur(&c.FloodWindow, d.FloodWindow)
	if c.SpamScore <= 0 {
		c.SpamScore = d.SpamScore
	}
}

func setInt(v *int, def int) {
	if *v <= 0 {
		*v = def
	}
}

func setDur(v *time.Duration, def time.Duration) {
	if *v <= 0 {
		*v = def
	}
}
