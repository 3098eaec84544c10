package zalo

import "github.com/totuquan/totuquan/vntext"

// Split cuts text into parts of at most limit UTF-16 code units: Zalo's
// docs give its limit in characters, and UTF-16 units are never fewer, so a
// part that fits in them fits either way. See vntext.Split.
func Split(text string, limit int) []string { return vntext.Split(text, limit) }
