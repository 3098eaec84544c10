package telegram_test

import (
	"context"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// Ensure the handler sees only what people send to this bot: a command
// addressed to another bot, messages from bots or from no one, service
// messages (joins, leaves, titles, pins, migrations) and presses by bots
// never reach it, yet polling confirms them all; a command addressed to
// this bot, in any case, arrives without the address.
func TestOnlyPeopleAndOwnCommands(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{BotUsername: "totuquan_bot"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	group := fakeapi.Chat{ID: -1001234567890, Type: "supergroup", Title: "Tổ 3"}
	lan := fakeapi.User{ID: 5, FirstName: "Lan"}
	other := fakeapi.User{ID: 777, FirstName: "Bot khác", Username: "otherbot"}

	// Ignored:
	fake.SendGroupText(group, lan, "/baocao@otherbot")
	fake.SendGroupText(group, lan, "/baocao@otherbot tổ 3")
	fake.SendText(lan, "/trogiup@OtherBot")
	fake.SendGroupText(group, lan, "/baocao@totuquan_bot_fake")
	fake.SendFromBot(group, other, "/baocao")
	fake.SendFromBot(group, other, "Báo cáo tự động")
	fake.SendFromBot(fakeapi.Private(lan), other, "xin chào") // cannot happen, but is ignored too
	fake.InjectRaw(`{"message":{"message_id":90,"date":1,"chat":{"id":-1001234567890,"type":"supergroup","title":"Tổ 3"},"sender_chat":{"id":-1001234567890,"type":"supergroup","title":"Tổ 3"},"text":"không ai gửi"}}`)
	for _, svc := range []struct {
		field string
		value any
	}{
		{"new_chat_members", []fakeapi.User{{ID: 9, FirstName: "Mai"}}},
		{"left_chat_member", fakeapi.User{ID: 9, FirstName: "Mai"}},
		{"new_chat_title", "Tổ 3 mới"},
		{"pinned_message", map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": group.ID, "type": "supergroup"}, "text": "/baocao"}},
		{"group_chat_created", true},
		{"supergroup_chat_created", true},
		{"migrate_from_chat_id", -4001},
		{"delete_chat_photo", true},
		{"video_chat_started", map[string]any{}},
		{"message_auto_delete_timer_changed", map[string]any{"message_auto_delete_time": 86400}},
	} {
		fake.SendService(group, lan, svc.field, svc.value)
	}
	fake.SendService(fakeapi.Chat{ID: -4001, Type: "group", Title: "Tổ 3"}, lan, "migrate_to_chat_id", group.ID)
	// Handed on:
	fake.SendGroupText(group, lan, "/baocao@TotuQuan_Bot tổ 3")
	fake.SendText(lan, "/start@totuquan_bot abc123")
	fake.SendText(lan, "/trogiup")
	fake.SendGroupText(group, lan, "xin chào cả tổ")
	// A sticker is no service message: the person hears the bot wants text.
	fake.InjectRaw(`{"message":{"message_id":91,"date":1,"chat":{"id":5,"type":"private","first_name":"Lan"},"from":{"id":5,"is_bot":false,"first_name":"Lan"},"sticker":{"file_id":"s1","file_unique_id":"us1","width":512,"height":512,"is_animated":false}}}`)

	got := make(chan bot.Inbound, 50)
	tg := start(t, fake, nopHandler{got}, openStore(t), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return fake.Unconfirmed() == 0 }); err != nil {
		t.Fatalf("%d updates left unconfirmed", fake.Unconfirmed())
	}
	var texts []string
	for len(got) > 0 {
		in := <-got
		if in.JoinCode != "" {
			in.Text = "join " + in.JoinCode
		}
		texts = append(texts, in.Text)
	}
	want := []string{"/baocao tổ 3", "join abc123", "/trogiup", "xin chào cả tổ", ""}
	if !sameSet(texts, want) {
		t.Errorf("the handler got %q, want %q", texts, want)
	}

	// A press by a bot is ignored as well; one by a person is not.
	if err := tg.Deliver(ctx, bot.Outbound{Chat: "telegram:-1001234567890", Reply: bot.Reply{Text: "Đồng ý?", Choices: [][]bot.Choice{{{Label: "Có", Value: "1|yes"}}}}}); err != nil {
		t.Fatal(err)
	}
	m, _ := fake.LastWithButtons(group.ID)
	other.IsBot = true
	fake.PressIn(group, other, m.ID, "1|yes")
	fake.PressIn(group, lan, m.ID, "1|yes")
	if in := recv(t, got); in.From != "telegram:5" {
		t.Errorf("a press by a bot reached the handler: %+v", in)
	}
	if err := fake.WaitFor(ctx, func() bool { return fake.Unconfirmed() == 0 }); err != nil {
		t.Fatal("the presses were not confirmed")
	}
	if len(got) > 0 {
		t.Errorf("the handler also got %+v", <-got)
	}
}

// sameSet reports whether a and b hold the same strings, in any order:
// chats are handled in parallel.
func sameSet(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
