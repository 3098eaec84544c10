package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// converse plays one step of a leader's conversation without waiting for
// the rest of the bot to settle (others are talking too): it sends text or
// presses a label, then waits for the bot's next message to the leader.
func converse(t *testing.T, fake *fakeapi.Server, u fakeapi.User, text, press string) error {
	before := fake.BotCount(u.ID)
	if press != "" {
		if _, err := fake.PressLabel(u, press); err != nil {
			return fmt.Errorf("%s: %w", u.FirstName, err)
		}
	} else {
		fake.SendText(u, text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return fake.BotCount(u.ID) > before }); err != nil {
		return fmt.Errorf("%s: no answer to %q%q: %w", u.FirstName, text, press, err)
	}
	return nil
}

// Ensure that a mixed stream of hostile updates (emoji-heavy texts at the
// length limits, undecodable updates, commands for other bots, bots as
// senders, service messages, group chats, strangers, a flooding leader)
// stops nobody: every legitimate leader's report completes, nothing is
// stored for strangers, and the group gets at most a pointer.
func TestHostileStream(t *testing.T) {
	e := newEnv(t)
	e.limits = "" // the defaults: the flooder is limited
	e.writeConfig("info")
	code, _ := e.invite("-group", "PT-TL-XB-T1", "-uses", "20")
	flooderCode, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	const leaders = 20
	var us []fakeapi.User
	for i := range leaders {
		u := e.user(int64(2000+i), fmt.Sprintf("Tổ trưởng %d", i))
		u.say("/start " + code).expect("Chào")
		us = append(us, u.u)
	}
	flooder := e.user(3000, "Hùng").say("/start " + flooderCode)
	group := fakeapi.Chat{ID: -4001, Type: "group", Title: "Xóm Bãi"}
	otherBot := fakeapi.User{ID: 4000, FirstName: "Spam", Username: "spam_bot"}

	// 1,000 hostile updates of many kinds, sent while the leaders report.
	var hostile sync.WaitGroup
	hostile.Go(func() {
		r := rand.New(rand.NewPCG(1, 2))
		emoji := strings.Repeat("🚨", 2100)
		kinds := []func(i int){
			func(i int) { e.fake.SendText(flooder.u, "tin "+fmt.Sprint(i)) },
			func(i int) { e.fake.SendText(fakeapi.User{ID: int64(5000 + i%50), FirstName: "Khách"}, "/baocao") },
			func(i int) { e.fake.SendText(fakeapi.User{ID: int64(5000 + i%50), FirstName: "Khách"}, emoji) },
			func(i int) { e.fake.SendText(flooder.u, "/baocao@otherbot") },
			func(i int) { e.fake.SendFromBot(group, otherBot, "/vuviec") },
			func(i int) { e.fake.SendFromBot(fakeapi.Private(otherBot), otherBot, "/start "+code) },
			func(i int) { e.fake.SendGroupText(group, us[i%leaders], "/vuviec") },
			func(i int) { e.fake.SendGroupText(group, us[i%leaders], "xin chào cả xóm") },
			func(i int) {
				e.fake.SendService(group, us[i%leaders], "new_chat_members", []fakeapi.User{{ID: 7000, FirstName: "Mới"}})
			},
			func(i int) { e.fake.InjectRaw(`{"message":{"message_id":"x","date":"yesterday"}}`) },
			func(i int) { e.fake.InjectRaw(`{"poll":{"id":"p1","question":"?","options":[]}}`) },
			func(i int) {
				e.fake.Press(fakeapi.User{ID: int64(6000 + i%20), FirstName: "Lạ"}, 1, strings.Repeat("a:ack:", 20))
			},
			func(i int) {
				e.fake.SendText(fakeapi.User{ID: int64(5000 + i%50)}, "\u202e\u0000\x07"+strings.Repeat("x", 4000))
			},
		}
		for i := range 1000 {
			kinds[r.IntN(len(kinds))](i)
			time.Sleep(2 * time.Millisecond) // spread over the leaders' conversations

		}
	})

	var wg sync.WaitGroup
	errs := make(chan error, leaders)
	desc := "Mất trộm xe máy " + strings.Repeat("😢", 990) // 2,000 UTF-16 units with the words
	for _, u := range us {
		wg.Go(func() {
			steps := []struct{ text, press string }{
				{"/baocao", ""}, {"", "An ninh trật tự"}, {"", "Trộm cắp tài sản"}, {"", "Hôm qua"},
				{"21:30", ""}, {"Ngõ 3, xóm Bãi " + strings.Repeat("🏠", 90), ""}, {desc, ""}, {"2", ""},
				{"", "Đã báo công an"}, {"", "Không khẩn cấp"}, {"", "Xong"}, {"", "Gửi"},
			}
			for _, s := range steps {
				if err := converse(t, e.fake, u, s.text, s.press); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	hostile.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e.stop()

	recs := e.exportJSON()
	byReporter := map[string]int{}
	for _, r := range recs {
		byReporter[r["reporter"].(string)]++
	}
	for _, u := range us {
		if n := byReporter[fmt.Sprintf("telegram:%d", u.ID)]; n != 1 {
			t.Errorf("%s has %d reports, want 1", u.FirstName, n)
		}
	}
	if len(recs) != leaders {
		t.Errorf("%d reports stored, want %d", len(recs), leaders)
	}
	st, err := store.Open(filepath.Join(e.dir, "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.View(func(tx bot.Tx) error {
		users, _ := tx.Users()
		if len(users) != leaders+1 {
			t.Errorf("%d users stored, want the %d leaders", len(users), leaders+1)
		}
		return tx.Sessions(func(s bot.Session) error {
			if s.Chat.ID() == "-4001" {
				t.Error("a session was kept for the group chat")
			}
			return nil
		})
	})
	if got := e.fake.BotMessages(group.ID); len(got) > 1 {
		t.Errorf("the group got %d messages, want at most one pointer; the first two: %q, %q", len(got), got[0].Text, got[1].Text)
	}
	if strings.Contains(e.stderr.String(), "panic") {
		t.Error("a panic was logged")
	}
}

// Ensure an official's /vuviec in a group chat posts no case into the
// group, and a leader's /baocao there starts no shared draft.
func TestNothingInGroupChats(t *testing.T) {
	e := newEnv(t)
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	official, _ := e.invite("-official", "PT-TL", "-agency", "ubnd")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + official)
	lan.mediation("Nguyễn Văn Bình, 47 tuổi")
	group := fakeapi.Chat{ID: -1001234567890, Type: "supergroup", Title: "Xóm Bãi"}
	for _, m := range []struct {
		u    *user
		text string
	}{{cong, "/vuviec"}, {lan, "/baocao"}, {lan, "Hòa giải"}, {cong, "/xuat"}} {
		e.fake.SendGroupText(group, m.u.u, m.text)
		e.sent++
		e.settle()
	}
	got := e.fake.BotMessages(group.ID)
	if len(got) != 1 || !strings.Contains(got[0].Text, "nhắn riêng") {
		t.Fatalf("the group got %d messages, want one pointer to the private chat: %+v", len(got), got)
	}
	for _, m := range got {
		if strings.Contains(m.Text, "Bình") || m.Document != "" || len(m.Buttons) > 0 {
			t.Errorf("the group was shown %q", m.Text)
		}
	}
	// The private chat still works, and holds no draft from the group.
	lan.say("/baocao").expect("Anh/chị muốn báo cáo gì?")
}

// Ensure a report whose answers are all within their limits, counted as
// Telegram counts (UTF-16), can always be checked and sent: a mediation
// case with emoji-heavy answers makes a confirmation longer than one
// message, which arrives in parts with the buttons on the last.
func TestLongConfirmationIsSent(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").
		say("Ông A " + strings.Repeat("👴", 400)).
		say("Tranh chấp " + strings.Repeat("🌳", 2000)).expect("quá dài").
		say("Tranh chấp " + strings.Repeat("🌳", 990)).
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").
		say("Thỏa thuận " + strings.Repeat("🤝", 990)).
		say("Ghi chú " + strings.Repeat("📝", 490)).expect("Kiểm tra lại")
	msgs := e.fake.BotMessages(lan.u.ID)
	first := len(msgs) - 1 // the confirmation's first part
	for first > 0 && !strings.Contains(msgs[first].Text, "Kiểm tra lại") {
		first--
	}
	parts := msgs[first:]
	if len(parts) < 2 {
		t.Fatalf("the confirmation came in %d message(s), want it split", len(parts))
	}
	for _, p := range parts {
		if n := utf16Len(p.Text); n > 4096 {
			t.Errorf("a part of %d UTF-16 units", n)
		}
	}
	if len(parts[len(parts)-1].Buttons) == 0 {
		t.Error("the buttons are not on the last part")
	}
	lan.press("Gửi").expect("HG-2026-000001")
}

func utf16Len(s string) (n int) {
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
