package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// testAreas is the example tree from the README, with a second group.
const testAreas = `code,name,level,parent_code,households
PT,Tỉnh Phú Thọ,tinh,,
PT-TL,Xã Tân Lạc,xa,PT,
PT-TL-XB,Xóm Bãi,thon,PT-TL,
PT-TL-XB-T1,Tổ tự quản số 1 xóm Bãi,to,PT-TL-XB,42
PT-TL-XB-T2,Tổ tự quản số 2 xóm Bãi,to,PT-TL-XB,
`

// env is one bot installation for an end-to-end test: a config file, a
// store, the fake Telegram server and a frozen clock.
type env struct {
	t       testing.TB
	fake    *fakeapi.Server
	dir     string
	cfgPath string
	clock   atomic.Pointer[time.Time]
	ticked  chan struct{} // closed and replaced when the clock moves
	tickMu  sync.Mutex
	stderr  syncBuffer

	// The running bot, if any.
	cancel  context.CancelFunc
	done    chan error
	st      *store.Store
	handled atomic.Int64
	sent    int64 // updates injected since start
	// schedules is the config's schedules block; by default nothing fires
	// in a test's span of time, so that reminders do not cross the
	// conversations of tests that are not about them.
	schedules  string
	perSecond  float64 // telegram.messages_per_second
	backupKeep int     // store.backup_keep
	// limits is the config's limits block; by default a burst that the
	// tests' quick conversations never reach (the stranger rule holds).
	limits string
	// zfake, if set (withZalo), is the fake Zalo server the bot also runs on.
	zfake      *zfakeapi.Server
	zaloPublic string
	// afterHandle, if set, runs after each handled update.
	afterHandle func(bot.Inbound, context.CancelFunc)
	// logExtra is more of the config's log block ("  format: json\n");
	// extra is more config at the end (a metrics block).
	logExtra, extra string
	// metrics is where the running bot serves /metrics, if it does.
	metrics string
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const quietSchedules = `schedules:
  weekly_summary: "0 3 1 1 *"
  weekly_reminder: "0 3 1 1 *"
  meeting_reminder: "0 3 1 1 *"
  housekeeping: "0 3 1 1 *"
  backup: "0 3 1 1 *"
`

const roomyLimits = `limits:
  burst: 10000
`

// testNow is Wednesday 25/11/2026 20:00 in Hà Nội (13:00 UTC).
var testNow = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, fakeapi.Options{}, 0)
}

// newEnvWith is newEnv with the fake server's options and the bot's
// telegram.messages_per_second (0: no send limits).
func newEnvWith(t testing.TB, opts fakeapi.Options, perSecond float64) *env {
	t.Helper()
	fake, err := fakeapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	e := &env{t: t, fake: fake, dir: t.TempDir(), schedules: quietSchedules, limits: roomyLimits, perSecond: perSecond, backupKeep: 14}
	now := testNow
	e.clock.Store(&now)
	e.cfgPath = filepath.Join(e.dir, "config.yaml")
	e.writeConfig("debug")
	csv := filepath.Join(e.dir, "areas.csv")
	os.WriteFile(csv, []byte(testAreas), 0o600)
	e.cli("areas", "import", "-config", e.cfgPath, csv)
	t.Cleanup(e.stop)
	return e
}

func (e *env) writeConfig(logLevel string) {
	cfg := fmt.Sprintf(`store:
  path: %s
  backup_dir: %s
  backup_keep: %d
telegram:
  token: %q
  api_endpoint: %q
  poll_timeout: 2s
  messages_per_second: %v
  bot_username: %s
admins:
  telegram: [900]
log:
  level: %s
%s%s%s%s%s`, filepath.Join(e.dir, "bot.db"), filepath.Join(e.dir, "backups"), e.backupKeep, e.fake.Token(), e.fake.Endpoint(), e.perSecond, e.fake.BotUsername(), logLevel, e.logExtra, e.schedules, e.limits, e.zaloConfig(), e.extra)
	if err := os.WriteFile(e.cfgPath, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) now() time.Time { return *e.clock.Load() }

// setNow moves the clock and wakes the scheduler.
func (e *env) setNow(t time.Time) {
	e.clock.Store(&t)
	e.tickMu.Lock()
	if e.ticked != nil {
		close(e.ticked)
	}
	e.ticked = make(chan struct{})
	e.tickMu.Unlock()
}

func (e *env) advance(d time.Duration) { e.setNow(e.now().Add(d)) }

// envClock drives the schedules from the test's clock.
type envClock struct{ e *env }

func (c envClock) Now() time.Time { return c.e.now() }

func (c envClock) Sleep(ctx context.Context, t time.Time) error {
	for {
		c.e.tickMu.Lock()
		if c.e.ticked == nil {
			c.e.ticked = make(chan struct{})
		}
		ch := c.e.ticked
		c.e.tickMu.Unlock()
		if !c.e.now().Before(t) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (e *env) main() (*Main, *bytes.Buffer) {
	var out bytes.Buffer
	return &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &e.stderr, Getenv: func(string) string { return "" }, Now: e.now, clock: envClock{e}}, &out
}

// cli runs a command to completion and returns its standard output.
func (e *env) cli(args ...string) string {
	e.t.Helper()
	out, err := e.try(args...)
	if err != nil {
		e.t.Fatalf("totuquan %s: %v\n%s", strings.Join(args, " "), err, e.stderr.String())
	}
	return out
}

func (e *env) try(args ...string) (string, error) {
	m, out := e.main()
	err := m.Run(context.Background(), args)
	return out.String(), err
}

// start runs the bot ("totuquan run") until stop.
func (e *env) start() {
	e.t.Helper()
	m, _ := e.main()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *store.Store, 1)
	m.ready = func(st *store.Store) { ready <- st }
	m.metricsAddr = func(a net.Addr) { e.metrics = a.String() }
	e.handled.Store(0)
	e.sent = 0
	m.wrap = func(h bot.Handler) bot.Handler {
		return handlerFunc(func(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
			ack, err := h.Handle(ctx, in)
			if err == nil {
				if e.afterHandle != nil {
					e.afterHandle(in, cancel)
				}
				e.handled.Add(1)
			}
			return ack, err
		})
	}
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- m.Run(ctx, []string{"run", "-config", e.cfgPath}) }()
	select {
	case e.st = <-ready:
	case err := <-e.done:
		e.t.Fatalf("bot did not start: %v\n%s", err, e.stderr.String())
	case <-time.After(10 * time.Second):
		e.t.Fatal("bot did not start in 10s")
	}
}

// stop stops the bot and waits for it; it is a no-op when not running.
func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	if err := <-e.done; err != nil {
		e.t.Errorf("bot stopped with %v", err)
	}
	e.cancel, e.st = nil, nil
}

// settle waits until every injected update was handled and every reply
// delivered.
func (e *env) settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Counted handled, and confirmed: an update of before a restart,
	// offered again and skipped by its mark, counts as handled too.
	for e.handled.Load() < e.sent || e.fake.Unconfirmed() > 0 {
		select {
		case <-ctx.Done():
			e.t.Fatalf("only %d of %d updates handled, %d unconfirmed\n%s", e.handled.Load(), e.sent, e.fake.Unconfirmed(), e.stderr.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := waitDelivered(ctx, e.st); err != nil {
		e.t.Fatalf("outbox not drained: %v", err)
	}
}

// user is a leader or a stranger chatting with the bot.
type user struct {
	e *env
	u fakeapi.User
}

func (e *env) user(id int64, name string) *user {
	return &user{e: e, u: fakeapi.User{ID: id, FirstName: name, Language: "vi"}}
}

// say sends text and waits for the bot to finish answering.
func (u *user) say(text string) *user {
	u.e.t.Helper()
	u.e.fake.SendText(u.u, text)
	u.e.sent++
	u.e.settle()
	return u
}

// press taps the button labelled label on the latest message with buttons.
func (u *user) press(label string) *user {
	u.e.t.Helper()
	if _, err := u.e.fake.PressLabel(u.u, label); err != nil {
		u.e.t.Fatal(err)
	}
	u.e.sent++
	u.e.settle()
	return u
}

// last returns the bot's latest message text.
func (u *user) last() string {
	msgs := u.e.fake.BotMessages(u.u.ID)
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Text
}

// expect checks that one of the bot's messages since the user's last
// message contains each of want.
func (u *user) expect(want ...string) *user {
	u.e.t.Helper()
	all := u.e.fake.Messages(u.u.ID)
	var since []string
	for i := len(all) - 1; i >= 0 && all[i].FromBot; i-- {
		since = append([]string{all[i].Text}, since...)
	}
	text := strings.Join(since, "\n---\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			var chat []string
			for _, m := range all {
				chat = append(chat, fmt.Sprintf("bot=%v %q", m.FromBot, m.Text))
			}
			var logs []string
			for _, l := range strings.Split(u.e.stderr.String(), "\n") {
				if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") || strings.Contains(l, "handle") {
					logs = append(logs, l)
				}
			}
			u.e.t.Fatalf("bot's reply does not contain %q:\n%s\n--- the whole chat:\n%s\n--- log:\n%s", w, text, strings.Join(chat, "\n"), strings.Join(logs, "\n"))
		}
	}
	return u
}

// silent checks that the bot did not answer the user's last message.
func (u *user) silent() *user {
	u.e.t.Helper()
	if all := u.e.fake.Messages(u.u.ID); len(all) > 0 && all[len(all)-1].FromBot {
		u.e.t.Fatalf("the bot answered %q, want silence", all[len(all)-1].Text)
	}
	return u
}

// exportJSON runs "totuquan export" and decodes it.
func (e *env) exportJSON(args ...string) []map[string]any {
	e.t.Helper()
	out := e.cli(append([]string{"export", "-config", e.cfgPath, "-format", "json"}, args...)...)
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		e.t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	return recs
}

// invite creates an invite for group with the CLI and returns its code.
func (e *env) invite(args ...string) (code, link string) {
	e.t.Helper()
	out := e.cli(append([]string{"invite", "-config", e.cfgPath}, args...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		e.t.Fatalf("invite printed %q, want the code and the link", out)
	}
	return lines[0], lines[1]
}

// importAreas imports more areas from CSV rows (after the header) with the
// command line; the bot must be stopped.
func (e *env) importAreas(rows string) {
	e.t.Helper()
	path := filepath.Join(e.dir, "more-areas.csv")
	if err := os.WriteFile(path, []byte("code,name,level,parent_code\n"+rows), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.cli("areas", "import", "-config", e.cfgPath, path)
}

// withZalo makes the installation run on a fake Zalo server too, files
// published at publicURL when not empty (served on a loopback port).
func (e *env) withZalo(publicURL string) {
	e.t.Helper()
	z, err := zfakeapi.New(zfakeapi.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(z.Close)
	e.zfake, e.zaloPublic = z, publicURL
	e.writeConfig("debug")
}

func (e *env) zaloConfig() string {
	if e.zfake == nil {
		return ""
	}
	cfg := fmt.Sprintf("zalo:\n  token: %q\n  api_base: %q\n  poll_timeout: 2s\n  messages_per_second: 0\n", e.zfake.Token(), e.zfake.APIBase())
	if e.zaloPublic != "" {
		u, _ := url.Parse(e.zaloPublic)
		cfg += fmt.Sprintf("  public_url: %q\n  webhook:\n    listen: %q\n", e.zaloPublic, u.Host)
	}
	return cfg
}

// zuser is a person writing to the bot on Zalo.
type zuser struct {
	e *env
	u zfakeapi.User
}

func (e *env) zuser(id, name string) *zuser {
	return &zuser{e: e, u: zfakeapi.User{ID: id, Name: name}}
}

// say sends text on Zalo and waits for the bot to finish answering.
func (u *zuser) say(text string) *zuser {
	u.e.t.Helper()
	u.e.zfake.SendText(u.u, text)
	u.e.sent++
	u.e.settle()
	return u
}

// send injects what inject does and waits for the bot to finish answering.
func (u *zuser) send(inject func(zfakeapi.User)) *zuser {
	u.e.t.Helper()
	inject(u.u)
	u.e.sent++
	u.e.settle()
	return u
}

// expect checks that the bot's messages since the person's last message
// contain each of want.
func (u *zuser) expect(want ...string) *zuser {
	u.e.t.Helper()
	all := u.e.zfake.Messages(u.u.ID)
	var since []string
	for i := len(all) - 1; i >= 0 && all[i].FromBot; i-- {
		since = append([]string{all[i].Text}, since...)
	}
	text := strings.Join(since, "\n---\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			var chat []string
			for _, m := range all {
				chat = append(chat, fmt.Sprintf("bot=%v %q", m.FromBot, m.Text))
			}
			u.e.t.Fatalf("the bot's reply on Zalo does not contain %q:\n%s\n--- the whole chat:\n%s", w, text, strings.Join(chat, "\n"))
		}
	}
	return u
}

// received is every text the bot sent the person on Zalo.
func (u *zuser) received() string {
	var b strings.Builder
	for _, m := range u.e.zfake.BotMessages(u.u.ID) {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}
