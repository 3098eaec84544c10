package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

var (
	faultRate    = flag.Float64("faults.rate", 0.2, "share of the bot's calls that TestFaults fails at random")
	faultReports = flag.Int("faults.reports", 2, "urgent reports each leader of TestFaults sends")
)

// Ensure the bot's promises hold on a bad network: with a fifth of its
// calls to Telegram and to Zalo failing at random (5xx, 429, dropped
// connections, delays), every report is stored once, and every urgent
// alert and weekly summary reaches each official exactly once.
func TestFaults(t *testing.T) {
	e := newEnv(t)
	e.schedules = "" // the defaults: the summary on Monday at 07:30
	e.withZalo("")
	leader, _ := e.invite("-group", "PT-TL-XB-T1", "-uses", "10")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	ubnd, _ := e.invite("-official", "PT-TL", "-agency", "ubnd")
	e.start()
	tg := []*user{e.user(501, "Lan"), e.user(502, "Minh")}
	zl := []*zuser{e.zuser("7001", "Hoa"), e.zuser("7002", "Tư")}
	for _, u := range tg {
		u.say("/start " + leader)
	}
	for _, u := range zl {
		u.say(leader)
	}
	cong := e.user(601, "Công").say("/start " + police)
	hai := e.zuser("7601", "Hải").say(ubnd)
	congBefore, haiBefore := len(e.fake.BotMessages(cong.u.ID)), len(e.zfake.BotMessages(hai.u.ID))

	seed := uint64(time.Now().UnixNano())
	e.fake.InjectFaults(*faultRate, seed)
	e.zfake.InjectFaults(*faultRate, seed+1)
	start := time.Now()

	// Each leader sends urgent reports: what, where; the alert goes at
	// once, and the leader leaves the details for later.
	var wg sync.WaitGroup
	errs := make(chan error, len(tg)+len(zl))
	for _, u := range tg {
		wg.Go(func() {
			for range *faultReports {
				for _, line := range []string{"/khan", "1", "Chợ xóm Bãi", "/huy"} {
					if _, err := converse(t, e.fake, u.u, line, ""); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	for _, u := range zl {
		wg.Go(func() {
			for range *faultReports {
				for _, line := range []string{"/khan", "1", "Chợ xóm Bãi", "/huy"} {
					if err := zconverse(e.zfake, u.u, line); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		log := e.stderr.String()
		t.Fatalf("seed %d: %v\n%s", seed, err, log[max(0, len(log)-6000):])
	}
	want := (len(tg) + len(zl)) * *faultReports
	alerts := func(texts []string) int {
		n := 0
		for _, s := range texts {
			if strings.Contains(s, "BÁO CÁO KHẨN") {
				n++
			}
		}
		return n
	}
	congTexts := func() []string {
		var out []string
		for _, m := range e.fake.BotMessages(cong.u.ID)[congBefore:] {
			out = append(out, m.Text)
		}
		return out
	}
	haiTexts := func() []string {
		var out []string
		for _, m := range e.zfake.BotMessages(hai.u.ID)[haiBefore:] {
			out = append(out, m.Text)
		}
		return out
	}
	waitFor(t, e, "every alert to both officials", func() bool { return alerts(congTexts()) >= want && alerts(haiTexts()) >= want })

	e.setNow(time.Date(2026, 11, 30, 0, 30, 30, 0, time.UTC)) // Monday 07:30:30 in Hà Nội
	summaries := func(texts []string) int {
		n := 0
		for _, s := range texts {
			if strings.Contains(s, "TỔNG HỢP TUẦN") {
				n++
			}
		}
		return n
	}
	waitFor(t, e, "the summary to both officials", func() bool { return summaries(congTexts()) >= 1 && summaries(haiTexts()) >= 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitDelivered(ctx, e.st); err != nil {
		t.Fatalf("the outbox did not drain: %v", err)
	}
	elapsed := time.Since(start)
	tgFaults, zlFaults := e.fake.Faults(), e.zfake.Faults()
	e.fake.InjectFaults(0, 0)
	e.zfake.InjectFaults(0, 0)
	e.stop()

	if n := alerts(congTexts()); n != want {
		t.Errorf("the police got %d alerts on Telegram, want %d", n, want)
	}
	if n := alerts(haiTexts()); n != want {
		t.Errorf("the commune got %d alerts on Zalo, want %d", n, want)
	}
	if a, b := summaries(congTexts()), summaries(haiTexts()); a != 1 || b != 1 {
		t.Errorf("summaries: %d on Telegram, %d on Zalo; want one each", a, b)
	}
	recs := e.exportJSON()
	byReporter := map[string]int{}
	for _, r := range recs {
		byReporter[r["reporter"].(string)]++
	}
	if len(recs) != want {
		t.Errorf("%d reports stored, want %d", len(recs), want)
	}
	for who, n := range byReporter {
		if n != *faultReports {
			t.Errorf("%s has %d reports, want %d", who, n, *faultReports)
		}
	}
	t.Logf("faults: seed %d, rate %.0f%%: Telegram %v, Zalo %v; %d reports, %d alerts to each official, 1 summary each, in %v",
		seed, 100**faultRate, tgFaults, zlFaults, len(recs), want, elapsed.Round(time.Millisecond))
}

// zconverse sends text on Zalo and waits for the bot's next message to the
// sender.
func zconverse(z *zfakeapi.Server, u zfakeapi.User, text string) error {
	before := len(z.BotMessages(u.ID))
	z.SendText(u, text)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := z.WaitFor(ctx, func() bool { return len(z.BotMessages(u.ID)) > before }); err != nil {
		return fmt.Errorf("%s: no answer to %q on Zalo: %w", u.Name, text, err)
	}
	return nil
}
