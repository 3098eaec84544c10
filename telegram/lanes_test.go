package telegram_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// slowHandler blocks on the texts in slow until released, and records the
// order in which each chat's updates were handled.
type slowHandler struct {
	mu      sync.Mutex
	slow    map[string]chan struct{}
	started chan string
	handled []string
	fail    error // returned by a released slow update, as a crash would leave it
}

func (h *slowHandler) Handle(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
	h.mu.Lock()
	release, slow := h.slow[in.Text]
	h.mu.Unlock()
	if slow {
		h.started <- in.Text
		select {
		case <-release:
		case <-ctx.Done():
			return bot.Ack{}, ctx.Err()
		}
		if h.fail != nil {
			return bot.Ack{}, h.fail
		}
	}
	h.mu.Lock()
	h.handled = append(h.handled, string(in.Chat)+" "+in.Text)
	h.mu.Unlock()
	return bot.Ack{}, nil
}

func (h *slowHandler) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.handled...)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not in 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func inboxLen(t *testing.T, st bot.Store) int {
	n := 0
	st.View(func(tx bot.Tx) error {
		return tx.Inbox(func(string, []byte, time.Time) error { n++; return nil })
	})
	return n
}

// Ensure a chat whose update takes long (an area import, a backup) holds
// back neither the next poll nor anyone else's answers: its update is kept
// in the inbox, the batch confirmed, other chats' later updates handled at
// once, and the slow chat's later updates after its slow one, in order.
func TestSlowChatHoldsBackNobody(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	release := make(chan struct{})
	h := &slowHandler{slow: map[string]chan struct{}{"nhập địa bàn": release}, started: make(chan string, 1)}
	st := openStore(t)
	lan, minh := fakeapi.User{ID: 5, FirstName: "Lan"}, fakeapi.User{ID: 6, FirstName: "Minh"}
	fake.SendText(lan, "nhập địa bàn")
	fake.SendText(minh, "một")
	start(t, fake, h, st, nil)
	<-h.started
	// Minh's next answers come in later polls, while Lan's import runs.
	for _, text := range []string{"hai", "ba"} {
		fake.SendText(minh, text)
	}
	fake.SendText(lan, "sau đó")
	waitUntil(t, "Minh's answers while Lan's import runs", func() bool { return len(h.got()) >= 3 })
	if got := h.got(); got[0] != "telegram:6 một" || got[1] != "telegram:6 hai" || got[2] != "telegram:6 ba" {
		t.Errorf("handled %q", got)
	}
	// Lan's import and Lan's next answer, which waits behind it, are kept;
	// every batch is confirmed.
	waitUntil(t, "Lan's two updates kept and the batches confirmed", func() bool { return inboxLen(t, st) == 2 && fake.Unconfirmed() == 0 })
	close(release)
	waitUntil(t, "Lan's updates", func() bool { return len(h.got()) == 5 })
	if got := h.got(); got[3] != "telegram:5 nhập địa bàn" || got[4] != "telegram:5 sau đó" {
		t.Errorf("Lan's updates handled as %q", got[3:])
	}
	waitUntil(t, "the inbox emptied", func() bool { return inboxLen(t, st) == 0 })
}

// Ensure an update kept in the inbox and not committed when the bot stops
// (a crash in the middle of a slow import) is handled on the next start,
// once, though Telegram was told it was received.
func TestKeptUpdateSurvivesRestart(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	st := openStore(t)
	release := make(chan struct{})
	h := &slowHandler{slow: map[string]chan struct{}{"sao lưu": release}, started: make(chan string, 1), fail: errors.New("store closed")}
	lan := fakeapi.User{ID: 5, FirstName: "Lan"}
	fake.SendText(lan, "sao lưu")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), PollTimeout: 2 * time.Second,
		Handler: h, Store: st, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	b, err := telegram.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	<-h.started
	waitUntil(t, "the batch confirmed with the update kept", func() bool { return fake.Unconfirmed() == 0 && inboxLen(t, st) == 1 })
	cancel() // the handler returns an error: nothing committed
	<-done
	if n := inboxLen(t, st); n != 1 {
		t.Fatalf("%d updates in the inbox after the stop, want the one in hand", n)
	}

	again := &slowHandler{started: make(chan string, 1)}
	start(t, fake, again, st, nil)
	waitUntil(t, "the kept update handled after the restart", func() bool { return len(again.got()) == 1 })
	waitUntil(t, "the inbox emptied", func() bool { return inboxLen(t, st) == 0 })
	time.Sleep(100 * time.Millisecond) // a second handling would be on its way
	if got := again.got(); len(got) != 1 || got[0] != "telegram:5 sao lưu" {
		t.Errorf("after the restart handled %q", got)
	}
}
