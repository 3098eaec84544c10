package telegram

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
)

const fuzzMe = "totuquan_bot"

// Ensure one raw update, whatever its JSON, becomes a neutral Inbound or
// is set aside with a reason, never both and never a panic; an Inbound is
// keyed, addressed to Telegram chats, in NFC, its command freed of the
// bot's @username and never naming another bot, and a join code comes
// with no text.
func FuzzInbound(f *testing.F) {
	msg := func(text string) string {
		b, _ := json.Marshal(text)
		return `{"update_id":1,"message":{"message_id":9,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"Lan","last_name":"Nguyễn","language_code":"vi"},"text":` + string(b) + `}}`
	}
	for _, s := range []string{
		"/baocao", "/baocao@totuquan_bot", "/BAOCAO@TOTUQUAN_BOT arg", "/baocao@other_bot", "/start", "/start K7QM-2XPA-HN4D",
		"/start@totuquan_bot k7qm2xpahn4d", "/start\tcode", "/thongbao@totuquan_bot\nPT-TL Họp", "/@", "/@totuquan_bot", "hôm nay",
		"Ho\u0302m nay", "", "\u202e/baocao", "/baocao\x00", strings.Repeat("ư", 4097), strings.Repeat("a", 100000),
	} {
		f.Add([]byte(msg(s)))
	}
	for _, s := range []string{
		`{"update_id":2,"callback_query":{"id":"q1","from":{"id":5,"is_bot":false,"first_name":"Lan"},"message":{"message_id":3,"date":1,"chat":{"id":-100,"type":"supergroup"}},"data":"7|v:theft"}}`,
		`{"update_id":3,"callback_query":{"id":"","from":{"id":5},"data":"7|v:theft"}}`,
		`{"update_id":4,"callback_query":{"id":"q","from":{"id":5,"is_bot":true},"data":"x"}}`,
		`{"update_id":5,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"document":{"file_id":"f","file_name":"areas.csv"},"caption":"/diaban"}}`,
		`{"update_id":6,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"photo":[{"file_id":"a","width":90,"height":90},{"file_id":"b","width":1280,"height":960}]}}`,
		`{"update_id":7,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"location":{"latitude":10.77,"longitude":106.7}}}`,
		`{"update_id":8,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"voice":{"file_id":"v","duration":-3}}}`,
		`{"update_id":9,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"new_chat_members":[{"id":6}]}}`,
		`{"update_id":10,"message":{"message_id":1,"chat":{"id":5},"text":"x"}}`,
		`{"update_id":11,"message":{"message_id":1,"from":{"id":5},"text":"x"}}`,
		`{"update_id":12,"edited_message":{"message_id":1,"chat":{"id":5},"from":{"id":5},"text":"x"}}`,
		`{"update_id":13,"message":{"message_id":1,"chat":{"id":5,"type":"group"},"from":{"id":5},"text":"\ud800"}}`,
		`{}`, `null`, `[]`, `{"message":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var u tgbotapi.Update
		if json.Unmarshal(raw, &u) != nil {
			return // undecodable updates are skipped before this (TestUndecodableUpdateSkipped)
		}
		in, why := inbound(u, fuzzMe)
		if why != "" {
			if in != (bot.Inbound{}) {
				t.Fatalf("an update set aside (%s) still gives %+v", why, in)
			}
			return
		}
		switch {
		case !strings.HasPrefix(in.UpdateKey, Platform+":"):
			t.Fatalf("update key %q", in.UpdateKey)
		case in.Chat.Platform() != Platform || in.From.Platform() != Platform || in.Chat.ID() == "" || in.From.ID() == "":
			t.Fatalf("chat %q, from %q", in.Chat, in.From)
		case vntext.NFC(in.Text) != in.Text || vntext.NFC(in.Name) != in.Name:
			t.Fatalf("text %q or name %q not NFC", in.Text, in.Name)
		case !utf8.ValidString(in.Text):
			t.Fatalf("text %q is not UTF-8", in.Text)
		case in.JoinCode != "" && in.Text != "":
			t.Fatalf("join code %q with text %q", in.JoinCode, in.Text)
		case u.CallbackQuery == nil && in.Callback != "":
			t.Fatalf("a message with callback data %q", in.Callback)
		}
		if name, _ := in.Command(); strings.Contains(name, "@") {
			t.Fatalf("command %q of %q still names a bot", name, in.Text)
		}
		if u.Message != nil && u.Message.Text != "" && in.Text != "" && strings.HasPrefix(in.Text, "/") {
			head, _, _ := strings.Cut(strings.Fields(u.Message.Text)[0], "@")
			if name, _ := in.Command(); !strings.EqualFold(head[1:], name) && !strings.EqualFold(head, "/start") {
				t.Fatalf("%q gives the command %q", u.Message.Text, name)
			}
		}
	})
}

// Ensure a message of any length is sent in parts within Telegram's 4096
// UTF-16 units, each valid UTF-8 when the text is, that together keep all
// of it but the spaces and line breaks at the cuts.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "Hôm nay", strings.Repeat("a", 4096), strings.Repeat("a", 4097), strings.Repeat("😀", 2049),
		strings.Repeat("Tổ 3 báo cáo.\n", 8000), strings.Repeat("ư\u0301", 3000), "\xed\xa0\x80", "\u202e" + strings.Repeat("x ", 3000),
		strings.Repeat("🇻🇳", 1100), strings.Repeat("👨‍👩‍👧", 600), "\x00\x01\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		parts := Split(text, maxText)
		pos := 0
		for i, p := range parts {
			if n := vntext.UTF16Len(p); n > maxText {
				t.Fatalf("part %d has %d units", i, n)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("part %d is not UTF-8", i)
			}
			at := strings.Index(text[pos:], p)
			if at < 0 || strings.Trim(text[pos:pos+at], " \n") != "" {
				t.Fatalf("part %d does not follow the text", i)
			}
			pos += at + len(p)
		}
		if strings.Trim(text[pos:], " \n") != "" {
			t.Fatalf("%d bytes lost after the last part", len(text)-pos)
		}
	})
}
