package flows

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/vntext"
)

// How people type times and numbers on a phone: "9h tối", "21g", "10pm",
// "sáng 7h", "hai", "mười lăm". Everything is matched folded (no
// diacritics, lower case), so "9 gio toi" reads the same.

var (
	// clockWordsRe is a time with its hour and minutes apart and the part
	// of the day before or after: "sang 7h", "9 gio 30 toi", "10pm".
	clockWordsRe = regexp.MustCompile(`^(sang|trua|chieu|toi|dem)?\s*(\d{1,2})\s*(?:[:.hg]|gio)?\s*(\d{1,2})?\s*(?:p|phut)?\s*(sang|trua|chieu|toi|dem|am|pm|a\.m\.|p\.m\.)?$`)
)

// parseClockWords reads a time of day as people write it. A part of the
// day turns a 12-hour hour into 24 hours: "9h tối" is 21:00, "12 giờ
// trưa" 12:00, "12 giờ đêm" 00:00.
func parseClockWords(s string) (h, m int, ok bool) {
	g := clockWordsRe.FindStringSubmatch(strings.TrimSpace(vntext.Fold(s)))
	if g == nil || (g[1] != "" && g[4] != "") {
		return 0, 0, false
	}
	h, _ = strconv.Atoi(g[2])
	if g[3] != "" {
		m, _ = strconv.Atoi(g[3])
	}
	part := g[1] + g[4]
	if part != "" && (h < 1 || h > 12) {
		return 0, 0, false // "21h tối" says the same twice; "0h sáng" nothing clear
	}
	switch part {
	case "sang", "am", "a.m.":
		if h == 12 {
			h = 0
		}
	case "trua":
		if h < 11 {
			h += 12 // "1 giờ trưa" is 13:00; "11 giờ trưa" 11:00
		}
	case "chieu", "toi", "pm", "p.m.":
		if h < 12 {
			h += 12
		}
	case "dem":
		switch {
		case h == 12:
			h = 0
		case h >= 7:
			h += 12 // "11 giờ đêm" is 23:00; "2 giờ đêm" 02:00
		}
	}
	return h, m, h < 24 && m < 60
}

// numberWords are the numbers up to twenty as people write them, folded.
var numberWords = func() map[string]int {
	units := []string{"khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"}
	w := map[string]int{"muoi": 10, "hai muoi": 20}
	for i, u := range units {
		w[u] = i
		if i > 0 {
			w["muoi "+u] = 10 + i
		}
	}
	w["muoi lam"], w["muoi tu"] = 15, 14 // as it is said
	// English, for those who chose it.
	for i, e := range []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"} {
		w[e] = i
	}
	return w
}()

// parseNumber reads a whole number typed as digits or as words up to
// twenty ("hai", "mười lăm", "15 người").
func parseNumber(s string) (int, bool) {
	f := vntext.Fold(s)
	for _, unit := range []string{" nguoi", " ho", " people", " households"} {
		f = strings.TrimSuffix(f, unit)
	}
	f = strings.TrimSpace(f)
	if strings.HasPrefix(f, "+") {
		return 0, false
	}
	if n, err := strconv.Atoi(f); err == nil {
		return n, true
	}
	n, ok := numberWords[f]
	return n, ok
}

// partial reads a typed answer that is an unambiguous part of one option's
// label ("trom cap" for "Trộm cắp tài sản", "dan su" for "Dân sự"): the
// folded text begins one of the label's words and runs on in it. Several
// options matching give the prefNarrow value, to ask again offering only
// them. Two letters or fewer never match.
func partial(st *Step, lang, text string) (string, bool) {
	typed := vntext.Fold(text)
	if len([]rune(typed)) < 3 {
		return "", false
	}
	var hits []string
	for _, o := range st.Options {
		label := vntext.Fold(i18n.T(lang, o.Label))
		if strings.HasPrefix(label, typed) || strings.Contains(label, " "+typed) || strings.Contains(label, "("+typed) {
			hits = append(hits, o.Value)
		}
	}
	switch len(hits) {
	case 0:
		return "", false
	case 1:
		return prefValue + hits[0], true
	}
	return prefNarrow + strings.Join(hits, ","), true
}
