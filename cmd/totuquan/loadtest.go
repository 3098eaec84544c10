package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// The load test runs the real bot, wired as "totuquan run" wires it, over
// a fresh temporary store, against the fake Bot API on 127.0.0.1, and has
// simulated group leaders report incidents through it, each waiting for
// the bot's reply to an answer before thinking and giving the next. It
// measures what an operator needs to size a server and to know how close
// the bot comes to Telegram's limits: updates handled a second, reply
// latency, the Bot API calls an answer costs, the 429s, conversations
// left without a reply, CPU and memory.

// replyWait is how long a leader waits for a reply before the
// conversation counts as abandoned.
const replyWait = 10 * time.Second

// firstLeader is the Telegram id of the first simulated leader; the
// others follow it.
const firstLeader = 7_000_000_000

// loadStep is one answer of a simulated leader: a typed text, or a press
// of the button labelled so on the latest question.
type loadStep struct {
	text  string
	press bool
}

// loadScript is an incident report (an ninh trật tự) as a leader gives it:
// the command, six presses and five typed answers, as in
// BenchmarkLeadersReporting but yesterday evening, whatever the time now.
var loadScript = []loadStep{
	{"/baocao", false}, {"An ninh trật tự", true}, {"Trộm cắp tài sản", true}, {"Hôm qua", true},
	{"19:30", false}, {"Ngõ 3, xóm Bãi", false}, {"Mất trộm một xe máy đỗ trước nhà.", false}, {"2", false},
	{"Đã báo công an", true}, {"Không khẩn cấp", true}, {"Xong", true}, {"Gửi", true},
}

// thinkTime is how long a leader waits after a reply before answering:
// fixed, or drawn from an exponential distribution of that mean.
type thinkTime struct {
	mean time.Duration
	exp  bool
}

// parseThink reads -think: a duration (3s), exp:MEAN or 0; ok is false
// for anything else.
func parseThink(s string) (t thinkTime, ok bool) {
	rest, exp := strings.CutPrefix(s, "exp:")
	d, err := time.ParseDuration(rest)
	if rest == "0" {
		d, err = 0, nil
	}
	if err != nil || d < 0 || (exp && d == 0) {
		return thinkTime{}, false
	}
	return thinkTime{mean: d, exp: exp}, true
}

func (t thinkTime) next(r *rand.Rand) time.Duration {
	if !t.exp {
		return t.mean
	}
	return time.Duration(r.ExpFloat64() * float64(t.mean))
}

func (t thinkTime) String() string {
	switch {
	case t.exp:
		return "exp:" + t.mean.String()
	case t.mean == 0:
		return "0"
	}
	return t.mean.String()
}

// checkEndpoint refuses a Bot API endpoint that is not a loopback address
// given as an IP: a load test must never reach Telegram, or anyone.
func (m *Main) checkEndpoint(endpoint string) error {
	if strings.Count(endpoint, "%s") != 2 {
		return usageError{m.T("cli.loadtest.endpoint_places", endpoint)}
	}
	u, err := url.Parse(fmt.Sprintf(endpoint, "TOKEN", "getMe"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return usageError{m.T("cli.loadtest.endpoint_url", endpoint)}
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return usageError{m.T("cli.loadtest.endpoint_loopback", endpoint)}
	}
	return nil
}

// checkListen refuses a listening address off loopback.
func (m *Main) checkListen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return usageError{m.T("cli.loadtest.listen", addr)}
	}
	return nil
}

// loadOptions are the load test's flags.
type loadOptions struct {
	leaders          int
	think            thinkTime
	duration, warmup time.Duration
	limits           string
	endpoint, listen string
	json             bool
	cpuprofile       string
}

func (m *Main) cmdLoadtest(ctx context.Context, args []string) error {
	fs, path := m.flags("loadtest", m.T("cli.synopsis.loadtest"))
	var o loadOptions
	fs.IntVar(&o.leaders, "leaders", 200, m.T("cli.flag.loadtest.leaders"))
	think := fs.String("think", "0", m.T("cli.flag.loadtest.think"))
	fs.DurationVar(&o.duration, "duration", 30*time.Second, m.T("cli.flag.loadtest.duration"))
	fs.DurationVar(&o.warmup, "warmup", 0, m.T("cli.flag.loadtest.warmup"))
	fs.StringVar(&o.limits, "limits", "off", m.T("cli.flag.loadtest.limits"))
	fs.StringVar(&o.endpoint, "endpoint", "", m.T("cli.flag.loadtest.endpoint"))
	fs.StringVar(&o.listen, "listen", "", m.T("cli.flag.loadtest.listen"))
	fs.BoolVar(&o.json, "json", false, m.T("cli.flag.loadtest.json"))
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", m.T("cli.flag.loadtest.cpuprofile"))
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, m.T("cli.loadtest.usage", m.T("cli.synopsis.loadtest")))
		m.printFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{m.T("cli.loadtest.args", m.T("cli.synopsis.loadtest"))}
	}
	var ok bool
	if o.think, ok = parseThink(*think); !ok {
		return usageError{m.T("cli.loadtest.think", *think)}
	}
	switch {
	case o.leaders < 1 || o.leaders > 100_000:
		return usageError{m.T("cli.loadtest.leaders", o.leaders)}
	case o.duration <= 0:
		return usageError{m.T("cli.loadtest.duration", o.duration)}
	case o.warmup < 0:
		return usageError{m.T("cli.loadtest.warmup", o.warmup)}
	case o.limits != "telegram" && o.limits != "off":
		return usageError{m.T("cli.loadtest.limits", o.limits)}
	}
	if o.endpoint != "" {
		if err := m.checkEndpoint(o.endpoint); err != nil {
			return err
		}
	}
	if o.listen != "" {
		if err := m.checkListen(o.listen); err != nil {
			return err
		}
	}
	// The store is a temporary one whatever the config says: read it
	// without m.config's word on where the store is.
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(*path, !explicit, m.Getenv)
	if err != nil {
		return err
	}
	m.lang = cfg.Language
	return m.loadtest(ctx, o, cfg)
}

// loadLimits are Telegram's published limits as the fake server
// enforces them under -limits telegram, edits counted as sends.
var loadLimits = fakeapi.Limits{PerSecond: 30, ChatBurst: 3, ChatEvery: time.Second, GroupPerMinute: 20, Edits: true}

// loadRun is one load test: the fake server, the bot, the leaders and what
// they measured.
type loadRun struct {
	m       *Main
	o       loadOptions
	fake    *fakeapi.Server
	st      *store.Store
	leaders []*simLeader
	receipt string // how the bot's receipt of a report begins

	began     time.Time // when the leaders started
	measuring atomic.Bool
	from, to  atomic.Int64 // the measured span, in Unix nanoseconds; to is 0 until it ends

	handled, answers, replies, completed, abandoned, offScript atomic.Int64
	handledAll                                                 atomic.Int64 // warm-up included, for the progress line
	calls, refused                                             [len(callMethods)]atomic.Int64
	refusedBy                                                  [len(limitNames)]atomic.Int64
	otherCalls                                                 atomic.Int64 // sends and edits to chats not the leaders'
	lateEvents                                                 atomic.Int64 // a leader's events dropped, its queue full

	mu        sync.Mutex
	latencies []time.Duration
	hist      histogram // all replies, warm-up included, for the progress line

	notes []loadNote
	logs  *logCounter
}

// loadNote is a note of the report: the key of its text and the text's
// arguments.
type loadNote struct {
	key  string
	args []any
}

// in is the note's text in lang.
func (n loadNote) in(lang string) string { return i18n.T(lang, n.key, n.args...) }

// callMethods are the Bot API calls that put something in a chat.
var callMethods = [...]string{"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}

// limitNames are the limits a 429 goes over, as the fake server names them.
var limitNames = [...]string{fakeapi.LimitOverall, fakeapi.LimitChat, fakeapi.LimitGroup}

// limitPhrases are the keys of how the report names them.
var limitPhrases = map[string]string{
	fakeapi.LimitOverall: "cli.loadtest.limit.overall", fakeapi.LimitChat: "cli.loadtest.limit.chat", fakeapi.LimitGroup: "cli.loadtest.limit.group",
}

// isReply reports whether a call of method answers the leader: a new
// message or a question redrawn in place, not buttons cleared.
func isReply(method string) bool { return method != "editMessageReplyMarkup" }

// simLeader is one simulated leader.
type simLeader struct {
	u      fakeapi.User
	events chan fakeapi.Call // the bot's sends and edits taken in the leader's chat
	rng    *rand.Rand
	// The latest question's keyboard, kept from the events.
	kbID int
	kb   [][]fakeapi.Button
}

func (r *loadRun) inSpan(at time.Time) bool {
	if !r.measuring.Load() {
		return false
	}
	ns := at.UnixNano()
	to := r.to.Load()
	return ns >= r.from.Load() && (to == 0 || ns < to)
}

// onCall is the fake server's hook: it counts the bot's sends and edits
// and hands those taken in a leader's chat to that leader.
func (r *loadRun) onCall(c fakeapi.Call) {
	i := c.Chat - firstLeader
	if i < 0 || i >= int64(len(r.leaders)) {
		if r.inSpan(c.At) {
			r.otherCalls.Add(1)
		}
		return
	}
	if r.inSpan(c.At) {
		if k := slices.Index(callMethods[:], c.Method); k >= 0 {
			r.calls[k].Add(1)
			if c.Status == 429 {
				r.refused[k].Add(1)
				if j := slices.Index(limitNames[:], c.Limit); j >= 0 {
					r.refusedBy[j].Add(1)
				}
			}
		}
	}
	if c.Status != 200 {
		return
	}
	select {
	case r.leaders[i].events <- c:
	default:
		r.lateEvents.Add(1)
	}
}

// outcome is how an answer ended.
type outcome int

const (
	replied   outcome = iota
	noReply           // nothing within replyWait: the conversation is abandoned
	offScript         // the question asked is not the one the script expects
	stopped           // the run is over
)

// apply keeps the keyboard that c leaves on the leader's screen.
func (l *simLeader) apply(c fakeapi.Call) {
	switch {
	case c.Method == "sendMessage" || c.Method == "editMessageText":
		if len(c.Buttons) > 0 {
			l.kbID, l.kb = c.MessageID, c.Buttons
		} else if c.MessageID == l.kbID {
			l.kb = nil
		}
	case c.Method == "editMessageReplyMarkup" && c.MessageID == l.kbID:
		l.kb = c.Buttons
	}
}

// drain applies the events already in.
func (l *simLeader) drain() {
	for {
		select {
		case c := <-l.events:
			l.apply(c)
		default:
			return
		}
	}
}

func (l *simLeader) button(label string) (id int, data string, ok bool) {
	for _, row := range l.kb {
		for _, b := range row {
			if b.Text == label {
				return l.kbID, b.CallbackData, true
			}
		}
	}
	return 0, "", false
}

// answer gives one answer and waits for the bot's reply; text is the
// reply's.
func (r *loadRun) answer(ctx context.Context, l *simLeader, s loadStep) (outcome, string) {
	l.drain()
	var id int
	var data string
	if s.press {
		var ok bool
		if id, data, ok = l.button(s.text); !ok {
			return offScript, ""
		}
	}
	start := time.Now()
	if s.press {
		r.fake.Press(l.u, id, data)
	} else {
		r.fake.SendText(l.u, s.text)
	}
	counted := r.inSpan(start)
	if counted {
		r.answers.Add(1)
	}
	timer := time.NewTimer(replyWait)
	defer timer.Stop()
	for {
		select {
		case c := <-l.events:
			l.apply(c)
			if !isReply(c.Method) || c.At.Before(start) {
				continue
			}
			lat := c.At.Sub(start)
			r.mu.Lock()
			r.hist.add(lat)
			if counted && r.inSpan(c.At) {
				r.latencies = append(r.latencies, lat)
				r.replies.Add(1)
			}
			r.mu.Unlock()
			return replied, c.Text
		case <-timer.C:
			return noReply, ""
		case <-ctx.Done():
			return stopped, ""
		}
	}
}

// lead has l report incidents until ctx ends. A conversation abandoned or
// off the script is cancelled with /huy before the next.
func (r *loadRun) lead(ctx context.Context, l *simLeader) {
	cancelFirst := false
	question := "" // the bot's latest reply
	for ctx.Err() == nil {
		script := loadScript
		if cancelFirst {
			script = append([]loadStep{{"/huy", false}}, script...)
			cancelFirst = false
		}
		for i, s := range script {
			if d := r.o.think.next(l.rng); d > 0 {
				if bot.Sleep(ctx, d) != nil {
					return
				}
			}
			res, text := r.answer(ctx, l, s)
			if res == stopped {
				return
			}
			switch {
			case res != replied:
			case question != "" && strings.HasSuffix(text, question):
				res = offScript // the answer was refused and the question asked again
			case i == len(script)-1 && !strings.HasPrefix(text, r.receipt):
				res = offScript
			}
			question = text
			switch res {
			case noReply:
				if r.inSpan(time.Now()) {
					r.abandoned.Add(1)
				}
			case offScript:
				if r.inSpan(time.Now()) {
					r.offScript.Add(1)
				}
			}
			if res != replied {
				cancelFirst = true
				break
			}
			if i == len(script)-1 && r.inSpan(time.Now()) {
				r.completed.Add(1)
			}
		}
	}
}

// logCounter is the bot's log during the load test: warnings and errors
// counted by message, the rest dropped.
type logCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (h *logCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *logCounter) WithGroup(string) slog.Handler                { return h }
func (h *logCounter) Handle(_ context.Context, rec slog.Record) error {
	h.mu.Lock()
	h.counts[rec.Level.String()+" "+rec.Message]++
	h.mu.Unlock()
	return nil
}

// loadtest runs the load test o with the bot configured as base.
func (m *Main) loadtest(ctx context.Context, o loadOptions, base Config) error {
	r := &loadRun{m: m, o: o, logs: &logCounter{counts: map[string]int{}}}
	receipt, _, _ := strings.Cut(i18n.T("vi", "receipt", "\x00", "", ""), "\x00")
	r.receipt = receipt
	for i := range o.leaders {
		r.leaders = append(r.leaders, &simLeader{
			u:      fakeapi.User{ID: firstLeader + int64(i), FirstName: "Tổ trưởng " + strconv.Itoa(i+1), Language: "vi"},
			events: make(chan fakeapi.Call, 64),
			rng:    rand.New(rand.NewPCG(uint64(i), 0x70747175)),
		})
	}
	fopts := fakeapi.Options{Addr: o.listen, OnCall: r.onCall, History: 64}
	if o.limits == "telegram" {
		lim := loadLimits
		fopts.Limits = &lim
	}
	var err error
	// The fake server's goroutines carry the label "part=telegram", the
	// bot's "part=bot" and the leaders' "part=leaders", so that the CPU
	// profile tells them apart.
	pprof.Do(ctx, pprof.Labels("part", "telegram"), func(context.Context) { r.fake, err = fakeapi.New(fopts) })
	if err != nil {
		return err
	}
	defer r.fake.Close()
	dir, err := os.MkdirTemp("", "totuquan-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	cfg, err := r.configure(base, dir)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.Store.Path, cfg.storeOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	r.st = st
	if err := r.seed(); err != nil {
		return err
	}

	inner := m.wrap
	m.wrap = func(h bot.Handler) bot.Handler {
		if inner != nil {
			h = inner(h)
		}
		return handlerFunc(func(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
			ack, err := h.Handle(ctx, in)
			r.handledAll.Add(1)
			if r.inSpan(time.Now()) {
				r.handled.Add(1)
			}
			return ack, err
		})
	}
	defer func() { m.wrap = inner }()
	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	ready := make(chan struct{})
	readyBefore := m.ready
	m.ready = func(*store.Store) { close(ready) }
	defer func() { m.ready = readyBefore }()
	errc := make(chan error, 1)
	go pprof.Do(botCtx, pprof.Labels("part", "bot"), func(ctx context.Context) {
		errc <- m.runBot(ctx, cfg, st, slog.New(r.logs))
	})
	select {
	case <-ready:
	case err := <-errc:
		return m.fail(err, "cli.loadtest.no_start", err)
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.fake.Calls("getMe") == 0 {
		stopBot()
		<-errc
		return errors.New(m.T("cli.loadtest.unreached", cfg.Telegram.APIEndpoint, strings.TrimSuffix(strings.TrimPrefix(r.fake.Endpoint(), "http://"), "/bot%s/%s")))
	}

	res, err := r.drive(ctx)
	stopBot()
	if berr := <-errc; err == nil && berr != nil && !errors.Is(berr, context.Canceled) {
		err = berr
	}
	if err != nil {
		return err
	}
	r.st.View(func(tx bot.Tx) error {
		return tx.Reports(time.Unix(0, r.from.Load()), time.Unix(0, r.to.Load()), func(bot.Report) error { res.ReportsStored++; return nil })
	})
	return r.print(res)
}

// configure is the bot's configuration for the load test: the operator's,
// on a temporary store, the fake server's token and endpoint, without
// Zalo, metrics or a webhook, and with the limits the test asks for.
func (r *loadRun) configure(base Config, dir string) (Config, error) {
	cfg := base
	cfg.Store.Path = filepath.Join(dir, "loadtest.db")
	cfg.Store.BackupDir = filepath.Join(dir, "backups")
	cfg.Telegram.Token = r.fake.Token()
	cfg.Telegram.APIEndpoint = r.fake.Endpoint()
	if r.o.endpoint != "" {
		cfg.Telegram.APIEndpoint = r.o.endpoint
	}
	cfg.Zalo.Token, cfg.Zalo.Mode = "", "polling"
	cfg.Zalo.Webhook.Listen, cfg.Zalo.PublicURL = "", ""
	cfg.Metrics.Listen = ""
	switch {
	case r.o.limits == "off":
		cfg.Telegram.MessagesPerSecond = 0 // no send limits: the bot's own capacity
	case cfg.Telegram.MessagesPerSecond == 0:
		r.notes = append(r.notes, loadNote{key: "cli.loadtest.note.no_send_limits"})
	}
	if r.o.think.mean == 0 && cfg.Limits.PerMinute != 0 {
		cfg.Limits.PerMinute = 0
		r.notes = append(r.notes, loadNote{key: "cli.loadtest.note.per_minute_off"})
	}
	return cfg, cfg.validate()
}

// seed writes the sample areas, a village of 25 groups for every 25
// leaders, and the leaders, each of their own group.
func (r *loadRun) seed() error {
	areas, err := bot.ParseAreas(bytes.NewReader(demoAreas), nil)
	if err != nil {
		return err
	}
	now := r.m.Now()
	const perVillage = 25
	users := make([]bot.User, 0, len(r.leaders))
	for i, l := range r.leaders {
		village := fmt.Sprintf("PT-TL-LT%03d", i/perVillage+1)
		if i%perVillage == 0 {
			areas = append(areas, bot.Area{Code: village, Name: fmt.Sprintf("Thôn thử %d", i/perVillage+1), Level: "thon", Parent: "PT-TL"})
		}
		group := fmt.Sprintf("%s-T%02d", village, i%perVillage+1)
		areas = append(areas, bot.Area{Code: group, Name: fmt.Sprintf("Tổ tự quản số %d", i%perVillage+1), Level: "to", Parent: village, Households: 40})
		users = append(users, bot.User{Address: bot.NewAddress("telegram", strconv.FormatInt(l.u.ID, 10)), Name: l.u.FirstName,
			Role: bot.RoleLeader, Group: group, Lang: "vi", CreatedAt: now.UTC()})
	}
	if err := r.st.Update(func(tx bot.Tx) error { return tx.PutAreas(areas) }); err != nil {
		return err
	}
	for chunk := range slices.Chunk(users, 1000) {
		err := r.st.Update(func(tx bot.Tx) error {
			for _, u := range chunk {
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// drive runs the leaders through the warm-up and the measured span, with
// a progress line each second, and returns what was measured.
func (r *loadRun) drive(ctx context.Context) (*loadResult, error) {
	lctx, stopLeaders := context.WithCancel(ctx)
	defer stopLeaders()
	var wg sync.WaitGroup
	r.began = time.Now()
	pprof.Do(lctx, pprof.Labels("part", "leaders"), func(lctx context.Context) {
		for _, l := range r.leaders {
			wg.Go(func() { r.lead(lctx, l) })
		}
		wg.Go(func() { r.progress(lctx) })
	})

	if bot.Sleep(ctx, r.o.warmup) != nil {
		stopLeaders()
		wg.Wait()
		return nil, ctx.Err()
	}
	prof := startProfile()
	calls0, refused0 := r.fake.CallCounts(), r.fake.Refused()
	u0 := processUsage()
	r.from.Store(time.Now().UnixNano())
	r.measuring.Store(true)

	// Interrupted, the span ends there and is reported as it stands.
	interrupted := bot.Sleep(ctx, r.o.duration) != nil
	end := time.Now()
	r.to.Store(end.UnixNano())
	u1 := processUsage()
	profile, perr := prof.stop()
	calls1, refused1 := r.fake.CallCounts(), r.fake.Refused()
	var depth int
	r.st.View(func(tx bot.Tx) (err error) { depth, _, err = tx.OutboxStats(); return })
	stopLeaders()
	wg.Wait()

	res := &loadResult{
		Leaders: r.o.leaders, Think: r.o.think.String(), Duration: r.o.duration.Seconds(), Warmup: r.o.warmup.Seconds(),
		Limits: r.o.limits, Endpoint: r.fake.Endpoint(), Updates: r.handled.Load(), Answers: r.answers.Load(),
		Replies: r.replies.Load(), Completed: r.completed.Load(), Abandoned: r.abandoned.Load(), OffScript: r.offScript.Load(),
		OutboxAtEnd: depth, notes: r.notes, CallsElsewhere: r.otherCalls.Load(), LateEvents: r.lateEvents.Load(),
		Calls: map[string]int64{}, Throttled: map[string]int64{}, ThrottledBy: map[string]int64{}, Server: loadServer{Calls: map[string]int{}, Refused: refused1 - refused0},
	}
	if r.o.endpoint != "" {
		res.Endpoint = r.o.endpoint
	}
	secs := end.Sub(time.Unix(0, r.from.Load())).Seconds()
	res.Duration = secs
	if interrupted {
		res.notes = append(res.notes, loadNote{"cli.loadtest.note.interrupted", []any{secs, r.o.duration}})
	}
	res.UpdatesPerSecond = float64(res.Updates) / secs
	res.AnswersPerSecond = float64(res.Answers) / secs
	for k, method := range callMethods {
		if n := r.calls[k].Load(); n > 0 {
			res.Calls[method] = n
			res.Sent += n
		}
		if n := r.refused[k].Load(); n > 0 {
			res.Throttled[method] = n
		}
		res.Throttled429 += r.refused[k].Load()
	}
	for j, limit := range limitNames {
		if n := r.refusedBy[j].Load(); n > 0 {
			res.ThrottledBy[limit] = n
		}
	}
	if res.Answers > 0 {
		res.SendsPerAnswer = float64(res.Sent) / float64(res.Answers)
	}
	for method, n := range calls1 {
		if d := n - calls0[method]; d > 0 {
			res.Server.Calls[method] = d
		}
	}
	r.mu.Lock()
	lats := slices.Clone(r.latencies)
	r.mu.Unlock()
	res.Latency = quantiles(lats)
	res.CPU = cpuReport(u0, u1, secs, res.Updates, profile)
	if perr != nil {
		res.CPU.Parts = nil
		res.notes = append(res.notes, loadNote{"cli.loadtest.note.no_profile", []any{perr}})
	}
	if r.o.cpuprofile != "" {
		if perr != nil {
			return nil, r.m.fail(perr, "cli.loadtest.cpuprofile", perr)
		}
		if err := os.WriteFile(r.o.cpuprofile, profile, 0o644); err != nil {
			return nil, err
		}
	}
	res.Memory = memoryReport(u1)
	r.logs.mu.Lock()
	for msg, n := range r.logs.counts {
		res.BotLog = append(res.BotLog, loadLogLine{Message: msg, Count: n})
	}
	r.logs.mu.Unlock()
	sort.Slice(res.BotLog, func(i, j int) bool { return res.BotLog[i].Count > res.BotLog[j].Count })
	return res, nil
}

// progress writes a line to standard error about once a second.
func (r *loadRun) progress(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			elapsed := now.Sub(r.began)
			n := r.handledAll.Load()
			r.mu.Lock()
			p99 := r.hist.quantile(0.99)
			r.mu.Unlock()
			var depth int
			r.st.View(func(tx bot.Tx) (err error) { depth, _, err = tx.OutboxStats(); return })
			phase := ""
			if !r.measuring.Load() {
				phase = r.m.T("cli.loadtest.warming_up")
			}
			fmt.Fprint(r.m.Stderr, r.m.T("cli.loadtest.progress",
				elapsed.Seconds(), phase, n, float64(n)/elapsed.Seconds(), ms(p99), depth))
		}
	}
}

// loadResult is the report, as -json prints it. The JSON is for programs:
// it does not change with the language, its notes and the CPU parts'
// labels in English.
type loadResult struct {
	Leaders          int              `json:"leaders"`
	Think            string           `json:"think"`
	Duration         float64          `json:"duration_s"`
	Warmup           float64          `json:"warmup_s"`
	Limits           string           `json:"limits"`
	Endpoint         string           `json:"endpoint"`
	Updates          int64            `json:"updates"`
	UpdatesPerSecond float64          `json:"updates_per_s"`
	Answers          int64            `json:"answers"`
	AnswersPerSecond float64          `json:"answers_per_s"`
	Completed        int64            `json:"reports_completed"`
	ReportsStored    int64            `json:"reports_stored"`
	Replies          int64            `json:"replies"`
	Latency          loadLatency      `json:"latency_ms"`
	SendsPerAnswer   float64          `json:"sends_per_answer"`
	Sent             int64            `json:"sends"`
	Calls            map[string]int64 `json:"sends_by_method"`
	Throttled429     int64            `json:"429s"`
	Throttled        map[string]int64 `json:"429s_by_method"`
	ThrottledBy      map[string]int64 `json:"429s_by_limit"`
	Abandoned        int64            `json:"abandoned"`
	OffScript        int64            `json:"off_script"`
	OutboxAtEnd      int              `json:"outbox_at_end"`
	CallsElsewhere   int64            `json:"sends_to_other_chats"`
	LateEvents       int64            `json:"events_dropped,omitempty"`
	Server           loadServer       `json:"server"`
	CPU              loadCPU          `json:"cpu"`
	Memory           loadMemory       `json:"memory"`
	BotLog           []loadLogLine    `json:"bot_log,omitempty"`
	Notes            []string         `json:"notes,omitempty"`

	notes []loadNote // the notes, put in words as the report is printed
}

type loadLatency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// loadServer is what the fake server counted in the measured span: every
// call by method, and the calls it refused with 429.
type loadServer struct {
	Calls   map[string]int `json:"calls"`
	Refused int            `json:"refused"`
}

type loadLogLine struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// quantiles are the nearest-rank percentiles of lats, in milliseconds.
func quantiles(lats []time.Duration) loadLatency {
	if len(lats) == 0 {
		return loadLatency{}
	}
	slices.Sort(lats)
	at := func(q float64) float64 {
		i := int(q*float64(len(lats))+0.999999) - 1
		return float64(lats[min(max(i, 0), len(lats)-1)]) / 1e6
	}
	return loadLatency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: float64(lats[len(lats)-1]) / 1e6}
}

// histogram counts durations in buckets of about 6%: 16 to each power of
// two of microseconds. It is for the progress line; the report sorts
// every latency.
type histogram struct {
	counts [1024]int64
	n      int64
}

func (h *histogram) add(d time.Duration) {
	h.counts[histBucket(max(0, d.Microseconds()))]++
	h.n++
}

func histBucket(us int64) int {
	if us < 32 {
		return int(us)
	}
	e := bits.Len64(uint64(us)) - 5
	return e*16 + int(us>>e)
}

// quantile is the upper bound of the bucket that holds quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := int64(q*float64(h.n) + 0.999999)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= want {
			if i < 32 {
				return time.Duration(i) * time.Microsecond
			}
			e := i/16 - 1
			return time.Duration((int64(i%16+16)<<e)+(1<<e)-1) * time.Microsecond
		}
	}
	return 0
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

// print writes the report: text in the command line's language, or JSON
// with -json.
func (r *loadRun) print(res *loadResult) error {
	if r.o.json {
		res.Notes = nil
		for _, n := range res.notes {
			res.Notes = append(res.Notes, n.in("en"))
		}
		enc := json.NewEncoder(r.m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	m, w := r.m, r.m.Stdout
	think := res.Think
	if think == "0" {
		think = m.T("cli.loadtest.think_closed")
	}
	limits := m.T("cli.loadtest.limits_off")
	if res.Limits == "telegram" {
		limits = m.T("cli.loadtest.limits_telegram",
			loadLimits.PerSecond, loadLimits.ChatBurst, loadLimits.ChatEvery, loadLimits.GroupPerMinute)
	}
	fmt.Fprint(w, m.N("cli.loadtest.header", res.Leaders, res.Leaders, think, limits))
	fmt.Fprint(w, m.T("cli.loadtest.against", res.Endpoint))
	fmt.Fprint(w, m.T("cli.loadtest.measured", res.Duration, res.Warmup))
	fmt.Fprint(w, m.T("cli.loadtest.updates", res.Updates, res.UpdatesPerSecond))
	fmt.Fprint(w, m.T("cli.loadtest.answers", res.Answers, res.AnswersPerSecond))
	fmt.Fprint(w, m.T("cli.loadtest.completed", res.Completed, res.ReportsStored))
	l := res.Latency
	fmt.Fprint(w, m.T("cli.loadtest.latency", l.P50, l.P90, l.P99, l.Max, res.Replies))
	fmt.Fprint(w, m.T("cli.loadtest.sends", res.SendsPerAnswer, res.Sent, byMethod(res.Calls)))
	fmt.Fprint(w, m.T("cli.loadtest.429s", res.Throttled429, inParens(byMethod(res.Throttled)), res.Server.Refused))
	if len(res.ThrottledBy) > 0 {
		var over []string
		for _, limit := range limitNames {
			if n := res.ThrottledBy[limit]; n > 0 {
				over = append(over, m.T("cli.loadtest.over", n, m.T(limitPhrases[limit])))
			}
		}
		fmt.Fprint(w, m.T("cli.loadtest.429s_by_limit", strings.Join(over, ", ")))
	}
	fmt.Fprint(w, m.T("cli.loadtest.abandoned", res.Abandoned, replyWait))
	if res.OffScript > 0 {
		fmt.Fprint(w, m.T("cli.loadtest.off_script", res.OffScript))
	}
	fmt.Fprint(w, m.T("cli.loadtest.outbox", res.OutboxAtEnd))
	c := res.CPU
	fmt.Fprint(w, m.T("cli.loadtest.cpu", c.Seconds, c.CoreShare*100, c.PerUpdateMs))
	if len(c.Parts) > 0 {
		var parts []string
		for _, p := range c.Parts {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", m.T(partLabels[p.name]), p.Share*100))
		}
		fmt.Fprint(w, m.T("cli.loadtest.cpu_parts", strings.Join(parts, ", "), c.BotPerUpdateMs))
	}
	mem := res.Memory
	fmt.Fprint(w, m.T("cli.loadtest.memory", mem.RSSMB, mem.PeakRSSMB))
	for _, line := range res.BotLog {
		fmt.Fprint(w, m.T("cli.loadtest.bot_log", line.Count, line.Message))
	}
	for _, n := range res.notes {
		fmt.Fprint(w, m.T("cli.loadtest.note", n.in(m.language())))
	}
	return nil
}

func byMethod(counts map[string]int64) string {
	var parts []string
	for _, method := range callMethods {
		if n := counts[method]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", method, n))
		}
	}
	return strings.Join(parts, ", ")
}

func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
