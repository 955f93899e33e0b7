// Package calendar is the library's business calendar: opening hours per
// weekday, periods with other hours, the library's own closed days and public
// holidays (github.com/rickar/cal). Every deadline in patrondesk is counted in
// open hours with it, in the library's time zone, so weekends, holidays and
// daylight-saving changes fall out by construction.
package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
)

// Span is one opening range within a day, as offsets from midnight.
type Span struct{ Start, End time.Duration }

// Week is the opening spans indexed by time.Weekday.
type Week [7][]Span

// Period is a stretch of days (From to Until, both included) with its own
// week.
type Period struct {
	Name        string
	From, Until Date
	Week        Week
}

// Date is a day without a time.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the day t falls on in its location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads "2026-12-24".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date; write it like \"2026-12-24\"", s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) before(o Date) bool {
	return d.Year < o.Year || d.Year == o.Year && (d.Month < o.Month || d.Month == o.Month && d.Day < o.Day)
}

// Calendar answers "is the library open" and counts open hours.
type Calendar struct {
	loc      *time.Location
	week     Week
	periods  []Period
	closed   map[Date]bool
	holidays []*cal.Holiday
}

// Options describe a calendar.
type Options struct {
	Location *time.Location
	Week     Week
	Periods  []Period
	Closed   []Date
	Country  string // ISO 3166 code for public holidays; "" = none
}

// New builds a calendar. An unknown country is an error.
func New(o Options) (*Calendar, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	c := &Calendar{loc: o.Location, week: o.Week, periods: o.Periods, closed: map[Date]bool{}}
	for _, d := range o.Closed {
		c.closed[d] = true
	}
	if o.Country != "" {
		h, ok := holidays[strings.ToUpper(o.Country)]
		if !ok {
			return nil, fmt.Errorf("no public holidays are known for country %q; use one of %s", o.Country, Countries())
		}
		c.holidays = h
	}
	return c, nil
}

// Location is the library's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Spans returns the opening spans of the day d.
func (c *Calendar) Spans(d Date) []Span {
	if c.closed[d] || c.isHoliday(d) {
		return nil
	}
	wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
	for _, p := range c.periods {
		if !d.before(p.From) && !p.Until.before(d) {
			return p.Week[wd]
		}
	}
	return c.week[wd]
}

func (c *Calendar) isHoliday(d Date) bool {
	for _, h := range c.holidays {
		if _, obs := h.Calc(d.Year); !obs.IsZero() && DateOf(obs) == d {
			return true
		}
	}
	return false
}

// at is the moment offset off into day d, built from the wall clock so a
// daylight-saving change that day does not shift it.
func (c *Calendar) at(d Date, off time.Duration) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, c.loc)
}

func (c *Calendar) next(d Date) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+1, 12, 0, 0, 0, time.UTC))
}

// searchDays bounds every walk over the calendar: ten years of closed days
// means the hours are misconfigured, not that the answer is far away.
const searchDays = 3660

// AddOpen returns the moment after d open hours from t. With no open hours
// at all it counts wall-clock time.
func (c *Calendar) AddOpen(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	day := DateOf(t)
	for i := 0; i < searchDays; i++ {
		for _, s := range c.Spans(day) {
			start, end := c.at(day, s.Start), c.at(day, s.End)
			if !t.Before(end) {
				continue
			}
			if t.Before(start) {
				t = start
			}
			if avail := end.Sub(t); d <= avail {
				return t.Add(d).UTC()
			} else {
				d -= avail
				t = end
			}
		}
		day = c.next(day)
	}
	return t.Add(d).UTC()
}

// OpenBetween is how many open hours lie between a and b (0 if b is not
// after a).
func (c *Calendar) OpenBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	a, b = a.In(c.loc), b.In(c.loc)
	var total time.Duration
	for day, i := DateOf(a), 0; i < searchDays && !DateOf(b).before(day); day, i = c.next(day), i+1 {
		for _, s := range c.Spans(day) {
			start, end := c.at(day, s.Start), c.at(day, s.End)
			if start.Before(a) {
				start = a
			}
			if end.After(b) {
				end = b
			}
			if end.After(start) {
				total += end.Sub(start)
			}
		}
	}
	return total
}

// IsOpen reports whether the library is open at t.
func (c *Calendar) IsOpen(t time.Time) bool {
	t = t.In(c.loc)
	day := DateOf(t)
	for _, s := range c.Spans(day) {
		if !t.Before(c.at(day, s.Start)) && t.Before(c.at(day, s.End)) {
			return true
		}
	}
	return false
}

// NextOpen is t when the library is open then, else when it next opens.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	t = t.In(c.loc)
	day := DateOf(t)
	for i := 0; i < searchDays; i++ {
		for _, s := range c.Spans(day) {
			start, end := c.at(day, s.Start), c.at(day, s.End)
			if t.Before(end) {
				if t.Before(start) {
					return start.UTC()
				}
				return t.UTC()
			}
		}
		day = c.next(day)
	}
	return t.UTC()
}

// IsOpenDay reports whether the library opens at all on day d.
func (c *Calendar) IsOpenDay(d Date) bool { return len(c.Spans(d)) > 0 }

// At is the moment "15:04" on day d in the library's time zone.
func (c *Calendar) At(d Date, clock time.Duration) time.Time { return c.at(d, clock).UTC() }

// ParseDay reads a day's hours: "09:00-17:00", "09:00-12:00, 13:00-17:00",
// or "" for closed.
func ParseDay(s string) ([]Span, error) {
	var out []Span
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		a, err1 := ParseClock(from)
		b, err2 := ParseClock(to)
		if !ok || err1 != nil || err2 != nil || b <= a {
			return nil, fmt.Errorf("%q is not opening hours; write them like \"09:00-17:00\" or \"09:00-12:00, 13:00-17:00\", or \"\" for closed", s)
		}
		if len(out) > 0 && a < out[len(out)-1].End {
			return nil, fmt.Errorf("%q: the ranges overlap or are out of order", s)
		}
		out = append(out, Span{a, b})
	}
	return out, nil
}

// ParseClock reads "08:30" (24-hour) as an offset from midnight.
func ParseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * time.Hour, nil
		}
		return 0, fmt.Errorf("%q is not a time of day; write it like \"08:30\"", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// AlwaysOpen is a calendar with no closed time, for tests and for a library
// that counts wall-clock hours.
func AlwaysOpen(loc *time.Location) *Calendar {
	var w Week
	for i := range w {
		w[i] = []Span{{0, 24 * time.Hour}}
	}
	c, _ := New(Options{Location: loc, Week: w})
	return c
}
