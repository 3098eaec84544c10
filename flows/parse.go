package flows

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/vntext"
)

// parse validates an answer to st and returns its canonical stored form, or
// the explanation to show before the question is asked again.
func (e *Engine) parse(st *Step, s bot.Session, value string, now time.Time) (string, string) {
	answers, lang := s.Answers, s.Lang
	typed, isTyped := strings.CutPrefix(value, prefTyped)
	picked, isPicked := strings.CutPrefix(value, prefValue)
	today := now.In(e.Location)
	switch st.Kind {
	case Choice:
		for _, o := range st.Options {
			if isPicked && o.Value == picked {
				return o.Value, ""
			}
		}
		return "", i18n.T(lang, "choose.hint")
	case Date:
		var d time.Time
		switch {
		case isPicked && picked == "today":
			d = today
		case isPicked && picked == "yesterday":
			d = today.AddDate(0, 0, -1)
		case isTyped:
			var ok bool
			if d, ok = parseDate(typed, today); !ok {
				return "", i18n.T(lang, "err.date_format")
			}
		default:
			return "", i18n.T(lang, "err.date_format")
		}
		day := civil(d)
		switch {
		case day.After(civil(today)):
			return "", i18n.T(lang, "err.date_future")
		case day.Before(civil(today).AddDate(-1, 0, 0)):
			return "", i18n.T(lang, "err.date_old")
		}
		return day.Format(time.DateOnly), ""
	case Time:
		h, m, ok := parseClock(typed)
		if !isTyped || !ok {
			return "", i18n.T(lang, "err.time_format")
		}
		if answers["date"] == civil(today).Format(time.DateOnly) && h*60+m > today.Hour()*60+today.Minute() {
			return "", i18n.T(lang, "err.time_future")
		}
		return strconv.Itoa(100 + h)[1:] + ":" + strconv.Itoa(100 + m)[1:], ""
	case Number:
		num := strings.TrimSpace(typed)
		n, err := strconv.Atoi(num)
		if !isTyped || err != nil || strings.HasPrefix(num, "+") {
			return "", i18n.T(lang, "err.number")
		}
		if n < st.Min || n > st.Max {
			return "", i18n.T(lang, "err.number_range", st.Min, st.Max)
		}
		if limit := s.Limits[st.Limit]; st.Limit != "" && limit > 0 && n > limit {
			return "", i18n.T(lang, "err.over_group_size", limit)
		}
		return strconv.Itoa(n), ""
	case Text:
		text := vntext.NFC(typed)
		// Max counts UTF-16 code units, as Telegram counts a message (an
		// emoji outside the BMP is 2), so that an answer within it fits
		// the messages that quote it; Min counts characters.
		n, units := utf8.RuneCountInString(text), vntext.UTF16Len(text)
		switch {
		case !isTyped || n == 0:
			return "", i18n.T(lang, "err.text_empty")
		case n < st.Min:
			return "", i18n.T(lang, "err.text_short", st.Min)
		case st.Max > 0 && units > st.Max:
			return "", i18n.T(lang, "err.text_long", st.Max, units)
		}
		return text, ""
	}
	return "", i18n.T(lang, "choose.hint")
}

// civil is the calendar day of t, at midnight UTC, for comparing days.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

var (
	dateRe  = regexp.MustCompile(`^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$`)
	clockRe = regexp.MustCompile(`^(\d{1,2})\s*(?:(?:[:.h]|gio)\s*(\d{1,2})?)?\s*(?:p|phut)?$`)
)

// parseDate reads d/m, d/m/yy or d/m/yyyy. Without a year it means the
// latest such day not after today, so "28/12" typed on 2 January is last
// year's.
func parseDate(s string, today time.Time) (time.Time, bool) {
	m := dateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year := today.Year()
	if m[3] != "" {
		year, _ = strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			year += 2000
		}
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month { // 31/02 rolls over
		return time.Time{}, false
	}
	if m[3] == "" && d.After(civil(today)) {
		d = d.AddDate(-1, 0, 0)
	}
	return d, true
}

// parseClock reads 21:30, 21h30, 21h, 21 gio 30, 9.05.
func parseClock(s string) (h, m int, ok bool) {
	g := clockRe.FindStringSubmatch(vntext.Fold(s))
	if g == nil {
		return 0, 0, false
	}
	h, _ = strconv.Atoi(g[1])
	if g[2] != "" {
		m, _ = strconv.Atoi(g[2])
	}
	return h, m, h < 24 && m < 60
}
