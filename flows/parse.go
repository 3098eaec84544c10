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
	in := input{lang: s.Lang, today: now.In(e.Location)}
	in.typed, in.isTyped = strings.CutPrefix(value, prefTyped)
	if v, ok := strings.CutPrefix(value, prefVoice); ok {
		in.typed, in.isTyped, in.voice = v, true, true
	}
	in.picked, in.isPicked = strings.CutPrefix(value, prefValue)
	switch st.Kind {
	case Choice:
		for _, o := range st.Options {
			if in.isPicked && o.Value == in.picked {
				return o.Value, ""
			}
		}
		return "", i18n.T(in.lang, "choose.hint")
	case Date:
		return in.date()
	case Time:
		return in.clock(s.Answers[bot.KeyDate])
	case Number:
		return in.number(st, s.Limits, s.Answers)
	case Text:
		return in.text(st)
	}
	return "", i18n.T(in.lang, "choose.hint")
}

// input is one answer to parse: typed text or a picked option's value.
type input struct {
	lang              string
	today             time.Time
	typed, picked     string
	isTyped, isPicked bool
	// voice is set when typed is a voice message kept as a text answer
	// (bot.VoiceAnswer), which no typed text may pass for.
	voice bool
}

func (in input) date() (string, string) {
	var d time.Time
	switch {
	case in.isPicked && in.picked == "today":
		d = in.today
	case in.isPicked && in.picked == "yesterday":
		d = in.today.AddDate(0, 0, -1)
	case in.isTyped:
		var ok bool
		if d, ok = parseDate(in.typed, in.today); !ok {
			return "", i18n.T(in.lang, "err.date_format")
		}
	default:
		return "", i18n.T(in.lang, "err.date_format")
	}
	day := civil(d)
	switch {
	case day.After(civil(in.today)):
		return "", i18n.T(in.lang, "err.date_future")
	case day.Before(civil(in.today).AddDate(-1, 0, 0)):
		return "", i18n.T(in.lang, "err.date_old")
	}
	return day.Format(time.DateOnly), ""
}

// clock reads a time of day, which may not be later today than now when
// date (the answer before) is today.
func (in input) clock(date string) (string, string) {
	h, m, ok := parseClock(in.typed)
	if !ok {
		h, m, ok = parseClockWords(in.typed)
	}
	if !in.isTyped || !ok {
		return "", i18n.T(in.lang, "err.time_format")
	}
	if date == civil(in.today).Format(time.DateOnly) && h*60+m > in.today.Hour()*60+in.today.Minute() {
		return "", i18n.T(in.lang, "err.time_future")
	}
	return strconv.Itoa(100 + h)[1:] + ":" + strconv.Itoa(100 + m)[1:], ""
}

func (in input) number(st *Step, limits map[string]int, answers map[string]string) (string, string) {
	n, ok := parseNumber(in.typed)
	if !in.isTyped || !ok {
		return "", i18n.T(in.lang, "err.number")
	}
	limit := limits[st.Limit]
	if high := st.Max; n < st.Min || n > high {
		if limit > 0 && limit < high {
			high = limit // the group's size says more than the form's bound
		}
		return "", i18n.T(in.lang, "err.number_range", st.Min, high)
	}
	if st.Limit != "" && limit > 0 && n > limit {
		return "", i18n.T(in.lang, "err.over_group_size", limit)
	}
	if with, err := strconv.Atoi(answers[st.With]); st.With != "" && err == nil && limit > 0 && n+with > limit {
		return "", i18n.T(in.lang, "err.over_group_size_sum", with, n, limit)
	}
	return strconv.Itoa(n), ""
}

func (in input) text(st *Step) (string, string) {
	text := vntext.NFC(in.typed)
	// Max counts UTF-16 code units, as Telegram counts a message (an
	// emoji outside the BMP is 2), so that an answer within it fits
	// the messages that quote it; Min counts characters.
	n, units := utf8.RuneCountInString(text), vntext.UTF16Len(text)
	switch {
	case !in.isTyped || n == 0:
		return "", i18n.T(in.lang, "err.text_empty")
	case !in.voice && isVoice(text):
		// Stored so, it would be shown and exported as a voice message.
		return "", i18n.T(in.lang, "err.text_voice")
	case n < st.Min:
		return "", i18n.T(in.lang, "err.text_short", st.Min)
	case st.Max > 0 && units > st.Max:
		return "", i18n.T(in.lang, "err.text_long", st.Max, units)
	}
	return text, ""
}

// isVoice reports whether a text answer is a voice message's.
func isVoice(answer string) bool {
	_, _, ok := bot.ParseVoice(answer)
	return ok
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
// year's, and "29/02" the last leap year's.
func parseDate(s string, today time.Time) (time.Time, bool) {
	m := dateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	if m[3] != "" {
		year, _ := strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			year += 2000
		}
		return calendarDay(year, month, day)
	}
	// Going back a year from 29/02 would roll over to 01/03: each year is
	// tried instead, and a leap year is never more than eight back.
	for year := today.Year(); year > today.Year()-8; year-- {
		if d, ok := calendarDay(year, month, day); ok && !d.After(civil(today)) {
			return d, true
		}
	}
	return time.Time{}, false
}

// calendarDay is the day day/month/year, at midnight UTC; ok is false for
// a day the month does not have (31/02 rolls over).
func calendarDay(year, month, day int) (time.Time, bool) {
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return d, d.Day() == day && int(d.Month()) == month
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
