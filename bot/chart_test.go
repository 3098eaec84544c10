package bot_test

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"image/png"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

// chartWorld is a commune with a police officer reading Vietnamese and a
// committee officer reading English, an incident in week 46 and one
// report of each kind in week 48.
func chartWorld(t *testing.T) (*bot.Dispatcher, bot.Store) {
	t.Helper()
	st := mustOpen(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, d.Location)
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "X", Name: "Xã Tân Lạc"}, {Code: "X-T1", Name: "Tổ 1", Parent: "X"}})
		tx.PutUser(bot.User{Address: "telegram:10", Role: bot.RoleOfficial, Group: "X", Agency: "police"})
		tx.PutUser(bot.User{Address: "telegram:11", Role: bot.RoleOfficial, Group: "X", Agency: "ubnd", Lang: "en"})
		reports := []bot.Report{
			{ID: bot.RefNumber(bot.KindIncident, 2026, 1), Kind: bot.KindIncident, CreatedAt: monday.AddDate(0, 0, -14)},
			{ID: bot.RefNumber(bot.KindIncident, 2026, 2), Kind: bot.KindIncident, CreatedAt: monday},
			{ID: bot.RefNumber(bot.KindMediation, 2026, 1), Kind: bot.KindMediation, CreatedAt: monday, Status: "in_progress"},
			{ID: bot.RefNumber(bot.KindMeeting, 2026, 1), Kind: bot.KindMeeting, CreatedAt: monday},
		}
		for _, r := range reports {
			r.Group, r.Answers = "X-T1", map[string]string{"category": "theft"}
			if err := bot.AddReport(tx, r, d.Location); err != nil {
				return err
			}
		}
		return nil
	})
	return d, st
}

// chartsSent returns the chart documents queued to each official.
func chartsSent(t *testing.T, d *bot.Dispatcher, st bot.Store) map[bot.Address][]byte {
	t.Helper()
	if err := d.WeeklySummaries(context.Background(), time.Date(2026, 11, 30, 7, 30, 0, 0, d.Location)); err != nil {
		t.Fatal(err)
	}
	charts := map[bot.Address][]byte{}
	for chat, msgs := range drain(t, st) {
		for _, m := range msgs {
			if m.Document != nil && strings.HasPrefix(m.Document.Name, "bieudo-") {
				charts[chat] = m.Document.Data
			}
		}
	}
	return charts
}

// Ensure the weekly summary draws its chart with the dispatcher's Chart,
// given the area, the eight Mondays, the axes' texts and only the kinds
// the official follows, in their language, with each kind's own colour.
func TestSummaryChartInjected(t *testing.T) {
	d, st := chartWorld(t)
	var got []bot.WeeklyChart
	d.Chart = func(c bot.WeeklyChart) ([]byte, error) {
		got = append(got, c)
		return []byte("drawn " + c.Title), nil
	}
	charts := chartsSent(t, d, st)

	weeks := []string{"05/10", "12/10", "19/10", "26/10", "02/11", "09/11", "16/11", "23/11"}
	vermilion, blue, green := color.RGBA{0xd5, 0x5e, 0x00, 0xff}, color.RGBA{0x00, 0x72, 0xb2, 0xff}, color.RGBA{0x00, 0x9e, 0x73, 0xff}
	want := []bot.WeeklyChart{
		{Title: "Xã Tân Lạc · 8 tuần đến 29/11/2026", Weeks: weeks, XLabel: "Tuần bắt đầu thứ Hai", YLabel: "Số báo cáo", Series: []bot.ChartSeries{
			{Label: "An ninh trật tự", Color: vermilion, Counts: []int{0, 0, 0, 0, 0, 1, 0, 1}},
		}},
		{Title: "Xã Tân Lạc · 8 weeks to 29/11/2026", Weeks: weeks, XLabel: "Week beginning Monday", YLabel: "Reports", Series: []bot.ChartSeries{
			{Label: "Security and public order", Color: vermilion, Counts: []int{0, 0, 0, 0, 0, 1, 0, 1}},
			{Label: "Mediation", Color: blue, Counts: []int{0, 0, 0, 0, 0, 0, 0, 1}},
			{Label: "Group meeting", Color: green, Counts: []int{0, 0, 0, 0, 0, 0, 0, 1}},
		}},
	}
	if len(got) != 2 {
		t.Fatalf("Chart called %d times, want once per official (different agencies and languages)", len(got))
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Title < got[j].Title }) // "8 tuần" before "8 weeks"
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("chart drawn from\n%+v\nwant\n%+v", got[i], want[i])
		}
	}
	if string(charts["telegram:10"]) != "drawn "+want[0].Title || string(charts["telegram:11"]) != "drawn "+want[1].Title {
		t.Errorf("the charts sent are not the ones drawn: %q", charts)
	}
}

// Ensure a summary still carries a chart, the plain bars, when the
// dispatcher has no Chart or its Chart fails.
func TestSummaryChartFallback(t *testing.T) {
	for name, draw := range map[string]func(bot.WeeklyChart) ([]byte, error){
		"none":   nil,
		"failed": func(bot.WeeklyChart) ([]byte, error) { return nil, errors.New("no font") },
	} {
		d, st := chartWorld(t)
		d.Chart = draw
		charts := chartsSent(t, d, st)
		if len(charts) != 2 {
			t.Fatalf("%s: %d charts sent, want 2", name, len(charts))
		}
		for to, data := range charts {
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: the chart to %s is no PNG: %v", name, to, err)
			}
			if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 320 {
				t.Errorf("%s: the chart to %s is %v, not the plain 640×320 one", name, to, b)
			}
		}
	}
}
