package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

// drain takes every message out of the outbox, by chat.
func drain(t *testing.T, st bot.Store) map[bot.Address][]bot.Outbound {
	t.Helper()
	out := map[bot.Address][]bot.Outbound{}
	for {
		items := pending(t, st)
		if len(items) == 0 {
			return out
		}
		var ids []uint64
		for _, it := range items {
			out[it.Msg.Chat] = append(out[it.Msg.Chat], it.Msg)
			ids = append(ids, it.ID)
		}
		st.Update(func(tx bot.Tx) error { return tx.Delivered(ids...) })
	}
}

func texts(ms []bot.Outbound) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
		for _, c := range m.Flat() {
			b.WriteString("[" + c.Label + "]\n")
		}
	}
	return b.String()
}

// Ensure a person linked on two platforms is one person: a report sent
// from either is theirs, listed and corrected from the other, counted
// once under one name, and messages for them go to the address they last
// wrote from or the one they chose.
func TestPersonOnTwoPlatforms(t *testing.T) {
	st := openStore(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	d.Platforms = []string{"telegram", "plain"}
	clock := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	d.Now = func() time.Time { return clock }
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "X", Name: "Xã X", Level: "xa"}, {Code: "X-T1", Name: "Tổ 1", Level: "to", Parent: "X"}})
		tx.PutInvite(bot.Invite{Code: "lead", Group: "X-T1", Role: bot.RoleLeader, MaxUses: 1, ExpiresAt: clock.Add(time.Hour)})
		return tx.PutInvite(bot.Invite{Code: "pol", Group: "X", Role: bot.RoleOfficial, Agency: "police", MaxUses: 1, ExpiresAt: clock.Add(time.Hour)})
	})
	n := 0
	send := func(from bot.Address, in bot.Inbound) {
		t.Helper()
		n++
		in.UpdateKey, in.Chat, in.From, in.Name = fmt.Sprintf("%s:%d", from, n), from, from, "Lan"
		if _, err := d.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	say := func(from bot.Address, lines ...string) {
		t.Helper()
		for _, l := range lines {
			send(from, bot.Inbound{Text: l})
		}
	}
	tg, pl, police := bot.Address("telegram:5"), bot.Address("plain:lan"), bot.Address("telegram:7")
	send(tg, bot.Inbound{JoinCode: "lead"})
	send(police, bot.Inbound{JoinCode: "pol"})
	drain(t, st)

	say(tg, "/lienket")
	got := texts(drain(t, st)[tg])
	code := regexp.MustCompile(`Mã liên kết: (\S+)`).FindStringSubmatch(got)
	if code == nil {
		t.Fatalf("no link code in %q", got)
	}
	send(pl, bot.Inbound{JoinCode: code[1]})
	if got := texts(drain(t, st)[pl]); !strings.Contains(got, "Đã liên kết") {
		t.Fatalf("linking from the other platform: %q", got)
	}
	// A second use of the code is refused.
	send("plain:other", bot.Inbound{JoinCode: code[1]})
	if got := texts(drain(t, st)["plain:other"]); strings.Contains(got, "Đã liên kết") {
		t.Fatalf("a link code worked twice: %q", got)
	}

	// An urgent incident from the second platform.
	say(pl, "/baocao", "An ninh trật tự", "Trộm cắp tài sản", "Hôm qua", "21:30", "Ngõ 3", "Mất trộm xe máy.", "2",
		"Đã báo công an", "Khẩn cấp", "Xong", "Gửi")
	out := drain(t, st)
	if !strings.Contains(texts(out[pl]), "AN-2026-000001") || !strings.Contains(texts(out[police]), "Người báo: Lan") {
		t.Fatalf("the report from the second platform: to the leader %q, to the police %q", texts(out[pl]), texts(out[police]))
	}
	// Listed from the first platform, where the leader now writes.
	say(tg, "/cuatoi")
	if got := texts(drain(t, st)[tg]); !strings.Contains(got, "AN-2026-000001") {
		t.Fatalf("/cuatoi on the first platform: %q", got)
	}
	// The police receive it: the leader is told where they last wrote.
	send(police, bot.Inbound{Callback: "a:ack:AN-2026-000001", CallbackID: "c1", MessageID: "9"})
	out = drain(t, st)
	if !strings.Contains(texts(out[tg]), "Đã tiếp nhận") || len(out[pl]) != 0 {
		t.Fatalf("told of the acknowledgement: on telegram %q, on plain %q", texts(out[tg]), texts(out[pl]))
	}
	// They choose the second platform for what comes.
	say(tg, "/diachi")
	send(tg, bot.Inbound{Callback: "to:plain:lan", CallbackID: "c2", MessageID: "10"})
	drain(t, st)
	send(police, bot.Inbound{Callback: "a:done:AN-2026-000001", CallbackID: "c3", MessageID: "9"})
	out = drain(t, st)
	if !strings.Contains(texts(out[pl]), "Đã xử lý") || len(out[tg]) != 0 {
		t.Fatalf("told of the handling: on plain %q, on telegram %q", texts(out[pl]), texts(out[tg]))
	}

	// One person, one report; the summary goes where the official chose.
	st.Update(func(tx bot.Tx) error {
		users, _ := tx.Users()
		if len(users) != 2 {
			t.Errorf("%d people stored, want 2", len(users))
		}
		_, err := bot.LinkAddress(tx, police, "plain:cong", "cli:test", clock)
		return err
	})
	send(police, bot.Inbound{Callback: "to:plain:cong", CallbackID: "c4", MessageID: "11"})
	drain(t, st)
	clock = time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	if err := d.WeeklySummaries(context.Background(), clock); err != nil {
		t.Fatal(err)
	}
	out = drain(t, st)
	if len(out["plain:cong"]) != 3 || len(out[police]) != 0 {
		t.Errorf("the summary went to %d messages at the chosen address and %d at the first", len(out["plain:cong"]), len(out[police]))
	}
}
