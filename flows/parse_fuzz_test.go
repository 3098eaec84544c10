package flows

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/vntext"
)

// fuzzLoc and fuzzNow are the zone and the moment the engine targets run
// at: Wednesday 25/11/2026 20:00 in Ho Chi Minh City.
var (
	fuzzLoc = time.FixedZone("ICT", 7*3600)
	fuzzNow = time.Date(2026, 11, 25, 20, 0, 0, 0, fuzzLoc)
)

// hostileAnswers are answers no person types but a client or a paste may
// send: long texts at and past the platforms' limits, control characters,
// invalid UTF-8 (a lone surrogate as CESU-8 writes it), direction
// overrides, NUL.
func hostileAnswers() []string {
	return []string{
		"", " ", strings.Repeat("a", 4096), strings.Repeat("ư", 100000),
		"\x00", "1\x00", "\x01\x02\x1b[31m", "\xed\xa0\x80", "21h\xff", "\u202e03/11\u202c",
		"\u200f9 giờ tối", "１５", "٣", "99999999999999999999", "-1", "+5", "0x10", "1e3",
		"1,,2", "1, 2, 99999999999999999999", strings.Repeat("1,", 5000) + "1",
		"29/02", "31/02/2026", "00/00", "25/11/99", "25/11/0000", "1/1/10000",
		"voice:5:AwACAgUAAxkBAAI", "t:hello", "v:theft", "n:theft,fight", "m:1,2", "!x", "!ok",
	}
}

// realAnswers are answers people type on a phone, with and without
// diacritics.
func realAnswers() []string {
	return []string{
		"hôm nay", "Hôm qua", "hom qua", "25/11", "24/11/2026", "3-11-26", "1.11.2026", "26/11",
		"21h30", "21:30", "9 giờ tối", "9 gio toi", "7h sáng", "sáng 7h", "12 giờ trưa", "10pm", "21g", "20h01",
		"2", "hai", "Hai", "mười lăm", "muoi lam", "15 người", "20 hộ", "hai mươi", "0", "1000", "1001",
		"1, 4, 5", "1 3", "2;3", "5, 1",
		"Trộm cắp", "trom cap", "tro", "Dân sự", "dan su", "Khác", "Có", "co", "không",
		"Bỏ qua", "bo qua", "Quay lại", "Hủy", "Xong", "1", "3",
		"Ngõ 5, tổ 3, ấp Bình Hòa", "Ho\u0302m nay co\u0301 ngu\u031bo\u031b\u0300i la\u0323", "🚨🚨 cháy nhà ở hẻm 12",
	}
}

// Ensure a typed day is read as the calendar says, whatever today is: its
// day and month as typed (never rolled over into the next month), not
// after today when it has no year, and the day shown as dd/mm/yyyy, or
// dd/mm when it is within the year, read back the same.
func FuzzParseDate(f *testing.F) {
	for _, s := range append(realAnswers(), hostileAnswers()...) {
		f.Add(s, int16(0))
	}
	for _, d := range []int16{-300, 35, 400, 800, 1200, -1000} { // other days, leap years among them
		f.Add("29/02", d)
		f.Add("28/2", d)
		f.Add("31/12", d)
		f.Add("1/1", d)
	}
	f.Fuzz(func(t *testing.T, s string, shift int16) {
		today := fuzzNow.AddDate(0, 0, int(shift))
		d, ok := parseDate(s, today)
		if !ok {
			return
		}
		m := dateRe.FindStringSubmatch(strings.TrimSpace(s))
		if m == nil {
			t.Fatalf("parseDate(%q) = %v, which the pattern does not match", s, d)
		}
		day, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		if d.Day() != day || int(d.Month()) != month {
			t.Fatalf("parseDate(%q) on %s = %s: not the day and month typed", s, today.Format(time.DateOnly), d.Format(time.DateOnly))
		}
		if m[3] == "" {
			later := false
			for y := d.Year() + 1; y <= today.Year(); y++ {
				c, ok := calendarDay(y, month, day)
				later = later || (ok && !c.After(civil(today)))
			}
			if d.After(civil(today)) || later {
				t.Fatalf("parseDate(%q) on %s = %s: not the latest such day", s, today.Format(time.DateOnly), d.Format(time.DateOnly))
			}
		}
		if d.Year() >= 0 && d.Year() <= 9999 {
			if back, ok := parseDate(d.Format("02/01/2006"), today); !ok || !back.Equal(d) {
				t.Fatalf("parseDate(%q) = %s, shown as %s, read back as %s %v", s, d.Format(time.DateOnly), d.Format("02/01/2006"), back, ok)
			}
		}
		if m[3] == "" {
			if back, ok := parseDate(d.Format("2/1"), today); !ok || !back.Equal(d) {
				t.Fatalf("parseDate(%q) = %s, shown as %s, read back as %s %v", s, d.Format(time.DateOnly), d.Format("2/1"), back, ok)
			}
		}
	})
}

// Ensure a typed time of day, in digits or words, is a time of day, reads
// the same folded, and, written hh:mm, is read back the same.
func FuzzParseClock(f *testing.F) {
	for _, s := range append(realAnswers(), hostileAnswers()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []struct {
			name  string
			parse func(string) (int, int, bool)
		}{{"parseClock", parseClock}, {"parseClockWords", parseClockWords}} {
			h, m, ok := p.parse(s)
			if !ok {
				continue
			}
			if h < 0 || h > 23 || m < 0 || m > 59 {
				t.Fatalf("%s(%q) = %d:%d", p.name, s, h, m)
			}
			if h2, m2, ok2 := p.parse(vntext.Fold(s)); !ok2 || h2 != h || m2 != m {
				t.Fatalf("%s(%q) = %d:%02d, of its folded form %d:%02d %v", p.name, s, h, m, h2, m2, ok2)
			}
			shown := fmt.Sprintf("%02d:%02d", h, m)
			if h2, m2, ok2 := parseClock(shown); !ok2 || h2 != h || m2 != m {
				t.Fatalf("%s(%q) = %s, read back as %d:%02d %v", p.name, s, shown, h2, m2, ok2)
			}
		}
	})
}

// Ensure a typed number, in digits or words, reads the same folded and
// with its unit, and, written in digits, is read back the same.
func FuzzParseNumber(f *testing.F) {
	for _, s := range append(realAnswers(), hostileAnswers()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseNumber(s)
		if !ok {
			return
		}
		if back, ok := parseNumber(strconv.Itoa(n)); !ok || back != n {
			t.Fatalf("parseNumber(%q) = %d, read back as %d %v", s, n, back, ok)
		}
		if back, ok := parseNumber(vntext.Fold(s)); !ok || back != n {
			t.Fatalf("parseNumber(%q) = %d, of its folded form %d %v", s, n, back, ok)
		}
		if back, ok := parseNumber(strconv.Itoa(n) + " người"); !ok || back != n {
			t.Fatalf("parseNumber(%q) = %d; with its unit %d %v", s, n, back, ok)
		}
	})
}
