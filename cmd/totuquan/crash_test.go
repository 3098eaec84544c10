package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// The flags of TestCrash; the long run is
//
//	go test ./cmd/totuquan -run TestCrash -crash.kills=50 -v
var (
	crashKills = flag.Int("crash.kills", 10, "how many times TestCrash kills the bot with SIGKILL")
	crashSeed  = flag.Int64("crash.seed", 0, "the seed of TestCrash's kill moments and leaders (0: from the clock)")
)

// crashChildEnv makes the test binary run the bot (TestMain) instead of
// the tests: the bot process of TestCrash is this binary run again.
const crashChildEnv = "TOTUQUAN_CRASH_CHILD"

// crashReady is the line the bot process prints once it is polling, and
// crashHandling the start of the line it prints as it hands an update to
// the dispatcher (a Zalo update is then in the bot's inbox).
const (
	crashReady    = "totuquan-crash-child: ready"
	crashHandling = "totuquan-crash-child: handling "
)

// crashChild runs the bot as "totuquan run" does, and says on standard
// output when it is polling. It stops when the test that started it is
// gone, so that no bot outlives its test.
func crashChild(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	parent := os.Getppid()
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			if os.Getppid() != parent {
				fmt.Fprintln(os.Stderr, "totuquan: the test is gone")
				os.Exit(3)
			}
		}
	}()
	m := NewMain()
	m.Getenv = func(string) string { return "" } // no token from the environment: only the fakes
	m.ready = func(*store.Store) { fmt.Println(crashReady) }
	m.wrap = func(h bot.Handler) bot.Handler {
		return handlerFunc(func(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
			fmt.Println(crashHandling + in.UpdateKey) // one write, unbuffered: it outlives a kill
			return h.Handle(ctx, in)
		})
	}
	if err := m.Run(ctx, args); err != nil {
		fmt.Fprintln(os.Stderr, "totuquan:", err)
		return 1
	}
	return 0
}

// crashBot is the bot process, one life after another.
type crashBot struct {
	t    *testing.T
	exe  string
	args []string
	dir  string

	mu    sync.Mutex
	lives []crashLife // lives[i] is life i+1
	early int         // kills before the life said it is polling
	// reached are the updates any life began to hand to the dispatcher.
	reached map[string]bool

	cmd  *exec.Cmd
	done chan error
}

// crashLife is one run of the bot process: when it was started, said it
// was polling (zero if it never did), was about to be killed or stopped,
// and was gone.
type crashLife struct {
	start, up, end, gone time.Time
}

func (b *crashBot) logPath(life int) string {
	return filepath.Join(b.dir, fmt.Sprintf("life-%03d.log", life))
}

// life is the number of the latest life, from 1.
func (b *crashBot) life() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.lives)
}

// start starts a life; it does not wait for it to be up.
func (b *crashBot) start() {
	b.t.Helper()
	life := b.life() + 1
	logf, err := os.Create(b.logPath(life))
	if err != nil {
		b.t.Fatal(err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		b.t.Fatal(err)
	}
	cmd := exec.Command(b.exe, b.args...)
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	cmd.Stdout, cmd.Stderr = w, logf
	b.mu.Lock()
	b.lives = append(b.lives, crashLife{start: time.Now()})
	b.mu.Unlock()
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	w.Close()
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			b.mu.Lock()
			if key, ok := strings.CutPrefix(line, crashHandling); ok {
				b.reached[key] = true
			} else if l := &b.lives[life-1]; line == crashReady && l.end.IsZero() {
				l.up = time.Now()
			}
			b.mu.Unlock()
		}
	}()
	b.cmd, b.done = cmd, make(chan error, 1)
	go func() { b.done <- cmd.Wait() }()
}

// ended marks the running life as no longer answering, before it is
// killed or stopped, and returns its number.
func (b *crashBot) ended() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := &b.lives[len(b.lives)-1]
	l.end = time.Now()
	if l.up.IsZero() {
		b.early++
	}
	return len(b.lives)
}

// cleanup kills a life still running when the test ends early.
func (b *crashBot) cleanup() {
	b.mu.Lock()
	running := len(b.lives) > 0 && b.lives[len(b.lives)-1].gone.IsZero()
	b.mu.Unlock()
	if running {
		b.cmd.Process.Kill()
		<-b.done
		b.gone()
	}
}

// gone records that the running life's process has exited.
func (b *crashBot) gone() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lives[len(b.lives)-1].gone = time.Now()
}

// kill kills the running life with SIGKILL and waits until it is gone.
func (b *crashBot) kill() {
	b.t.Helper()
	life := b.ended()
	b.cmd.Process.Kill()
	err := <-b.done
	b.gone()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		b.t.Fatalf("life %d had stopped by itself before the kill: %v\n%s", life, err, b.tail(life))
	}
}

// stop stops the running life with SIGTERM, as a service manager does,
// and checks that it stopped cleanly.
func (b *crashBot) stop() {
	b.t.Helper()
	life := b.ended()
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		b.gone()
		if err != nil {
			b.t.Fatalf("the bot did not stop cleanly on SIGTERM: %v\n%s", err, b.tail(life))
		}
	case <-time.After(30 * time.Second):
		b.cmd.Process.Kill()
		b.t.Fatalf("the bot did not stop within 30s of SIGTERM\n%s", b.tail(life))
	}
}

// upFor is how long the bot has been up and polling since t, 0 while down.
func (b *crashBot) upFor(t time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lives) == 0 {
		return 0
	}
	l := b.lives[len(b.lives)-1]
	if l.up.IsZero() || !l.end.IsZero() {
		return 0
	}
	if t.After(l.up) {
		return time.Since(t)
	}
	return time.Since(l.up)
}

// goneBetween reports whether a life's process was gone between a and c.
func (b *crashBot) goneBetween(a, c time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lives {
		if l.gone.After(a) && l.gone.Before(c) {
			return true
		}
	}
	return false
}

// restartBetween reports whether a message the fake took at a and one it
// took at c can come from two lives: a life was started before c, and a
// came before it was up (a request of the life killed can reach the fake
// a moment after the kill).
func (b *crashBot) restartBetween(a, c time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lives[1:] {
		up := l.up
		if up.IsZero() {
			up = l.end
		}
		if l.start.Before(c) && a.Before(up) {
			return true
		}
	}
	return false
}

// tail is the end of a life's log.
func (b *crashBot) tail(life int) string {
	data, _ := os.ReadFile(b.logPath(life))
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return fmt.Sprintf("--- the end of life %d's log:\n%s", life, strings.Join(lines, "\n"))
}

// crashConfig is the bot's config.yaml: both fakes, no send limits nor
// limits on senders (the leaders answer faster than people), schedules
// that do not fire.
func crashConfig(dir string, tg *fakeapi.Server, zf *zfakeapi.Server) string {
	return fmt.Sprintf(`store:
  path: %s
  backup_dir: %s
telegram:
  token: %q
  api_endpoint: %q
  poll_timeout: 2s
  messages_per_second: 0
  bot_username: %s
zalo:
  token: %q
  api_base: %q
  mode: polling
  poll_timeout: 2s
  messages_per_second: 0
admins:
  telegram: [900]
limits:
  per_minute: 0
log:
  level: info
%s`, filepath.Join(dir, "bot.db"), filepath.Join(dir, "backups"), tg.Token(), tg.Endpoint(), tg.BotUsername(),
		zf.Token(), zf.APIBase(), quietSchedules)
}

// TestCrash proves that a crash at any moment loses and repeats no
// report. The bot runs as a process of its own (this test binary run
// again, see TestMain), on a config.yaml that points it at the fake
// Telegram and Zalo servers in this process, on 127.0.0.1. Eight leaders,
// four on each platform, join with invites from "totuquan invite" and
// report one incident after another (see crashLeader), while the bot is
// killed with SIGKILL at random moments, -crash.kills times, and started
// again each time. Then the leaders finish the report in hand, the bot is
// stopped with SIGTERM, and the store is checked:
//
//   - at every kill and after the stop, no update that a platform let go
//     of is missing (crashLedger.check): Telegram's confirmed ones were
//     all handled; of Zalo's, only one read by a bot killed before it had
//     stored it, and its leader sent it again;
//   - the stored reports are exactly those whose reference numbers the
//     leaders were given in receipts, each once, none with the answers of
//     another, each the conversation its leader's receipt closed;
//   - the store passes store.Check, and its outbox, Zalo inbox and drafts
//     are empty;
//   - the bot sends a message again (at least once, as the outbox
//     promises: it marks deliveries every couple of milliseconds, and
//     neither platform takes an idempotency key) only across a restart;
//     each copy is counted, receipts apart;
//   - every button pressed on Telegram was answered;
//   - no life's log has a data race, a panic or an error.
//
// It prints the figures: kills, restarts, reports, receipts, missing,
// duplicated, duplicate messages, drafts that survived a kill, Zalo
// updates lost and sent again, the time taken and the seed, which
// repeats the kill moments with -crash.seed.
func TestCrash(t *testing.T) {
	began := time.Now()
	seed := *crashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (repeat the kill moments with -crash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x746f74757175616e))

	// Tokens of this run's own (not drawn from the seed): a bot of another
	// run that reached these ports would be refused.
	tg, err := fakeapi.New(fakeapi.Options{Token: fmt.Sprintf("%d:CRASH%x", 100000+rand.IntN(900000), rand.Uint64())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tg.Close)
	zf, err := zfakeapi.New(zfakeapi.Options{Token: fmt.Sprintf("%d:crash%x", 1000000000+rand.IntN(1000000000), rand.Uint64())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zf.Close)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(crashConfig(dir, tg, zf)), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now}
		if err := m.Run(context.Background(), args); err != nil {
			t.Fatalf("totuquan %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	cli("areas", "import", "-config", cfgPath, "demo_areas.csv")

	// The leaders, half on each platform, in both groups; each joins with
	// an invite of its own. On Telegram, two type the numbers of their
	// choices and two press the buttons.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b := &crashBot{t: t, exe: exe, args: []string{"run", "-config", cfgPath}, dir: dir, reached: map[string]bool{}}
	t.Cleanup(b.cleanup)
	var stopping atomic.Bool
	var leaders []*crashLeader
	g := &crashLedger{}
	names := []string{"Lan", "Hùng", "Mai", "Tuấn", "Hoa", "Dũng", "Thảo", "Bình"}
	for i, name := range names {
		group := []string{"PT-TL-XB-T1", "PT-TL-XB-T2"}[i%2]
		code, _, _ := strings.Cut(cli("invite", "-config", cfgPath, "-group", group), "\n")
		l := &crashLeader{name: name, bot: b, ledger: g, stopping: &stopping, rng: rand.New(rand.NewPCG(rng.Uint64(), uint64(i)))}
		if i < len(names)/2 {
			u := fakeapi.User{ID: int64(2001 + i), FirstName: name, Language: "vi"}
			l.addr, l.join, l.chat = bot.Address(fmt.Sprintf("telegram:%d", u.ID)), "/start "+code, telegramChat(tg, u, g)
			l.presses = i%2 == 1 // Hùng and Tuấn press the buttons
		} else {
			u := zfakeapi.User{ID: fmt.Sprintf("7b1c0de5a1f2e3d4c%03d", i), Name: name}
			l.addr, l.join, l.chat = bot.Address("zalo:"+u.ID), code, zaloChat(zf, u, g)
		}
		leaders = append(leaders, l)
	}

	// The leaders talk with the bot throughout; the first to fail stops
	// the run.
	failed := make(chan struct{})
	var failOnce sync.Once
	var wg sync.WaitGroup
	for _, l := range leaders {
		wg.Go(func() {
			if l.err = l.run(ctx); l.err != nil {
				failOnce.Do(func() { close(failed) })
			}
			l.finished.Store(true)
		})
	}
	leadersDone := make(chan struct{})
	go func() { wg.Wait(); close(leadersDone) }()
	// leaderFailure stops the run with the chats of the leaders that
	// failed, or of all those still talking when none did.
	leaderFailure := func() {
		t.Helper()
		var talking []*crashLeader
		for _, l := range leaders {
			if !l.finished.Load() {
				talking = append(talking, l)
			}
		}
		cancel()
		<-leadersDone
		shown := false
		for _, l := range leaders {
			if l.err != nil && !errors.Is(l.err, context.Canceled) {
				shown = true
				t.Errorf("%s (%s): %v\n%s", l.name, l.addr, l.err, l.transcript(b))
			}
		}
		for _, l := range talking {
			if !shown {
				t.Errorf("%s (%s) had not finished\n%s", l.name, l.addr, l.transcript(b))
			}
		}
		t.Fatal(b.tail(b.life()))
	}

	// Kill the bot at random moments (from its start: some kills land
	// while it starts, replaying what the last one left) and start it
	// again each time.
	kills := *crashKills
	dbPath := filepath.Join(dir, "bot.db")
	zaloLost := 0
	b.start()
	for k := 0; k < kills; k++ {
		// One kill in four within the first 60ms: while the bot starts
		// (it is up in some 20ms) or replays what the last life left.
		delay := time.Duration(60+rng.IntN(2440)) * time.Millisecond
		if rng.IntN(4) == 0 {
			delay = time.Duration(rng.IntN(60)) * time.Millisecond
		}
		select {
		case <-time.After(delay):
		case err := <-b.done:
			b.gone()
			t.Fatalf("the bot stopped by itself: %v\n%s", err, b.tail(b.life()))
		case <-failed:
			leaderFailure()
		}
		b.kill()
		lost, err := g.afterStop(dbPath, tg, zf, b, false)
		if err != nil {
			cancel()
			<-leadersDone
			t.Fatalf("after kill %d: %v\n%s", k+1, err, b.tail(b.life()))
		}
		zaloLost += len(lost)
		b.start()
	}

	// Then let the bot run: each leader finishes the report in hand, and
	// the bot is stopped cleanly once nothing more arrives.
	stopping.Store(true)
	select {
	case <-leadersDone:
	case <-time.After(60 * time.Second):
		t.Error("the leaders did not finish their reports within 60s of the last kill")
		leaderFailure()
	}
	select {
	case <-failed:
		leaderFailure()
	default:
	}
	quiet(leaders, 500*time.Millisecond)
	b.stop()
	if _, err := g.afterStop(dbPath, tg, zf, b, true); err != nil {
		t.Errorf("after the clean stop: %v", err)
	}

	// Every button pressed was answered, or it would spin on the phone:
	// the adapter answers a press once it is committed, and again when
	// Telegram offers it again after a crash.
	answered := map[string]bool{}
	for _, a := range tg.CallbackAnswers() {
		answered[a.ID] = true
	}
	presses, repeats := 0, 0
	for _, l := range leaders {
		repeats += l.repeats
		for _, id := range l.pressed {
			presses++
			if !answered[id] {
				t.Errorf("%s's press %s was never answered", l.name, id)
			}
		}
	}
	t.Logf("%d buttons pressed on Telegram, %d answers to them; %d messages the bot sent again were seen as answered already", presses, len(tg.CallbackAnswers()), repeats)

	crashCheck(t, b, leaders, dbPath, kills, zaloLost, seed, began)
}

// quiet waits until the bot has sent the leaders nothing for d.
func quiet(leaders []*crashLeader, d time.Duration) {
	count := func() (n int) {
		for _, l := range leaders {
			n += len(l.chat.messages())
		}
		return n
	}
	n, since := count(), time.Now()
	for time.Since(since) < d {
		time.Sleep(20 * time.Millisecond)
		if m := count(); m != n {
			n, since = m, time.Now()
		}
	}
}

// crashCheck opens the store of the stopped bot and checks it against
// what the leaders were told, then prints the figures.
func crashCheck(t *testing.T, b *crashBot, leaders []*crashLeader, dbPath string, kills, zaloLost int, seed int64, began time.Time) {
	t.Helper()
	// What the leaders were given: receipts, and messages the bot sent
	// again. A message is a copy when one of the few before it in the
	// chat has its text: the bot never asks the same twice in a row, and
	// what it sends again after a crash is the little it had sent since
	// its last delivery marks. Reports are counted that a leader began in
	// one life of the bot and sent in another: their drafts survived.
	given := map[string]int{} // reference number → receipts delivered
	owner := map[string]*crashLeader{}
	dupMessages, dupReceipts, resent, across := 0, 0, 0, 0
	menu := i18n.T("vi", "menu.prompt")
	for _, l := range leaders {
		resent += l.resent
		msgs := botTexts(l.chat.messages())
		var begun time.Time
		for i, m := range msgs {
			ref := receiptRef(m.text)
			if ref != "" {
				if given[ref] == 0 && b.goneBetween(begun, m.at) {
					across++
				}
				given[ref]++
				if o := owner[ref]; o != nil && o != l {
					t.Errorf("%s's receipt %s was sent to %s too", o.name, ref, l.name)
				}
				owner[ref] = l
			}
			copied := false
			for j := i - 1; j >= 0 && j >= i-4 && !copied; j-- {
				if copied = msgs[j].text == m.text; !copied {
					continue
				}
				dupMessages++
				if ref != "" {
					dupReceipts++
				}
				// The outbox sends a message again only when the bot was
				// stopped after the platform took it and before its
				// delivery was marked: never twice in one life.
				if !b.restartBetween(msgs[j].at, m.at) {
					t.Errorf("the bot sent %s %q twice with no restart between (at %s and %s)\n%s", l.name, m.text, msgs[j].at.Format("15:04:05.000"), m.at.Format("15:04:05.000"), l.transcriptUntil(b, m.at))
				}
			}
			if !copied && strings.Contains(m.text, menu) {
				begun = m.at
			}
		}
	}
	for ref, n := range given {
		if n > 1 {
			t.Logf("the receipt %s reached %s %d times", ref, owner[ref].name, n)
		}
	}

	st, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var reports []bot.Report
	pending, inbox, drafts := 0, 0, 0
	err = st.View(func(tx bot.Tx) error {
		if err := tx.Reports(time.Unix(0, 0), time.Now().Add(24*time.Hour), func(r bot.Report) error {
			reports = append(reports, r)
			return nil
		}); err != nil {
			return err
		}
		items, err := tx.Pending(1000, 1000)
		pending = len(items)
		if err != nil {
			return err
		}
		if err := tx.Inbox(func(string, []byte, time.Time) error { inbox++; return nil }); err != nil {
			return err
		}
		return tx.Sessions(func(s bot.Session) error {
			if s.IsDraft() {
				drafts++
			}
			return nil
		})
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Check(dbPath); err != nil {
		t.Errorf("the store fails its check: %v", err)
	}
	if pending != 0 || inbox != 0 || drafts != 0 {
		t.Errorf("after the run the outbox holds %d messages, the Zalo inbox %d updates, and %d drafts are unsent; want none", pending, inbox, drafts)
	}

	// The stored reports are exactly those receipted, each once.
	stored := map[string]bot.Report{}
	conversations := map[string]string{} // reporter and answers → the first report with them
	duplicated := 0
	for _, r := range reports {
		stored[r.ID] = r
		answers, _ := json.Marshal(r.Answers)
		key := string(r.Reporter) + " " + string(answers)
		if first, ok := conversations[key]; ok {
			duplicated++
			t.Errorf("report %s repeats %s: the same leader's same answers", r.ID, first)
			continue
		}
		conversations[key] = r.ID
	}
	missing := 0
	for ref := range given {
		if _, ok := stored[ref]; !ok {
			missing++
			t.Errorf("%s was given the receipt %s, but the store has no such report", owner[ref].name, ref)
		}
	}
	for _, r := range reports {
		if given[r.ID] == 0 {
			missing++
			t.Errorf("the store has report %s by %s, but no receipt for it was delivered", r.ID, r.Reporter)
		}
	}
	// Each leader's receipts name the reports of its conversations, in
	// order.
	for _, l := range leaders {
		for i, ref := range l.receipts {
			r, ok := stored[ref]
			if !ok {
				continue // counted missing above
			}
			if want := crashDescription(l.name, i+1); r.Reporter != l.addr || r.Answers["description"] != want {
				t.Errorf("%s's receipt %d names %s, by %s telling %q; want %s telling %q", l.name, i+1, ref, r.Reporter, r.Answers["description"], l.addr, want)
			}
		}
	}
	receipted := 0
	for _, l := range leaders {
		receipted += len(l.receipts)
	}
	if receipted != len(given) {
		t.Errorf("the leaders counted %d receipts, the chats hold %d reference numbers", receipted, len(given))
	}

	b.mu.Lock()
	lives, early := len(b.lives), b.early
	var startup []time.Duration
	for _, l := range b.lives {
		if !l.up.IsZero() {
			startup = append(startup, l.up.Sub(l.start))
		}
	}
	b.mu.Unlock()
	slices.Sort(startup)
	for life := 1; life <= lives; life++ {
		data, _ := os.ReadFile(b.logPath(life))
		for _, bad := range []string{"WARNING: DATA RACE", "panic:", "level=ERROR"} {
			if bytes.Contains(data, []byte(bad)) {
				t.Errorf("life %d's log has %q\n%s", life, bad, b.tail(life))
			}
		}
	}
	// Each Zalo update lost at a kill left its leader without an answer,
	// and the leader sent it again; no other answer was sent again.
	if resent != zaloLost {
		t.Errorf("the leaders sent %d answers again, but %d updates were lost on Zalo", resent, zaloLost)
	}
	t.Logf("the bot was up %s after its start (the median of %d lives)", startup[len(startup)/2].Round(time.Millisecond), len(startup))
	t.Logf("kills=%d restarts=%d (%d kills before the bot was up) reports=%d receipts=%d missing=%d duplicated=%d duplicate_messages=%d (receipts %d) drafts_across_kills=%d zalo_updates_lost=%d (all sent again) elapsed=%s seed=%d",
		kills, lives-1, early, len(reports), len(given), missing, duplicated, dupMessages, dupReceipts, across, resent, time.Since(began).Round(100*time.Millisecond), seed)
}
