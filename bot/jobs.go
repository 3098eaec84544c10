package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// The scheduled jobs. Each queues its messages in one transaction, with
// idempotency keys: a job that runs twice for the same period, or a
// catch-up after a crash, queues nothing already queued.

// WeeklySummaries sends every official the summary of their area for the
// week that ended before at, with the week's reports as CSV and a chart of
// the last eight weeks.
func (d *Dispatcher) WeeklySummaries(_ context.Context, at time.Time) error {
	monday := WeekStart(at, d.Location).AddDate(0, 0, -7)
	week := WeekName(monday)
	// The summaries are built, their charts drawn, in a read transaction,
	// which holds no one back; then queued in one write, which is quick.
	var plan []summaryFor
	err := d.Store.View(func(tx Tx) (err error) {
		plan, err = d.planSummaries(tx, monday)
		return err
	})
	if err != nil {
		return fmt.Errorf("weekly summaries %s: %w", week, err)
	}
	return d.queueAll("weekly summaries", func(tx Tx, put func(Outbound) error) error {
		for _, p := range plan {
			u, err := tx.User(p.to.Address)
			if err != nil || !u.IsOfficial() { // deactivated since: nothing
				continue
			}
			// The CSV holds the week's reports, parties included.
			err = tx.Audit(AuditEntry{At: d.Now().UTC(), Who: "system", Action: "summary", Area: u.Group, Detail: week + " to " + string(u.Address)})
			if err != nil {
				return err
			}
			for _, m := range p.msgs {
				m.Chat, m.Bulk = u.To(), true
				m.Key += ":" + week + ":" + string(u.Address)
				if err := put(m); err != nil {
					return err
				}
			}
		}
		return nil
	}, "week", week, "officials", len(plan))
}

// summaryFor is one official's summary messages.
type summaryFor struct {
	to   User
	msgs []Outbound
}

// planSummaries builds every active official's summary of the week from
// monday: once per area, language and agency, shared by its officials,
// since the text, the CSV and the chart are the same for all of them.
func (d *Dispatcher) planSummaries(tx Tx, monday time.Time) ([]summaryFor, error) {
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	sums := map[string]*Summary{}
	msgs := map[[3]string][]Outbound{} // by area, language and agency
	var plan []summaryFor
	for _, u := range users {
		if !u.IsOfficial() { // a deactivated official gets nothing more
			continue
		}
		sum, ok := sums[u.Group]
		if !ok {
			s, err := BuildSummary(tx, u.Group, monday, monday.AddDate(0, 0, 7), d.Location)
			if err != nil && !IsNotFound(err) {
				return nil, err
			}
			if err == nil {
				sum = &s
			}
			sums[u.Group] = sum // nil: an area since removed from the tree
		}
		if sum == nil {
			continue
		}
		lang := d.langOf(u)
		k := [3]string{u.Group, lang, u.Agency}
		if msgs[k] == nil {
			msgs[k] = d.summaryMessages(sum.For(u.Kinds()), lang)
		}
		plan = append(plan, summaryFor{to: u, msgs: msgs[k]})
	}
	return plan, nil
}

// summaryMessages are the summary's text, its CSV and its chart, for the
// kinds it covers.
func (d *Dispatcher) summaryMessages(sum Summary, lang string) []Outbound {
	var csv bytes.Buffer
	recs := make([]ExportRecord, 0, len(sum.Reports))
	for _, r := range sum.Reports {
		recs = append(recs, NewExportRecord(r, sum.names[r.Group], d.Location))
	}
	WriteCSV(&csv, recs, nil)
	var caption strings.Builder
	caption.WriteString(i18n.T(lang, "sum.chart"))
	for _, k := range sum.Kinds {
		caption.WriteString("\n" + i18n.T(lang, "sum.color."+string(k)) + " " + d.Flows.Title(k, lang) + ":")
		for _, wk := range sum.Weeks {
			caption.WriteString(fmt.Sprintf(" %d", wk.Counts[k]))
		}
	}
	caption.WriteString("\n" + sum.Weeks[0].Week + " → " + sum.Week)
	return []Outbound{
		{Key: "summary", Reply: Reply{Text: sum.Text(lang, d.Location, d.Flows.Title), Lang: lang}},
		{Key: "summary-csv", Reply: Reply{Text: i18n.T(lang, "sum.csv", sum.Week), Lang: lang},
			Document: &Document{Name: "tonghop-" + sum.Area.Code + "-" + sum.Week + ".csv", Data: csv.Bytes()}},
		{Key: "summary-chart", Reply: Reply{Text: caption.String(), Lang: lang},
			Document: &Document{Name: "bieudo-" + sum.Area.Code + "-" + sum.Week + ".png", Data: d.chart(sum, lang)}},
	}
}

// WeeklyReminders reminds the leaders whose group has sent nothing in the
// week of at so far (the week's counts, which include anything sent after
// at when the run was caught up).
func (d *Dispatcher) WeeklyReminders(_ context.Context, at time.Time) error {
	week := WeekName(WeekStart(at, d.Location))
	return d.remind("week:"+week, strings.TrimPrefix(week[4:], "-W"), func(tx Tx, group string) (bool, error) {
		for _, k := range Kinds {
			if n, err := tx.Count(weekCountKey(group, week, k)); err != nil || n > 0 {
				return n > 0, err
			}
		}
		return false, nil
	}, "remind.week", "")
}

// MeetingReminders reminds the leaders whose group has no meeting report
// in the month of at so far: up to now, since a run caught up after
// downtime must not remind a group that reported in between.
func (d *Dispatcher) MeetingReminders(_ context.Context, at time.Time) error {
	local := at.In(d.Location)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, d.Location)
	met := map[string]bool{}
	err := d.Store.View(func(tx Tx) error {
		return tx.Reports(first, d.Now().Add(time.Nanosecond), func(r Report) error {
			if r.Kind == KindMeeting {
				met[r.Group] = true
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return d.remind("meeting:"+local.Format("2006-01"), local.Format("01/2006"), func(_ Tx, group string) (bool, error) {
		return met[group], nil
	}, "remind.meeting", string(KindMeeting))
}

// remind queues text (naming the period's label and the group) to every
// leader whose group has not done, with a button that starts the report
// (kind, or the menu when empty).
func (d *Dispatcher) remind(period, label string, done func(Tx, string) (bool, error), text, kind string) error {
	return d.queueAll("reminders "+period, func(tx Tx, put func(Outbound) error) error {
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.IsLeader() {
				continue
			}
			if g, err := tx.Area(u.Group); err == nil && g.Retired {
				continue
			}
			ok, err := done(tx, u.Group)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
			lang := d.langOf(u)
			button := i18n.T(lang, "remind.start")
			if kind != "" {
				button = d.Flows.Title(ReportKind(kind), lang)
			}
			err = put(Outbound{Chat: u.To(), Bulk: true, Key: "remind:" + period + ":" + string(u.Address),
				Reply: Reply{Text: i18n.T(lang, text, label, d.areaName(tx, u.Group)), Lang: lang, Choices: [][]Choice{{{Label: button, Value: ButtonStart.Value(kind)}}}}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// queueAll runs build in one transaction, queuing what it puts (each
// message once, by its key), then logs how many were new, with attrs, and
// wakes the sender.
func (d *Dispatcher) queueAll(what string, build func(tx Tx, put func(Outbound) error) error, attrs ...any) error {
	queued := 0
	err := d.Store.Update(func(tx Tx) error {
		queued = 0
		return build(tx, func(m Outbound) error {
			ok, err := enqueue(tx, m)
			if ok {
				queued++
			}
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	d.Log.Info("messages queued", append([]any{"what", what, "new", queued}, attrs...)...)
	if queued > 0 && d.Notify != nil {
		d.Notify()
	}
	return nil
}

func (d *Dispatcher) langOf(u User) string {
	if u.Lang != "" {
		return u.Lang
	}
	return d.Lang
}
