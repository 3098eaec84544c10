package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
)

func mustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "t.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

var now = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)

func dispatcher(st bot.Store, fe bot.FlowEngine) *bot.Dispatcher {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	return &bot.Dispatcher{Store: st, Flows: fe, Lang: "vi", Location: loc, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
}

// panicky is a flow engine with a bug.
type panicky struct{ *flows.Engine }

func (panicky) Handle(bot.Session, bot.Inbound, time.Time) bot.Turn { panic("bug in a flow") }

func pending(t *testing.T, st bot.Store) []bot.OutboxItem {
	var items []bot.OutboxItem
	st.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(100, 100); return })
	return items
}

// Ensure an update whose handling panics changes nothing, is answered with
// an apology, and is not offered again forever.
func TestDispatcherPanic(t *testing.T) {
	st := mustOpen(t)
	leader := bot.Address("telegram:5")
	st.Update(func(tx bot.Tx) error {
		tx.PutUser(bot.User{Address: leader, Role: bot.RoleLeader, Group: "G"})
		return tx.PutSession(bot.Session{Chat: leader, Flow: "incident", Mode: "ask", Step: "place", Token: 3, Answers: map[string]string{"category": "theft"}})
	})
	d := dispatcher(st, panicky{flows.New(time.UTC, time.Hour)})
	in := bot.Inbound{UpdateKey: "telegram:m:5:10", Chat: leader, From: leader, Text: "Ngõ 3"}
	if _, err := d.Handle(context.Background(), in); err != nil {
		t.Fatalf("Handle = %v, want the panic contained", err)
	}
	items := pending(t, st)
	if len(items) != 1 || items[0].Msg.Text == "" || items[0].Msg.Chat != leader {
		t.Fatalf("outbox = %+v, want one apology", items)
	}
	st.View(func(tx bot.Tx) error {
		s, _ := tx.Session(leader)
		if s.Token != 3 || s.Step != "place" {
			t.Errorf("session changed by a panicking update: %+v", s)
		}
		if seen, _ := tx.Seen(in.UpdateKey); !seen {
			t.Error("the panicking update is not marked seen")
		}
		return nil
	})
	d.Handle(context.Background(), in) // offered again: ignored
	if n := len(pending(t, st)); n != 1 {
		t.Errorf("a repeated update queued more replies: %d", n)
	}
}

// Ensure the same update applied twice has one effect.
func TestDispatcherDeduplicates(t *testing.T) {
	st := mustOpen(t)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	in := bot.Inbound{UpdateKey: "k1", Chat: "telegram:9", From: "telegram:9", Text: "/trogiup"}
	for range 3 {
		if _, err := d.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(pending(t, st)); n != 1 {
		t.Errorf("%d replies to one update applied three times", n)
	}
}

// transport records deliveries and fails as scripted.
type transport struct {
	mu   sync.Mutex
	got  []string
	fail map[string][]error // by text: errors to return first
	rate float64            // its overall limit, 0 for none
	into *transport         // if set, records the chats delivered to there, for several transports
}

func (tr *transport) ChatLimit(bot.Address) bot.RateLimit { return bot.RateLimit{} }
func (tr *transport) PerSecond() float64                  { return tr.rate }

func (tr *transport) Deliver(_ context.Context, m bot.Outbound) error {
	if tr.into != nil {
		tr.into.mu.Lock()
		defer tr.into.mu.Unlock()
		tr.into.got = append(tr.into.got, string(m.Chat))
		return nil
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if errs := tr.fail[m.Text]; len(errs) > 0 {
		tr.fail[m.Text] = errs[1:]
		return errs[0]
	}
	tr.got = append(tr.got, string(m.Chat)+" "+m.Text)
	return nil
}

// Ensure the sender keeps each chat's order through failures, drops what
// can never be delivered, and empties the outbox.
func TestSender(t *testing.T) {
	st := mustOpen(t)
	tr := &transport{fail: map[string][]error{
		"a1": {&bot.DeliveryError{Err: errors.New("502")}, &bot.DeliveryError{RetryAfter: time.Millisecond, Err: errors.New("429")}},
		"x":  {&bot.DeliveryError{Permanent: true, Err: errors.New("403 blocked")}},
	}}
	st.Update(func(tx bot.Tx) error {
		for _, m := range []bot.Outbound{
			{Chat: "t:A", Reply: bot.Reply{Text: "a1"}}, {Chat: "t:B", Reply: bot.Reply{Text: "b1"}},
			{Chat: "t:A", Reply: bot.Reply{Text: "a2"}}, {Chat: "t:C", Reply: bot.Reply{Text: "x"}},
			{Chat: "t:A", Reply: bot.Reply{Text: "a3"}}, {Chat: "zalo:Z", Reply: bot.Reply{Text: "no transport"}},
		} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"t": tr}, Log: slog.New(slog.DiscardHandler),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(pending(t, st)) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	var a []string
	for _, g := range tr.got {
		if g[:3] == "t:A" {
			a = append(a, g)
		}
	}
	if len(a) != 3 || a[0] != "t:A a1" || a[1] != "t:A a2" || a[2] != "t:A a3" {
		t.Errorf("chat A got %q, want a1, a2, a3 in order", a)
	}
	if len(tr.got) != 4 {
		t.Errorf("delivered %q", tr.got)
	}
	if n := len(pending(t, st)); n != 0 {
		t.Errorf("%d messages left in the outbox", n)
	}
}

func TestRefNumber(t *testing.T) {
	for kind, want := range map[bot.ReportKind]string{bot.KindIncident: "AN-2026-000123", bot.KindMediation: "HG-2026-000123", bot.KindMeeting: "HP-2026-000123"} {
		if got := bot.RefNumber(kind, 2026, 123); got != want {
			t.Errorf("RefNumber(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestNumberedText(t *testing.T) {
	r := bot.Reply{Text: "Ngày nào?", Choices: [][]bot.Choice{{{Label: "Hôm nay"}, {Label: "Hôm qua"}}, {{Label: "Quay lại"}}}}
	if got, want := r.NumberedText(), "Ngày nào?\n\n1. Hôm nay\n2. Hôm qua\n3. Quay lại"; got != want {
		t.Errorf("NumberedText = %q, want %q", got, want)
	}
	// With the reader's language, a hint of how to answer.
	r.Lang, r.FreeInput = "vi", true
	if got, want := r.NumberedText(), "Ngày nào?\n\n1. Hôm nay\n2. Hôm qua\n3. Quay lại\n\nTrả lời 1, 2 hoặc 3, hoặc gõ câu trả lời."; got != want {
		t.Errorf("NumberedText = %q, want %q", got, want)
	}
	r.Lang, r.FreeInput = "en", false
	r.Choices = append(r.Choices, []bot.Choice{{Label: "a"}, {Label: "b"}, {Label: "c"}, {Label: "d"}})
	if got, want := r.NumberedText(), "\n\nReply a number from 1 to 7."; !strings.HasSuffix(got, want) {
		t.Errorf("NumberedText = %q, want it to end %q", got, want)
	}
}

// BenchmarkDispatcherReport runs whole incident reports through the
// dispatcher, flows and the durable store, without a network: each op is
// one report of 12 updates by one of 50 leaders, run in parallel.
//
//	go test ./bot -run '^$' -bench DispatcherReport -benchtime 300x
func BenchmarkDispatcherReport(b *testing.B) {
	st := mustOpen(b)
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	const leaders = 50
	st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas([]bot.Area{{Code: "G", Name: "Tổ G", Level: "to"}}); err != nil {
			return err
		}
		for i := range leaders {
			a := bot.Address("telegram:" + string(rune('A'+i)))
			if err := tx.PutUser(bot.User{Address: a, Role: bot.RoleLeader, Group: "G"}); err != nil {
				return err
			}
		}
		return nil
	})
	answers := []string{"/baocao", "2", "1", "1", "7:30", "Ngõ 3, xóm Bãi", "Mất trộm một xe máy đỗ trước nhà.", "2", "2", "2", "xong", "1"}
	var seq sync.Mutex
	next := 0
	b.SetParallelism(leaders / 2) // 2 cores: 50 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		seq.Lock()
		a := bot.Address("telegram:" + string(rune('A'+next%leaders)))
		next++
		seq.Unlock()
		n := 0
		for pb.Next() {
			for _, text := range answers {
				n++
				in := bot.Inbound{UpdateKey: string(a) + ":" + time.Duration(n).String(), Chat: a, From: a, Text: text}
				if _, err := d.Handle(context.Background(), in); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	b.StopTimer()
	var reports int
	st.View(func(tx bot.Tx) error {
		return tx.Reports(time.Time{}, now.Add(time.Hour), func(bot.Report) error { reports++; return nil })
	})
	if reports != b.N {
		b.Fatalf("%d reports stored after %d runs", reports, b.N)
	}
	b.ReportMetric(float64(b.N*len(answers))/b.Elapsed().Seconds(), "updates/s")
}

// Ensure an unreadable draft is dropped rather than blocking its chat.
func TestCorruptSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	leader := bot.Address("telegram:5")
	st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas([]bot.Area{{Code: "G", Name: "Tổ G", Level: "to"}}); err != nil {
			return err
		}
		return tx.PutUser(bot.User{Address: leader, Role: bot.RoleLeader, Group: "G"})
	})
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sessions")).Put([]byte(leader), []byte("{not json"))
	})
	db.Close()
	st, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	if _, err := d.Handle(context.Background(), bot.Inbound{UpdateKey: "k", Chat: leader, From: leader, Text: "/baocao"}); err != nil {
		t.Fatalf("Handle = %v", err)
	}
	items := pending(t, st)
	if len(items) != 1 || len(items[0].Msg.Choices) == 0 {
		t.Errorf("after a corrupt draft /baocao got %+v, want the menu", items)
	}
}

// BenchmarkBuildSummary builds one commune's weekly summary from a store
// holding 1,000,000 reports over five years in 20 communes (about 3,850 a
// week). It reads only that week's reports, counters and open cases; the
// store is made once, in the test's temporary directory, which takes a few
// minutes:
//
//	go test ./bot -run '^$' -bench BuildSummary -benchtime 200x -benchmem -timeout 30m
func BenchmarkBuildSummary(b *testing.B) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	st := mustOpen(b)
	const (
		total    = 1_000_000
		communes = 20
		groups   = 25 // per commune
	)
	start := time.Date(2021, 11, 29, 0, 0, 0, 0, loc)
	span := 5 * 52 * 7 * 24 * time.Hour
	var areas []bot.Area
	for c := range communes {
		cc := fmt.Sprintf("C%02d", c)
		areas = append(areas, bot.Area{Code: cc, Name: "Xã " + cc, Level: "xa"})
		for g := range groups {
			areas = append(areas, bot.Area{Code: fmt.Sprintf("%s-T%02d", cc, g), Name: fmt.Sprintf("Tổ %d", g), Level: "to", Parent: cc})
		}
	}
	st.Update(func(tx bot.Tx) error { return tx.PutAreas(areas) })
	kinds := []bot.ReportKind{bot.KindIncident, bot.KindMediation, bot.KindMeeting}
	const batch = 20_000
	for i := 0; i < total; i += batch {
		err := st.Update(func(tx bot.Tx) error {
			for j := i; j < i+batch; j++ {
				kind := kinds[j%3]
				r := bot.Report{
					ID: bot.RefNumber(kind, 2021+j/(total/5), uint64(j)), Kind: kind,
					Group:     fmt.Sprintf("C%02d-T%02d", j%communes, (j/communes)%groups),
					CreatedAt: start.Add(time.Duration(int64(span) / total * int64(j))),
					Status:    map[bot.ReportKind]string{bot.KindIncident: "new", bot.KindMediation: "success"}[kind],
					Answers:   map[string]string{"category": "theft", "case_type": "civil", "place": "Ngõ 3, xóm Bãi", "description": "Mất trộm một xe máy đỗ trước nhà."},
				}
				if err := bot.AddReport(tx, r, loc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	monday := bot.WeekStart(start.Add(span-14*24*time.Hour), loc)
	var sum bot.Summary
	b.ResetTimer()
	for range b.N {
		err := st.View(func(tx bot.Tx) (err error) {
			sum, err = bot.BuildSummary(tx, "C07", monday, monday.AddDate(0, 0, 7), loc)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if len(sum.Reports) == 0 || len(sum.Reports) > 400 {
		b.Fatalf("the week has %d of the commune's reports", len(sum.Reports))
	}
	b.ReportMetric(float64(len(sum.Reports)), "reports/week")
}

// Ensure an urgent incident's alerts are queued police first, and not to
// an official who follows only mediation.
func TestAlertsPoliceFirst(t *testing.T) {
	st := mustOpen(t)
	lan := bot.Address("telegram:1")
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "X", Name: "Xã"}, {Code: "X-T1", Name: "Tổ 1", Parent: "X"}})
		tx.PutUser(bot.User{Address: lan, Name: "Lan", Role: bot.RoleLeader, Group: "X-T1"})
		for i, agency := range []string{"ubnd", "mttq", "justice", "police", "ubnd"} {
			tx.PutUser(bot.User{Address: bot.Address(fmt.Sprintf("telegram:%d", 10+i)), Role: bot.RoleOfficial, Group: "X", Agency: agency})
		}
		return nil
	})
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	for i, text := range []string{"/baocao", "2", "1", "1", "bo qua", "Ngõ 3", "Mất trộm xe máy", "bo qua", "2", "1", "xong", "1"} {
		if _, err := d.Handle(context.Background(), bot.Inbound{UpdateKey: fmt.Sprint(i), Chat: lan, From: lan, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	var alerted []bot.Address
	for _, it := range pending(t, st) {
		if strings.HasPrefix(it.Msg.Text, "🚨") {
			alerted = append(alerted, it.Msg.Chat)
		}
	}
	want := []bot.Address{"telegram:13", "telegram:10", "telegram:11", "telegram:14"}
	if fmt.Sprint(alerted) != fmt.Sprint(want) {
		t.Errorf("alerts queued to %v, want %v (police first, no justice officer)", alerted, want)
	}
}

// Ensure an official's summary covers only the kinds their agency follows.
func TestSummaryForAgency(t *testing.T) {
	st := mustOpen(t)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	st.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "X", Name: "Xã Tân Lạc"}, {Code: "X-T1", Name: "Tổ 1", Parent: "X"}})
		for i, kind := range []bot.ReportKind{bot.KindIncident, bot.KindMediation, bot.KindMeeting} {
			r := bot.Report{ID: bot.RefNumber(kind, 2026, 1), Kind: kind, Group: "X-T1", CreatedAt: monday.Add(time.Duration(i+1) * time.Hour),
				Status:  map[bot.ReportKind]string{bot.KindIncident: "new", bot.KindMediation: "in_progress"}[kind],
				Answers: map[string]string{"category": "theft", "case_type": "family"}}
			if err := bot.AddReport(tx, r, loc); err != nil {
				return err
			}
		}
		return nil
	})
	title := flows.New(loc, time.Hour).Title
	var sum bot.Summary
	st.View(func(tx bot.Tx) (err error) {
		sum, err = bot.BuildSummary(tx, "X", monday, monday.AddDate(0, 0, 7), loc)
		return err
	})
	police := sum.For(bot.User{Role: bot.RoleOfficial, Agency: "police"}.Kinds()).Text("vi", loc, title)
	justice := sum.For(bot.User{Role: bot.RoleOfficial, Agency: "justice"}.Kinds()).Text("vi", loc, title)
	all := sum.For(bot.User{Role: bot.RoleOfficial, Agency: "ubnd"}.Kinds()).Text("vi", loc, title)
	for _, tc := range []struct {
		name, text string
		has, lacks []string
	}{
		{"police", police, []string{"Báo cáo: 1 ", "• An ninh trật tự: 1", "Trộm cắp tài sản: 1"}, []string{"Hòa giải", "Sinh hoạt tổ"}},
		{"justice", justice, []string{"Báo cáo: 1 ", "• Hòa giải: 1", "Hôn nhân gia đình 1", "Vụ việc hòa giải còn mở (1)"}, []string{"An ninh trật tự", "Sinh hoạt tổ"}},
		{"ubnd", all, []string{"Báo cáo: 3 ", "• An ninh trật tự: 1", "• Hòa giải: 1", "Sinh hoạt tổ: 1/1 tổ đã họp"}, nil},
	} {
		for _, w := range tc.has {
			if !strings.Contains(tc.text, w) {
				t.Errorf("%s's summary lacks %q:\n%s", tc.name, w, tc.text)
			}
		}
		for _, w := range tc.lacks {
			if strings.Contains(tc.text, w) {
				t.Errorf("%s's summary has %q:\n%s", tc.name, w, tc.text)
			}
		}
	}
}

// Ensure each platform's overall limit is its own: a platform whose budget
// is used up does not hold back another's messages queued after its own.
func TestSenderLimitsPerPlatform(t *testing.T) {
	st := mustOpen(t)
	all := &transport{}
	slow := &transport{rate: 20, into: all}
	fast := &transport{into: all}
	st.Update(func(tx bot.Tx) error {
		for i := range 40 {
			tx.Enqueue(bot.Outbound{Chat: bot.Address(fmt.Sprintf("slow:%d", i)), Reply: bot.Reply{Text: "s"}})
		}
		for i := range 5 {
			tx.Enqueue(bot.Outbound{Chat: bot.Address(fmt.Sprintf("fast:%d", i)), Reply: bot.Reply{Text: "f"}})
		}
		return nil
	})
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"slow": slow, "fast": fast}, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(pending(t, st)) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	all.mu.Lock()
	defer all.mu.Unlock()
	order := all.got
	if len(order) != 45 {
		t.Fatalf("%d delivered, want 45", len(order))
	}
	last := 0
	for i, c := range order {
		if strings.HasPrefix(c, "fast:") {
			last = i
		}
	}
	if last >= 25 {
		t.Errorf("the unlimited platform's last message went out %dth, behind the limited one's budget: %v", last+1, order)
	}
}
