package zalo_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/zalo"
)

// Ensure the outbox sender over the adapter delivers each message exactly
// once through what Zalo throws at it: a 429, a 5xx, a dropped
// connection, a garbage reply, a throttle of a while; and a split message
// whose second part fails goes on from there, sending no part twice.
func TestSenderDeliversOnce(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	cfg := config(fake, &recorder{}, st)
	cfg.ChatLimit = bot.RateLimit{Burst: 50, Every: time.Millisecond} // the test is about failures
	z, _, _ := start(t, cfg)
	lan := userOf("lan")
	chat := bot.NewAddress(zalo.Platform, lan.ID)
	long := strings.Repeat("a", 1500) + "\n" + strings.Repeat("b", 1500) + "\n" + strings.Repeat("c", 1500)

	fake.FailNext("sendMessage", 429)
	fake.FailNext("sendMessage", 500)
	fake.FailNext("sendMessage", 503)
	fake.DropNext("sendMessage")
	fake.GarbageNext("sendMessage")
	fake.FailNextIf("sendMessage", 502, func(p map[string]string) bool { return strings.HasPrefix(p["text"], "b") })
	err := st.Update(func(tx bot.Tx) error {
		for _, text := range []string{"Đã nhận báo cáo AN-2026-000123.", long, "Cảm ơn."} {
			if _, err := tx.Enqueue(bot.Outbound{Chat: chat, Reply: bot.Reply{Text: text}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{zalo.Platform: z}, Log: slog.New(slog.DiscardHandler),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer wg.Wait()
	defer cancel()

	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := fake.WaitFor(wctx, func() bool { return len(fake.BotMessages(lan.ID)) >= 5 }); err != nil {
		t.Fatalf("delivered %d of 5 messages", len(fake.BotMessages(lan.ID)))
	}
	eventually(t, "an empty outbox", func() bool { return len(outbox(t, st, chat)) == 0 })
	time.Sleep(50 * time.Millisecond) // nothing more goes out
	var got []string
	for _, m := range fake.BotMessages(lan.ID) {
		got = append(got, m.Text)
	}
	want := []string{"Đã nhận báo cáo AN-2026-000123.", strings.Repeat("a", 1500), strings.Repeat("b", 1500), strings.Repeat("c", 1500), "Cảm ơn."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("delivered %d messages, want %d, in order, once each", len(got), len(want))
	}
	if n := fake.Calls("sendMessage"); n != len(want)+6 {
		t.Errorf("%d sendMessage calls, want %d (the %d delivered and 6 refused)", n, len(want)+6, len(want))
	}
}

// Ensure a throttle of a while (every call refused with 429 for a moment)
// pauses the sender rather than dropping anything.
func TestSenderWaitsOutThrottle(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	cfg := config(fake, &recorder{}, st)
	cfg.ChatLimit = bot.RateLimit{Burst: 50, Every: time.Millisecond} // the test is about failures
	z, _, _ := start(t, cfg)
	lan := userOf("lan")
	chat := bot.NewAddress(zalo.Platform, lan.ID)
	fake.Throttle("sendMessage", 1500*time.Millisecond)
	st.Update(func(tx bot.Tx) error {
		for _, text := range []string{"một", "hai"} {
			if _, err := tx.Enqueue(bot.Outbound{Chat: chat, Reply: bot.Reply{Text: text}}); err != nil {
				return err
			}
		}
		return nil
	})
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{zalo.Platform: z}, Log: slog.New(slog.DiscardHandler),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer wg.Wait()
	defer cancel()
	eventually(t, "an empty outbox", func() bool { return len(outbox(t, st, chat)) == 0 })
	var got []string
	for _, m := range fake.BotMessages(lan.ID) {
		got = append(got, m.Text)
	}
	if strings.Join(got, ",") != "một,hai" {
		t.Errorf("delivered %q", got)
	}
	if refused := fake.Calls("sendMessage") - 2; refused > 4 {
		t.Errorf("%d sends refused during a 1.5 s throttle: the sender did not wait for the pause", refused)
	}
}
