package zalo

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/vntext"
)

// Ensure a webhook body or a poll's answer, whatever its bytes, is split
// into JSON objects or refused, and each update is keyed, given a time the
// inbox can store, and either dropped or turned into an Inbound from a
// Zalo sender to a Zalo chat, its text and name in NFC.
func FuzzUpdates(f *testing.F) {
	u := func(event, fields string) string {
		return `{"event_name":"` + event + `","message":{"message_id":"m1","date":1764075600000,"from":{"id":"u1","display_name":"Lan","is_bot":false},"chat":{"id":"u1","chat_type":"PRIVATE"}` + fields + `}}`
	}
	text := u(eventText, `,"text":"Hôm nay"`)
	for _, s := range []string{
		text, `{"ok":true,"result":` + text + `}`, `[` + text + `,` + text + `]`, `{"ok":true,"result":{"ok":true,"result":[` + text + `]}}`,
		u(eventImage, `,"photo_url":"https://x.example/a.jpg","caption":"cháy"`), u(eventImage, `,"photo":" https://x.example/b.jpg "`),
		u(eventVoice, `,"voice_url":"https://x.example/v.aac"`), u(eventSticker, ``), u(eventUnsupported, ``),
		u("message.text.received", `,"text":"Ho\u0302m nay"`), u(eventText, `,"text":"\ud800\u202e\u0000"`),
		`{"event_name":"message.text.received","message":{"message_id":5,"date":"1764075600000","from":{"id":12345,"is_bot":"true"},"chat":{"id":"g1","chat_type":"GROUP"},"text":"/baocao"}}`,
		`{"event_name":"message.text.received","message":{"date":1e300,"from":{"id":"u1"},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"date":9e18,"from":{"id":"u1"},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"date":"NaN","from":{"id":"u1"},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"date":-5,"from":{"id":"u1"},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"from":{"id":"bot"},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"from":{"id":""},"text":"x"}}`,
		`{"event_name":"message.text.received","message":{"from":{"id":[1]},"text":"x"}}`,
		`{"event_name":"message.text.received"}`, `{"message":null}`, `{}`, `null`, ``, `[[[[[` + text + `]]]]]`,
		`{"ok":true,"result":"text"}`, `<html>`, `{"event_name":`, `[1,2]`, strings.Repeat("[", 10000),
	} {
		f.Add([]byte(s))
	}
	b := &Bot{cfg: Config{Now: func() time.Time { return time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC) }}, id: "bot"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ups, err := splitUpdates(raw)
		if err != nil {
			return
		}
		for _, up := range ups {
			if !json.Valid(up) || strings.TrimSpace(string(up))[0] != '{' {
				t.Fatalf("update %q is not a JSON object", up)
			}
			u, key, at, err := b.identify(up)
			if err != nil {
				continue
			}
			if !strings.HasPrefix(key, Platform+":") {
				t.Fatalf("update %q keyed %q", up, key)
			}
			// The inbox keeps the time as JSON, which holds years 0 to 9999.
			if _, err := json.Marshal(at); err != nil {
				t.Fatalf("update %q is given the time %v, which the inbox cannot keep: %v", up, at, err)
			}
			if d, _ := b.dispose(u); d != handOn {
				continue
			}
			in, fileURL, _ := inbound(u, key)
			switch {
			case in.UpdateKey != key:
				t.Fatalf("update key %q, want %q", in.UpdateKey, key)
			case in.Chat.Platform() != Platform || in.From.Platform() != Platform || in.Chat.ID() == "" || in.From.ID() == "":
				t.Fatalf("chat %q, from %q", in.Chat, in.From)
			case vntext.NFC(in.Text) != in.Text || vntext.NFC(in.Name) != in.Name || !utf8.ValidString(in.Text):
				t.Fatalf("text %q or name %q not NFC UTF-8", in.Text, in.Name)
			case in.GroupChat && fileURL != "":
				t.Fatalf("a group's file %q is fetched", fileURL)
			case strings.TrimSpace(fileURL) != fileURL:
				t.Fatalf("file URL %q not trimmed", fileURL)
			}
		}
	})
}

// Ensure a reply with its numbered choices is laid out in messages of at
// most MaxText units, each valid UTF-8 when the text is, with the choices
// whole in the last messages when they fit one, and nothing of the text
// lost but spaces and line breaks at the cuts.
func FuzzLayout(f *testing.F) {
	menu := "1. Có\n2. Không\n\nTrả lời 1 hoặc 2."
	for _, s := range []string{"", "Hôm nay", strings.Repeat("a", 2000), strings.Repeat("a", 1990), strings.Repeat("😀", 1001),
		strings.Repeat("Tổ 3 báo cáo.\n", 3000), "\xed\xa0\x80", "\u202e" + strings.Repeat("x ", 1500), strings.Repeat("🇻🇳", 600)} {
		f.Add(s, menu)
		f.Add(s, "")
		f.Add(s, strings.Repeat("1. Một lựa chọn\n", 200))
	}
	f.Fuzz(func(t *testing.T, text, menu string) {
		parts := layout(text, menu, MaxText)
		all := strings.Join(parts, "\n")
		for i, p := range parts {
			if n := vntext.UTF16Len(p); n > MaxText {
				t.Fatalf("part %d has %d units", i, n)
			}
			if utf8.ValidString(text+menu) && !utf8.ValidString(p) {
				t.Fatalf("part %d is not UTF-8", i)
			}
			if p == "" {
				t.Fatalf("part %d is empty", i)
			}
		}
		if m := strings.TrimSpace(menu); m != "" && vntext.UTF16Len(m) <= MaxText && !strings.Contains(all, m) && m == menu {
			t.Fatalf("the choices %q are not whole in the parts", short(menu))
		}
		squeeze := func(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }
		if got, want := squeeze(strings.Join(parts, "")), squeeze(strings.TrimSpace(text)+menu); got != want && utf8.ValidString(text+menu) {
			t.Fatalf("the parts of %q and %q do not add up to them", short(text), short(menu))
		}
		if strings.TrimSpace(text) == "" && menu == "" && len(parts) != 0 {
			t.Fatalf("nothing to say is said in %d parts", len(parts))
		}
	})
}

func short(s string) string {
	if len(s) > 80 {
		return s[:40] + "…" + s[len(s)-40:]
	}
	return s
}
