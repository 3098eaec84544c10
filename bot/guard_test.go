package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Ensure housekeeping forgets idempotency keys once they can no longer
// match, and keeps newer ones.
func TestHousekeepingForgetsOldKeys(t *testing.T) {
	st := openStore(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	d.DraftExpiry = 30 * 24 * time.Hour
	enqueue := func() (ok bool) {
		st.Update(func(tx bot.Tx) (err error) {
			ok, err = tx.Enqueue(bot.Outbound{Chat: "telegram:1", Key: "summary:2026-W40:telegram:1", Reply: bot.Reply{Text: "x"}})
			return
		})
		return
	}
	if !enqueue() || enqueue() {
		t.Fatal("a key was not kept")
	}
	at := time.Now()
	d.Now = func() time.Time { return at.Add(30 * 24 * time.Hour) }
	d.Housekeeping(context.Background(), time.Time{})
	if enqueue() {
		t.Fatal("a 30-day-old key was forgotten")
	}
	d.Now = func() time.Time { return at.Add(91 * 24 * time.Hour) }
	d.Housekeeping(context.Background(), time.Time{})
	if !enqueue() {
		t.Fatal("a 91-day-old key was kept")
	}
}

// Ensure a sender over its limit is dropped before the store and told
// once a minute, others go on, and a stranger is answered once an hour.
func TestGuard(t *testing.T) {
	st := openStore(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	clock := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	d.Now = func() time.Time { return clock }
	d.Guard = &bot.Guard{PerSender: bot.RateLimit{Burst: 5, Every: time.Second}, PerChat: bot.RateLimit{Burst: 10, Every: time.Second},
		StrangerEvery: time.Hour, Now: func() time.Time { return clock }}
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "G", Name: "Tổ G", Level: "to"}})
		tx.PutUser(bot.User{Address: "telegram:5", Role: bot.RoleLeader, Group: "G"})
		return tx.PutUser(bot.User{Address: "telegram:6", Role: bot.RoleLeader, Group: "G"})
	})
	send := func(from bot.Address, text string, n int) {
		for i := range n {
			key := fmt.Sprintf("%s:%d:%d", from, clock.UnixNano(), i)
			if _, err := d.Handle(context.Background(), bot.Inbound{UpdateKey: key, Chat: from, From: from, Text: text}); err != nil {
				t.Fatal(err)
			}
		}
	}
	texts := func(chat bot.Address) (all []string) {
		for _, it := range pending(t, st) {
			if it.Msg.Chat == chat {
				all = append(all, it.Msg.Text)
			}
		}
		return all
	}
	send("telegram:5", "/trogiup", 50)
	got := texts("telegram:5")
	if len(got) != 6 || !strings.Contains(got[5], "gửi nhanh quá") {
		t.Errorf("a flooder got %d messages (%q), want 5 answers and one notice", len(got), got[len(got)-1])
	}
	send("telegram:6", "/trogiup", 1)
	if got := texts("telegram:6"); len(got) != 1 {
		t.Errorf("another leader got %d answers, want 1", len(got))
	}
	clock = clock.Add(2 * time.Second) // two more allowed, no new notice
	send("telegram:5", "/trogiup", 10)
	if got := texts("telegram:5"); len(got) != 8 {
		t.Errorf("after 2s the flooder has %d messages, want 8", len(got))
	}

	send("telegram:77", "xin chào", 5)
	if got := texts("telegram:77"); len(got) != 1 {
		t.Errorf("a stranger got %d answers, want 1", len(got))
	}
	clock = clock.Add(61 * time.Minute)
	send("telegram:77", "xin chào", 5)
	if got := texts("telegram:77"); len(got) != 2 {
		t.Errorf("after an hour a stranger has %d answers, want 2", len(got))
	}
	for _, it := range pending(t, st) {
		if it.Msg.Chat == "telegram:77" && !it.Msg.Bulk {
			t.Error("a stranger's answer is not behind the leaders' replies")
		}
	}
}

// Ensure nothing is shown or drafted in a group chat: a command gets a
// pointer to the private chat once an hour, other messages nothing, and
// no session is kept.
func TestGroupChat(t *testing.T) {
	st := openStore(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	d.Guard = &bot.Guard{StrangerEvery: time.Hour} // no rate limits: the group rule alone
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "G", Name: "Tổ G", Level: "to"}})
		return tx.PutUser(bot.User{Address: "telegram:5", Role: bot.RoleOfficial, Group: "G"})
	})
	group := bot.Address("telegram:-100")
	for i, text := range []string{"/vuviec", "/baocao", "xin chào", "/xuat"} {
		in := bot.Inbound{UpdateKey: fmt.Sprint("g", i), Chat: group, From: "telegram:5", Text: text, GroupChat: true}
		if _, err := d.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	items := pending(t, st)
	if len(items) != 1 || !strings.Contains(items[0].Msg.Text, "nhắn riêng") {
		t.Errorf("in a group the bot sent %+v, want one pointer to the private chat", items)
	}
	st.View(func(tx bot.Tx) error {
		if _, err := tx.Session(group); !bot.IsNotFound(err) {
			t.Errorf("a session was kept for the group: %v", err)
		}
		return nil
	})
}
