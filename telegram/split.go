package telegram

import "github.com/totuquan/totuquan/vntext"

// Split cuts text into parts of at most limit UTF-16 code units, as
// Telegram counts a message's length; see vntext.Split.
func Split(text string, limit int) []string { return vntext.Split(text, limit) }
