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

// Ensure the sender's parallel lanes keep their connections alive rather
// than dialling again for most sends: against the real Telegram every new
// connection is a TLS handshake of several round trips.
func TestSendsReuseConnections(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	st := openStore(t)
	const chats, each, workers = 8, 25, 8
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Each chat paced, a chat a lane or so: the lanes wait between sends,
	// so their connections lie idle together, as between a fan-out's
	// rounds, and the default two a host would close the others.
	tg, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), Handler: nopHandler{}, Store: st,
		ChatLimit: bot.RateLimit{Burst: 1, Every: 50 * time.Millisecond}, PerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	before := fake.Conns()
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"telegram": tg}, Log: slog.New(slog.DiscardHandler), Workers: workers}
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	deadline := time.Now().Add(30 * time.Second)
	for fake.Calls("sendMessage") < chats*each && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if n := fake.Calls("sendMessage"); n != chats*each {
		t.Fatalf("%d sends, want %d", n, chats*each)
	}
	t.Logf("opened %d", fake.Conns()-before)
	// A lane that calls again before its last reply's connection is back
	// in the pool may dial anew: at most twice the lanes, where the
	// default two a host dial for most of the sends.
	if opened := fake.Conns() - before; opened > 2*workers {
		t.Errorf("%d sends opened %d connections, want at most twice the %d lanes'", chats*each, opened, workers)
	}
}
