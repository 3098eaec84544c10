package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// BenchmarkSummaryFanOut sends the weekly summary text to 10,000
// officials through the fake Bot API enforcing Telegram's limits (30 a
// second overall, per chat a burst of 3 then one a second) and reports the
// time against the limit's own bound (10,000 / 30 s) and the 429s. It
// takes about five and a half minutes a run:
//
//	go test ./telegram -run '^$' -bench SummaryFanOut -benchtime 1x -timeout 30m
//
// perSecond=300 runs the same at ten times the rate, in about half a minute.
func BenchmarkSummaryFanOut(b *testing.B) {
	for _, rate := range []float64{300, 30} {
		b.Run(fmt.Sprintf("perSecond=%v", rate), func(b *testing.B) {
			for range b.N {
				fanOut(b, 10000, rate)
			}
		})
	}
}

func fanOut(b *testing.B, officials int, rate float64) {
	b.StopTimer()
	limits := &fakeapi.Limits{PerSecond: rate, ChatBurst: 3, ChatEvery: time.Second}
	fake, err := fakeapi.New(fakeapi.Options{Limits: limits})
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	st := openStore(b)
	d := seedCommune(b, st, officials)
	if err := d.WeeklySummaries(context.Background(), time.Date(2026, 11, 30, 7, 30, 0, 0, hcm)); err != nil {
		b.Fatal(err)
	}
	// Only the texts: the CSV and the chart follow at the same pace.
	st.Update(func(tx bot.Tx) error {
		items, err := tx.Pending(0, 3*officials)
		if err != nil {
			return err
		}
		var drop []uint64
		for _, it := range items {
			if it.Msg.Document != nil {
				drop = append(drop, it.ID)
			}
		}
		return tx.Delivered(drop...)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tg, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), Handler: nopHandler{}, Store: st,
		ChatLimit: bot.RateLimit{Burst: limits.ChatBurst, Every: limits.ChatEvery}, PerSecond: rate})
	if err != nil {
		b.Fatal(err)
	}
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"telegram": tg}, Log: slog.New(slog.DiscardHandler)}
	b.StartTimer()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	done := func() bool {
		var n int
		st.View(func(tx bot.Tx) error { items, err := tx.Pending(1, 1); n = len(items); return err })
		return n == 0
	}
	for !done() {
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	b.StopTimer()
	cancel()
	wg.Wait()
	bound := time.Duration(float64(officials) / rate * float64(time.Second))
	b.ReportMetric(took.Seconds(), "s")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(took.Seconds()/bound.Seconds(), "ratio")
	b.ReportMetric(float64(fake.Refused()), "429s")
	b.ReportMetric(0, "ns/op")
}
