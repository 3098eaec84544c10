package bot

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// WeekStart returns Monday 00:00 of t's week in loc: weeks start on Monday.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

// WeekName is the ISO week of a week's Monday, "2026-W48".
func WeekName(monday time.Time) string {
	y, w := monday.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// ParseWeek reads "2026-W48" and returns that week's Monday in loc.
func ParseWeek(s string, loc *time.Location) (time.Time, error) {
	var y, w int
	if _, err := fmt.Sscanf(s, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 {
		return time.Time{}, Errorf(EINVALID, "%q is not a week such as 2026-W48", s)
	}
	// 4 January is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	monday := WeekStart(jan4, loc).AddDate(0, 0, 7*(w-1))
	if WeekName(monday) != fmt.Sprintf("%d-W%02d", y, w) {
		return time.Time{}, Errorf(EINVALID, "%d has no week %d", y, w)
	}
	return monday, nil
}

func weekCountKey(area, week string, kind ReportKind) string {
	return "w|" + area + "|" + week + "|" + string(kind)
}

// AddReport stores a new report and adds it to the weekly counts of its
// group and of every area above it (weeks in loc), and to the open-case
// index, so that summaries need not scan other weeks.
func AddReport(tx Tx, rep Report, loc *time.Location) error {
	if err := tx.PutReport(rep); err != nil {
		return err
	}
	week := WeekName(WeekStart(rep.CreatedAt, loc))
	for code, steps := rep.Group, 0; code != "" && steps < 64; steps++ {
		if err := tx.AddCount(weekCountKey(code, week, rep.Kind), 1); err != nil {
			return err
		}
		a, err := tx.Area(code)
		if IsNotFound(err) {
			break
		} else if err != nil {
			return err
		}
		code = a.Parent
	}
	if rep.Kind == KindMediation {
		return tx.SetOpenCase(rep.Group, rep.ID, OpenCase(rep.Status))
	}
	return nil
}

// Kinds in the order summaries list them.
var Kinds = []ReportKind{KindIncident, KindMediation, KindMeeting}

// Summary is what happened in one area over one week, or the part of it
// so far.
type Summary struct {
	Area     Area
	From, To time.Time // [From, To)
	Week     string
	Reports  []Report // the period's reports in the area, urgent incidents first
	Counts   map[ReportKind]int
	Previous map[ReportKind]int // the week before
	// Groups are the area's groups (its leaves); Silent those that sent
	// nothing in the period.
	Groups, Silent []Area
	Open           []Report // mediation cases still open, of any week
	// Weeks are the last eight weeks' counts by kind, oldest first, ending
	// with this one.
	Weeks []WeekCounts
	// Kinds are the kinds it covers, in order (all of them unless For).
	Kinds []ReportKind
	names map[string]string
}

// For returns the summary for someone who follows only kinds (the police
// incidents, the justice officer mediation): the other kinds' reports,
// counts and open cases are left out.
func (s Summary) For(kinds []ReportKind) Summary {
	follows := func(k ReportKind) bool { return slices.Contains(kinds, k) }
	out := s
	out.Kinds, out.Reports, out.Open = nil, nil, nil
	for _, k := range s.Kinds {
		if follows(k) {
			out.Kinds = append(out.Kinds, k)
		}
	}
	for _, r := range s.Reports {
		if follows(r.Kind) {
			out.Reports = append(out.Reports, r)
		}
	}
	if follows(KindMediation) {
		out.Open = s.Open
	}
	return out
}

// WeekCounts is one week's number of reports of each kind.
type WeekCounts struct {
	Week   string
	Counts map[ReportKind]int
}

// BuildSummary gathers the summary of area for the week starting monday,
// up to until (the week's end, or now for the week so far). It reads the
// period's reports and the open cases, and counters for earlier weeks:
// never the reports of other weeks.
func BuildSummary(tx Tx, area string, monday, until time.Time, loc *time.Location) (Summary, error) {
	a, err := tx.Area(area)
	if err != nil {
		return Summary{}, err
	}
	groups, inside, err := subtree(tx, area)
	if err != nil {
		return Summary{}, err
	}
	areas, err := tx.Areas()
	if err != nil {
		return Summary{}, err
	}
	names := map[string]string{}
	for _, x := range areas {
		names[x.Code] = x.Name
	}

	s := Summary{Area: a, From: monday, To: until, Week: WeekName(monday), Counts: map[ReportKind]int{},
		Previous: map[ReportKind]int{}, Groups: groups, Kinds: Kinds, names: names}
	reported := map[string]bool{}
	err = tx.Reports(monday, until, func(r Report) error {
		if inside[r.Group] {
			s.Reports = append(s.Reports, r)
			s.Counts[r.Kind]++
			reported[r.Group] = true
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	sort.SliceStable(s.Reports, func(i, j int) bool { return s.Reports[i].Urgent && !s.Reports[j].Urgent })
	for _, g := range groups {
		if !reported[g.Code] {
			s.Silent = append(s.Silent, g)
		}
	}
	if err := openCasesIn(tx, area, func(r Report) { s.Open = append(s.Open, r) }); err != nil {
		return Summary{}, err
	}
	for i := 7; i >= 0; i-- {
		wk := WeekName(monday.AddDate(0, 0, -7*i))
		wc := WeekCounts{Week: wk, Counts: map[ReportKind]int{}}
		for _, k := range Kinds {
			if wc.Counts[k], err = tx.Count(weekCountKey(area, wk, k)); err != nil {
				return Summary{}, err
			}
		}
		s.Weeks = append(s.Weeks, wc)
	}
	s.Previous = s.Weeks[len(s.Weeks)-2].Counts
	return s, nil
}

// Mediation buckets of the periodic statistics.
var (
	typeBuckets   = []string{CaseCivil, CaseFamily, CaseOther}
	statusBuckets = []string{StatusSuccess, StatusFailed, StatusInProgress, StatusReceived, StatusReferred}
)

func typeBucket(caseType string) string {
	switch caseType {
	case CaseCivil, CaseFamily:
		return caseType
	}
	return CaseOther
}

// Text renders the summary for an official's phone in lang; Telegram's
// adapter splits it if it runs over a message.
func (s Summary) Text(lang string, loc *time.Location, title func(ReportKind, string) string) string {
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	day := func(t time.Time) string { return t.In(loc).Format("02/01") }
	var b strings.Builder
	last := s.To.Add(-time.Nanosecond)
	b.WriteString(T("sum.head", strings.TrimPrefix(s.Week[5:], "W"), day(s.From), last.In(loc).Format("02/01/2006"), s.Area.Name))

	total, prev := 0, 0
	for _, k := range s.Kinds {
		total += s.Counts[k]
		prev += s.Previous[k]
	}
	b.WriteString("\n\n" + T("sum.total", total, prev, signed(total-prev)))
	for _, k := range s.Kinds {
		b.WriteString(fmt.Sprintf("\n• %s: %d (%s)", title(k, lang), s.Counts[k], signed(s.Counts[k]-s.Previous[k])))
	}

	var urgent, incidents, cases []Report
	meetings := map[string]bool{}
	for _, r := range s.Reports {
		switch r.Kind {
		case KindIncident:
			incidents = append(incidents, r)
			if r.Urgent {
				urgent = append(urgent, r)
			}
		case KindMediation:
			cases = append(cases, r)
		case KindMeeting:
			meetings[r.Group] = true
		}
	}
	line := func(r Report, extra string) string {
		out := "\n• " + r.ID + " · " + day(r.CreatedAt) + " · " + s.names[r.Group]
		if extra != "" {
			out += " · " + extra
		}
		if r.Status != "" {
			out += " · " + T("status."+r.Status)
		}
		if len(r.Revisions) > 0 {
			out += " · ✎ " + T("sum.edited")
		}
		return out
	}
	if len(urgent) > 0 {
		b.WriteString("\n\n" + T("sum.urgent", len(urgent)))
		shown, more := firstOf(urgent, summaryLines)
		for _, r := range shown {
			b.WriteString(line(r, T("cat."+r.Answers[KeyCategory])))
		}
		b.WriteString(moreLine(T, "\n", more))
	}
	if len(incidents) > 0 {
		b.WriteString("\n\n" + T("sum.by_category") + byCategory(incidents, T))
	}
	if len(cases) > 0 {
		b.WriteString("\n\n" + mediationBuckets(cases, T))
	}
	if slices.Contains(s.Kinds, KindMeeting) {
		b.WriteString("\n\n" + T("sum.meetings", len(meetings), len(s.Groups)))
	}
	if len(s.Silent) > 0 {
		var names []string
		shown, more := firstOf(s.Silent, summaryNames)
		for _, g := range shown {
			names = append(names, g.Name)
		}
		b.WriteString("\n\n" + T("sum.silent", len(s.Silent)) + "\n" + strings.Join(names, "; ") + moreLine(T, " ", more))
	}
	if len(s.Open) > 0 {
		b.WriteString("\n\n" + T("sum.open", len(s.Open)))
		open := slices.Clone(s.Open)
		sort.Slice(open, func(i, j int) bool { return open[i].CreatedAt.Before(open[j].CreatedAt) })
		shown, more := firstOf(open, summaryLines)
		for _, r := range shown {
			b.WriteString(line(r, ""))
		}
		b.WriteString(moreLine(T, "\n", more))
	}
	return b.String()
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}

// byCategory lists incidents by category, the most frequent first.
func byCategory(incidents []Report, T func(string, ...any) string) string {
	byCat := map[string]int{}
	for _, r := range incidents {
		byCat[r.Answers[KeyCategory]]++
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if byCat[cats[i]] != byCat[cats[j]] {
			return byCat[cats[i]] > byCat[cats[j]]
		}
		return cats[i] < cats[j]
	})
	var b strings.Builder
	for _, c := range cats {
		b.WriteString(fmt.Sprintf("\n• %s: %d", T("cat."+c), byCat[c]))
	}
	return b.String()
}

// mediationBuckets counts cases in the official buckets, by field and by
// outcome, on two lines.
func mediationBuckets(cases []Report, T func(string, ...any) string) string {
	byType, byStatus := map[string]int{}, map[string]int{}
	for _, r := range cases {
		byType[typeBucket(r.Answers[KeyCaseType])]++
		byStatus[r.Status]++
	}
	var parts []string
	for _, t := range typeBuckets {
		parts = append(parts, fmt.Sprintf("%s %d", T("sum.type."+t), byType[t]))
	}
	text := T("sum.mediation_type") + " " + strings.Join(parts, " · ")
	parts = nil
	for _, st := range statusBuckets {
		if st == StatusReferred && byStatus[st] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d", T("sum.status."+st), byStatus[st]))
	}
	return text + "\n" + T("sum.mediation_status") + " " + strings.Join(parts, " · ")
}
