package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// count returns how many of the bot's messages to u contain substr, and
// how many documents named name it sent.
func count(e *env, u *user, substr, doc string) (texts, docs int) {
	for _, m := range e.fake.BotMessages(u.u.ID) {
		if substr != "" && strings.Contains(m.Text, substr) {
			texts++
		}
		if doc != "" && m.Document == doc {
			docs++
		}
	}
	return
}

func waitFor(t *testing.T, e *env, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := e.fake.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v\n%s", what, err, e.stderr.String()[max(0, len(e.stderr.String())-3000):])
	}
}

// Ensure the scheduled work on the test's clock: the Friday reminder only
// to a group that sent nothing, each official's summary exactly once with
// its CSV and chart, no repeat after a restart, one catch-up after
// downtime, and the reminders' buttons starting the report.
func TestScheduledWork(t *testing.T) {
	e := newEnv(t)
	cong := seedFortnight(t, e)
	hai := e.user(602, "Hải")
	e.stop()
	e.schedules = "" // the defaults: Monday 07:30, Friday 19:00, the 25th at 19:00
	e.writeConfig("debug")
	tamCode, _ := e.invite("-group", "PT-TL-XB-T3")
	offCode, _ := e.invite("-official", "PT-TL")
	e.start()
	tam := e.user(503, "Tâm").say("/start " + tamCode)
	hai.say("/start " + offCode)
	lan := e.user(501, "Lan")

	// Friday 27/11 19:00: the weekly reminder, only for the silent group.
	e.setNow(time.Date(2026, 11, 27, 12, 0, 30, 0, time.UTC))
	defer func() {
		if t.Failed() {
			for _, m := range e.fake.BotMessages(tam.u.ID) {
				t.Logf("to Tâm: %q", m.Text)
			}
		}
	}()
	waitFor(t, e, "the Friday reminder", func() bool {
		n, _ := count(e, tam, "tuần 48, Tổ tự quản số 3 xóm Bãi chưa gửi", "")
		return n == 1
	})
	if n, _ := count(e, lan, "Nhắc việc tuần", ""); n != 0 {
		t.Errorf("a group that reported was reminded %d times", n)
	}
	tam.press("Gửi báo cáo").expect("muốn báo cáo gì")
	tam.say("/huy")

	// Monday 30/11 07:30: the summary of week 48 to both officials.
	e.setNow(time.Date(2026, 11, 30, 0, 31, 0, 0, time.UTC))
	for _, o := range []*user{cong, hai} {
		waitFor(t, e, "the summary to "+o.u.FirstName, func() bool {
			_, csv := count(e, o, "", "tonghop-PT-TL-2026-W48.csv")
			_, png := count(e, o, "", "bieudo-PT-TL-2026-W48.png")
			return csv == 1 && png == 1
		})
		if n, _ := count(e, o, "TỔNG HỢP TUẦN 48 (23/11–29/11/2026)", ""); n != 1 {
			t.Errorf("%s got the week 48 summary %d times", o.u.FirstName, n)
		}
	}
	// The bot restarts: nothing is sent again.
	e.stop()
	e.start()
	e.advance(time.Hour)
	tam.say("/trogiup") // a round trip, so that anything queued has gone out
	for _, o := range []*user{cong, hai} {
		if n, _ := count(e, o, "TỔNG HỢP TUẦN 48 (23/11", ""); n != 1 {
			t.Errorf("after a restart %s has the week 48 summary %d times", o.u.FirstName, n)
		}
	}

	// Down over Monday 07/12 07:30: one catch-up run when it starts again.
	e.stop()
	e.setNow(time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)) // Tuesday 10:00
	e.start()
	waitFor(t, e, "the catch-up summary", func() bool { n, _ := count(e, cong, "TỔNG HỢP TUẦN 49", ""); return n == 1 })
	e.advance(time.Hour)
	tam.say("/trogiup")
	if n, _ := count(e, cong, "TỔNG HỢP TUẦN", ""); n < 2 {
		t.Errorf("summaries: %d", n)
	}
	if n, _ := count(e, cong, "TỔNG HỢP TUẦN 49", ""); n != 1 {
		t.Errorf("week 49 summary sent %d times after the catch-up", n)
	}

	// 25/12 19:00: the meeting reminder, whose button starts a meeting report.
	e.setNow(time.Date(2026, 12, 25, 12, 0, 30, 0, time.UTC))
	waitFor(t, e, "the meeting reminder", func() bool {
		n, _ := count(e, lan, "tháng 12/2026, Tổ tự quản số 1 xóm Bãi chưa gửi báo cáo sinh hoạt tổ", "")
		return n == 1
	})
	lan.press("Sinh hoạt tổ").expect("diễn ra ngày nào")

	// The chart is a PNG; the CSV parses and holds the week's reports.
	var csv []byte
	for _, m := range e.fake.BotMessages(cong.u.ID) {
		if m.Document == "tonghop-PT-TL-2026-W48.csv" {
			csv = m.Data
		}
	}
	if !strings.Contains(string(csv), "AN-2026-000002") || !strings.Contains(string(csv), "HG-2026-000002") || strings.Contains(string(csv), "AN-2026-000001") {
		t.Errorf("week 48 CSV:\n%s", csv)
	}
}
