package vntext

import "unicode/utf16"

// UTF16Len is the length of s in UTF-16 code units, as Telegram counts the
// length of a message or a caption: a character outside the Basic
// Multilingual Plane (most emoji) counts 2, any other 1. Bytes that are not
// UTF-8 count 1 each, as the replacement character they stand for.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}
