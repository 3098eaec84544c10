package bot

// A summary counts everything but lists only so much: at a million
// reports the week of a province has hundreds of urgent incidents and
// thousands of open cases, which listed in full made a text of 900 KB,
// some 170 Telegram messages to every official of the province each
// Monday. The week's reports are all in the CSV the weekly summary
// brings (and in /xuat), the open cases in /vuviec.
const (
	// summaryLines is how many urgent incidents, and how many open cases
	// (the oldest), a summary lists.
	summaryLines = 20
	// summaryNames is how many of the groups that sent nothing it names.
	summaryNames = 30
)

// firstOf returns the first n of items and how many are left out.
func firstOf[T any](items []T, n int) ([]T, int) {
	if len(items) <= n {
		return items, 0
	}
	return items[:n], len(items) - n
}

// moreLine says, after sep, how many a list left out; nothing when none.
func moreLine(T func(string, ...any) string, sep string, more int) string {
	if more == 0 {
		return ""
	}
	return sep + T("sum.more", more)
}
