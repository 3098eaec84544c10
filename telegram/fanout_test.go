package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

var hcm, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

// seedCommune stores a commune with groups, officials and a week of reports.
func seedCommune(tb testing.TB, st *store.Store, officials int) *bot.Dispatcher {
	tb.Helper()
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, hcm)
	err := st.Update(func(tx bot.Tx) error {
		areas := []bot.Area{{Code: "X", Name: "Xã Tân Lạc", Level: "xa"}}
		for g := range 10 {
			areas = append(areas, bot.Area{Code: fmt.Sprintf("X-T%d", g), Name: fmt.Sprintf("Tổ %d", g), Level: "to", Parent: "X"})
		}
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		for i := range officials {
			u := bot.User{Address: bot.Address("telegram:" + strconv.Itoa(100000+i)), Name: "Cán bộ", Role: bot.RoleOfficial, Group: "X"}
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		for i := range 30 {
			r := bot.Report{ID: bot.RefNumber(bot.KindIncident, 2026, uint64(i+1)), Kind: bot.KindIncident, Group: fmt.Sprintf("X-T%d", i%7),
				CreatedAt: monday.Add(time.Duration(i) * 5 * time.Hour), Status: "new", Urgent: i%10 == 0,
				Answers: map[string]string{"category": "theft", "date": "2026-11-24"}}
			if err := bot.AddReport(tx, r, hcm); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &bot.Dispatcher{Store: st, Flows: flows.New(hcm, time.Hour), Lang: "vi", Location: hcm,
		Now: func() time.Time { return monday.AddDate(0, 0, 7).Add(7*time.Hour + 30*time.Minute) }, Log: slog.New(slog.DiscardHandler)}
}

// Ensure a summary fan-out through a server enforcing the limits gives
// every official exactly one summary, CSV and chart, with no 429, even when
// the sender dies in the middle and the job runs again.
func TestSummaryFanOutCrash(t *testing.T) {
	const officials = 200
	limits := &fakeapi.Limits{PerSecond: 400, ChatBurst: 3, ChatEvery: 50 * time.Millisecond}
	fake, err := fakeapi.New(fakeapi.Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	st := openStore(t)
	d := seedCommune(t, st, officials)
	monday := time.Date(2026, 11, 30, 7, 30, 0, 0, hcm)
	if err := d.WeeklySummaries(context.Background(), monday); err != nil {
		t.Fatal(err)
	}

	delivered := func() int {
		n := 0
		for i := range officials {
			n += fake.BotCount(int64(100000 + i))
		}
		return n
	}
	runSender := func(stopAt int) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tg, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), Handler: nopHandler{}, Store: st,
			ChatLimit: bot.RateLimit{Burst: limits.ChatBurst, Every: limits.ChatEvery}, PerSecond: limits.PerSecond})
		if err != nil {
			t.Fatal(err)
		}
		s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"telegram": tg}, Log: slog.New(slog.DiscardHandler)}
		var wg sync.WaitGroup
		wg.Go(func() { s.Run(ctx) })
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		defer wcancel()
		if err := fake.WaitFor(wctx, func() bool { return delivered() >= stopAt }); err != nil {
			t.Fatalf("%d of %d delivered: %v", delivered(), stopAt, err)
		}
		cancel() // the process dies here
		wg.Wait()
	}
	runSender(officials) // a third of the way
	if n := delivered(); n >= 3*officials {
		t.Fatalf("the fan-out finished before the crash (%d)", n)
	}
	// The job runs again on the next start (a catch-up, say): nothing new.
	if err := d.WeeklySummaries(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	runSender(3 * officials)

	for i := range officials {
		msgs := fake.BotMessages(int64(100000 + i))
		var text, csv, png int
		for _, m := range msgs {
			switch {
			case strings.HasPrefix(m.Text, "📊 TỔNG HỢP TUẦN 48"):
				text++
			case m.Document == "tonghop-X-2026-W48.csv":
				csv++
			case m.Document == "bieudo-X-2026-W48.png" && strings.HasPrefix(string(m.Data), "\x89PNG"):
				png++
			}
		}
		if text != 1 || csv != 1 || png != 1 || len(msgs) != 3 {
			t.Fatalf("official %d got %d messages: %d summaries, %d CSV, %d charts", i, len(msgs), text, csv, png)
		}
	}
	if n := fake.Refused(); n != 0 {
		t.Errorf("the server refused %d sends for going over the limits", n)
	}
}
