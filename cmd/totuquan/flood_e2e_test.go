package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// telegramLimits are Telegram's published send limits, enforced by the
// fake server: 30 messages a second overall, a chat a burst then one a
// second.
var telegramLimits = fakeapi.Limits{PerSecond: 30, ChatBurst: 3, ChatEvery: time.Second}

// timed performs act and waits for the bot's next message to u, returning
// how long it took.
func (u *user) timed(act func()) time.Duration {
	u.e.t.Helper()
	before := u.e.fake.BotCount(u.u.ID)
	start := time.Now()
	act()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := u.e.fake.WaitFor(ctx, func() bool { return u.e.fake.BotCount(u.u.ID) > before }); err != nil {
		u.e.t.Fatalf("no answer to %s within a minute: %v", u.u.FirstName, err)
	}
	return time.Since(start)
}

// Ensure that a registered leader flooding the bot and a crowd of
// strangers together, with Telegram's send limits on, do not hold back
// another leader's replies or an urgent alert by more than a few seconds;
// that the flooder is limited and told once; and that each stranger gets
// one answer.
func TestFloodDoesNotHoldOthersBack(t *testing.T) {
	limits := telegramLimits
	e := newEnvWith(t, fakeapi.Options{Limits: &limits}, 30)
	// The defaults but a burst of 15: the leader's 13 messages pass (the
	// test's clock stands still, so no allowance comes back), and the
	// flooder's allowed replies drain in seconds at one a second.
	e.limits = "limits:\n  burst: 15\n"
	e.writeConfig("info")
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	cong := e.user(601, "Công").say("/start " + police)
	hoaBefore := e.fake.BotCount(hoa.u.ID)

	// 300 messages from a leader at once, and 40 strangers writing 3 each.
	for i := range 300 {
		e.fake.SendText(hoa.u, fmt.Sprintf("tin số %d", i))
	}
	var strangers []*user
	for i := range 40 {
		s := e.user(int64(10000+i), "Khách")
		strangers = append(strangers, s)
		for j := range 3 {
			e.fake.SendText(s.u, fmt.Sprintf("xin chào %d", j))
		}
	}

	var worst time.Duration
	say := func(text string) {
		worst = max(worst, lan.timed(func() { e.fake.SendText(lan.u, text) }))
	}
	press := func(label string) {
		worst = max(worst, lan.timed(func() {
			if _, err := e.fake.PressLabel(lan.u, label); err != nil {
				t.Fatal(err)
			}
		}))
	}
	say("/baocao")
	press("An ninh trật tự")
	press("Trộm cắp tài sản")
	press("Hôm qua")
	say("21:30")
	say("Ngõ 3, xóm Bãi")
	say("Mất trộm một xe máy.")
	say("2")
	press("Đã báo công an")
	press("Khẩn cấp")
	press("Xong")
	alert := cong.timed(func() { press("Gửi") })
	if !strings.Contains(lan.last(), "AN-2026-000001") {
		t.Errorf("the last reply to the leader is %q, want the receipt", lan.last())
	}
	t.Logf("slowest reply to the leader: %v; the alert reached the police in %v", worst, alert)
	if worst > 3*time.Second || alert > 3*time.Second {
		t.Errorf("a reply took %v and the alert %v under the flood, want at most 3s each", worst, alert)
	}

	waitFor(t, e, "one answer to each stranger", func() bool {
		for _, s := range strangers {
			if e.fake.BotCount(s.u.ID) < 1 {
				return false
			}
		}
		return true
	})
	for _, s := range strangers {
		if n := e.fake.BotCount(s.u.ID); n != 1 {
			t.Errorf("stranger %d got %d answers, want 1", s.u.ID, n)
		}
	}
	told := func() (n int) {
		for _, m := range e.fake.BotMessages(hoa.u.ID) {
			if strings.Contains(m.Text, "gửi nhanh quá") {
				n++
			}
		}
		return n
	}
	waitFor(t, e, "the flooder told to slow down", func() bool { return told() > 0 })
	e.settle()
	// Joining took one of the 15.
	if got := e.fake.BotCount(hoa.u.ID) - hoaBefore; told() != 1 || got != 15 {
		t.Errorf("the flooder got %d messages, %d of them saying to slow down; want 14 answers and one", got, told())
	}
}
