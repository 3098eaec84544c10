package plain_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest/plain"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
)

// The groups and the commune of the worlds below.
const (
	commune = "PT-TL"
	group1  = "PT-TL-XB-T1" // Lan's, 42 households
	group2  = "PT-TL-XB-T2" // Hoa's
)

// lanAddress is Lan's chat, where her reports come from.
var lanAddress = plain.Address("lan")

// worldNow is Wednesday 25/11/2026 20:00 in Hà Nội (13:00 UTC).
var worldNow = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)

// world is the real dispatcher, flows, store and sender over the plain
// platform, with a clock the test moves: two leaders of one commune
// (Lan, Hoa), its police officer (Công) and its justice officer (Tư).
type world struct {
	t     *testing.T
	st    *store.Store
	d     *bot.Dispatcher
	p     *plain.Platform
	loc   *time.Location
	clock atomic.Pointer[time.Time]
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, st: st, loc: loc}
	w.setNow(worldNow)
	err = st.Update(func(tx bot.Tx) error {
		areas := []bot.Area{
			{Code: "PT", Name: "Tỉnh Phú Thọ", Level: "tinh"},
			{Code: commune, Name: "Xã Tân Lạc", Level: "xa", Parent: "PT"},
			{Code: "PT-TL-XB", Name: "Xóm Bãi", Level: "thon", Parent: commune},
			{Code: group1, Name: "Tổ tự quản số 1 xóm Bãi", Level: "to", Parent: "PT-TL-XB", Households: 42},
			{Code: group2, Name: "Tổ tự quản số 2 xóm Bãi", Level: "to", Parent: "PT-TL-XB"},
		}
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		for _, u := range []bot.User{
			{Address: plain.Address("lan"), Name: "Lan", Role: bot.RoleLeader, Group: group1},
			{Address: plain.Address("hoa"), Name: "Hoa", Role: bot.RoleLeader, Group: group2},
			{Address: plain.Address("cong"), Name: "Công", Role: bot.RoleOfficial, Group: commune, Agency: "police"},
			{Address: plain.Address("tu"), Name: "Tư", Role: bot.RoleOfficial, Group: commune, Agency: "justice"},
		} {
			u.CreatedAt = worldNow
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	sender := &bot.Sender{Store: st, Log: log}
	w.d = &bot.Dispatcher{Store: st, Flows: flows.New(loc, 2*time.Hour), Lang: "vi", Location: loc, Now: w.now, Log: log, Notify: sender.Notify}
	w.p = plain.New(w.d, nil)
	sender.Transports = map[string]bot.Transport{plain.Name: w.p}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	w.p.Settle = w.settle
	return w
}

func (w *world) now() time.Time { return *w.clock.Load() }

func (w *world) setNow(t time.Time) { w.clock.Store(&t) }

func (w *world) advance(d time.Duration) { w.setNow(w.now().Add(d)) }

// settle waits until the outbox is empty: every reply has been delivered.
func (w *world) settle() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var items []bot.OutboxItem
		w.st.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(10, 10); return })
		if len(items) == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	w.t.Error("the outbox was not drained")
}

// report returns a sent report from the store.
func (w *world) report(id string) bot.Report {
	w.t.Helper()
	var rep bot.Report
	if err := w.st.View(func(tx bot.Tx) (err error) { rep, err = tx.Report(id); return }); err != nil {
		w.t.Fatalf("report %s: %v", id, err)
	}
	return rep
}

// hasSession reports whether user's chat has a conversation in hand.
func (w *world) hasSession(user string) bool {
	var ok bool
	w.st.View(func(tx bot.Tx) error {
		_, err := tx.Session(plain.Address(user))
		ok = err == nil
		return nil
	})
	return ok
}

// person is someone chatting over the plain platform: they can only type.
type person struct {
	w    *world
	name string
	mark int // how many messages they had received when they last typed
}

func (w *world) person(name string) *person { return &person{w: w, name: name} }

// say types text and waits for the bot to finish answering.
func (p *person) say(text string) *person {
	p.w.t.Helper()
	p.mark = len(p.w.p.Received(p.name))
	if err := p.w.p.Say(p.name, text); err != nil {
		p.w.t.Fatal(err)
	}
	return p
}

// read marks everything they have received as read, so that expect looks
// only at what comes next (a reminder, an alert).
func (p *person) read() *person {
	p.mark = len(p.w.p.Received(p.name))
	return p
}

// choose types the number that the last message gives the choice
// labelled label: the way a person picks without buttons.
func (p *person) choose(label string) *person {
	p.w.t.Helper()
	choices := p.choices()
	for i, c := range choices {
		if c == label {
			return p.say(strconv.Itoa(i + 1))
		}
	}
	p.w.t.Fatalf("%s's last message offers no «%s»: %q\n--- the chat:\n%s", p.name, label, choices, p.transcript())
	return p
}

var numberedLine = regexp.MustCompile(`^(\d+)\. (.*)$`)

// choices are the numbered lines under the last message, in order.
func (p *person) choices() []string {
	// The numbered lines of the last menu in the message: a run of "1. …",
	// "2. …", after which a hint of how to answer may follow.
	lines := strings.Split(p.last(), "\n")
	var out []string
	for i := len(lines) - 1; i >= 0; i-- {
		m := numberedLine.FindStringSubmatch(lines[i])
		if m == nil || m[1] != "1" {
			continue
		}
		for j, line := range lines[i:] {
			m := numberedLine.FindStringSubmatch(line)
			if m == nil || m[1] != strconv.Itoa(j+1) {
				break
			}
			out = append(out, m[2])
		}
		return out
	}
	return nil
}

// last is the text of the last message they received.
func (p *person) last() string { return p.w.p.Last(p.name) }

// since is what they received since they last typed, one message after
// another.
func (p *person) since() string {
	got := p.w.p.Received(p.name)
	var texts []string
	for _, d := range got[min(p.mark, len(got)):] {
		texts = append(texts, d.Text)
	}
	return strings.Join(texts, "\n---\n")
}

// expect checks that what they received since they last typed contains
// each of want.
func (p *person) expect(want ...string) *person {
	p.w.t.Helper()
	got := p.since()
	for _, s := range want {
		if !strings.Contains(got, s) {
			p.w.t.Fatalf("%s was not told %q; since they last typed:\n%s\n--- the chat:\n%s", p.name, s, got, p.transcript())
		}
	}
	return p
}

// expectNot checks that what they received since they last typed holds
// none of unwanted.
func (p *person) expectNot(unwanted ...string) *person {
	p.w.t.Helper()
	got := p.since()
	for _, s := range unwanted {
		if strings.Contains(got, s) {
			p.w.t.Fatalf("%s was told %q; since they last typed:\n%s", p.name, s, got)
		}
	}
	return p
}

// offers checks that the last message numbers exactly these choices.
func (p *person) offers(want ...string) *person {
	p.w.t.Helper()
	if got := p.choices(); strings.Join(got, "|") != strings.Join(want, "|") {
		p.w.t.Fatalf("%s's last message offers %q, want %q:\n%s", p.name, got, want, p.last())
	}
	return p
}

// transcript is their whole chat, for failure messages.
func (p *person) transcript() string {
	var b strings.Builder
	for _, d := range p.w.p.Received(p.name) {
		b.WriteString("> " + strings.ReplaceAll(d.Text, "\n", "\n  ") + "\n")
	}
	return b.String()
}
