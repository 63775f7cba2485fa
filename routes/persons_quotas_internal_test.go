package routes

import (
	"testing"
	"time"
)

// TestPersonsQuotaArithmetic pins the two helpers whose results Zou's
// clients compare with: business days (against a day-by-day count, as Zou
// does it) and Python's round(x, 2) (half to even on the binary value).
func TestPersonsQuotaArithmetic(t *testing.T) {
	ref := func(start, end time.Time) int {
		n := 0
		for d := 1; !start.AddDate(0, 0, d).After(end); d++ {
			if wd := start.AddDate(0, 0, d).Weekday(); wd != time.Saturday && wd != time.Sunday {
				n++
			}
		}
		return n
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	for s := 0; s < 7; s++ {
		for span := -3; span < 40; span++ {
			for _, extra := range []time.Duration{0, -time.Hour, time.Hour} {
				start := base.AddDate(0, 0, s)
				end := start.AddDate(0, 0, span).Add(extra)
				if got, want := personsBusinessDays(start, end), ref(start, end); got != want {
					t.Errorf("business days %s → %s: %d, want %d", start, end, got, want)
				}
			}
		}
	}
	for x, want := range map[float64]float64{0.125: 0.12, 0.375: 0.38, 2.675: 2.67, 0.145: 0.14, 1.0 / 3: 0.33, 0.2: 0.2, 4: 4} {
		if got := personsRound2(x); got != want {
			t.Errorf("round(%v, 2) = %v, want %v", x, got, want)
		}
	}
}
