package flows

import "testing"

// Ensure times and numbers are read as people type them on a phone.
func TestNaturalTimesAndNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		h, m int
		ok   bool
	}{
		{"9h tối", 21, 0, true}, {"9 giờ tối", 21, 0, true}, {"9 gio toi", 21, 0, true},
		{"21g", 21, 0, true}, {"21g30", 21, 30, true}, {"10pm", 22, 0, true}, {"10 PM", 22, 0, true},
		{"sáng 7h", 7, 0, true}, {"7h sáng", 7, 0, true}, {"7h30 sáng", 7, 30, true},
		{"12 giờ trưa", 12, 0, true}, {"1 giờ trưa", 13, 0, true}, {"3 giờ chiều", 15, 0, true},
		{"11 giờ đêm", 23, 0, true}, {"2 giờ đêm", 2, 0, true}, {"12 giờ đêm", 0, 0, true},
		{"21h tối", 0, 0, false}, {"25g", 0, 0, false}, {"sáng 7h tối", 0, 0, false}, {"tối", 0, 0, false},
	} {
		h, m, ok := parseClockWords(tc.in)
		if ok != tc.ok || (ok && (h != tc.h || m != tc.m)) {
			t.Errorf("parseClockWords(%q) = %d:%02d %v, want %d:%02d %v", tc.in, h, m, ok, tc.h, tc.m, tc.ok)
		}
	}
	for _, tc := range []struct {
		in string
		n  int
		ok bool
	}{
		{"2", 2, true}, {"hai", 2, true}, {"Hai", 2, true}, {"mười lăm", 15, true}, {"muoi lam", 15, true},
		{"mười", 10, true}, {"mười một", 11, true}, {"mười tư", 14, true}, {"hai mươi", 20, true},
		{"năm", 5, true}, {"không", 0, true}, {"15 người", 15, true}, {"ba hộ", 3, true}, {"twelve", 12, true},
		{"+3", 0, false}, {"vài", 0, false}, {"hai mươi mốt", 0, false},
	} {
		n, ok := parseNumber(tc.in)
		if ok != tc.ok || (ok && n != tc.n) {
			t.Errorf("parseNumber(%q) = %d %v, want %d %v", tc.in, n, ok, tc.n, tc.ok)
		}
	}
}
