package vntext_test

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/vntext"
)

func TestUTF16Len(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"Hôm nay", 7},                    // precomposed Vietnamese: one unit each
		{"Ho\u0302m nay", 8},              // NFD: the combining mark counts too
		{"🚨", 2},                          // outside the BMP: a surrogate pair
		{"👨‍👩‍👧", 8},                      // three emoji joined by two ZWJ
		{"🇻🇳", 4},                         // two regional indicators
		{"1️⃣", 3},                        // 1, VS16, keycap: all in the BMP
		{"€", 1},                          // three bytes of UTF-8, one unit
		{"\xff\xfe", 2},                   // invalid UTF-8: one unit per byte
		{strings.Repeat("😀", 2000), 4000}, // the 2,000-emoji message
	} {
		if got := vntext.UTF16Len(tc.s); got != tc.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
