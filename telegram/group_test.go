package telegram_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// recv waits for the next update the handler got.
func recv(t *testing.T, got <-chan bot.Inbound) bot.Inbound {
	t.Helper()
	select {
	case in := <-got:
		return in
	case <-time.After(10 * time.Second):
		t.Fatal("the handler got nothing")
		return bot.Inbound{}
	}
}

// Ensure messages and button presses in groups, supergroups and channels
// arrive marked as group chats, with the group as the chat and the person
// as the sender, and those in private chats do not.
func TestGroupChat(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	got := make(chan bot.Inbound, 10)
	tg := start(t, fake, nopHandler{got}, openStore(t), func(c *telegram.Config) { c.NoChatLimits = true })
	lan := fakeapi.User{ID: 5, FirstName: "Lan"}
	addr := func(id int64) bot.Address { return bot.Address("telegram:" + strconv.FormatInt(id, 10)) }
	choices := [][]bot.Choice{{{Label: "Có", Value: "1|v:yes"}}}

	for _, c := range []fakeapi.Chat{
		{ID: -4001, Type: "group", Title: "Tổ 3"},
		{ID: -1001234567890, Type: "supergroup", Title: "Khu phố 2"},
		fakeapi.Private(lan),
	} {
		t.Run(c.Type, func(t *testing.T) {
			group := c.Type != "private"
			fake.SendGroupText(c, lan, "xin chào")
			in := recv(t, got)
			if in.GroupChat != group || in.Chat != addr(c.ID) || in.From != addr(lan.ID) || in.Text != "xin chào" {
				t.Errorf("message: %+v, want GroupChat %v in chat %d from %d", in, group, c.ID, lan.ID)
			}
			if err := tg.Deliver(context.Background(), bot.Outbound{Chat: addr(c.ID), Reply: bot.Reply{Text: "Đồng ý?", Choices: choices}}); err != nil {
				t.Fatal(err)
			}
			m, ok := fake.LastWithButtons(c.ID)
			if !ok {
				t.Fatal("no buttons in the chat")
			}
			fake.PressIn(c, lan, m.ID, "1|v:yes")
			in = recv(t, got)
			if !in.IsCallback() || in.GroupChat != group || in.Chat != addr(c.ID) || in.From != addr(lan.ID) {
				t.Errorf("press: %+v, want GroupChat %v in chat %d from %d", in, group, c.ID, lan.ID)
			}
		})
	}
	t.Run("channel", func(t *testing.T) {
		// A channel's posts are not handled, but a press on a button the
		// bot posted there is, and the channel is shared.
		ch := fakeapi.Chat{ID: -1009876543210, Type: "channel", Title: "Tin khu phố"}
		if err := tg.Deliver(context.Background(), bot.Outbound{Chat: addr(ch.ID), Reply: bot.Reply{Text: "Thông báo", Choices: choices}}); err != nil {
			t.Fatal(err)
		}
		m, _ := fake.LastWithButtons(ch.ID)
		fake.PressIn(ch, lan, m.ID, "1|v:yes")
		if in := recv(t, got); !in.GroupChat || in.Chat != addr(ch.ID) {
			t.Errorf("press in a channel: %+v", in)
		}
	})
}
