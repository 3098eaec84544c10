package zalo_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/zalo"
)

// inboxEntry is one entry of the store's inbox.
type inboxEntry struct {
	key  string
	data []byte
	at   time.Time
}

func inbox(t *testing.T, st bot.Store) []inboxEntry {
	t.Helper()
	var out []inboxEntry
	err := st.View(func(tx bot.Tx) error {
		out = nil
		return tx.Inbox(func(key string, data []byte, at time.Time) error {
			out = append(out, inboxEntry{key, append([]byte(nil), data...), at})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// eventually waits up to ten seconds for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failing is a handler that fails every update, as a store that cannot
// write does, and counts the calls.
type failing struct{ calls atomic.Int32 }

func (f *failing) Handle(context.Context, bot.Inbound) (bot.Ack, error) {
	f.calls.Add(1)
	return bot.Ack{}, errors.New("the store cannot write")
}

// dispatcher is the real dispatcher over st, with a group G1 and the
// invite code k7qm2xpahn4d to join it.
func dispatcher(t *testing.T, st bot.Store) *bot.Dispatcher {
	t.Helper()
	now := time.Now()
	err := st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas([]bot.Area{{Code: "G1", Name: "Tổ 1", Level: "to"}}); err != nil {
			return err
		}
		return tx.PutInvite(bot.Invite{Code: "k7qm2xpahn4d", Group: "G1", Role: bot.RoleLeader, MaxUses: 5, ExpiresAt: now.Add(72 * time.Hour), CreatedAt: now, CreatedBy: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	return &bot.Dispatcher{Store: st, Flows: flows.New(loc, 2*time.Hour), Lang: "vi", Location: loc, Now: time.Now,
		Log: slog.New(slog.DiscardHandler), Platforms: []string{zalo.Platform}}
}

// outbox returns the texts queued for chat.
func outbox(t *testing.T, st bot.Store, chat bot.Address) []string {
	t.Helper()
	var items []bot.OutboxItem
	if err := st.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(500, 500); return }); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		if it.Msg.Chat == chat {
			out = append(out, it.Msg.Text)
		}
	}
	return out
}

// Ensure an update read from Zalo (and so gone from its queue) survives a
// stop before it was handled, and is applied exactly once: a stranger
// types an invite code, the handler fails and the bot stops; on restart
// over the same store the dispatcher applies it (she joins, and is
// answered once); and when a crash comes after the commit but before the
// inbox entry is deleted, the replay changes nothing.
func TestKillBetweenReadAndHandle(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	d := dispatcher(t, st)
	mai := userOf("mai")
	maiAddr := bot.NewAddress(zalo.Platform, mai.ID)
	fake.SendText(mai, "K7QM 2XPA HN4D")

	f := &failing{}
	_, stop, _ := start(t, config(fake, f, st))
	eventually(t, "the handler's first call", func() bool { return f.calls.Load() > 0 })
	stop()
	left := inbox(t, st)
	if fake.Pending() != 0 || len(left) != 1 || !strings.HasPrefix(left[0].key, "zalo:m:") {
		t.Fatalf("after the failure: %d pending on Zalo, inbox %+v", fake.Pending(), left)
	}
	registered := func() bool {
		var err error
		st.View(func(tx bot.Tx) error { _, err = tx.User(maiAddr); return nil })
		return err == nil
	}
	if registered() {
		t.Fatal("she joined although the handler failed")
	}

	_, stop, _ = start(t, config(fake, d, st))
	eventually(t, "the replay", func() bool { return registered() && len(inbox(t, st)) == 0 })
	stop()
	answers := outbox(t, st, maiAddr)
	var seen bool
	st.View(func(tx bot.Tx) (err error) { seen, err = tx.Seen(left[0].key); return })
	if len(answers) == 0 || !seen {
		t.Fatalf("after the replay: answers %q, seen %v", answers, seen)
	}

	// The commit happened, the deletion did not: the entry comes back.
	st.Update(func(tx bot.Tx) error { return tx.PutInbox(left[0].key, left[0].data, left[0].at) })
	_, stop, _ = start(t, config(fake, d, st))
	eventually(t, "the second replay", func() bool { return len(inbox(t, st)) == 0 })
	stop()
	var inv bot.Invite
	st.View(func(tx bot.Tx) (err error) { inv, err = tx.Invite("k7qm2xpahn4d"); return })
	if again := outbox(t, st, maiAddr); len(again) != len(answers) || inv.Uses != 1 {
		t.Errorf("a replay of an applied update changed things: answers %q then %q, invite used %d times", answers, again, inv.Uses)
	}
}

// Ensure a bot stopped while it downloads a photo hands nothing on and
// keeps the update; on restart it downloads the photo and hands the
// update on once, with the stored file.
func TestStopDuringDownload(t *testing.T) {
	var (
		hang    atomic.Bool
		started = make(chan struct{}, 10)
	)
	hang.Store(true)
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		if hang.Load() {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpeg)
	}))
	defer img.Close()
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	media := filepath.Join(t.TempDir(), "media")
	rec := &recorder{}
	cfg := config(fake, rec, st)
	cfg.MediaDir = media
	hoa := userOf("hoa")
	fake.SendImage(hoa, img.URL+"/anh.jpg", "Hiện trường")

	_, stop, _ := start(t, cfg)
	<-started
	stop()
	if got := rec.all(); len(got) != 0 || len(inbox(t, st)) != 1 {
		t.Fatalf("stopped during the download: handed on %+v, inbox %d", got, len(inbox(t, st)))
	}

	hang.Store(false)
	start(t, cfg)
	fake.SendText(hoa, "sau cùng")
	eventually(t, "both updates", func() bool { return len(rec.all()) >= 2 })
	got := rec.all()
	if len(got) != 2 || !strings.HasPrefix(got[0].Photo, media) || got[0].Text != "Hiện trường" || got[1].Text != "sau cùng" {
		t.Errorf("after the restart the handler got %+v", got)
	}
}

// recorder records what it is handed.
type recorder struct {
	mu  sync.Mutex
	got []bot.Inbound
}

func (r *recorder) Handle(_ context.Context, in bot.Inbound) (bot.Ack, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
	return bot.Ack{}, nil
}

func (r *recorder) all() []bot.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Inbound(nil), r.got...)
}

// applier applies each update once, as the dispatcher does, with a
// de-duplication mark in the store, and counts calls and applications.
type applier struct {
	st      bot.Store
	mu      sync.Mutex
	calls   int
	applied []bot.Inbound
}

func (a *applier) Handle(_ context.Context, in bot.Inbound) (bot.Ack, error) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	return bot.Ack{}, a.st.Update(func(tx bot.Tx) error {
		seen, err := tx.Seen(in.UpdateKey)
		if err != nil || seen {
			return err
		}
		a.mu.Lock()
		a.applied = append(a.applied, in)
		a.mu.Unlock()
		return tx.MarkSeen(in.UpdateKey, time.Now())
	})
}

func (a *applier) count() (calls, applied int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls, len(a.applied)
}

// Ensure de-duplication marks older than a week are forgotten once the
// inbox is empty, and younger ones kept.
func TestOldMarksForgotten(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	now := time.Now()
	st.Update(func(tx bot.Tx) error {
		if err := tx.MarkSeen("zalo:m:old:text", now.Add(-8*24*time.Hour)); err != nil {
			return err
		}
		return tx.MarkSeen("zalo:m:new:text", now.Add(-24*time.Hour))
	})
	seen := func(key string) bool {
		var ok bool
		st.View(func(tx bot.Tx) (err error) { ok, err = tx.Seen(key); return })
		return ok
	}
	start(t, config(fake, &recorder{}, st))
	eventually(t, "the old mark forgotten", func() bool { return !seen("zalo:m:old:text") })
	if !seen("zalo:m:new:text") {
		t.Error("a mark of yesterday was forgotten")
	}
}

// Ensure the adapter leaves alone what another platform keeps in the inbox
// they share: the Telegram adapter keeps there the updates of a slow chat.
func TestInboxSharedWithOtherPlatforms(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	const key = "telegram:00000000000000000042"
	if err := st.Update(func(tx bot.Tx) error {
		return tx.PutInbox(key, []byte(`{"update_id":42,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"x"}}`), time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	start(t, config(fake, rec, st))
	fake.SendText(userOf("lan"), "xin chào")
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := rec.all(); len(got) != 1 || got[0].Text != "xin chào" {
		t.Fatalf("handled %+v", got)
	}
	found := false
	st.View(func(tx bot.Tx) error {
		return tx.Inbox(func(k string, _ []byte, _ time.Time) error { found = found || k == key; return nil })
	})
	if !found {
		t.Error("the Zalo adapter took another platform's update out of the inbox")
	}
}
