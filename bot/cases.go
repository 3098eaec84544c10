package bot

import (
	"slices"

	"github.com/totuquan/totuquan/i18n"
)

// maxCases is how many open cases /vuviec lists. A list is a message with
// a button a case: Telegram refuses a keyboard of more than 100 buttons or
// about 10 KB (the official of a busy commune has hundreds of cases open,
// of a province thousands), and a list longer than this is not read on a
// phone anyway.
const maxCases = 30

// oldestFirst orders an official's open cases: those waiting longest
// first, then by number.
func oldestFirst(cases []Report) {
	slices.SortStableFunc(cases, func(a, b Report) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
}

// casesTitle heads a list of shown open cases out of total: the title,
// and when some are left out, how many and which are shown (an
// official's oldest, a leader's newest).
func casesTitle(lang string, official bool, shown, total int) string {
	title := i18n.T(lang, "cases.title")
	switch {
	case shown >= total:
		return title
	case official:
		return title + "\n" + i18n.T(lang, "cases.more.oldest", total, shown)
	}
	return title + "\n" + i18n.T(lang, "cases.more.newest", total, shown)
}
