// Package vntext normalises Vietnamese text typed on phones: NFC for storing,
// and a folded form (no diacritics, lower case, single spaces) for matching
// answers typed without accents ("hom nay" = "Hôm nay").
//
// It imports only the standard library and golang.org/x/text.
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normal form C with surrounding space trimmed.
// Phone keyboards send either NFC or NFD; everything stored goes through here.
func NFC(s string) string {
	return strings.TrimSpace(norm.NFC.String(s))
}

// Fold returns the matching key of s: diacritics removed (đ becomes d),
// lower case, inner white space collapsed to one space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Equal reports whether a and b match once folded.
func Equal(a, b string) bool { return Fold(a) == Fold(b) }
