// Package schedule runs the bot's periodic jobs (summaries, reminders) on
// cron expressions in the configured time zone.
//
// Expressions are parsed by robfig/cron/v3, whose Schedule.Next does the
// calendar arithmetic; the loop is this package's own so that the clock can
// be injected (a week of schedules runs in milliseconds in tests), a job's
// panic is recovered, and each job's last run is kept in the store: a run
// missed while the bot was down happens once when it starts again.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/totuquan/totuquan/bot"
)

// Job is a named piece of periodic work.
type Job struct {
	Name string
	Spec string // five-field cron expression, in the scheduler's time zone
	// Quiet jobs (reminders) that come due in quiet hours wait for their end.
	Quiet bool
	// Run does the work for the run due at at. An error is logged and the
	// job runs again at its next time.
	Run func(ctx context.Context, at time.Time) error

	sched cron.Schedule
}

// Clock is the time source; tests replace it.
type Clock interface {
	Now() time.Time
	// Sleep waits until t or until ctx ends.
	Sleep(ctx context.Context, t time.Time) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// QuietHours is a daily span, such as 21:00 to 07:00, in minutes after
// midnight; From == To means none.
type QuietHours struct{ From, To int }

// ParseQuiet reads "21:00-07:00"; "" means no quiet hours.
func ParseQuiet(s string) (QuietHours, error) {
	if s == "" {
		return QuietHours{}, nil
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 {
		return QuietHours{}, fmt.Errorf("%q is not a span such as 21:00-07:00", s)
	}
	return QuietHours{From: h1*60 + m1, To: h2*60 + m2}, nil
}

// end returns when the quiet hours around t end, or t if t is not in them.
func (q QuietHours) end(t time.Time) time.Time {
	if q.From == q.To {
		return t
	}
	min := t.Hour()*60 + t.Minute()
	in := (q.From < q.To && min >= q.From && min < q.To) || (q.From > q.To && (min >= q.From || min < q.To))
	if !in {
		return t
	}
	end := time.Date(t.Year(), t.Month(), t.Day(), q.To/60, q.To%60, 0, 0, t.Location())
	if !end.After(t) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// Scheduler runs jobs.
type Scheduler struct {
	Jobs     []*Job
	Location *time.Location
	Quiet    QuietHours
	Store    bot.Store
	Log      *slog.Logger
	Clock    Clock
}

// Parse checks a cron expression.
func Parse(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(spec)
}

func lastKey(name string) string { return "job.last_run." + name }

// Run runs the jobs until ctx ends. It fails at once if an expression does
// not parse.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Clock == nil {
		s.Clock = realClock{}
	}
	for _, j := range s.Jobs {
		sched, err := Parse(j.Spec)
		if err != nil {
			return fmt.Errorf("schedule %s: %q: %w", j.Name, j.Spec, err)
		}
		j.sched = sched
	}
	last := map[string]time.Time{}
	now := s.Clock.Now().In(s.Location)
	err := s.Store.Update(func(tx bot.Tx) error {
		for _, j := range s.Jobs {
			v, err := tx.Meta(lastKey(j.Name))
			if bot.IsNotFound(err) {
				// First start: begin counting from now, run nothing.
				last[j.Name] = now
				if err := tx.PutMeta(lastKey(j.Name), now.Format(time.RFC3339Nano)); err != nil {
					return err
				}
				continue
			} else if err != nil {
				return err
			}
			if last[j.Name], err = time.Parse(time.RFC3339Nano, v); err != nil {
				return fmt.Errorf("job %s: last run %q: %w", j.Name, v, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	for {
		now := s.Clock.Now().In(s.Location)
		var wake time.Time
		for _, j := range s.Jobs {
			due := j.sched.Next(last[j.Name].In(s.Location))
			if j.Quiet {
				due = s.Quiet.end(due)
			}
			if !due.After(now) {
				s.run(ctx, j, due)
				last[j.Name] = now
				err := s.Store.Update(func(tx bot.Tx) error {
					return tx.PutMeta(lastKey(j.Name), now.Format(time.RFC3339Nano))
				})
				if err != nil {
					s.Log.Error("schedule: record a run", "job", j.Name, "err", err)
				}
				due = j.sched.Next(now)
				if j.Quiet {
					due = s.Quiet.end(due)
				}
			}
			if wake.IsZero() || due.Before(wake) {
				wake = due
			}
		}
		if err := s.Clock.Sleep(ctx, wake); err != nil {
			return nil
		}
	}
}

// run runs one job, containing its failure: the scheduler goes on.
func (s *Scheduler) run(ctx context.Context, j *Job, at time.Time) {
	defer func() {
		if p := recover(); p != nil {
			s.Log.Error("scheduled job panicked; it runs again at its next time", "job", j.Name, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	start := time.Now()
	if err := j.Run(ctx, at); err != nil {
		s.Log.Error("scheduled job failed; it runs again at its next time", "job", j.Name, "due", at, "err", err)
		return
	}
	s.Log.Info("scheduled job done", "job", j.Name, "due", at, "took", time.Since(start))
}
