package vntext_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/totuquan/totuquan/vntext"
)

// hostile are inputs no person types but a client, a bot or a paste may
// send: long texts at and past the platforms' limits, control characters,
// invalid UTF-8 (a lone surrogate as CESU-8 writes it, a cut character),
// direction overrides, NUL.
func hostile() []string {
	return []string{
		"",
		strings.Repeat("a", 4096),
		strings.Repeat("ư", 4097),
		strings.Repeat("Tổ dân phố số 5 họp lúc 19h. ", 100000/29),
		strings.Repeat("😀", 2049),
		"\x00\x01\x02\x1b[31m\x7f",
		"\xed\xa0\x80 lone surrogate",
		"cut \xe1\xbb",
		"\xff\xfe\xfd",
		"\u202eHôm nay\u202c",
		"\u200f\u200e\u061c",
		"a\u0301\u0301\u0301\u0301\u0301",
		"👨‍👩‍👧‍👦🇻🇳🇻🇳🇻",
		"\r\n\r\n \t\u00a0\u2028\u3000",
		"\ufeffBOM",
	}
}

func vietnamese() []string {
	return []string{
		"Hôm nay", "hôm qua", "Ho\u0302m nay", "HÔM NAY", "  Trộm   cắp tài sản ",
		"Đã xử lý tại chỗ", "mười lăm", "9 giờ tối", "21h30", "Nguyễn Thị Ánh Tuyết",
		"Ấp Bình Hòa, xã Tân Phú Đông", "ĐƯỜNG LÊ LỢI", "ỳ ỵ ỷ ỹ ý",
	}
}

// Ensure NFC is idempotent, composes and trims, and Fold is idempotent,
// insensitive to how the text was composed, and gives a key of lower-case
// letters without marks, single spaces and nothing around them.
func FuzzFold(f *testing.F) {
	for _, s := range append(vietnamese(), hostile()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := vntext.NFC(s)
		if again := vntext.NFC(n); again != n {
			t.Errorf("NFC not idempotent: NFC(%q) = %q, NFC of that = %q", s, n, again)
		}
		if strings.TrimSpace(n) != n {
			t.Errorf("NFC(%q) = %q keeps surrounding space", s, n)
		}
		if utf8.ValidString(s) && !norm.NFC.IsNormalString(n) {
			t.Errorf("NFC(%q) = %q is not in NFC", s, n)
		}

		k := vntext.Fold(s)
		if again := vntext.Fold(k); again != k {
			t.Errorf("Fold not idempotent: Fold(%q) = %q, Fold of that = %q", s, k, again)
		}
		if got := vntext.Fold(n); got != k {
			t.Errorf("Fold(NFC(%q)) = %q, Fold = %q", s, got, k)
		}
		if got := vntext.Fold(norm.NFD.String(s)); got != k {
			t.Errorf("Fold(NFD(%q)) = %q, Fold = %q", s, got, k)
		}
		if !vntext.Equal(s, n) || !vntext.Equal(k, s) {
			t.Errorf("Equal(%q, its NFC or its key) is false", s)
		}
		if strings.TrimSpace(k) != k || strings.Contains(k, "  ") {
			t.Errorf("Fold(%q) = %q: spaces not collapsed", s, k)
		}
		if utf8.ValidString(s) && !utf8.ValidString(k) {
			t.Errorf("Fold(%q) = %q is not UTF-8", s, k)
		}
		for _, r := range k {
			switch {
			case unicode.Is(unicode.Mn, r):
				t.Fatalf("Fold(%q) = %q keeps the mark %U", s, k, r)
			case r == 'đ' || r == 'Đ':
				t.Fatalf("Fold(%q) = %q keeps đ", s, k)
			case unicode.IsSpace(r) && r != ' ':
				t.Fatalf("Fold(%q) = %q keeps the space %U", s, k, r)
			}
		}
		// Vietnamese is matched in any case: upper-casing text of its
		// letters changes nothing in the key.
		if vietnameseOnly(s) {
			if up := vntext.Fold(strings.ToUpper(s)); up != k {
				t.Errorf("Fold(ToUpper(%q)) = %q, Fold = %q", s, up, k)
			}
		}
	})
}

// vietnameseOnly reports whether s is ASCII and Vietnamese letters.
func vietnameseOnly(s string) bool {
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < utf8.RuneSelf, r == 'đ', r == 'Đ':
		case strings.ContainsRune("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323", r): // the tone and letter marks
		default:
			return false
		}
	}
	return true
}

// Ensure Split keeps each part within the limit (a lone character outside
// the BMP, two units, is the one thing that may not fit a limit of one),
// never cuts inside a character or returns invalid UTF-8 from valid text,
// drops only the spaces and line breaks at its cuts, and that SplitFirst
// agrees with it.
func FuzzSplit(f *testing.F) {
	for _, s := range append(vietnamese(), hostile()...) {
		for _, limit := range []int{4096, 2000, 7} {
			f.Add(s, limit)
		}
	}
	f.Add("a\nb\nc\nd", 1)
	f.Add("🇻🇳🇻🇳🇻🇳", 3)
	f.Add(strings.Repeat("dòng một\n", 600), 4096)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 1 || limit > 5000 {
			limit = 1 + abs(limit%5000)
		}
		parts := vntext.Split(text, limit)
		checkSplit(t, text, limit, parts)

		first, rest := vntext.SplitFirst(text, limit)
		if !strings.HasPrefix(text, first) || !strings.HasSuffix(text, rest) || len(first)+len(rest) > len(text) {
			t.Fatalf("SplitFirst(%q, %d) = %q, %q: not a prefix and a suffix", text, limit, first, rest)
		}
		if rest == "" && first != text && strings.Trim(text[len(first):], " \n") != "" {
			t.Fatalf("SplitFirst(%q, %d) = %q with nothing left: content lost", text, limit, first)
		}
		if limit >= 2 && vntext.UTF16Len(first) > limit {
			t.Fatalf("SplitFirst(%q, %d) = %q: %d units", text, limit, first, vntext.UTF16Len(first))
		}
		if first != "" && first != parts[0] {
			t.Fatalf("SplitFirst(%q, %d) = %q, Split's first part %q", text, limit, first, parts[0])
		}
	})
}

// checkSplit asserts the promises of vntext.Split of text into parts.
func checkSplit(t *testing.T, text string, limit int, parts []string) {
	t.Helper()
	if len(parts) == 0 {
		t.Fatalf("Split(%q, %d) returned no part", text, limit)
	}
	valid := utf8.ValidString(text)
	simple := !strings.ContainsAny(text, "\u200d") && !hasRegional(text) && maxMarks(text) < 16
	pos := 0
	for i, p := range parts {
		if p == "" && len(parts) > 1 {
			t.Fatalf("Split(%q, %d): part %d is empty", short(text), limit, i)
		}
		if n := vntext.UTF16Len(p); n > limit && (limit >= 2 || utf8.RuneCountInString(p) > 1) {
			t.Fatalf("Split(%q, %d): part %d has %d units", short(text), limit, i, n)
		}
		if valid && !utf8.ValidString(p) {
			t.Fatalf("Split(%q, %d): part %d %q is not UTF-8", short(text), limit, i, short(p))
		}
		at := strings.Index(text[pos:], p)
		if at < 0 || strings.Trim(text[pos:pos+at], " \n") != "" {
			t.Fatalf("Split(%q, %d): part %d %q does not follow the text after a cut's spaces", short(text), limit, i, short(p))
		}
		if i > 0 && simple && limit >= 16 {
			if r, _ := utf8.DecodeRuneInString(p); unicode.Is(unicode.M, r) || (r >= 0xFE00 && r <= 0xFE0F) {
				t.Fatalf("Split(%q, %d): part %d begins inside a character (%U)", short(text), limit, i, r)
			}
		}
		pos += at + len(p)
	}
	if strings.Trim(text[pos:], " \n") != "" {
		t.Fatalf("Split(%q, %d): %q lost after the last part", short(text), limit, short(text[pos:]))
	}
}

func hasRegional(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF })
}

// maxMarks is the longest run of combining characters in s.
func maxMarks(s string) int {
	run, most := 0, 0
	for _, r := range s {
		if unicode.Is(unicode.M, r) || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE01EF) {
			run++
			most = max(most, run)
		} else {
			run = 0
		}
	}
	return most
}

func short(s string) string {
	if len(s) > 80 {
		return s[:40] + "…" + s[len(s)-40:]
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
