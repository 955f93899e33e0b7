package tickets

import (
	"database/sql"
	"fmt"
	"time"
)

func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// promise says when in plain words: "by Tuesday afternoon", or with the date
// when it is more than six days away.
func promise(due, now time.Time, loc *time.Location) string {
	if due.IsZero() {
		return "soon"
	}
	d, n := due.In(loc), now.In(loc)
	part := "morning"
	// Closing time (17:00 sharp) is still the afternoon.
	switch h := d.Hour(); {
	case h > 17 || h == 17 && d.Minute() > 0:
		part = "evening"
	case h >= 12:
		part = "afternoon"
	}
	days := int(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Sub(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)).Hours() / 24)
	switch {
	case days <= 0:
		return "by this " + part
	case days == 1:
		return "by tomorrow " + part
	case days <= 6:
		return fmt.Sprintf("by %s %s", d.Weekday(), part)
	}
	return fmt.Sprintf("by %s %d %s", d.Weekday(), d.Day(), d.Month())
}
