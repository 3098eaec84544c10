package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// BenchmarkLeadersReporting replays leaders reporting incidents at the same
// time through the real client, the fake Bot API on 127.0.0.1 and the
// store with its durable settings (an fsync per commit). One op is one
// whole report of 12 updates. It reports updates handled per second and
// the latency from an update entering the server to the bot's reply
// arriving there. The send cap is off, so the figures are the bot's own
// capacity, not Telegram's limit.
//
//	go test ./cmd/totuquan -run '^$' -bench LeadersReporting -benchtime 400x
func BenchmarkLeadersReporting(b *testing.B) {
	for _, leaders := range []int{1, 50} {
		b.Run(fmt.Sprintf("leaders=%d", leaders), func(b *testing.B) {
			benchLeaders(b, leaders)
		})
	}
}

func benchLeaders(b *testing.B, leaders int) {
	e := newEnv(b)
	e.writeConfig("warn")
	code, _ := e.invite("-group", "PT-TL-XB-T1", "-uses", "1000")
	e.start()
	defer e.stop()

	users := make([]fakeapi.User, leaders)
	for i := range users {
		users[i] = fakeapi.User{ID: int64(10000 + i), FirstName: "Tổ trưởng"}
		e.fake.SendText(users[i], "/start "+code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, u := range users {
		if _, err := e.fake.WaitBotMessages(ctx, u.ID, 1); err != nil { // the welcome
			b.Fatal(err)
		}
	}

	var (
		mu   sync.Mutex
		lats []time.Duration
	)
	// step sends one answer (a typed text, or a press when press is set)
	// and waits for the next bot message.
	step := func(u fakeapi.User, text string, press bool) error {
		n := e.fake.BotCount(u.ID)
		start := time.Now()
		if press {
			if _, err := e.fake.PressLabel(u, text); err != nil {
				return err
			}
		} else {
			e.fake.SendText(u, text)
		}
		if err := e.fake.WaitFor(ctx, func() bool { return e.fake.BotCount(u.ID) > n }); err != nil {
			return err
		}
		lat := time.Since(start)
		mu.Lock()
		lats = append(lats, lat)
		mu.Unlock()
		return nil
	}
	script := []struct {
		text  string
		press bool
	}{
		{"/baocao", false}, {"An ninh trật tự", true}, {"Trộm cắp tài sản", true}, {"Hôm nay", true},
		{"19:30", false}, {"Ngõ 3, xóm Bãi", false}, {"Mất trộm một xe máy đỗ trước nhà.", false}, {"2", false},
		{"Đã báo công an", true}, {"Không khẩn cấp", true}, {"Xong", true}, {"Gửi", true},
	}
	const updatesPerReport = 12

	work := make(chan fakeapi.User)
	var wg sync.WaitGroup
	errc := make(chan error, leaders)
	b.ResetTimer()
	begin := time.Now()
	for _, u := range users {
		wg.Go(func() {
			for range work {
				for _, s := range script {
					if err := step(u, s.text, s.press); err != nil {
						errc <- err
						return
					}
				}
			}
		})
	}
	for i := 0; i < b.N; i++ {
		work <- users[i%leaders] // the next idle leader sends the next report
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()
	select {
	case err := <-errc:
		b.Fatal(err)
	default:
	}
	slices.Sort(lats)
	q := func(p float64) float64 { return float64(lats[int(p*float64(len(lats)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N*updatesPerReport)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
