package config

import (
	"fmt"
	"time"

	"patrondesk/tickets/calendar"
)

var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// week parses a Week, naming each bad day under prefix.
func week(w Week, prefix string, add func(string, string, ...any)) calendar.Week {
	var out calendar.Week
	for i, s := range w.Days() {
		spans, err := calendar.ParseDay(s)
		if err != nil {
			add(prefix+dayNames[i], "%v", err)
		}
		out[i] = spans
	}
	return out
}

// dates reads a from/until pair under key, naming each bad one; ok when
// both are dates.
func dates(key, from, until string, add func(string, string, ...any)) (calendar.Date, calendar.Date, bool) {
	f, err1 := calendar.ParseDate(from)
	u, err2 := calendar.ParseDate(until)
	if err1 != nil {
		add(key+"from", "%v", err1)
	}
	if err2 != nil {
		add(key+"until", "%v", err2)
	}
	return f, u, err1 == nil && err2 == nil
}

// calendarOptions reads [hours], reporting every problem through add.
func (c *Config) calendarOptions(add func(string, string, ...any)) calendar.Options {
	o := calendar.Options{Location: c.Location(), Week: week(c.Hours.Week, "hours.", add), Country: c.Hours.Country}
	open := false
	for _, d := range o.Week {
		open = open || len(d) > 0
	}
	if !open {
		add("hours", "the library is never open; write opening hours such as monday = \"09:00-17:00\"")
	}
	if o.Country != "" && !calendar.KnownCountry(o.Country) {
		add("hours.country", "no public holidays are known for %q; use one of %s, or \"\" and list the days in hours.closed", o.Country, calendar.Countries())
	}
	for i, s := range c.Hours.Closed {
		d, err := calendar.ParseDate(s)
		if err != nil {
			add(fmt.Sprintf("hours.closed[%d]", i+1), "%v", err)
		}
		o.Closed = append(o.Closed, d)
	}
	for i, p := range c.Hours.Periods {
		key := fmt.Sprintf("hours.period[%d].", i+1)
		from, until, ok := dates(key, p.From, p.Until, add)
		if ok && until.String() < from.String() {
			add(key+"until", "%s is before from (%s)", p.Until, p.From)
		}
		o.Periods = append(o.Periods, calendar.Period{Name: p.Name, From: from, Until: until, Week: week(p.Week, key, add)})
	}
	return o
}

// Calendar builds the business calendar. Call it only on a validated config.
func (c *Config) Calendar() (*calendar.Calendar, error) {
	var probs Problems
	o := c.calendarOptions(func(key, f string, a ...any) { probs = append(probs, key+": "+fmt.Sprintf(f, a...)) })
	if len(probs) > 0 {
		return nil, probs
	}
	return calendar.New(o)
}

// SummaryClock is policy.summary_at as an offset from midnight.
func (c *Config) SummaryClock() time.Duration {
	d, _ := calendar.ParseClock(c.Policy.SummaryAt)
	return d
}

// validatePolicy checks the follow-up ladder.
func (c *Config) validatePolicy(add func(string, string, ...any)) {
	p := c.Policy
	for key, d := range map[string]Duration{
		"first_answer": p.FirstAnswer, "first_answer_urgent": p.FirstAnswerUrgent, "first_answer_low": p.FirstAnswerLow,
		"nag_every": p.NagEvery, "escalate_after": p.EscalateAfter, "patron_update_after": p.PatronUpdateAfter,
		"followup_after": p.FollowupAfter, "close_after": p.CloseAfter,
	} {
		if d.Duration <= 0 {
			add("policy."+key, "must be more than zero, such as \"8h\" (open hours)")
		}
	}
	if _, err := calendar.ParseClock(p.SummaryAt); err != nil {
		add("policy.summary_at", "%v", err)
	}
	if p.Retention.Duration < 0 {
		add("policy.retention", "must not be negative (\"0s\" keeps everything)")
	}
	for i, s := range c.Staff {
		for j, a := range s.Away {
			key := fmt.Sprintf("staff[%d].away[%d].", i+1, j+1)
			from, until, ok := dates(key, a.From, a.Until, add)
			if ok && !(from.String() < until.String()) {
				add(key+"until", "must be after from: it is the first day back")
			}
		}
	}
}
