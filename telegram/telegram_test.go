package telegram_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	"github.com/totuquan/totuquan/vntext"
)

// platform runs the Telegram adapter against the fake Bot API for the
// shared transport table.
type platform struct {
	fake *fakeapi.Server
}

func newPlatform(t *testing.T) *platform {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return &platform{fake: fake}
}

func openStore(t testing.TB) *store.Store {
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// start runs an adapter until the test ends.
func start(t *testing.T, fake *fakeapi.Server, h bot.Handler, st bot.Store, mod func(*telegram.Config)) *telegram.Bot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), PollTimeout: 2 * time.Second,
		Handler: h, Store: st, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	b, err := telegram.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { b.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return b
}

func (p *platform) Start(t *testing.T, h bot.Handler) bot.Transport {
	// Each case gets a fresh server, so no update of one reaches another.
	fake, err := fakeapi.New(fakeapi.Options{RecordRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	p.fake = fake
	return start(t, fake, h, openStore(t), nil)
}

func userOf(id string) fakeapi.User {
	n, _ := strconv.ParseInt(strings.TrimPrefix(id, "u"), 10, 64)
	return fakeapi.User{ID: 100 + n, FirstName: id}
}

func (p *platform) Address(user string) bot.Address {
	return bot.Address("telegram:" + strconv.FormatInt(userOf(user).ID, 10))
}

func (p *platform) UserText(t *testing.T, user, text string) { p.fake.SendText(userOf(user), text) }

// UserJoins opens t.me/<bot>?start=<code>: Telegram sends "/start <code>".
func (p *platform) UserJoins(t *testing.T, user, code string) {
	p.fake.SendText(userOf(user), "/start "+code)
}

func (p *platform) UserPicks(t *testing.T, user string, n int) {
	m, ok := p.fake.LastWithButtons(userOf(user).ID)
	if !ok {
		t.Fatal("no message with buttons")
	}
	var flat []fakeapi.Button
	for _, row := range m.Buttons {
		flat = append(flat, row...)
	}
	p.fake.Press(userOf(user), m.ID, flat[n-1].CallbackData)
}

func (p *platform) Received(user string) []transporttest.Received {
	var out []transporttest.Received
	for _, m := range p.fake.BotMessages(userOf(user).ID) {
		r := transporttest.Received{Text: m.Text}
		for _, row := range m.Buttons {
			for _, b := range row {
				r.Choices = append(r.Choices, b.Text)
			}
		}
		out = append(out, r)
	}
	return out
}

func (p *platform) FailNextSend(kind string) {
	status := map[string]int{"rate": 429, "server": 500, "blocked": 403}[kind]
	p.fake.FailNext("sendMessage", status, 1)
}

func (p *platform) TextLimit() int { return fakeapi.MaxText }

// TextLength counts as Telegram counts: UTF-16 code units.
func (p *platform) TextLength(text string) int { return vntext.UTF16Len(text) }

func TestTransport(t *testing.T) {
	transporttest.Run(t, newPlatform(t))
}

type nopHandler struct{ got chan bot.Inbound }

func (h nopHandler) Handle(_ context.Context, in bot.Inbound) (bot.Ack, error) {
	if h.got != nil {
		h.got <- in
	}
	return bot.Ack{}, nil
}

// Ensure a server that answers empty polls at once does not make the bot
// spin: it waits, longer each time.
func TestEmptyPollDoesNotSpin(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{EmptyAtOnce: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	var (
		mu     sync.Mutex
		sleeps []time.Duration
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), PollTimeout: 30 * time.Second,
		Handler: nopHandler{}, Store: openStore(t),
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			sleeps = append(sleeps, d)
			if len(sleeps) == 6 {
				cancel()
			}
			return ctx.Err()
		}})
	if err != nil {
		t.Fatal(err)
	}
	b.Run(ctx)
	if polls := fake.Calls("getUpdates"); polls > len(sleeps) {
		t.Errorf("%d polls but only %d waits", polls, len(sleeps))
	}
	for i, d := range sleeps {
		if d <= 0 || (i > 0 && d < sleeps[i-1]) {
			t.Errorf("waits %v do not grow", sleeps)
		}
	}
}

// storedOffset is the adapter's offset as the store keeps it: JSON under
// the meta key "offset:telegram", the key and shape under which versions
// before the adapter kept its own offset had the store keep it.
type storedOffset struct {
	Next       int64     `json:"next"`
	LastUpdate time.Time `json:"last_update"`
}

func readStoredOffset(t *testing.T, st bot.Store) (off storedOffset, found bool) {
	t.Helper()
	var v string
	err := st.View(func(tx bot.Tx) (err error) { v, err = tx.Meta("offset:telegram"); return })
	if bot.IsNotFound(err) {
		return off, false
	} else if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(v), &off); err != nil {
		t.Fatalf("stored offset %q: %v", v, err)
	}
	return off, true
}

// Ensure that after a quiet week the stored offset is not sent: Telegram
// may have restarted update ids below it, and sending it would confirm the
// new updates unseen. The offset is stored as earlier versions stored it,
// so this is also the first start after an upgrade.
func TestQuietWeekResetsOffset(t *testing.T) {
	for _, tc := range []struct {
		name      string
		quiet     time.Duration
		firstPoll int64 // the offset the first poll must send
	}{{"AfterAWeek", 8 * 24 * time.Hour, 0}, {"WithinAWeek", time.Hour, 900000}} {
		t.Run(tc.name, func(t *testing.T) {
			fake, err := fakeapi.New(fakeapi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close) // after the adapter stops: Close waits for open polls
			now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
			st := openStore(t)
			st.Update(func(tx bot.Tx) error {
				// Byte for byte what the store's PutOffset wrote before.
				return tx.PutMeta("offset:telegram", `{"next":900000,"last_update":"`+now.Add(-tc.quiet).Format(time.RFC3339Nano)+`"}`)
			})
			fake.SetNextUpdateID(17) // a fresh random start, far below
			fake.SendText(fakeapi.User{ID: 5, FirstName: "Lan"}, "xin chào")
			got := make(chan bot.Inbound, 1)
			start(t, fake, nopHandler{got}, st, func(c *telegram.Config) { c.Now = func() time.Time { return now } })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := fake.WaitFor(ctx, func() bool { return len(fake.Offsets()) > 0 }); err != nil {
				t.Fatal("the bot never polled")
			}
			if first := fake.Offsets()[0]; first != tc.firstPoll {
				t.Fatalf("first poll sent offset %d, want %d", first, tc.firstPoll)
			}
			if tc.firstPoll != 0 {
				return // the fake, like Telegram, holds id 17 back from that poll
			}
			<-got
			fake.WaitFor(ctx, func() bool { return fake.Unconfirmed() == 0 })
			if off, _ := readStoredOffset(t, st); off.Next != 18 || !off.LastUpdate.Equal(now) {
				t.Errorf("stored offset = %+v, want 18 at %v", off, now)
			}
		})
	}
}

// Ensure the offset a run stores is where the next run resumes, and that
// a stored offset the adapter cannot read neither stops it nor loses an
// update: it polls without one, and gets what is unconfirmed.
func TestOffsetAcrossRestarts(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	lan := fakeapi.User{ID: 5, FirstName: "Lan"}
	st := openStore(t)
	run := func(want string) {
		t.Helper()
		got := make(chan bot.Inbound, 10)
		ctx, cancel := context.WithCancel(context.Background())
		b, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), PollTimeout: 2 * time.Second,
			Handler: nopHandler{got}, Store: st, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { b.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		if in := recv(t, got); in.Text != want {
			t.Fatalf("handled %q, want %q", in.Text, want)
		}
		wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer wcancel()
		if err := fake.WaitFor(wctx, func() bool { return fake.Unconfirmed() == 0 }); err != nil {
			t.Fatal("the update was never confirmed")
		}
	}
	first := fake.SendText(lan, "một")
	run("một")
	off, found := readStoredOffset(t, st)
	if !found || off.Next != first+1 {
		t.Fatalf("stored offset after the first run = %+v (found %v), want %d", off, found, first+1)
	}
	polls := len(fake.Offsets())
	second := fake.SendText(lan, "hai")
	run("hai")
	if resumed := fake.Offsets()[polls]; resumed != first+1 {
		t.Errorf("the second run's first poll sent offset %d, want %d", resumed, first+1)
	}
	if off, _ := readStoredOffset(t, st); off.Next != second+1 {
		t.Errorf("stored offset after the second run = %+v, want %d", off, second+1)
	}

	st.Update(func(tx bot.Tx) error { return tx.PutMeta("offset:telegram", "not json") })
	polls = len(fake.Offsets())
	fake.SendText(lan, "ba")
	run("ba")
	if resumed := fake.Offsets()[polls]; resumed != 0 {
		t.Errorf("with an unreadable offset the first poll sent %d, want none", resumed)
	}
	if off, _ := readStoredOffset(t, st); off.Next != second+2 {
		t.Errorf("stored offset after the unreadable one = %+v, want %d", off, second+2)
	}
}

func TestSplit(t *testing.T) {
	if got := telegram.Split("ngắn", 10); len(got) != 1 || got[0] != "ngắn" {
		t.Errorf("short: %q", got)
	}
	got := telegram.Split("aaaa\nbbbb\ncccc", 10)
	if strings.Join(got, "|") != "aaaa\nbbbb|cccc" {
		t.Errorf("at line breaks: %q", got)
	}
	got = telegram.Split(strings.Repeat("ư", 25), 10) // no line breaks: cut by characters, not bytes
	if len(got) != 3 || len([]rune(got[0])) != 10 {
		t.Errorf("runes: %q", got)
	}
}

// Ensure updates the bot does not expect, malformed or not, neither stop
// it nor block the updates behind them.
func TestOddUpdates(t *testing.T) {
	p := newPlatform(t)
	got := make(chan bot.Inbound, 10)
	start(t, p.fake, nopHandler{got}, openStore(t), nil)
	for _, raw := range []string{
		`{"callback_query":{"id":"x","data":"1|!b"}}`,              // no sender
		`{"message":{"message_id":1,"text":"hi","from":{"id":5}}}`, // no chat
		`{"edited_message":{"message_id":2,"text":"sửa","chat":{"id":5,"type":"private"},"from":{"id":5}}}`,
		`{"channel_post":{"message_id":3,"text":"tin","chat":{"id":-100,"type":"channel"}}}`,
		`{"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5}}}`,
		`{}`,
	} {
		p.fake.InjectRaw(raw)
	}
	p.fake.SendText(fakeapi.User{ID: 5, FirstName: "Lan"}, "vẫn nghe")
	select {
	case in := <-got:
		if in.Text != "vẫn nghe" {
			t.Errorf("first update handled = %+v, want the text after the odd ones", in)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the bot stopped taking updates")
	}
}

// Ensure a batch is confirmed by the next poll even when the clock passes
// the quiet-week mark between the batch and that poll, so that it is not
// offered again.
func TestConfirmBeforeQuietReset(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	var (
		mu        sync.Mutex
		calls     int
		jumpAfter int // the clock reads 8 days later from this call on
	)
	base := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if jumpAfter > 0 && calls > jumpAfter {
			return base.AddDate(0, 0, 8)
		}
		return base
	}
	handled := make(chan struct{}, 10)
	h := handlerFunc(func(_ context.Context, in bot.Inbound) (bot.Ack, error) {
		mu.Lock()
		jumpAfter = calls + 1 // the batch is recorded at today's time; then the week passes
		mu.Unlock()
		handled <- struct{}{}
		return bot.Ack{}, nil
	})
	fake.SendText(fakeapi.User{ID: 5, FirstName: "Lan"}, "một")
	start(t, fake, h, openStore(t), func(c *telegram.Config) { c.Now = clock })
	<-handled
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Offsets()) >= 2 }); err != nil {
		t.Fatal("no poll after the batch")
	}
	if offs := fake.Offsets(); offs[1] == 0 {
		t.Errorf("the poll after the batch sent no offset (%v): the batch is offered again", offs)
	}
}

type handlerFunc func(context.Context, bot.Inbound) (bot.Ack, error)

func (f handlerFunc) Handle(ctx context.Context, in bot.Inbound) (bot.Ack, error) { return f(ctx, in) }

// Ensure invite links name the bot and carry the code as the start
// parameter, from the command line (the bot stopped) as from the running
// adapter, which learns its username from getMe.
func TestJoinLink(t *testing.T) {
	if got := telegram.JoinLink("totuquan_bot", "K7QM2XPA"); got != "https://t.me/totuquan_bot?start=K7QM2XPA" {
		t.Errorf("JoinLink = %q", got)
	}
	fake, err := fakeapi.New(fakeapi.Options{BotUsername: "to3_bot"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	var j bot.Joiner = start(t, fake, nopHandler{}, openStore(t), nil)
	if got := j.JoinLink("AB12CD34"); got != "https://t.me/to3_bot?start=AB12CD34" {
		t.Errorf("Bot.JoinLink = %q", got)
	}
}

// Ensure the adapter declares the overall rate the sender must keep under:
// Telegram's limit by default, what the config says otherwise, and none
// when limits are off.
func TestPerSecond(t *testing.T) {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	for _, tc := range []struct {
		name     string
		per      float64
		noLimits bool
		want     float64
	}{
		{"Default", 0, false, telegram.DefaultPerSecond},
		{"Set", 12.5, false, 12.5},
		{"NoLimits", 0, true, 0},
		{"SetWithoutChatLimits", 50, true, 50},
		{"Negative", -1, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b, err := telegram.New(ctx, telegram.Config{Token: fake.Token(), Endpoint: fake.Endpoint(), Handler: nopHandler{}, Store: openStore(t),
				PerSecond: tc.per, NoChatLimits: tc.noLimits})
			if err != nil {
				t.Fatal(err)
			}
			if got := b.PerSecond(); got != tc.want {
				t.Errorf("PerSecond() = %v, want %v", got, tc.want)
			}
		})
	}
}
