package tickets

import (
	"math/rand"
	"testing"
	"time"

	"patrondesk/tickets/calendar"
)

// TestOpenMeterAgreesWithTheCalendar: over random pairs of moments across
// holidays, closed days, split days and daylight-saving changes, the meter
// counts exactly what the calendar counts.
func TestOpenMeterAgreesWithTheCalendar(t *testing.T) {
	loc := mustLoc("America/Chicago")
	day, _ := calendar.ParseDay("09:00-12:00, 13:00-17:00")
	sat, _ := calendar.ParseDay("10:00-13:00")
	var week calendar.Week
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = day
	}
	week[time.Saturday] = sat
	cal, err := calendar.New(calendar.Options{Location: loc, Week: week, Country: "US",
		Closed: []calendar.Date{{Year: 2026, Month: 12, Day: 24}, {Year: 2026, Month: 11, Day: 27}}})
	if err != nil {
		t.Fatal(err)
	}
	m := newOpenMeter(cal)
	rng := rand.New(rand.NewSource(7))
	base := time.Date(2026, 10, 20, 0, 0, 0, 0, loc) // before the November DST change
	for i := 0; i < 3000; i++ {
		a := base.Add(time.Duration(rng.Int63n(int64(70 * 24 * time.Hour))))
		b := a.Add(time.Duration(rng.Int63n(int64(20*24*time.Hour))) - 2*time.Hour)
		if got, want := m.between(a, b), cal.OpenBetween(a, b); got != want {
			t.Fatalf("between %v and %v: meter %v, calendar %v", a, b, got, want)
		}
	}
}
