package zalo_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/zalo"
	"github.com/totuquan/totuquan/zalo/fakeapi"
)

// Ensure the sender's lanes reuse their connections to Zalo rather than
// dialling anew for most sends, as the default of two idle connections a
// host would make them: every new connection to the real Zalo is a TLS
// handshake of several round trips.
func TestSendsReuseConnections(t *testing.T) {
	fake := newFake(t, fakeapi.Options{Latency: 20 * time.Millisecond})
	st := openStore(t)
	const chats, each, workers = 8, 25, 8
	err := st.Update(func(tx bot.Tx) error {
		for i := range each {
			for c := range chats {
				m := bot.Outbound{Chat: bot.NewAddress(zalo.Platform, strconv.Itoa(5000+c)),
					Key: fmt.Sprintf("k%d-%d", c, i), Reply: bot.Reply{Text: fmt.Sprintf("phần %d", i)}}
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(fake, &recorder{}, st)
	// Each chat paced, a chat a lane or so: the lanes wait between sends,
	// so their connections lie idle together, as between a fan-out's
	// rounds, and the default two a host would close the others.
	cfg.ChatLimit = bot.RateLimit{Burst: 1, Every: 50 * time.Millisecond}
	z, _, _ := start(t, cfg)
	before := fake.Conns()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{zalo.Platform: z}, Log: slog.New(slog.DiscardHandler), Workers: workers}
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
	// The long poll keeps one of its own, and a lane that calls again
	// before its last reply's connection is back in the pool may dial
	// anew: at most twice the lanes, where the default two a host dial for
	// most of the sends (153 of 200 measured).
	t.Logf("opened %d", fake.Conns()-before)
	if opened := fake.Conns() - before; opened > 2*workers {
		t.Errorf("%d sends opened %d connections, want at most twice the %d lanes'", chats*each, opened, workers)
	}
}
