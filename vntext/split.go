package vntext

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Split cuts text into parts of at most limit UTF-16 code units, the unit
// Telegram counts a message's length in (an emoji outside the Basic
// Multilingual Plane counts 2; Zalo's limit in characters is never more
// units), so that a long summary arrives as several messages. It cuts at a line break in the second half of a part if there
// is one, else at a space, else between any two characters, and never
// inside a character as a reader sees it: a surrogate pair, a letter and
// its marks, an emoji sequence, a flag. Line breaks and spaces at a cut are
// dropped, as Telegram would drop them from the ends of a message.
func Split(text string, limit int) []string {
	var parts []string
	for {
		end, next := cut(text, limit)
		if end == len(text) {
			break
		}
		if part := strings.TrimRight(text[:end], " \n"); part != "" {
			parts = append(parts, part)
		}
		text = strings.TrimLeft(text[next:], "\n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// SplitFirst returns the longest part of text that fits limit, cut as Split
// cuts, and the rest (empty if text fits).
func SplitFirst(text string, limit int) (first, rest string) {
	end, next := cut(text, limit)
	if end == len(text) {
		return text, ""
	}
	return strings.TrimRight(text[:end], " \n"), strings.TrimLeft(text[next:], "\n")
}

// cut returns where the first part of text ends (len(text) if all of it
// fits in limit units) and where the rest starts.
func cut(text string, limit int) (end, next int) {
	var (
		units         int // of text[:i]
		lastBreak     int // the last boundary between characters within the limit
		lastRune      int // the last boundary between runes, the fallback
		line, space   int // the last boundaries after a line break, a space
		lineU, spaceU int
		prev          rune = -1
		regional      int  // regional indicators just before i
	)
	for i, r := range text {
		if i > 0 {
			lastRune = i
			if boundary(prev, r, regional) {
				lastBreak = i
				switch prev {
				case '\n':
					line, lineU = i, units
				case ' ':
					space, spaceU = i, units
				}
			}
		}
		n := max(1, utf16.RuneLen(r))
		if units+n > limit {
			switch {
			case line > 0 && lineU > limit/2:
				return line, line
			case space > 0 && spaceU > limit/2:
				return space, space
			case lastBreak > 0:
				return lastBreak, lastBreak
			case lastRune > 0:
				return lastRune, lastRune // one character longer than a part
			}
			_, w := utf8.DecodeRuneInString(text)
			return w, w // a limit under one rune: at least make progress
		}
		units += n
		if isRegional(r) {
			regional++
		} else {
			regional = 0
		}
		prev = r
	}
	return len(text), len(text)
}

// boundary reports whether a part may end between prev and r, regional
// being the number of regional indicators in a row that end with prev. It
// follows the main rules of Unicode's extended grapheme clusters.
func boundary(prev, r rune, regional int) bool {
	switch {
	case prev == '\r' && r == '\n':
		return false
	case prev == 0x200D: // after a zero-width joiner: 👨‍👩‍👧
		return false
	case unicode.Is(unicode.M, r), // marks, the keycap U+20E3 among them
		r == 0x200D,                  // a joiner
		r >= 0xFE00 && r <= 0xFE0F,   // variation selectors
		r >= 0xE0100 && r <= 0xE01EF, // variation selectors supplement
		r >= 0x1F3FB && r <= 0x1F3FF, // skin tones
		r >= 0xE0020 && r <= 0xE007F: // tags (subdivision flags)
		return false
	case isRegional(prev) && isRegional(r):
		return regional%2 == 0 // flags are pairs
	}
	return true
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
