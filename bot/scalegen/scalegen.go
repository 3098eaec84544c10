// Package scalegen writes a large, realistic store for the scale figures:
// a province's area tree, its leaders and officials, and years of reports
// with the answers the flows produce, written through bot.AddReport so
// that the indexes, the weekly counts and the open-case index are what
// the bot itself keeps as reports arrive. The rest of a store that has
// been in use is there too: invites, join and summary audit entries,
// drafts in progress, remembered menus, the last days' delivery marks and
// the jobs' last runs.
//
// Everything is drawn from one seeded generator: the same Options give
// the same store, so a kept store can be reused (Options.Fingerprint).
package scalegen

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// Options size the store.
type Options struct {
	Reports int `json:"reports"`
	// Users are every registered person: the officials (OfficialsPer of
	// each commune, one of each agency for the province) and leaders.
	Users int `json:"users"`
	// Groups is the number of self-management groups (default 2,000, but
	// at most one per two users); Communes the number of communes they
	// are in (default one per 20 groups), four villages to a commune.
	Groups   int `json:"groups"`
	Communes int `json:"communes"`
	// Span is how far back the reports go from End (default two years);
	// End is when the last was sent (default now, to the second).
	Span time.Duration `json:"span"`
	End  time.Time     `json:"end"`
	Seed uint64        `json:"seed"`
	// Location is the zone weeks are counted in (default
	// Asia/Ho_Chi_Minh), as the bot's configuration sets it.
	Location *time.Location `json:"-"`
	// Batch is how many reports one transaction writes (default 25,000).
	Batch int `json:"-"`
	// Progress, if set, is told after each transaction how many reports
	// are written.
	Progress func(done, total int) `json:"-"`
}

// OfficialsPer is how many officials each commune has: two of each agency.
const OfficialsPer = 8

// Province is the code of the tree's root.
const Province = "PT"

func (o Options) withDefaults() Options {
	if o.Groups <= 0 {
		o.Groups = 2000
	}
	o.Groups = max(1, min(o.Groups, o.Users/2))
	if o.Communes <= 0 {
		o.Communes = max(1, o.Groups/20)
	}
	o.Communes = min(o.Communes, o.Groups)
	if o.Span <= 0 {
		o.Span = 730 * 24 * time.Hour
	}
	if o.End.IsZero() {
		o.End = time.Now().UTC().Truncate(time.Second)
	}
	o.End = o.End.UTC()
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Asia/Ho_Chi_Minh")
		if o.Location == nil {
			o.Location = time.FixedZone("ICT", 7*3600)
		}
	}
	if o.Batch <= 0 {
		o.Batch = 25_000
	}
	return o
}

// Fingerprint names what the store holds; a store whose meta
// FingerprintKey holds it was written, all of it, from these options.
func (o Options) Fingerprint() string {
	o = o.withDefaults()
	b, _ := json.Marshal(o)
	return string(b)
}

// FingerprintKey is the meta key that Write sets once everything is
// committed.
const FingerprintKey = "scalegen"

// ReadFingerprint returns the options a complete store was written with.
func ReadFingerprint(v string) (Options, error) {
	var o Options
	err := json.Unmarshal([]byte(v), &o)
	return o, err
}

// World is the people and places of the store, decided before anything
// is written: cheap, and the same for the same options.
type World struct {
	Opts      Options
	Province  bot.Area
	Communes  []bot.Area
	Villages  []bot.Area
	Groups    []bot.Area
	Users     []bot.User
	Leaders   []int // indexes in Users
	Officials []int

	groupLeaders [][]int // per group, its leaders' indexes in Users
	weight       []float64
	retired      []bool
	cum          [2][]float64 // cumulative group weights: before, after the middle of the span
}

// Reachable returns up to n leaders who can write to the bot on Telegram
// now, in lang: active, in a group not retired, with a Telegram address
// and no draft in progress. The first of each group come first, so they
// are spread over the groups.
func (w *World) Reachable(n int, lang string) []bot.User {
	var out []bot.User
	for k, i := range w.Leaders {
		u := w.Users[i]
		if len(out) == n {
			break
		}
		if u.Deactivated || w.retired[w.groupIndex(u.Group)] || u.Address.Platform() != "telegram" || u.Lang != lang || hasDraft(k) {
			continue
		}
		out = append(out, u)
	}
	return out
}

func (w *World) groupIndex(code string) int {
	i, _ := strconv.Atoi(code[strings.LastIndexByte(code, 'G')+1:])
	return i
}

// Commune returns the busiest commune's code: its summary has the most in it.
func (w *World) Commune() string {
	best, bestW := 0, -1.0
	per := len(w.Groups) / len(w.Communes)
	for c := range w.Communes {
		sum := 0.0
		for g := c * per; g < (c+1)*per && g < len(w.Groups); g++ {
			sum += w.weight[g]
		}
		if sum > bestW {
			best, bestW = c, sum
		}
	}
	return w.Communes[best].Code
}

// Plan decides the areas and the people.
func Plan(o Options) *World {
	o = o.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	w := &World{Opts: o}
	w.Province = bot.Area{Code: Province, Name: "Tỉnh Phú Thọ", Level: "tinh"}
	const villagesPer = 4
	villages := o.Communes * villagesPer
	for c := range o.Communes {
		code := fmt.Sprintf("%s-X%03d", Province, c)
		kind := "Xã "
		if c%5 == 0 {
			kind = "Phường "
		}
		w.Communes = append(w.Communes, bot.Area{Code: code, Name: kind + placeName(c), Level: "xa", Parent: Province})
		for v := range villagesPer {
			vcode := fmt.Sprintf("%s-T%d", code, v+1)
			w.Villages = append(w.Villages, bot.Area{Code: vcode, Name: villageName(c*villagesPer+v, v), Level: "thon", Parent: code})
		}
	}
	// Groups are dealt to villages in order: a commune's groups are
	// contiguous, and each village has about the same number.
	for g := range o.Groups {
		v := g * villages / o.Groups
		vil := w.Villages[v]
		first := v * o.Groups / villages
		for first*villages/o.Groups < v {
			first++
		}
		n := g - first + 1
		w.Groups = append(w.Groups, bot.Area{
			Code: fmt.Sprintf("%s-G%d", vil.Code, g), Name: fmt.Sprintf("Tổ tự quản số %d %s", n, strings.ToLower(vil.Name[:1])+vil.Name[1:]),
			Level: "to", Parent: vil.Code, Households: 30 + rng.IntN(120),
		})
		// How busy a group is: most a few reports a week, some many more.
		w.weight = append(w.weight, math.Exp(rng.NormFloat64()*0.8))
		w.retired = append(w.retired, rng.IntN(100) == 0)
	}
	for g := range w.Groups {
		if w.retired[g] {
			w.Groups[g].Retired = true
		}
	}
	for h := range 2 {
		w.cum[h] = make([]float64, len(w.Groups))
		sum := 0.0
		for g, wt := range w.weight {
			if h == 1 && w.retired[g] {
				wt = 0 // retired in the second half of the span
			}
			sum += wt
			w.cum[h][g] = sum
		}
	}

	start := o.End.Add(-o.Span)
	names := newNames(rng)
	joined := func() time.Time {
		// Most people joined in the first months, some later.
		return start.Add(time.Duration(math.Pow(rng.Float64(), 3) * float64(o.Span) * 0.9)).Truncate(time.Second)
	}
	addUser := func(u bot.User) int {
		w.Users = append(w.Users, u)
		return len(w.Users) - 1
	}
	agencies := []string{"police", "justice", "mttq", "ubnd"}
	for i, a := range agencies {
		w.Officials = append(w.Officials, addUser(bot.User{Address: bot.NewAddress("telegram", strconv.Itoa(50_000+i)),
			Name: names.person(), Role: bot.RoleOfficial, Group: Province, Agency: a, Lang: "vi", CreatedAt: start}))
	}
	for _, c := range w.Communes {
		for k := range OfficialsPer {
			if len(w.Users) >= o.Users-o.Groups/2 {
				break // small stores keep most of their people for groups
			}
			u := bot.User{Address: bot.NewAddress("telegram", strconv.Itoa(60_000+len(w.Users))), Name: names.person(),
				Role: bot.RoleOfficial, Group: c.Code, Agency: agencies[k%len(agencies)], Lang: "vi", CreatedAt: joined()}
			if k == OfficialsPer-1 && rng.IntN(4) == 0 {
				u.Address = bot.NewAddress("zalo", zaloID(rng))
			}
			w.Officials = append(w.Officials, addUser(u))
		}
	}
	leaders := max(0, o.Users-len(w.Users))
	w.groupLeaders = make([][]int, len(w.Groups))
	total := w.cum[0][len(w.cum[0])-1]
	for l := range leaders {
		g := l
		if l >= len(w.Groups) {
			g = pick(w.cum[0], rng.Float64()*total) // deputies where groups are busy
		}
		u := bot.User{Address: bot.NewAddress("telegram", strconv.Itoa(100_000+l)), Name: names.person(),
			Role: bot.RoleLeader, Group: w.Groups[g].Code, Lang: "vi", CreatedAt: joined()}
		switch r := rng.IntN(100); {
		case r < 15: // on Zalo only
			u.Address = bot.NewAddress("zalo", zaloID(rng))
		case r < 20: // on both, linked
			u.Addresses = []bot.Address{u.Address, bot.NewAddress("zalo", zaloID(rng))}
		}
		if rng.IntN(30) == 0 {
			u.Lang = "en"
		}
		u.LastSeen = u.Address
		u.Deactivated = rng.IntN(50) == 0
		i := addUser(u)
		w.Leaders = append(w.Leaders, i)
		w.groupLeaders[g] = append(w.groupLeaders[g], i)
	}
	return w
}

// pick returns the index whose cumulative weight first reaches x.
func pick(cum []float64, x float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Stats is what Write wrote.
type Stats struct {
	Reports  int
	ByKind   map[bot.ReportKind]int
	Urgent   int
	Open     int // mediation cases still open
	Revised  int
	Sessions int
	Menus    int
	Seen     int
	Audit    int
	Invites  int
	Took     time.Duration
}

// Generate plans the world and writes it into st.
func Generate(st bot.Store, o Options) (*World, Stats, error) {
	w := Plan(o)
	s, err := w.Write(st)
	return w, s, err
}

// Write writes the world and its reports into st, in big transactions,
// and sets FingerprintKey last.
func (w *World) Write(st bot.Store) (Stats, error) {
	begin := time.Now()
	o := w.Opts
	rng := rand.New(rand.NewPCG(o.Seed, 2))
	s := Stats{ByKind: map[bot.ReportKind]int{}}
	start := o.End.Add(-o.Span)
	err := st.Update(func(tx bot.Tx) error {
		areas := append([]bot.Area{w.Province}, w.Communes...)
		areas = append(append(areas, w.Villages...), w.Groups...)
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		for g, grp := range w.Groups {
			inv := bot.Invite{Code: fmt.Sprintf("INV%06d", g), Group: grp.Code, Role: bot.RoleLeader, MaxUses: 10,
				Uses: len(w.groupLeaders[g]), CreatedAt: start, ExpiresAt: start.Add(30 * 24 * time.Hour), CreatedBy: "cli:admin"}
			if err := tx.PutInvite(inv); err != nil {
				return err
			}
			s.Invites++
		}
		for _, u := range w.Users {
			if err := tx.PutUser(u); err != nil {
				return err
			}
			err := tx.Audit(bot.AuditEntry{At: u.CreatedAt, Who: string(u.Address), Action: "join", Area: u.Group, Detail: string(u.Role) + " by invite"})
			if err != nil {
				return err
			}
			s.Audit++
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("scalegen: areas and people: %w", err)
	}

	g := reportGen{w: w, rng: rng, start: start}
	for done := 0; done < o.Reports; {
		n := min(o.Batch, o.Reports-done)
		err := st.Update(func(tx bot.Tx) error {
			for i := done; i < done+n; i++ {
				rep, err := g.report(tx, i)
				if err != nil {
					return err
				}
				if err := bot.AddReport(tx, rep, o.Location); err != nil {
					return err
				}
				s.Reports++
				s.ByKind[rep.Kind]++
				if rep.Urgent {
					s.Urgent++
				}
				if rep.Kind == bot.KindMediation && bot.OpenCase(rep.Status) {
					s.Open++
				}
				if len(rep.Revisions) > 0 {
					s.Revised++
				}
				// The updates of the last three days are remembered, about
				// a dozen a report.
				if o.End.Sub(rep.CreatedAt) < 72*time.Hour {
					for k := range 12 {
						key := fmt.Sprintf("telegram:m:%s:%d", rep.Reporter.ID(), i*12+k)
						if k%2 == 1 {
							key = fmt.Sprintf("telegram:cb:%d", 7_000_000_000_000+int64(i*12+k))
						}
						if err := tx.MarkSeen(key, rep.CreatedAt.Add(-time.Duration(12-k)*20*time.Second)); err != nil {
							return err
						}
						s.Seen++
					}
				}
			}
			return nil
		})
		if err != nil {
			return s, fmt.Errorf("scalegen: reports %d to %d: %w", done, done+n, err)
		}
		done += n
		if o.Progress != nil {
			o.Progress(done, o.Reports)
		}
	}

	err = st.Update(func(tx bot.Tx) error {
		// Each official's weekly summary is in the audit log.
		for monday := bot.WeekStart(start, o.Location).AddDate(0, 0, 7); monday.Before(o.End); monday = monday.AddDate(0, 0, 7) {
			week := bot.WeekName(monday.AddDate(0, 0, -7))
			for _, i := range w.Officials {
				u := w.Users[i]
				if u.CreatedAt.After(monday) {
					continue
				}
				e := bot.AuditEntry{At: monday.Add(7 * time.Hour).UTC(), Who: "system", Action: "summary", Area: u.Group, Detail: week + " to " + string(u.Address)}
				if err := tx.Audit(e); err != nil {
					return err
				}
				s.Audit++
			}
		}
		// Drafts in progress (one leader in a hundred) and the menus
		// remembered (one in ten: a reminder's button).
		for k, i := range w.Leaders {
			u := w.Users[i]
			if u.Deactivated {
				continue
			}
			if hasDraft(k) {
				at := o.End.Add(-time.Duration(rng.Int64N(int64(10 * 24 * time.Hour)))).Truncate(time.Second)
				sess := bot.Session{Chat: u.Address, Flow: "incident", Mode: "ask", Step: "place", Token: 3 + rng.IntN(20), Lang: u.Lang,
					Answers:   map[string]string{bot.KeyCategory: pickW(categories, rng), bot.KeyDate: at.In(o.Location).Format(time.DateOnly)},
					History:   []string{bot.KeyCategory, bot.KeyDate, "time"},
					StartedAt: at.Add(-3 * time.Minute), UpdatedAt: at}
				if err := tx.PutSession(sess); err != nil {
					return err
				}
				s.Sessions++
			}
			if k%10 == 3 {
				m := bot.Menu{Choices: []bot.Choice{{Label: "Báo cáo", Value: bot.ButtonStart.Value("")}}}
				if err := tx.PutMenu(u.To(), m); err != nil {
					return err
				}
				s.Menus++
			}
		}
		for _, job := range []string{"weekly_summary", "weekly_reminder", "meeting_reminder", "housekeeping", "backup"} {
			if err := tx.PutMeta("job.last_run."+job, o.End.In(o.Location).Format(time.RFC3339Nano)); err != nil {
				return err
			}
		}
		return tx.PutMeta(FingerprintKey, o.Fingerprint())
	})
	s.Took = time.Since(begin)
	if err != nil {
		return s, fmt.Errorf("scalegen: the rest: %w", err)
	}
	return s, nil
}

// hasDraft reports whether leader k (of World.Leaders) has a draft in
// progress: one in a hundred.
func hasDraft(k int) bool { return k%100 == 7 }

// reportGen draws reports in time order.
type reportGen struct {
	w     *World
	rng   *rand.Rand
	start time.Time
}

// at is the time of report i of n: spread evenly over the span, within
// each day between 06:00 and 22:00 local time.
func (g *reportGen) at(i int) time.Time {
	o := g.w.Opts
	frac := (float64(i) + g.rng.Float64()) / float64(o.Reports)
	t := g.start.Add(time.Duration(frac * float64(o.Span))).In(o.Location)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, o.Location)
	within := float64(t.Sub(day)) / float64(24*time.Hour)
	lo, hi := day.Add(6*time.Hour), day.Add(22*time.Hour)
	if hi.After(o.End) { // the last day, up to End
		hi = o.End
	}
	if !lo.Before(hi) {
		lo = day
	}
	return lo.Add(time.Duration(within * float64(hi.Sub(lo)))).UTC().Truncate(time.Millisecond)
}

func (g *reportGen) report(tx bot.Tx, i int) (bot.Report, error) {
	w, rng, o := g.w, g.rng, g.w.Opts
	at := g.at(i)
	half := 0
	if at.Sub(g.start) > o.Span/2 {
		half = 1
	}
	cum := w.cum[half]
	grp := pick(cum, rng.Float64()*cum[len(cum)-1])
	for len(w.groupLeaders[grp]) == 0 { // fewer leaders than groups
		grp = (grp + 1) % len(w.Groups)
	}
	leaders := w.groupLeaders[grp]
	reporter := w.Users[leaders[rng.IntN(len(leaders))]]
	from := reporter.Address
	if len(reporter.Addresses) > 1 && rng.IntN(2) == 0 {
		from = reporter.Addresses[1]
	}
	var kind bot.ReportKind
	switch r := rng.IntN(100); {
	case r < 60:
		kind = bot.KindIncident
	case r < 85:
		kind = bot.KindMediation
	default:
		kind = bot.KindMeeting
	}
	local := at.In(o.Location)
	seq, err := tx.NextSeq(fmt.Sprintf("%s-%d", kind.Prefix(), local.Year()))
	if err != nil {
		return bot.Report{}, err
	}
	rep := bot.Report{ID: bot.RefNumber(kind, local.Year(), seq), Kind: kind, Group: w.Groups[grp].Code, Reporter: from, CreatedAt: at}
	a := answerer{rng: rng, at: local, group: w.Groups[grp], village: w.Villages[grp*len(w.Villages)/len(w.Groups)]}
	age := o.End.Sub(at)
	switch kind {
	case bot.KindIncident:
		rep.Answers = a.incident()
		rep.Urgent = rep.Answers[bot.KeyUrgent] == "yes"
		rep.Status = bot.StatusNew
		if rep.Urgent && age > 2*time.Hour {
			police := w.officialOf(w.Groups[grp], "police")
			switch r := rng.IntN(10); {
			case r < 7:
				rep.Updates = []bot.CaseUpdate{{At: at.Add(9 * time.Minute), By: police, Status: bot.StatusAcknowledged},
					{At: at.Add(95 * time.Minute), By: police, Status: bot.StatusHandled}}
				rep.Status = bot.StatusHandled
			case r < 9:
				rep.Updates = []bot.CaseUpdate{{At: at.Add(12 * time.Minute), By: police, Status: bot.StatusAcknowledged}}
				rep.Status = bot.StatusAcknowledged
			}
		}
	case bot.KindMediation:
		rep.Answers = a.mediation()
		rep.Status = rep.Answers[bot.KeyStatus]
		if rep.Answers[bot.KeyCaseType] == bot.CaseNotMediable {
			rep.Status = bot.StatusReferred
		}
		// Cases are closed within weeks; a few are forgotten open.
		if bot.OpenCase(rep.Status) && age > time.Duration(10+rng.IntN(50))*24*time.Hour && rng.IntN(300) != 0 {
			final := pickW(closings, rng)
			if rep.Status == bot.StatusReceived && rng.IntN(2) == 0 {
				rep.Updates = append(rep.Updates, bot.CaseUpdate{At: at.Add(3 * 24 * time.Hour), By: from, Status: bot.StatusInProgress})
			}
			rep.Updates = append(rep.Updates, bot.CaseUpdate{At: at.Add(time.Duration(5+rng.IntN(25)) * 24 * time.Hour), By: from, Status: final,
				Note: a.sentence(caseNotes)})
			rep.Status = final
		}
	case bot.KindMeeting:
		rep.Answers = a.meeting()
	}
	if rng.IntN(33) == 0 && age > 48*time.Hour {
		// A correction within the window.
		key := map[bot.ReportKind]string{bot.KindIncident: "description", bot.KindMediation: "substance", bot.KindMeeting: "conclusions"}[kind]
		old := rep.Answers[key]
		rep.Answers[key] = old + " " + a.sentence(additions)
		rep.Revisions = []bot.Revision{{At: at.Add(time.Duration(1+rng.IntN(40)) * time.Hour), By: from, Changes: []bot.Change{{Key: key, Old: old, New: rep.Answers[key]}}}}
	}
	return rep, nil
}

// Name returns the name of the area with code.
func (w *World) Name(code string) string {
	if code == w.Province.Code {
		return w.Province.Name
	}
	for _, list := range [][]bot.Area{w.Communes, w.Villages, w.Groups} {
		for _, a := range list {
			if a.Code == code {
				return a.Name
			}
		}
	}
	return ""
}

// Official returns the first official of area and agency on Telegram.
func (w *World) Official(area, agency string) (bot.User, bool) {
	for _, i := range w.Officials {
		if u := w.Users[i]; u.Group == area && u.Agency == agency && u.Address.Platform() == "telegram" {
			return u, true
		}
	}
	return bot.User{}, false
}

// officialOf returns the commune official of agency who follows group.
func (w *World) officialOf(group bot.Area, agency string) bot.Address {
	c := group.Parent[:strings.LastIndexByte(group.Parent, '-')]
	for _, i := range w.Officials {
		if u := w.Users[i]; u.Group == c && u.Agency == agency {
			return u.Address
		}
	}
	return w.Users[w.Officials[0]].Address
}

func zaloID(rng *rand.Rand) string {
	return strconv.FormatUint(1_000_000_000_000_000_000+rng.Uint64N(8_000_000_000_000_000_000), 10)
}
