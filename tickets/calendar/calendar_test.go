package calendar

import (
	"math/rand"
	"testing"
	"time"
)

func chicago(t *testing.T) *time.Location {
	l, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func weekdays(s string) Week {
	day, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	var w Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = day
	}
	return w
}

func TestAddOpen(t *testing.T) {
	loc := chicago(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	summer, _ := ParseDay("10:00-14:00")
	xmasEve, _ := ParseDate("2026-12-24")
	c, err := New(Options{Location: loc, Week: weekdays("09:00-17:00"), Country: "US", Closed: []Date{xmasEve},
		Periods: []Period{{Name: "summer", From: Date{2026, 7, 1}, Until: Date{2026, 7, 31}, Week: Week{time.Monday: summer, time.Friday: summer}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from string
		add        time.Duration
		want       string
	}{
		{"friday 16:50, 4 open hours: monday", "2026-12-04 16:50", 4 * time.Hour, "2026-12-07 12:50"},
		{"friday 16:50, 16 open hours: tuesday", "2026-12-04 16:50", 16 * time.Hour, "2026-12-08 16:50"},
		{"saturday counts from monday 9:00", "2026-12-05 11:00", 2 * time.Hour, "2026-12-07 11:00"},
		{"night counts from the morning", "2026-12-08 03:00", time.Hour, "2026-12-08 10:00"},
		{"exactly at closing", "2026-12-08 09:00", 8 * time.Hour, "2026-12-08 17:00"},
		{"thanksgiving is skipped", "2026-11-25 16:00", 2 * time.Hour, "2026-11-27 10:00"},
		{"christmas eve (own) and christmas (public) are skipped", "2026-12-23 16:00", 2 * time.Hour, "2026-12-28 10:00"},
		{"summer period: monday and friday only, 10-14", "2026-07-13 13:00", 3 * time.Hour, "2026-07-17 12:00"},
		{"july 4th observed on friday 3rd", "2026-07-02 23:00", time.Hour, "2026-07-06 11:00"},
		{"across the end of daylight saving (1 Nov)", "2026-10-30 16:00", 2 * time.Hour, "2026-11-02 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.AddOpen(at(tc.from), tc.add)
			if want := at(tc.want); !got.Equal(want) {
				t.Errorf("AddOpen(%s, %v) = %s, want %s", tc.from, tc.add, got.In(loc).Format("Mon 2006-01-02 15:04 MST"), want.Format("Mon 2006-01-02 15:04 MST"))
			}
		})
	}
}

// TestDaylightSavingDay: a Sunday opening that spans the spring-forward hour
// is one real hour shorter; open hours are real time.
func TestDaylightSavingDay(t *testing.T) {
	loc := chicago(t)
	sunday, _ := ParseDay("01:00-05:00")
	c, _ := New(Options{Location: loc, Week: Week{time.Sunday: sunday}})
	from := time.Date(2026, 3, 7, 12, 0, 0, 0, loc)
	to := time.Date(2026, 3, 9, 0, 0, 0, 0, loc)
	if got := c.OpenBetween(from, to); got != 3*time.Hour {
		t.Errorf("open on the spring-forward Sunday: %v, want 3h", got)
	}
	if got := c.AddOpen(from, 3*time.Hour); !got.Equal(time.Date(2026, 3, 8, 5, 0, 0, 0, loc)) {
		t.Errorf("AddOpen = %s", got.In(loc))
	}
}

// TestOpenBetweenUndoesAddOpen on random moments and amounts.
func TestOpenBetweenUndoesAddOpen(t *testing.T) {
	loc := chicago(t)
	split, _ := ParseDay("09:00-12:00, 13:00-17:30")
	w := weekdays("09:00-17:00")
	w[time.Wednesday] = split
	c, _ := New(Options{Location: loc, Week: w, Country: "US"})
	r := rand.New(rand.NewSource(1))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	for i := 0; i < 2000; i++ {
		from := base.Add(time.Duration(r.Int63n(int64(365 * 24 * time.Hour))))
		d := time.Duration(r.Int63n(int64(80 * time.Hour))).Truncate(time.Minute)
		to := c.AddOpen(from, d)
		if got := c.OpenBetween(from, to); got != d {
			t.Fatalf("OpenBetween(%s, AddOpen(+%v) = %s) = %v", from, d, to.In(loc), got)
		}
		if d > 0 && !c.IsOpen(to.Add(-time.Second)) {
			t.Fatalf("AddOpen ended at %s, just after a closed moment", to.In(loc))
		}
	}
}

func TestNextOpenAndIsOpen(t *testing.T) {
	loc := chicago(t)
	c, _ := New(Options{Location: loc, Week: weekdays("09:00-17:00")})
	sat := time.Date(2026, 12, 5, 10, 0, 0, 0, loc)
	if c.IsOpen(sat) || !c.NextOpen(sat).Equal(time.Date(2026, 12, 7, 9, 0, 0, 0, loc)) {
		t.Errorf("saturday: open %v, next %s", c.IsOpen(sat), c.NextOpen(sat).In(loc))
	}
	mon := time.Date(2026, 12, 7, 10, 0, 0, 0, loc)
	if !c.IsOpen(mon) || !c.NextOpen(mon).Equal(mon) {
		t.Errorf("monday 10:00 not open")
	}
}

func TestParseDay(t *testing.T) {
	for _, bad := range []string{"9-5", "17:00-09:00", "09:00-12:00, 11:00-13:00", "nine to five"} {
		if _, err := ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		}
	}
	if s, err := ParseDay(" 09:00-12:00 , 13:00-24:00 "); err != nil || len(s) != 2 || s[1].End != 24*time.Hour {
		t.Errorf("ParseDay = %v, %v", s, err)
	}
	if _, err := New(Options{Country: "XX"}); err == nil {
		t.Error("unknown country accepted")
	}
}
