package zalo

import (
	"github.com/totuquan/totuquan/bot"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/vntext"
)

// Ensure a text is taken for an invite code only when all of it is one:
// 12 characters of the code alphabet, in any case, spaces and dashes
// aside.
func TestInviteCode(t *testing.T) {
	for text, want := range map[string]string{
		"k7qm2xpahn4d":      "k7qm2xpahn4d",
		"K7QM-2XPA-HN4D":    "k7qm2xpahn4d",
		"  k7qm 2xpa hn4d ": "k7qm2xpahn4d",
		"K7QM2XPA":          "", // too short
		"k7qm2xpahn4dd":     "", // too long
		"k7qm2xpahn40":      "", // 0 is not in the alphabet
		"k7qm2xpahn4l":      "", // nor l
		"mã k7qm2xpahn4d":   "", // more than the code
		"/start k7qm2xpah":  "", // a command
		"xin chào bạn nhé":  "", // words
		"k7qm2xpahn4đ":      "", // a Vietnamese letter
		"":                  "",
	} {
		if got, ok := bot.ParseInviteCode(text); got != want || ok != (want != "") {
			t.Errorf("ParseInviteCode(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}

// Ensure a reply is laid out in parts under the limit with its numbered
// choices kept with the last part, and that the parts add up.
func TestLayout(t *testing.T) {
	menu := "1. Có\n2. Không"
	for _, tc := range []struct {
		name, text string
		limit      int
		want       []string
	}{
		{"Short", "Khẩn cấp không?", 100, []string{"Khẩn cấp không?\n\n" + menu}},
		{"MenuOnly", "", 100, []string{menu}},
		{"Fits", strings.Repeat("a", 84), 100, []string{strings.Repeat("a", 84) + "\n\n" + menu}}, // 84 + 2 + 14 units
		{"CutForMenu", strings.Repeat("a", 95), 100, []string{strings.Repeat("a", 84), strings.Repeat("a", 11) + "\n\n" + menu}},
		{"AtLine", strings.Repeat("a", 70) + "\n" + strings.Repeat("b", 50), 100, []string{strings.Repeat("a", 70), strings.Repeat("b", 50) + "\n\n" + menu}},
	} {
		got := layout(tc.text, menu, tc.limit)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		for _, p := range got {
			if vntext.UTF16Len(p) > tc.limit {
				t.Errorf("%s: a part of %d units", tc.name, vntext.UTF16Len(p))
			}
		}
	}
	if got := layout("  ", "", 100); len(got) != 0 {
		t.Errorf("an empty reply is laid out as %q", got)
	}
	// A menu too long to go with a part goes on its own.
	long := strings.Repeat("9. Một lựa chọn dài\n", 4)
	if got := layout(strings.Repeat("a", 90), long, 100); len(got) != 2 || got[0] != strings.Repeat("a", 90) {
		t.Errorf("a long menu: %q", got)
	}
}

// Ensure updates are found in every shape seen: bare, wrapped in the
// API's envelope, in a list; and nothing in an empty body or a probe.
func TestSplitUpdates(t *testing.T) {
	u := `{"event_name":"message.text.received","message":{"message_id":"m1"}}`
	for body, want := range map[string]int{
		u:                                  1,
		`{"ok":true,"result":` + u + `}`:   1,
		`[` + u + `,` + u + `]`:            2,
		`{"ok":true,"result":[` + u + `]}`: 1,
		`{"ok":true,"result":{"ok":true,"result":` + u + `}}`: 1,
		``:            0,
		`   `:         0,
		`null`:        0,
		`{}`:          0,
		`{"ok":true}`: 0,
		`{"ok":false,"error_code":408,"description":"Request timeout"}`: 0,
	} {
		ups, err := splitUpdates([]byte(body))
		if err != nil || len(ups) != want {
			t.Errorf("splitUpdates(%.40q) = %d updates, %v; want %d", body, len(ups), err, want)
		}
	}
	for _, body := range []string{`<html>`, `"text"`, `{"event_name":`, `[1,2]`} {
		if _, err := splitUpdates([]byte(body)); err == nil {
			t.Errorf("splitUpdates(%q) found no error", body)
		}
	}
}
