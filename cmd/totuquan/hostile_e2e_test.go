package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
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
// presses a label, then waits for the bot's next message to the leader,
// and returns how long that took.
func converse(t *testing.T, fake *fakeapi.Server, u fakeapi.User, text, press string) (time.Duration, error) {
	before := fake.BotCount(u.ID)
	start := time.Now()
	if press != "" {
		if _, err := fake.PressLabel(u, press); err != nil {
			return 0, fmt.Errorf("%s: %w", u.FirstName, err)
		}
	} else {
		fake.SendText(u, text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return fake.BotCount(u.ID) > before }); err != nil {
		return 0, fmt.Errorf("%s: no answer to %q%q: %w", u.FirstName, text, press, err)
	}
	return time.Since(start), nil
}

var hostileUpdates = flag.Int("hostile.updates", 1000, "hostile updates TestHostileStream sends beside the leaders (10000 for the full proof)")

// Ensure that a mixed stream of hostile updates (texts at and far over the
// length limits, control characters, lone surrogates, RTL marks, forged and
// oversize button data, presses on other people's messages, undecodable
// updates and unexpected kinds, commands for other bots, bots as senders,
// service messages, group chats, strangers, a flooding leader) stops
// nobody: every legitimate leader's reports complete, nothing is stored for
// strangers, the group gets at most a pointer, the flooder is held to the
// limits. The leaders' reply latency is measured with and without the
// hostile stream, and printed (RELIABILITY.md).
func TestHostileStream(t *testing.T) {
	// Both runs spread the leaders' answers over the time the hostile
	// updates take to send, two milliseconds apart.
	span := time.Duration(*hostileUpdates) * 2 * time.Millisecond
	quiet := hostileRun(t, 0, span)
	loud := hostileRun(t, *hostileUpdates, span)
	ratio := float64(loud.p99) / float64(max(quiet.p99, time.Millisecond))
	t.Logf("hostile stream: %d hostile updates beside %d leaders (%d answers each run): reply p50/p99/max %v/%v/%v without, %v/%v/%v with (p99 ×%.2f); flooder answered %d times for %d messages; heap %.1f MB after, store %.1f MB",
		*hostileUpdates, hostileLeaders, loud.answers, quiet.p50, quiet.p99, quiet.max, loud.p50, loud.p99, loud.max, ratio,
		loud.flooderAnswers, loud.flooded, float64(loud.heap)/(1<<20), float64(loud.storeSize)/(1<<20))
}

const hostileLeaders = 20

type hostileResult struct {
	answers, flooderAnswers, flooded int
	p50, p99, max                    time.Duration
	heap                             uint64
	storeSize                        int64
}

// hostileRun has the leaders complete two reports each, spread over span,
// while n hostile updates are sent, and checks what must hold whatever
// they were.
func hostileRun(t *testing.T, n int, span time.Duration) hostileResult {
	t.Helper()
	e := newEnv(t)
	e.limits = "" // the defaults: the flooder is limited
	e.writeConfig("info")
	code, _ := e.invite("-group", "PT-TL-XB-T1", "-uses", "20")
	flooderCode, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	var us []fakeapi.User
	for i := range hostileLeaders {
		u := e.user(int64(2000+i), fmt.Sprintf("Tổ trưởng %d", i))
		u.say("/start " + code).expect("Chào")
		us = append(us, u.u)
	}
	flooder := e.user(3000, "Hùng").say("/start " + flooderCode)
	group := fakeapi.Chat{ID: -4001, Type: "group", Title: "Xóm Bãi"}
	otherBot := fakeapi.User{ID: 4000, FirstName: "Spam", Username: "spam_bot"}
	stranger := func(i int) fakeapi.User { return fakeapi.User{ID: int64(5000 + i%50), FirstName: "Khách"} }
	neighbour := func(i int) fakeapi.User { return fakeapi.User{ID: int64(8000 + i%30), FirstName: "Hàng xóm"} }
	rawText := func(from int64, text string) string {
		return fmt.Sprintf(`{"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private","first_name":"K"},"from":{"id":%d,"is_bot":false,"first_name":"K"},"text":%s}}`,
			900000+from, time.Now().Unix(), from, from, text)
	}
	huge, _ := json.Marshal(strings.Repeat("Ừ ", 50000)) // 100,000 characters: Telegram would never send it
	flooded := 0

	var hostile sync.WaitGroup
	hostile.Go(func() {
		r := rand.New(rand.NewPCG(1, 2))
		emoji := strings.Repeat("🚨", 2100)
		kinds := []func(i int){
			func(i int) { e.fake.SendText(flooder.u, "tin "+fmt.Sprint(i)); flooded++ },
			func(i int) { e.fake.SendText(stranger(i), "/baocao") },
			func(i int) { e.fake.SendText(stranger(i), emoji) },
			func(i int) { e.fake.SendText(flooder.u, "/baocao@otherbot") },
			func(i int) { e.fake.SendFromBot(group, otherBot, "/vuviec") },
			func(i int) { e.fake.SendFromBot(fakeapi.Private(otherBot), otherBot, "/start "+code) },
			func(i int) { e.fake.SendGroupText(group, neighbour(i), "/vuviec") },
			func(i int) { e.fake.SendGroupText(group, neighbour(i), "xin chào cả xóm") },
			func(i int) {
				e.fake.SendService(group, neighbour(i), "new_chat_members", []fakeapi.User{{ID: 7000, FirstName: "Mới"}})
			},
			func(i int) { e.fake.InjectRaw(`{"message":{"message_id":"x","date":"yesterday"}}`) },
			func(i int) { e.fake.InjectRaw(`{"poll":{"id":"p1","question":"?","options":[]}}`) },
			func(i int) {
				e.fake.Press(fakeapi.User{ID: int64(6000 + i%20), FirstName: "Lạ"}, 1, strings.Repeat("a:ack:", 20))
			},
			func(i int) { e.fake.SendText(stranger(i), "\u202e\u0000\x07"+strings.Repeat("x", 4000)) },
			func(i int) { e.fake.InjectRaw(rawText(int64(5000+i%50), string(huge))) },
			func(i int) { e.fake.InjectRaw(rawText(int64(5000+i%50), `"\ud800 lẻ \udfff \u202e đảo"`)) },
			// A stranger presses the buttons under a leader's question.
			func(i int) {
				if m, ok := e.fake.LastWithButtons(us[i%hostileLeaders].ID); ok && len(m.Buttons) > 0 {
					e.fake.PressIn(fakeapi.Private(us[i%hostileLeaders]), stranger(i), m.ID, m.Buttons[0][0].CallbackData)
				}
			},
			// The flooder forges button data: another session's, and far
			// over Telegram's 64 bytes.
			func(i int) { e.fake.Press(flooder.u, 1, "9999|v:theft"); flooded++ },
			func(i int) { e.fake.Press(flooder.u, 1, strings.Repeat("9|v:", 300)); flooded++ },
		}
		for i := range n {
			kinds[r.IntN(len(kinds))](i)
			time.Sleep(2 * time.Millisecond) // spread over the leaders' conversations
		}
	})

	const reports = 2
	steps := func(desc string) []struct{ text, press string } {
		return []struct{ text, press string }{
			{"/baocao", ""}, {"", "An ninh trật tự"}, {"", "Trộm cắp tài sản"}, {"", "Hôm qua"},
			{"21:30", ""}, {"Ngõ 3, xóm Bãi " + strings.Repeat("🏠", 90), ""}, {desc, ""}, {"2", ""},
			{"", "Đã báo công an"}, {"", "Không khẩn cấp"}, {"", "Xong"}, {"", "Gửi"},
		}
	}
	desc := "Mất trộm xe máy " + strings.Repeat("😢", 990) // 2,000 UTF-16 units with the words
	// The leaders think between answers, so that their reports span the
	// hostile stream.
	think := span / time.Duration(reports*len(steps(desc)))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		lats []time.Duration
	)
	errs := make(chan error, hostileLeaders)
	for li, u := range us {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(li), 7))
			for range reports {
				for _, s := range steps(desc) {
					if think > 0 {
						time.Sleep(time.Duration(r.Int64N(int64(2 * think))))
					}
					d, err := converse(t, e.fake, u, s.text, s.press)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					lats = append(lats, d)
					mu.Unlock()
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
	res := hostileResult{answers: len(lats), flooded: flooded, flooderAnswers: len(e.fake.BotMessages(flooder.u.ID)) - 1}
	slices.Sort(lats)
	if len(lats) > 0 {
		res.p50, res.p99, res.max = lats[len(lats)/2], lats[len(lats)*99/100], lats[len(lats)-1]
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.heap = ms.HeapAlloc
	e.stop()
	if fi, err := os.Stat(filepath.Join(e.dir, "bot.db")); err == nil {
		res.storeSize = fi.Size()
	}

	recs := e.exportJSON()
	byReporter := map[string]int{}
	for _, r := range recs {
		byReporter[r["reporter"].(string)]++
	}
	for _, u := range us {
		if n := byReporter[fmt.Sprintf("telegram:%d", u.ID)]; n != reports {
			t.Errorf("%s has %d reports, want %d", u.FirstName, n, reports)
		}
	}
	if len(recs) != hostileLeaders*reports {
		t.Errorf("%d reports stored, want %d", len(recs), hostileLeaders*reports)
	}
	st, err := store.Open(filepath.Join(e.dir, "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.View(func(tx bot.Tx) error {
		users, _ := tx.Users()
		if len(users) != hostileLeaders+1 {
			t.Errorf("%d users stored, want the %d leaders", len(users), hostileLeaders+1)
		}
		return tx.Sessions(func(s bot.Session) error {
			if s.Chat.ID() == "-4001" {
				t.Error("a session was kept for the group chat")
			}
			if id, _ := strconv.Atoi(s.Chat.ID()); id >= 5000 && id < 7000 {
				t.Errorf("a session was kept for a stranger: %s", s.Chat)
			}
			return nil
		})
	})
	if got := e.fake.BotMessages(group.ID); len(got) > 1 {
		t.Errorf("the group got %d messages, want at most one pointer; the first two: %q, %q", len(got), got[0].Text, got[1].Text)
	}
	// The test's clock stands still, so the flooder's budget never
	// refills: past the burst, a notice at most.
	if res.flooderAnswers > 30+2 {
		t.Errorf("the flooder got %d answers to %d messages: not held to the limits", res.flooderAnswers, flooded)
	}
	if strings.Contains(e.stderr.String(), "panic") {
		t.Error("a panic was logged")
	}
	return res
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

// Ensure a press on a leader's buttons by anyone else (which Telegram does
// not send for a private chat, but an update can claim) is refused with a
// notice: nothing reaches the leader's chat, the conversation stands, and
// the leader's own limits are untouched.
func TestPressOnAnotherPersonsButtons(t *testing.T) {
	e := newEnv(t)
	e.limits = "" // the defaults: the leader's chat has a budget to wear down
	e.writeConfig("info")
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").expect("Anh/chị muốn báo cáo gì?")
	m, _ := e.fake.LastWithButtons(lan.u.ID)
	n := len(e.fake.BotMessages(lan.u.ID))
	for i := range 100 {
		e.fake.PressIn(fakeapi.Private(lan.u), fakeapi.User{ID: int64(9000 + i), FirstName: "Lạ"}, m.ID, m.Buttons[1][0].CallbackData)
		e.sent++
	}
	e.settle()
	if got := len(e.fake.BotMessages(lan.u.ID)); got != n {
		t.Errorf("the presses of others put %d messages in Lan's chat", got-n)
	}
	answers := e.fake.CallbackAnswers()
	if len(answers) < 100 || !strings.Contains(answers[len(answers)-1].Text, "không dành cho") {
		t.Errorf("the presses were answered %+v", answers[len(answers)-1])
	}
	lan.press("An ninh trật tự").expect("Loại vụ việc là gì?")
}
