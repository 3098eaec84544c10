package bot

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzLoc is Ho Chi Minh City's zone, which has no summer time.
var fuzzLoc = time.FixedZone("ICT", 7*3600)

// Ensure a period typed as two days, in either layout, is from a midnight
// to a later midnight in the zone, and that its first and last days,
// written back in the layout, give the same period. Ensure /thongke's
// arguments give a period ending tomorrow at midnight.
func FuzzParseDays(f *testing.F) {
	for _, p := range [][2]string{
		{"01/11/2026", "30/11/2026"}, {"1/11/2026", "30/11/2026"}, {"30/11/2026", "01/11/2026"}, {"29/02/2028", "01/03/2028"},
		{"31/02/2026", "01/03/2026"}, {"01/01/0000", "31/12/9999"}, {" 01/11/2026 ", "01/11/2026"}, {"2026-11-01", "2026-11-30"},
		{"01/11/2026\x00", "30/11/2026"}, {"\u202e01/11/2026", "30/11/2026"}, {"", ""}, {"３０/11/2026", "30/11/2026"},
	} {
		f.Add(p[0], p[1], false)
		f.Add(p[0], p[1], true)
	}
	f.Add("3", "", false)
	f.Add("12/2025", "", false)
	f.Add("3abc", "", false)
	f.Add("037", "", false)
	f.Add("+6", "", false)
	f.Fuzz(func(t *testing.T, first, last string, iso bool) {
		layout := "02/01/2006"
		if iso {
			layout = time.DateOnly
		}
		p, err := ParseDays(first, last, layout, fuzzLoc)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseDays(%q, %q): %v, not EINVALID", first, last, err)
			}
		} else {
			checkPeriod(t, p, first+" "+last)
			back, err := ParseDays(p.From.Format(layout), p.LastDay(fuzzLoc).Format(layout), layout, fuzzLoc)
			if err != nil || !back.From.Equal(p.From) || !back.To.Equal(p.To) {
				t.Fatalf("ParseDays(%q, %q) = %v, written back %v %v", first, last, p, back, err)
			}
		}

		now := time.Date(2026, 11, 25, 20, 0, 0, 0, fuzzLoc)
		arg := first
		if last != "" {
			arg += " " + last
		}
		from, to, ok := statsPeriod(arg, now, fuzzLoc)
		if !ok {
			return
		}
		checkPeriod(t, Period{From: from, To: to}, arg)
		switch f := strings.Fields(arg); len(f) {
		case 0, 1:
			if !to.Equal(DayAfter(now, fuzzLoc)) {
				t.Fatalf("statsPeriod(%q) ends %v, not tomorrow", arg, to)
			}
			if len(f) == 1 {
				// A number of months, and nothing else: "12/2025" is no
				// number of months.
				n, err := strconv.Atoi(f[0])
				if err != nil || n < 1 || n > 36 || !from.Equal(to.AddDate(0, -n, 0)) {
					t.Fatalf("statsPeriod(%q) = %v to %v: not 1 to 36 months", arg, from, to)
				}
			}
		case 2:
			if _, err := ParseDays(f[0], f[1], "02/01/2006", fuzzLoc); err != nil {
				t.Fatalf("statsPeriod(%q) took days ParseDays refuses", arg)
			}
		}
	})
}

func checkPeriod(t *testing.T, p Period, what string) {
	t.Helper()
	for _, at := range []time.Time{p.From, p.To} {
		if l := at.In(fuzzLoc); l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0 || l.Nanosecond() != 0 {
			t.Fatalf("%q: period %v does not run from midnight to midnight", what, p)
		}
	}
	if !p.From.Before(p.To) {
		t.Fatalf("%q: period %v ends before it begins", what, p)
	}
}
