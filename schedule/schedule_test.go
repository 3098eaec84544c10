package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/schedule"
	"github.com/totuquan/totuquan/store"
)

var hcm, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

// fakeClock jumps to whatever time the scheduler sleeps until, and stops
// the run when that is past end.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
	end time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Sleep(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.end) {
		return errors.New("end of the test's time")
	}
	c.now = t
	return nil
}

func openStore(t *testing.T) *store.Store {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// runs records each job's runs.
type runs struct {
	mu  sync.Mutex
	got map[string][]string
}

func (r *runs) job(name, spec string, quiet bool, fail func(time.Time) error) *schedule.Job {
	return &schedule.Job{Name: name, Spec: spec, Quiet: quiet, Run: func(_ context.Context, at time.Time) error {
		r.mu.Lock()
		r.got[name] = append(r.got[name], at.In(hcm).Format("Mon 02/01 15:04"))
		r.mu.Unlock()
		if fail != nil {
			return fail(at)
		}
		return nil
	}}
}

func run(t *testing.T, st bot.Store, from, to time.Time, jobs ...*schedule.Job) {
	t.Helper()
	q, _ := schedule.ParseQuiet("21:00-07:00")
	s := &schedule.Scheduler{Jobs: jobs, Location: hcm, Quiet: q, Store: st, Log: slog.New(slog.DiscardHandler),
		Clock: &fakeClock{now: from, end: to}}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Ensure a week of schedules runs each job at its times, reminders wait
// out the quiet hours, and a failing or panicking job neither stops the
// scheduler nor the other jobs.
func TestAWeek(t *testing.T) {
	st := openStore(t)
	r := &runs{got: map[string][]string{}}
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, hcm) // Sunday noon
	run(t, st, start, start.AddDate(0, 0, 7),
		r.job("summary", "30 7 * * 1", false, nil),
		r.job("friday", "0 19 * * 5", true, nil),
		r.job("late", "30 22 * * *", true, nil), // in the quiet hours: waits for 07:00
		r.job("broken", "0 12 * * *", false, func(time.Time) error { return errors.New("disk full") }),
		r.job("panics", "0 6 * * *", false, func(time.Time) error { panic("bug") }),
	)
	want := map[string][]string{
		"summary": {"Mon 23/11 07:30"},
		"friday":  {"Fri 27/11 19:00"},
		"late":    {"Mon 23/11 07:00", "Tue 24/11 07:00", "Wed 25/11 07:00", "Thu 26/11 07:00", "Fri 27/11 07:00", "Sat 28/11 07:00", "Sun 29/11 07:00"},
		"broken":  {"Mon 23/11 12:00", "Tue 24/11 12:00", "Wed 25/11 12:00", "Thu 26/11 12:00", "Fri 27/11 12:00", "Sat 28/11 12:00", "Sun 29/11 12:00"},
		"panics":  {"Mon 23/11 06:00", "Tue 24/11 06:00", "Wed 25/11 06:00", "Thu 26/11 06:00", "Fri 27/11 06:00", "Sat 28/11 06:00", "Sun 29/11 06:00"},
	}
	for name, w := range want {
		if !eq(r.got[name], w) {
			t.Errorf("%s ran at %v, want %v", name, r.got[name], w)
		}
	}
}

// Ensure the first start runs nothing, and a run missed while the bot was
// down happens once when it starts again, for the time it was due.
func TestCatchUpOnce(t *testing.T) {
	st := openStore(t)
	r := &runs{got: map[string][]string{}}
	sunday := time.Date(2026, 11, 22, 12, 0, 0, 0, hcm)
	run(t, st, sunday, sunday.Add(time.Hour), r.job("summary", "30 7 * * 1", false, nil))
	if len(r.got["summary"]) != 0 {
		t.Fatalf("the first start ran %v", r.got["summary"])
	}
	// Down from Sunday until Wednesday, past Monday 07:30; then up a day.
	wednesday := time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)
	run(t, st, wednesday, wednesday.AddDate(0, 0, 1), r.job("summary", "30 7 * * 1", false, nil))
	if !eq(r.got["summary"], []string{"Mon 23/11 07:30"}) {
		t.Errorf("after the downtime the summary ran %v, want once, for Monday", r.got["summary"])
	}
	// Down again for two whole weeks: still one catch-up run.
	later := time.Date(2026, 12, 9, 9, 0, 0, 0, hcm)
	run(t, st, later, later.Add(time.Hour), r.job("summary", "30 7 * * 1", false, nil))
	if len(r.got["summary"]) != 2 {
		t.Errorf("after two missed weeks: %v, want one more run", r.got["summary"])
	}
}

func TestBadSpec(t *testing.T) {
	s := &schedule.Scheduler{Jobs: []*schedule.Job{{Name: "summary", Spec: "every monday"}}, Location: hcm, Store: openStore(t), Log: slog.New(slog.DiscardHandler)}
	if err := s.Run(context.Background()); err == nil {
		t.Error("a bad expression was accepted")
	}
	if _, err := schedule.ParseQuiet("21h-7h"); err == nil {
		t.Error("bad quiet hours accepted")
	}
}
