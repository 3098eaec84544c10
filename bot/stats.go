package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// MediationStats are the cases received in a period, in the buckets of the
// periodic report: by field (dân sự / hôn nhân gia đình / khác) and by
// outcome (thành / không thành / đang giải quyết / chưa giải quyết, and
// referred), for each group and in total.
type MediationStats struct {
	Area     Area
	From, To time.Time // [From, To)
	Total    Buckets
	Groups   []GroupBuckets // groups with at least one case, in code order
}

// Buckets counts cases by field and by outcome.
type Buckets struct {
	Cases    int
	ByType   map[string]int
	ByStatus map[string]int
}

// GroupBuckets are one group's buckets.
type GroupBuckets struct {
	Group Area
	Buckets
}

func (b *Buckets) add(r Report) {
	if b.ByType == nil {
		b.ByType, b.ByStatus = map[string]int{}, map[string]int{}
	}
	b.Cases++
	b.ByType[typeBucket(r.Answers[KeyCaseType])]++
	b.ByStatus[r.Status]++
}

// BuildMediationStats counts the mediation cases received in [from, to)
// in the groups of area.
func BuildMediationStats(tx Tx, area string, from, to time.Time) (MediationStats, error) {
	a, err := tx.Area(area)
	if err != nil {
		return MediationStats{}, err
	}
	groups, inside, err := subtree(tx, area)
	if err != nil {
		return MediationStats{}, err
	}
	per := map[string]*Buckets{}
	st := MediationStats{Area: a, From: from, To: to}
	err = tx.Reports(from, to, func(r Report) error {
		if r.Kind != KindMediation || !inside[r.Group] {
			return nil
		}
		st.Total.add(r)
		if per[r.Group] == nil {
			per[r.Group] = &Buckets{}
		}
		per[r.Group].add(r)
		return nil
	})
	if err != nil {
		return st, err
	}
	for _, g := range groups {
		if b := per[g.Code]; b != nil {
			st.Groups = append(st.Groups, GroupBuckets{Group: g, Buckets: *b})
			delete(per, g.Code)
		}
	}
	for code, b := range per { // cases made in a village rather than a group
		st.Groups = append(st.Groups, GroupBuckets{Group: Area{Code: code, Name: code}, Buckets: *b})
	}
	return st, nil
}

// Text renders the statistics in lang, dates in loc.
func (st MediationStats) Text(lang string, loc *time.Location) string {
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	line := func(b Buckets) string {
		var types, outcomes []string
		for _, t := range typeBuckets {
			types = append(types, fmt.Sprintf("%s %d", T("sum.type."+t), b.ByType[t]))
		}
		for _, s := range statusBuckets {
			if s == StatusReferred && b.ByStatus[s] == 0 {
				continue
			}
			outcomes = append(outcomes, fmt.Sprintf("%s %d", T("sum.status."+s), b.ByStatus[s]))
		}
		return T("sum.mediation_type") + " " + strings.Join(types, " · ") + "\n" + T("sum.mediation_status") + " " + strings.Join(outcomes, " · ")
	}
	var b strings.Builder
	b.WriteString(T("stats.head", st.Area.Name, st.From.In(loc).Format("02/01/2006"), st.To.Add(-time.Nanosecond).In(loc).Format("02/01/2006")))
	b.WriteString("\n\n" + T("stats.total", st.Total.Cases) + "\n" + line(st.Total))
	for _, g := range st.Groups {
		b.WriteString("\n\n" + g.Group.Name + ": " + i18n.N(lang, "stats.cases", g.Cases, g.Cases) + "\n" + line(g.Buckets))
	}
	return b.String()
}

// statsPeriod reads "/thongke" arguments: nothing (the last six months),
// a number of months, or two dates dd/mm/yyyy.
func statsPeriod(arg string, now time.Time, loc *time.Location) (from, to time.Time, ok bool) {
	to = DayAfter(now, loc)
	f := strings.Fields(arg)
	switch {
	case len(f) == 0:
		return to.AddDate(0, -6, 0), to, true
	case len(f) == 1:
		// All of it a number: "12/2025" or "3abc" is no number of months.
		months, err := strconv.Atoi(f[0])
		if err != nil || months < 1 || months > 36 {
			return from, to, false
		}
		return to.AddDate(0, -months, 0), to, true
	case len(f) == 2:
		p, err := ParseDays(f[0], f[1], "02/01/2006", loc)
		return p.From, p.To, err == nil
	}
	return from, to, false
}
