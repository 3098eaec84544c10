package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// Ensure the sender drains a fan-out through a server that enforces the
// limits without ever going over them, delivers each message once and in
// order per chat, and lets a reply overtake the fan-out. The limits are
// scaled up (500 a second, one per chat every 50 ms after a burst of 3) so
// that the test takes about two seconds; the arithmetic is Telegram's.
func TestSenderWithinLimits(t *testing.T) {
	limits := &fakeapi.Limits{PerSecond: 500, ChatBurst: 3, ChatEvery: 50 * time.Millisecond}
	fake, err := fakeapi.New(fakeapi.Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tg, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), Handler: nopHandler{}, Store: st,
		ChatLimit: bot.RateLimit{Burst: limits.ChatBurst, Every: limits.ChatEvery}, PerSecond: limits.PerSecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)

	const chats, each = 200, 5 // 1,000 messages
	st.Update(func(tx bot.Tx) error {
		for i := range each {
			for c := range chats {
				m := bot.Outbound{Chat: bot.Address("telegram:" + strconv.Itoa(1000+c)), Bulk: true,
					Key: fmt.Sprintf("k%d-%d", c, i), Reply: bot.Reply{Text: fmt.Sprintf("phần %d", i)}}
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"telegram": tg}, Log: slog.New(slog.DiscardHandler)}
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer wg.Wait()
	defer cancel()

	// A reply to someone chatting, queued once the fan-out is under way.
	delivered := func() int {
		n := 0
		for c := range chats {
			n += fake.BotCount(int64(1000 + c))
		}
		return n
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	fake.WaitFor(wctx, func() bool { return delivered() > 0 })
	st.Update(func(tx bot.Tx) error {
		_, err := tx.Enqueue(bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "trả lời"}})
		return err
	})
	s.Notify()
	if _, err := fake.WaitBotMessages(wctx, 5, 1); err != nil {
		t.Fatal(err)
	}
	// A round holds at most a second of bulk (500 here) and the fan-out
	// is 1,000: the reply must come before the fan-out's end.
	if n := delivered(); n >= chats*each {
		t.Errorf("the reply waited behind the whole fan-out (%d delivered before it)", n)
	}
	total := 0
	err = fake.WaitFor(wctx, func() bool {
		total = delivered()
		return total >= chats*each
	})
	if err != nil {
		t.Fatalf("%d of %d delivered: %v", total, chats*each, err)
	}
	if n := fake.Refused(); n != 0 {
		t.Errorf("the server refused %d sends for going over the limits", n)
	}
	for c := range chats {
		msgs := fake.BotMessages(int64(1000 + c))
		for i, m := range msgs {
			if want := fmt.Sprintf("phần %d", i); m.Text != want || len(msgs) != each {
				t.Fatalf("chat %d got %d messages, #%d %q, want %q", c, len(msgs), i, m.Text, want)
			}
		}
	}
}
