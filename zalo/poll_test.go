package zalo_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/zalo"
	"github.com/totuquan/totuquan/zalo/fakeapi"
)

// sleeps records the adapter's waits and returns at once.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// Ensure an idle long poll, Zalo's error 408 with HTTP status 408 or 200,
// is no failure: the next poll follows at once, with no wait and nothing
// logged above debug, and an update after idle polls arrives.
func TestIdlePolls(t *testing.T) {
	for _, status := range []int{http.StatusRequestTimeout, http.StatusOK} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakeapi.Options{IdleStatus: status})
			var buf syncBuffer
			w := &sleeps{}
			rec := &recorder{}
			cfg := config(fake, rec, openStore(t))
			cfg.PollTimeout, cfg.Sleep, cfg.MediaDir = time.Second, w.sleep, t.TempDir()
			cfg.Log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
			start(t, cfg)
			eventually(t, "two idle polls", func() bool { return fake.Calls("getUpdates") >= 3 })
			fake.SendText(userOf("lan"), "sau hai lần chờ")
			eventually(t, "the update", func() bool { return len(rec.all()) == 1 })
			if got := w.all(); len(got) != 0 {
				t.Errorf("idle polls made the adapter wait %v", got)
			}
			if log := buf.String(); log != "" {
				t.Errorf("idle polls logged:\n%s", log)
			}
		})
	}
}

// Ensure a failing poll backs off: 5xx, a dropped connection and a
// garbage reply each wait longer, up to MaxBackoff; 429 waits a pause (at
// least a second); and polling then goes on and hands the update on.
func TestPollBackoff(t *testing.T) {
	fake := newFake(t, fakeapi.Options{ErrorsAsOK: true})
	w := &sleeps{}
	rec := &recorder{}
	cfg := config(fake, rec, openStore(t))
	cfg.Sleep = w.sleep
	for _, status := range []int{500, 502} {
		fake.FailNext("getUpdates", status)
	}
	fake.DropNext("getUpdates")
	fake.GarbageNext("getUpdates")
	fake.FailNext("getUpdates", 429)
	fake.SendText(userOf("lan"), "sau các lỗi")
	start(t, cfg)
	eventually(t, "the update", func() bool { return len(rec.all()) == 1 })
	ms := time.Millisecond
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 50 * ms, time.Second}
	if got := w.all(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

// Ensure a refused token (401, with HTTP status 401 or 200) stops Run
// with an error, rather than polling on.
func TestPollUnauthorizedStops(t *testing.T) {
	for _, asOK := range []bool{false, true} {
		fake := newFake(t, fakeapi.Options{ErrorsAsOK: asOK})
		w := &sleeps{}
		cfg := config(fake, &recorder{}, openStore(t))
		cfg.Sleep = w.sleep
		fake.FailNext("getUpdates", 500)
		fake.FailNext("getUpdates", 401)
		_, _, done := start(t, cfg)
		select {
		case err := <-done:
			if !errors.Is(err, zalo.ErrUnauthorized) {
				t.Errorf("Run stopped with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run polls on after a 401")
		}
		if n := fake.Calls("getUpdates"); n != 2 {
			t.Errorf("%d polls, want 2", n)
		}
	}
}

// Ensure a bad configuration is refused before anything is called.
func TestConfigRefused(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	for name, mod := range map[string]func(*zalo.Config){
		"NoToken":         func(c *zalo.Config) { c.Token = "" },
		"NoStore":         func(c *zalo.Config) { c.Store = nil },
		"BadMode":         func(c *zalo.Config) { c.Mode = "push" },
		"WebhookNoSecret": func(c *zalo.Config) { c.Mode = zalo.ModeWebhook },
		"WebhookShortOne": func(c *zalo.Config) { c.Mode, c.WebhookSecret = zalo.ModeWebhook, "short" },
		"WebhookLongOne":  func(c *zalo.Config) { c.Mode, c.WebhookSecret = zalo.ModeWebhook, string(make([]byte, 257)) },
	} {
		cfg := config(fake, &recorder{}, st)
		mod(&cfg)
		if _, err := zalo.New(context.Background(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := fake.Calls("getMe"); n != 0 {
		t.Errorf("getMe called %d times", n)
	}
}

// Ensure the bot's links and limits: a chat link from getMe's
// account_name for printed invites, no join link (a code is typed), the
// configured overall rate and a modest rate per chat.
func TestLinksAndLimits(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	cfg := config(fake, &recorder{}, openStore(t))
	cfg.PerSecond = 8
	z, err := zalo.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if z.ChatLink() != "https://zalo.me/bot.TotuQuanTest" || z.JoinLink("k7qm2xpahn4d") != "" || z.ID() != fake.BotID() {
		t.Errorf("links: %q %q, id %q", z.ChatLink(), z.JoinLink("k7qm2xpahn4d"), z.ID())
	}
	if zalo.ChatLink("") != "" {
		t.Error("a chat link without an account name")
	}
	if lim := z.ChatLimit("zalo:6ede9afa"); z.PerSecond() != 8 || lim.Burst < 1 || lim.Every < 500*time.Millisecond {
		t.Errorf("limits: %v a second, %+v per chat", z.PerSecond(), lim)
	}
}
