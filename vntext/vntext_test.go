package vntext_test

import (
	"testing"

	"github.com/totuquan/totuquan/vntext"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hôm nay", "hom nay"},
		{"  HOM   NAY ", "hom nay"},
		{"Ho\u0302m nay", "hom nay"}, // NFD as some keyboards send it
		{"Đã xử lý tại chỗ", "da xu ly tai cho"},
		{"Quay lại", "quay lai"},
		{"", ""},
	} {
		if got := vntext.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNFC(t *testing.T) {
	nfd := "Ho\u0302m nay"
	if got, want := vntext.NFC(" "+nfd+" "), "Hôm nay"; got != want {
		t.Errorf("NFC = %q, want %q", got, want)
	}
	if !vntext.Equal("hom nay", "Hôm nay") || vntext.Equal("hom qua", "Hôm nay") {
		t.Error("Equal does not match folded forms")
	}
}
