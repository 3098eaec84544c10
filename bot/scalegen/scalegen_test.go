package scalegen_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/scalegen"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/vntext"
)

var loc, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

func generate(t *testing.T, o scalegen.Options) (*store.Store, *scalegen.World, scalegen.Stats) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "scale.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o.Location = loc
	w, s, err := scalegen.Generate(st, o)
	if err != nil {
		t.Fatal(err)
	}
	return st, w, s
}

var end = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)

// Ensure the generated reports are what the flows would have stored:
// every answer to a step that applies, in its canonical form and within
// its limits, the required ones present, and the status and urgency the
// flow gives those answers.
func TestReportsAsTheFlowsStoreThem(t *testing.T) {
	st, w, s := generate(t, scalegen.Options{Reports: 1500, Users: 300, End: end, Batch: 400})
	if s.Reports != 1500 {
		t.Fatalf("wrote %d reports, want 1500", s.Reports)
	}
	households := map[string]int{}
	for _, g := range w.Groups {
		households[g.Code] = g.Households
	}
	byKind := map[bot.ReportKind]*flows.Flow{}
	for _, f := range []*flows.Flow{flows.Incident, flows.Meeting, flows.Mediation} {
		byKind[f.Kind] = f
	}
	seen, total := map[string]bool{}, 0
	err := st.View(func(tx bot.Tx) error {
		return tx.Reports(time.Unix(0, 0), time.Now().AddDate(10, 0, 0), func(r bot.Report) error {
			total++
			if r.CreatedAt.After(end) || r.CreatedAt.Before(end.AddDate(-2, 0, -1)) {
				t.Errorf("%s sent %s, outside the span", r.ID, r.CreatedAt)
			}
			if seen[r.ID] {
				t.Errorf("%s twice", r.ID)
			}
			seen[r.ID] = true
			f := byKind[r.Kind]
			answers := r.Answers
			if len(r.Revisions) > 0 {
				answers = map[string]string{}
				for k, v := range r.Answers {
					answers[k] = v
				}
				for _, c := range r.Revisions[0].Changes {
					answers[c.Key] = c.Old
				}
			}
			for _, msg := range checkAnswers(f, answers, r.CreatedAt.In(loc), households[r.Group]) {
				t.Errorf("%s: %s (answers %v)", r.ID, msg, answers)
			}
			if f.Urgent != nil && f.Urgent(answers) != r.Urgent {
				t.Errorf("%s: urgent %v for answers %v", r.ID, r.Urgent, answers)
			}
			first := ""
			if f.Status != nil {
				first = f.Status(answers)
			}
			if len(r.Updates) == 0 && r.Status != first {
				t.Errorf("%s: status %q, the flow gives %q", r.ID, r.Status, first)
			}
			if len(r.Updates) > 0 && r.Status != r.Updates[len(r.Updates)-1].Status {
				t.Errorf("%s: status %q, the last update says %q", r.ID, r.Status, r.Updates[len(r.Updates)-1].Status)
			}
			if !strings.HasPrefix(r.ID, r.Kind.Prefix()+"-"+strconv.Itoa(r.CreatedAt.In(loc).Year())+"-") {
				t.Errorf("%s: the number is not of its kind and year (%s)", r.ID, r.CreatedAt.In(loc))
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != s.Reports {
		t.Errorf("the store holds %d reports, Write said %d", total, s.Reports)
	}
}

// checkAnswers lists what in answers the flow would not have stored.
func checkAnswers(f *flows.Flow, answers map[string]string, sent time.Time, households int) []string {
	var bad []string
	known := map[string]bool{bot.KeyLocation: true}
	today := sent.Format(time.DateOnly)
	for _, st := range f.Steps {
		known[st.Key] = true
		v, ok := answers[st.Key]
		applies := st.When == nil || st.When(answers)
		switch {
		case !applies && ok:
			bad = append(bad, st.Key+" answered where it does not apply")
			continue
		case !applies:
			continue
		case !ok && !st.Optional && st.Kind != flows.Photos:
			bad = append(bad, st.Key+" missing")
			continue
		case !ok:
			continue
		}
		values := func() []string {
			var out []string
			for _, o := range st.Options {
				out = append(out, o.Value)
			}
			return out
		}
		switch st.Kind {
		case flows.Choice:
			if !slices.Contains(values(), v) {
				bad = append(bad, fmt.Sprintf("%s=%q is not an option", st.Key, v))
			}
		case flows.Multi:
			var idx []int
			for _, p := range strings.Split(v, ",") {
				i := slices.Index(values(), p)
				if i < 0 {
					bad = append(bad, fmt.Sprintf("%s has %q, not an option", st.Key, p))
				}
				idx = append(idx, i)
			}
			if !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != len(idx) {
				bad = append(bad, fmt.Sprintf("%s=%q is not in the options' order", st.Key, v))
			}
		case flows.Text:
			if n := vntext.UTF16Len(v); n > st.Max || utf8.RuneCountInString(v) < st.Min {
				bad = append(bad, fmt.Sprintf("%s is %d long, not %d to %d", st.Key, n, st.Min, st.Max))
			}
		case flows.Number:
			n, err := strconv.Atoi(v)
			if err != nil || n < st.Min || n > st.Max {
				bad = append(bad, fmt.Sprintf("%s=%q is not a number in %d..%d", st.Key, v, st.Min, st.Max))
			}
		case flows.Date:
			d, err := time.Parse(time.DateOnly, v)
			if err != nil || v > today || d.Before(sent.AddDate(-1, 0, -1)) {
				bad = append(bad, fmt.Sprintf("%s=%q is not a past date within a year of %s", st.Key, v, today))
			}
		case flows.Time:
			c, err := time.Parse("15:04", v)
			if err != nil || v != c.Format("15:04") {
				bad = append(bad, fmt.Sprintf("%s=%q is not a time of day", st.Key, v))
			}
			if answers[bot.KeyDate] == today && v > sent.Format("15:04") {
				bad = append(bad, fmt.Sprintf("%s=%s is later than it was sent (%s)", st.Key, v, sent.Format("15:04")))
			}
		case flows.Photos:
			if n := len(strings.Split(v, ",")); n > st.Max {
				bad = append(bad, fmt.Sprintf("%s: %d photos", st.Key, n))
			}
		}
	}
	if p, a := answers["present"], answers["absent"]; p != "" && households > 0 {
		np, _ := strconv.Atoi(p)
		na, _ := strconv.Atoi(a)
		if np+na > households {
			bad = append(bad, fmt.Sprintf("present %d and absent %d are more than the %d households", np, na, households))
		}
	}
	for k := range answers {
		if !known[k] {
			bad = append(bad, k+" is no step of the flow")
		}
	}
	if pin := answers[bot.KeyLocation]; pin != "" && !strings.HasPrefix(answers["place"], "📍 ") {
		bad = append(bad, "a pin with a typed place")
	}
	return bad
}

// Ensure the store is what the bot keeps as reports arrive: each week's
// counters agree with that week's reports (for the province and for a
// commune), the open-case index with the open cases, and the reporter
// index with the reports.
func TestIndexesAsTheBotKeepsThem(t *testing.T) {
	st, w, s := generate(t, scalegen.Options{Reports: 3000, Users: 400, End: end, Batch: 1000})
	commune := w.Commune()
	last := bot.WeekStart(end, loc)
	for _, area := range []string{scalegen.Province, commune} {
		for wk := 1; wk <= 10; wk++ {
			monday := last.AddDate(0, 0, -7*wk)
			err := st.View(func(tx bot.Tx) error {
				sum, err := bot.BuildSummary(tx, area, monday, monday.AddDate(0, 0, 7), loc)
				if err != nil {
					return err
				}
				if len(sum.Reports) == 0 && area == scalegen.Province {
					t.Errorf("%s %s: no reports", area, sum.Week)
				}
				if got := sum.Weeks[len(sum.Weeks)-1].Counts; !sameCounts(got, sum.Counts) {
					t.Errorf("%s %s: the counters say %v, the reports %v", area, sum.Week, got, sum.Counts)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	open, by := map[string]bool{}, map[bot.Address]int{}
	st.View(func(tx bot.Tx) error {
		return tx.Reports(time.Unix(0, 0), end.Add(time.Second), func(r bot.Report) error {
			if r.Kind == bot.KindMediation && bot.OpenCase(r.Status) {
				open[r.ID] = true
			}
			by[r.Reporter]++
			return nil
		})
	})
	if len(open) != s.Open || len(open) == 0 {
		t.Errorf("%d open cases in the reports, Write said %d", len(open), s.Open)
	}
	st.View(func(tx bot.Tx) error {
		sum, err := bot.BuildSummary(tx, scalegen.Province, last, end, loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sum.Open {
			if !open[r.ID] {
				t.Errorf("%s is indexed open, its status is %q", r.ID, r.Status)
			}
		}
		if len(sum.Open) != len(open) {
			t.Errorf("%d cases indexed open, %d open", len(sum.Open), len(open))
		}
		for a, n := range by {
			got := 0
			tx.ReportsBy(a, func(bot.Report) bool { got++; return true })
			if got != n {
				t.Errorf("%s: %d reports by the index, %d in the store", a, got, n)
			}
		}
		return nil
	})

	// The bot numbers its next report after the generated ones.
	st.View(func(tx bot.Tx) error {
		year := end.In(loc).Year()
		n := 0
		tx.Reports(time.Date(year, 1, 1, 0, 0, 0, 0, loc), end.Add(time.Second), func(r bot.Report) error {
			if r.Kind == bot.KindIncident {
				n++
			}
			return nil
		})
		if _, err := tx.Report(bot.RefNumber(bot.KindIncident, year, uint64(n))); err != nil {
			t.Errorf("the year's last incident is not number %d: %v", n, err)
		}
		return nil
	})
}

// sameCounts compares counts, a missing kind as 0.
func sameCounts(a, b map[bot.ReportKind]int) bool {
	for _, k := range bot.Kinds {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

// Ensure the people are as Plan said, the same for the same options, and
// the fingerprint is written last.
func TestPeopleAndFingerprint(t *testing.T) {
	o := scalegen.Options{Reports: 500, Users: 1000, Groups: 200, End: end, Location: loc}
	a, b := scalegen.Plan(o), scalegen.Plan(o)
	if !reflect.DeepEqual(a.Users, b.Users) || !reflect.DeepEqual(a.Groups, b.Groups) {
		t.Fatal("two plans of the same options differ")
	}
	if len(a.Users) != 1000 || len(a.Groups) != 200 || len(a.Communes) != 10 {
		t.Fatalf("%d users, %d groups, %d communes", len(a.Users), len(a.Groups), len(a.Communes))
	}
	if want := 4 + 10*scalegen.OfficialsPer; len(a.Officials) != want || len(a.Leaders) != 1000-want {
		t.Errorf("%d officials and %d leaders", len(a.Officials), len(a.Leaders))
	}
	reach := a.Reachable(300, "vi")
	if len(reach) != 300 {
		t.Fatalf("%d reachable leaders", len(reach))
	}
	retired := map[string]bool{}
	for _, g := range a.Groups {
		retired[g.Code] = g.Retired
	}
	for _, u := range reach {
		if u.Deactivated || u.Address.Platform() != "telegram" || u.Role != bot.RoleLeader || u.Lang != "vi" || retired[u.Group] {
			t.Errorf("%+v is not a reachable leader", u)
		}
	}
	for _, area := range []string{scalegen.Province, a.Communes[3].Code} {
		if u, ok := a.Official(area, "ubnd"); !ok || u.Group != area || u.Role != bot.RoleOfficial || u.Agency != "ubnd" {
			t.Errorf("the ubnd official of %s: %+v, %v", area, u, ok)
		}
	}
	st, _, _ := generate(t, o)
	err := st.View(func(tx bot.Tx) error {
		users, err := tx.Users()
		if len(users) != 1000 {
			t.Errorf("%d users stored", len(users))
		}
		for _, u := range a.Users {
			for _, addr := range u.All() {
				got, err := tx.User(addr)
				if err != nil || got.Address != u.Address {
					t.Errorf("%s finds %v, %v; want %s", addr, got.Address, err, u.Address)
				}
			}
		}
		v, err := tx.Meta(scalegen.FingerprintKey)
		if err != nil {
			return err
		}
		if v != o.Fingerprint() {
			t.Errorf("fingerprint %s, want %s", v, o.Fingerprint())
		}
		back, err := scalegen.ReadFingerprint(v)
		if err != nil || back.Fingerprint() != v {
			t.Errorf("the fingerprint reads back as %+v, %v", back, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
