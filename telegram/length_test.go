package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	"github.com/totuquan/totuquan/vntext"
)

// checkParts fails unless parts are valid text within limit UTF-16 units
// that add up to text (line breaks and spaces at the cuts aside) and no
// part starts with a character that belongs to the one before it.
func checkParts(t *testing.T, text string, parts []string, limit int) {
	t.Helper()
	for i, p := range parts {
		if n := vntext.UTF16Len(p); n > limit || n == 0 {
			t.Errorf("part %d has %d UTF-16 units, limit %d", i, n, limit)
		}
		if !utf8.ValidString(p) {
			t.Errorf("part %d is not valid UTF-8: %q", i, p)
		}
		if i > 0 {
			if r, _ := utf8.DecodeRuneInString(p); joins(r) {
				t.Errorf("part %d starts inside a character: %q", i, p[:min(len(p), 12)])
			}
		}
	}
	squash := func(s string) string { return strings.NewReplacer("\n", "", " ", "").Replace(s) }
	if got := squash(strings.Join(parts, "")); got != squash(text) {
		t.Errorf("%d parts do not add up to the text", len(parts))
	}
}

// joins reports whether r continues the character before it: a mark, a
// joiner, a variation selector, a skin tone, the keycap or a tag.
func joins(r rune) bool {
	return r == 0x200D || r == 0x20E3 || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF) ||
		(r >= 0xE0020 && r <= 0xE007F) || (r >= 0x0300 && r <= 0x036F)
}

// Ensure Split counts what Telegram counts, UTF-16 code units, and cuts
// only between characters as a reader sees them: never inside a surrogate
// pair, an emoji sequence, a flag or a letter with its marks.
func TestSplitUTF16(t *testing.T) {
	const family = "👨\u200d👩\u200d👧" // 8 units
	for _, tc := range []struct {
		name  string
		text  string
		limit int
		parts int
	}{
		{"Emoji", strings.Repeat("🚨", 3000), 4096, 2},
		{"OddLimit", strings.Repeat("😀", 5), 3, 5},
		{"Family", strings.Repeat(family, 10), 20, 5},
		{"Flags", strings.Repeat("🇻🇳", 9), 10, 5},
		{"SkinTone", strings.Repeat("👍🏽", 7), 9, 4},
		{"Keycap", strings.Repeat("1\ufe0f\u20e3", 7), 7, 4},
		{"Marks", strings.Repeat("x\u0301\u0323", 8), 7, 4},
		{"LineBreaks", "🚨 Báo động an ninh\n" + strings.Repeat("🚓", 10) + "\nhết", 24, 2},
		{"Spaces", strings.Repeat("an ninh ", 10), 20, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := telegram.Split(tc.text, tc.limit)
			checkParts(t, tc.text, parts, tc.limit)
			if len(parts) != tc.parts {
				var lens []int
				for _, p := range parts {
					lens = append(lens, vntext.UTF16Len(p))
				}
				t.Errorf("%d parts, want %d: lengths %v", len(parts), tc.parts, lens)
			}
		})
	}
	// A line break is preferred to a cut inside the line.
	if got := telegram.Split("🚨 Báo động an ninh\n"+strings.Repeat("🚓", 10)+"\nhết", 24); got[0] != "🚨 Báo động an ninh" {
		t.Errorf("cut not at the line break: %q", got)
	}
	// One character longer than the limit is still cut, between runes.
	long := "x" + strings.Repeat("\u0301", 9)
	if got := telegram.Split(long, 4); strings.Join(got, "") != long || len(got) != 3 {
		t.Errorf("an over-long character: %q", got)
	}
}

// lengths starts an adapter against a fake that enforces Telegram's limits
// in UTF-16 units, as every fake does.
func lengths(t *testing.T) (*fakeapi.Server, bot.Transport) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake, start(t, fake, nopHandler{}, openStore(t), func(c *telegram.Config) { c.NoChatLimits = true })
}

// texts returns the texts of ms.
func texts(ms []fakeapi.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// Ensure texts, captions and edits full of emoji are cut to what Telegram
// accepts, and arrive whole.
func TestLengthsInUTF16(t *testing.T) {
	ctx := context.Background()
	choices := [][]bot.Choice{{{Label: "Xong", Value: "1|done"}}}
	// 2,000 emoji are fewer than 4,096 characters but more than 4,096
	// UTF-16 units once a line of text comes with them.
	emoji := "🚨 Cảnh báo khẩn: " + strings.Repeat("🚨", 2100)

	t.Run("Send", func(t *testing.T) {
		fake, tg := lengths(t)
		if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: emoji, Choices: choices}}); err != nil {
			t.Fatal(err)
		}
		msgs := fake.BotMessages(5)
		checkParts(t, emoji, texts(msgs), fakeapi.MaxText)
		if len(msgs) != 2 || len(msgs[0].Buttons) != 0 || len(msgs[1].Buttons) == 0 {
			t.Errorf("%d parts; the keyboard must be on the last only", len(msgs))
		}
	})
	t.Run("Caption", func(t *testing.T) {
		fake, tg := lengths(t)
		caption := "📊 Tổng hợp tuần " + strings.Repeat("📈", 700)
		doc := &bot.Document{Name: "tonghop.csv", Data: []byte("a,b\n")}
		if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: caption}, Document: doc}); err != nil {
			t.Fatal(err)
		}
		msgs := fake.BotMessages(5)
		if len(msgs) == 0 || msgs[0].Document != "tonghop.csv" || vntext.UTF16Len(msgs[0].Text) > fakeapi.MaxCaption {
			t.Fatalf("the document did not go with a caption within %d units: %d messages", fakeapi.MaxCaption, len(msgs))
		}
		checkParts(t, caption, texts(msgs), fakeapi.MaxText)
	})
	t.Run("EditFits", func(t *testing.T) {
		fake, tg := lengths(t)
		if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "Chờ", Choices: choices}}); err != nil {
			t.Fatal(err)
		}
		m, _ := fake.LastWithButtons(5)
		text := strings.Repeat("🚓", 2048) // exactly 4,096 units
		if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Op: bot.OpEdit, MessageID: strconv.Itoa(m.ID), Reply: bot.Reply{Text: text, Choices: choices}}); err != nil {
			t.Fatal(err)
		}
		if msgs := fake.BotMessages(5); len(msgs) != 1 || msgs[0].Text != text || len(msgs[0].Buttons) == 0 {
			t.Errorf("the edit did not replace the message in place: %d messages", len(msgs))
		}
	})
	for name, text := range map[string]string{
		"EditTooLongEmoji": emoji,
		"EditTooLongText":  strings.Repeat("Dòng báo cáo về an ninh trật tự trong tổ.\n", 150), // 6,300 characters
	} {
		t.Run(name, func(t *testing.T) {
			// An edit longer than one message is sent as new messages,
			// not cut short, and the old message loses its buttons.
			fake, tg := lengths(t)
			if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "Chờ", Choices: choices}}); err != nil {
				t.Fatal(err)
			}
			m, _ := fake.LastWithButtons(5)
			if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Op: bot.OpEdit, MessageID: strconv.Itoa(m.ID), Reply: bot.Reply{Text: text, Choices: choices}}); err != nil {
				t.Fatal(err)
			}
			msgs := fake.BotMessages(5)
			if len(msgs) < 3 || msgs[0].Text != "Chờ" || len(msgs[0].Buttons) != 0 {
				t.Fatalf("got %d messages, the first %q with %d button rows", len(msgs), msgs[0].Text, len(msgs[0].Buttons))
			}
			checkParts(t, text, texts(msgs[1:]), fakeapi.MaxText)
			for i, m := range msgs[1:] {
				if last := i == len(msgs)-2; (len(m.Buttons) > 0) != last {
					t.Errorf("part %d has buttons: %v", i, len(m.Buttons) > 0)
				}
			}
		})
	}
}
