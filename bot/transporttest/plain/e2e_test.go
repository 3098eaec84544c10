package plain_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest/plain"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
)

// Ensure the real dispatcher, flows, store and sender run over a platform
// without buttons: a leader starts a report, answers its menus by number,
// and cancels it.
func TestDispatcherOverPlain(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lan := plain.Address("lan")
	st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas([]bot.Area{{Code: "G1", Name: "Tổ 1", Level: "to"}}); err != nil {
			return err
		}
		return tx.PutUser(bot.User{Address: lan, Name: "Lan", Role: bot.RoleLeader, Group: "G1", CreatedAt: time.Now()})
	})
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	log := slog.New(slog.DiscardHandler)
	sender := &bot.Sender{Store: st, Log: log}
	d := &bot.Dispatcher{Store: st, Flows: flows.New(loc, 2*time.Hour), Lang: "vi", Location: loc, Now: time.Now, Log: log, Notify: sender.Notify}
	p := plain.New(d, nil)
	sender.Transports = map[string]bot.Transport{plain.Name: p}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	p.Settle = func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			var items []bot.OutboxItem
			st.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(10, 10); return })
			if len(items) == 0 {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Error("the outbox was not drained")
	}

	say := func(text string) string {
		t.Helper()
		if err := p.Say("lan", text); err != nil {
			t.Fatal(err)
		}
		return p.Last("lan")
	}
	kinds := say("/baocao")
	if !strings.Contains(kinds, "\n1. ") || !strings.Contains(kinds, "\n3. ") {
		t.Fatalf("the report menu is not numbered: %q", kinds)
	}
	first := say("1")
	if first == kinds || !strings.Contains(first, "\n1. ") {
		t.Fatalf("picking 1 gave %q", first)
	}
	say("/huy")
	var session bool
	st.View(func(tx bot.Tx) error {
		_, err := tx.Session(lan)
		session = !bot.IsNotFound(err)
		return nil
	})
	if session {
		t.Errorf("after /huy a session is left; the bot said %q", p.Last("lan"))
	}
}
