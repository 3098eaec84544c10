//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/scalegen"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// The scale proof. In the normal suite it runs small and checks only
// that everything is right; with the flags it runs at full size and
// prints the figures (it asserts none of them):
//
//	go test ./cmd/totuquan -run TestScale -v -timeout 60m \
//	    -scale.reports=1000000 -scale.users=50000 -scale.active=1000 -scale.dir=/tmp/scale
//
// -scale.dir keeps the generated store there and reuses it when it was
// made from the same options. The bot and the commands run as child
// processes (this test binary again, as the program), so that their
// memory is theirs alone.
var (
	scaleReports = flag.Int("scale.reports", 20_000, "reports in the generated store")
	scaleUsers   = flag.Int("scale.users", 2_000, "registered people in the generated store: officials, then leaders")
	scaleGroups  = flag.Int("scale.groups", 0, "self-management groups (0: one per ten people, at most 2,000)")
	scaleActive  = flag.Int("scale.active", 40, "leaders who each send a whole report while the bot runs")
	scaleDir     = flag.String("scale.dir", "", "keep the generated store in this folder and reuse it")
	scaleOut     = flag.String("scale.out", "", "also write the figures to this file, as Markdown")
	scaleRuns    = flag.Int("scale.runs", 1, "start-ups measured of each kind")
	scaleCgroup  = flag.String("scale.cgroup", "", "put the bot whose memory is measured in this cgroup (a folder of /sys/fs/cgroup with a memory limit)")
	scaleBin     = flag.String("scale.bin", "", "run this totuquan program as the bot and the commands (default: this test binary as the program)")
)

// raceBuild is set when the race detector is on (race_test.go).
var raceBuild bool

// scaleOptions are the flags' sizes: under the race detector, when none
// is given, smaller.
func scaleOptions() (scalegen.Options, int) {
	o := scalegen.Options{Reports: *scaleReports, Users: *scaleUsers, Groups: *scaleGroups}
	active := *scaleActive
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || strings.HasPrefix(f.Name, "scale.") })
	if raceBuild && !given {
		o.Reports, o.Users, active = o.Reports/8, o.Users/4, active/4
	}
	if o.Groups == 0 {
		o.Groups = min(2000, max(1, o.Users/10))
	}
	return o, active
}

// childArgs, set in the environment, makes the test binary run the
// program with these arguments (JSON) instead of the tests.
const childArgs = "TOTUQUAN_SCALE_CHILD_ARGS"

// childMain is main, with the arguments from the environment.
func childMain(argsJSON string) int {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintln(os.Stderr, "totuquan: bad", childArgs, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := NewMain().Run(ctx, args); err != nil {
		fmt.Fprintln(os.Stderr, "totuquan:", err)
		return 1
	}
	return 0
}

// figures are the measurements, printed at the end.
type figures struct {
	mu   sync.Mutex
	rows [][3]string
}

func (f *figures) add(what, value, note string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, [3]string{what, value, note})
}

func (f *figures) markdown() string {
	var b strings.Builder
	b.WriteString("| what | figure | notes |\n|---|---|---|\n")
	for _, r := range f.rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
	return b.String()
}

func mib(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

func TestScale(t *testing.T) {
	o, active := scaleOptions()
	f := &figures{}
	defer func() {
		t.Logf("figures:\n%s", f.markdown())
		if *scaleOut != "" {
			if err := os.WriteFile(*scaleOut, []byte(f.markdown()), 0o644); err != nil {
				t.Error(err)
			}
		}
	}()
	f.add("machine", machine(), "")
	if *scaleBin != "" {
		f.add("program", *scaleBin, "the bot and the commands")
	}

	dir := *scaleDir
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bot.db")
	w, reused := generated(t, path, o, f)
	o = w.Opts
	loc := o.Location

	size := fileSize(path)
	f.add("store on disk", fmt.Sprintf("%.0f MiB", float64(size)/(1<<20)), fmt.Sprintf("%d reports, %d people, %d groups in %d communes", o.Reports, len(w.Users), len(w.Groups), len(w.Communes)))

	// The figures below are of what the bot and the commands do with it;
	// first, that it holds what was generated.
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// (A kept store holds the reports of earlier runs' leaders too.)
	total := countReports(t, st, time.Unix(0, 0), time.Now().Add(time.Hour))
	if total < o.Reports {
		t.Fatalf("the store holds %d reports, want %d", total, o.Reports)
	}
	lastWeek := bot.WeekStart(o.End, loc).AddDate(0, 0, -7)
	commune := w.Commune()
	for _, area := range []string{commune, scalegen.Province} {
		var sum bot.Summary
		var text string
		begin := time.Now()
		err := st.View(func(tx bot.Tx) (err error) {
			sum, err = bot.BuildSummary(tx, area, lastWeek, lastWeek.AddDate(0, 0, 7), loc)
			if err == nil {
				text = sum.Text("vi", loc, flows.New(loc, time.Hour).Title)
			}
			return err
		})
		took := time.Since(begin)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Reports) == 0 || !strings.Contains(text, sum.Area.Name) {
			t.Errorf("the summary of %s for %s is empty:\n%s", area, sum.Week, text)
		}
		for _, k := range bot.Kinds {
			if sum.Counts[k] != sum.Weeks[len(sum.Weeks)-1].Counts[k] {
				t.Errorf("%s %s: %d %s reports, the counters say %d", area, sum.Week, sum.Counts[k], k, sum.Weeks[len(sum.Weeks)-1].Counts[k])
			}
		}
		f.add("weekly summary of "+areaWord(area)+", built and written, in process", ms(took),
			fmt.Sprintf("%s: %d reports, %d open cases, %d silent groups, text %d KiB", sum.Week, len(sum.Reports), len(sum.Open), len(sum.Silent), len(text)/1024))
	}
	st.Close()

	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	cfg := writeScaleConfig(t, dir, path, fake)
	prepare(t, path, loc, o.End, reused, fake)

	// Start-up: from Main.Run to the fake server's first getUpdates.
	for _, cold := range []bool{true, false} {
		var took []time.Duration
		for range *scaleRuns {
			if cold {
				evict(t, path)
			}
			took = append(took, startInProcess(t, cfg, fake))
		}
		f.add("start-up in process, "+cacheWord(cold), spread(took), "Main.Run → first getUpdates")
	}
	for _, cold := range []bool{true, false} {
		var took []time.Duration
		for range *scaleRuns {
			if cold {
				evict(t, path)
			}
			c := startChild(t, "run", "-config", cfg)
			took = append(took, c.untilPoll(t, fake))
			c.stop(t)
		}
		f.add("start-up of the program, "+cacheWord(cold), spread(took), "exec → first getUpdates")
	}

	// Memory: the bot as its own process, idle after its first poll, then
	// after leaders each send a whole report.
	evict(t, path)
	if *scaleCgroup != "" {
		// The program's pages too, so that they are the cgroup's.
		prog, _ := os.Executable()
		if *scaleBin != "" {
			prog = *scaleBin
		}
		evict(t, prog)
		limit, _ := os.ReadFile(filepath.Join(*scaleCgroup, "memory.limit_in_bytes")) // cgroup v1
		if len(limit) == 0 {
			limit, _ = os.ReadFile(filepath.Join(*scaleCgroup, "memory.max")) // v2
		}
		f.add("the bot's cgroup", *scaleCgroup, "memory limit "+strings.TrimSpace(string(limit))+" bytes")
	}
	c := startChildIn(t, *scaleCgroup, "run", "-config", cfg)
	c.untilPoll(t, fake)
	time.Sleep(500 * time.Millisecond)
	idle := c.status(t, path)
	f.add("bot's memory after start", mib(idle["VmRSS"]), memoryNote(idle))
	leaders := w.Reachable(active, "vi")
	if len(leaders) < active {
		t.Fatalf("only %d leaders can write on Telegram, want %d", len(leaders), active)
	}
	running, stop := c.ended()
	took, updates, err := reportAll(running, fake, leaders)
	stop()
	select {
	case <-c.exited:
		t.Fatalf("the bot ended while the leaders reported: %v\n%s", c.err, c.stderr.String())
	default:
	}
	if err != nil {
		t.Fatal(err)
	}
	busy := c.status(t, path)
	f.add(fmt.Sprintf("bot's memory after %d leaders reported", len(leaders)), mib(busy["VmRSS"]),
		memoryNote(busy)+fmt.Sprintf("; %d updates in %.1f s (%.0f/s), 50 leaders at a time", updates, took.Seconds(), float64(updates)/took.Seconds()))
	// Officials ask in the chat: the week so far, and their open cases.
	for _, area := range []string{commune, scalegen.Province} {
		o, ok := w.Official(area, "ubnd")
		if !ok {
			t.Fatalf("no official of %s on Telegram", area)
		}
		for _, cmd := range []string{"/tonghop", "/vuviec"} {
			running, stop := c.ended()
			r := chatCommand(t, running, fake, o, cmd)
			stop()
			if r.messages == 0 || (cmd == "/tonghop" && !strings.Contains(r.text, w.Name(area))) {
				t.Errorf("%s of %s answered %d messages:\n%s", cmd, area, r.messages, r.text)
			}
			f.add("`"+cmd+"` in the chat, an official of "+areaWord(area), ms(r.took),
				fmt.Sprintf("until the last of %d messages (%d KiB, %d buttons) reached the fake server", r.messages, len(r.text)/1024, r.buttons))
		}
	}
	c.stop(t)
	if n := countReportsAt(t, path, time.Unix(0, 0), time.Now().Add(time.Hour)); n != total+len(leaders) {
		t.Errorf("after the leaders' reports the store holds %d, want %d", n, total+len(leaders))
	}
	total += len(leaders)

	// The commands, each its own process.
	week := bot.WeekName(lastWeek)
	for _, area := range []string{commune, scalegen.Province} {
		r := runChild(t, "summary", "-config", cfg, "-area", area, "-week", week)
		if !strings.Contains(r.out, week[len(week)-2:]) || len(r.out) < 100 {
			t.Errorf("totuquan summary -area %s -week %s printed:\n%s", area, week, r.out)
		}
		f.add("`totuquan summary` of "+areaWord(area), ms(r.took), fmt.Sprintf("%s; %d KiB of text", r.peakNote(), len(r.out)/1024))
	}
	monthEnd := time.Date(o.End.In(loc).Year(), o.End.In(loc).Month(), 1, 0, 0, 0, 0, loc)
	monthStart := monthEnd.AddDate(0, -1, 0)
	inMonth := countReportsAt(t, path, monthStart, monthEnd)
	for _, format := range []string{"csv", "xlsx"} {
		out := filepath.Join(dir, "month."+format)
		r := runChild(t, "export", "-config", cfg, "-format", format, "-from", monthStart.Format(time.DateOnly), "-to", monthEnd.AddDate(0, 0, -1).Format(time.DateOnly), "-o", out)
		rows := exportRows(t, out, format)
		if rows != inMonth {
			t.Errorf("the %s export of %s has %d rows, the month has %d reports", format, monthStart.Format("01/2006"), rows, inMonth)
		}
		f.add("`totuquan export` of a month, "+format, ms(r.took), fmt.Sprintf("%s; %d reports, %.1f MiB", r.peakNote(), rows, float64(fileSize(out))/(1<<20)))
		os.Remove(out)
	}
	backup := filepath.Join(dir, "backup.db")
	r := runChild(t, "backup", "-config", cfg, "-o", backup)
	f.add("`totuquan backup` (copy and check)", ms(r.took), fmt.Sprintf("%s; %.0f MiB", r.peakNote(), float64(fileSize(backup))/(1<<20)))
	if err := store.Check(backup); err != nil {
		t.Errorf("the backup does not check: %v", err)
	}
	begin := time.Now()
	if err := store.Check(backup); err != nil {
		t.Error(err)
	}
	f.add("store.Check of the backup alone", ms(time.Since(begin)), "")
	if n := countReportsAt(t, backup, time.Unix(0, 0), time.Now().Add(time.Hour)); n != total {
		t.Errorf("the backup holds %d reports, want %d", n, total)
	}

	// The scheduled jobs, on the backup.
	scheduledJobs(t, backup, w, f)
	os.Remove(backup)
}

// generated returns the world of the store at path, writing it unless a
// complete one of the same options is there (reused).
func generated(t *testing.T, path string, o scalegen.Options, f *figures) (w *scalegen.World, reused bool) {
	t.Helper()
	if st, err := store.Open(path, store.Options{}); err == nil {
		var v string
		st.View(func(tx bot.Tx) (err error) { v, err = tx.Meta(scalegen.FingerprintKey); return })
		st.Close()
		if kept, err := scalegen.ReadFingerprint(v); err == nil && kept.Reports == o.Reports && kept.Users == o.Users && kept.Groups == o.Groups {
			// Reports sent while it was measured before are counted anew.
			f.add("store", "reused", "generated before from the same options, ending "+kept.End.Format(time.DateOnly)+"; its delivery marks forgotten")
			return scalegen.Plan(kept), true
		}
	}
	os.Remove(path)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o.Progress = func(done, total int) {
		if done%200_000 == 0 || done == total {
			t.Logf("generated %d of %d reports", done, total)
		}
	}
	w, s, err := scalegen.Generate(st, o)
	if err != nil {
		t.Fatal(err)
	}
	f.add("generating the store", fmt.Sprintf("%.1f s", s.Took.Seconds()),
		fmt.Sprintf("%d reports (%d incidents, %d urgent; %d mediation cases, %d open; %d meetings), %d drafts, %d delivery marks, %d audit entries",
			s.Reports, s.ByKind[bot.KindIncident], s.Urgent, s.ByKind[bot.KindMediation], s.Open, s.ByKind[bot.KindMeeting], s.Sessions, s.Seen, s.Audit))
	return w, false
}

func areaWord(code string) string {
	if code == scalegen.Province {
		return "the province"
	}
	return "a commune"
}

func cacheWord(cold bool) string {
	if cold {
		return "store not in the page cache"
	}
	return "store in the page cache"
}

// spread is a set of durations as a range.
func spread(ds []time.Duration) string {
	slices.Sort(ds)
	if len(ds) == 1 || ds[0] == ds[len(ds)-1] {
		return ms(ds[0])
	}
	return ms(ds[0]) + " – " + ms(ds[len(ds)-1])
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func countReports(t *testing.T, st *store.Store, from, to time.Time) int {
	t.Helper()
	n := 0
	err := st.View(func(tx bot.Tx) error {
		return tx.Reports(from, to, func(bot.Report) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func countReportsAt(t *testing.T, path string, from, to time.Time) int {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return countReports(t, st, from, to)
}

// writeScaleConfig writes the configuration the bot and the commands run
// with: the fake Telegram server, no send limits, schedules that do not
// come due, logging warnings only.
func writeScaleConfig(t *testing.T, dir, path string, fake *fakeapi.Server) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf(`store:
  path: %s
  backup_dir: %s
telegram:
  token: %q
  api_endpoint: %q
  poll_timeout: 2s
  messages_per_second: 0
  bot_username: %s
admins:
  telegram: [900]
log:
  level: warn
%s%s`, path, filepath.Join(dir, "backups"), fake.Token(), fake.Endpoint(), fake.BotUsername(), quietSchedules, roomyLimits)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// prepare records every job as having just run, as in a bot that ran
// until now: nothing is caught up at start. In a kept store it forgets
// the delivery marks: an earlier run's fake server numbered its messages
// and button presses from 1 as this one does, and the bot would take
// them for updates it has handled; and the conversations it left. This
// run's server numbers its updates after the offset the bot keeps, as
// Telegram would.
func prepare(t *testing.T, path string, loc *time.Location, end time.Time, reused bool, fake *fakeapi.Server) {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(func(tx bot.Tx) error {
		if reused {
			var off struct{ Next int64 }
			if v, err := tx.Meta("offset:telegram"); err == nil && json.Unmarshal([]byte(v), &off) == nil && off.Next > 0 {
				fake.SetNextUpdateID(off.Next)
			}
			if err := tx.ForgetSeen(time.Now().Add(time.Hour)); err != nil {
				return err
			}
			// And the conversations an earlier run left unfinished.
			var left []bot.Address
			err := tx.Sessions(func(s bot.Session) error {
				if s.UpdatedAt.After(end) {
					left = append(left, s.Chat)
				}
				return nil
			})
			for _, chat := range left {
				if err := tx.DeleteSession(chat); err != nil {
					return err
				}
			}
			if err != nil {
				return err
			}
		}
		for _, job := range []string{"weekly_summary", "weekly_reminder", "meeting_reminder", "housekeeping", "backup"} {
			if err := tx.PutMeta("job.last_run."+job, time.Now().In(loc).Format(time.RFC3339Nano)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// evict drops the store's file from the page cache, as after a reboot:
// the next start reads what it needs from the disk.
func evict(t *testing.T, path string) {
	t.Helper()
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	const dontNeed = 4 // POSIX_FADV_DONTNEED
	if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, fd.Fd(), 0, 0, dontNeed, 0, 0); e != 0 {
		t.Fatalf("fadvise %s: %v", path, e)
	}
}

// startInProcess runs the bot in this process and returns how long it
// took from Main.Run to the fake server's first getUpdates; then it
// stops the bot.
func startInProcess(t *testing.T, cfg string, fake *fakeapi.Server) time.Duration {
	t.Helper()
	var stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	polls := len(fake.Offsets())
	begin := time.Now()
	go func() { done <- m.Run(ctx, []string{"run", "-config", cfg}) }()
	wait, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	err := fake.WaitFor(wait, func() bool { return len(fake.Offsets()) > polls })
	took := time.Since(begin)
	cancel()
	if err2 := <-done; err2 != nil || err != nil {
		t.Fatalf("the bot did not poll: %v, %v\n%s", err, err2, stderr.String())
	}
	return took
}

// child is the program running as a process of its own.
type child struct {
	cmd         *exec.Cmd
	out, stderr syncBuffer
	begin       time.Time
	// exited is closed when the process has ended, with err.
	exited chan struct{}
	err    error
}

func startChild(t *testing.T, args ...string) *child { return startChildIn(t, "", args...) }

// startChildIn starts the program in cgroup (a folder of /sys/fs/cgroup;
// none when empty), from its first instruction: a shell moves itself
// there and then becomes the program.
func startChildIn(t *testing.T, cgroup string, args ...string) *child {
	t.Helper()
	prog, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv, _ := json.Marshal(args)
	env := []string{childArgs + "=" + string(argv)}
	if *scaleBin != "" {
		prog, env = *scaleBin, nil
	} else {
		args = nil // this test binary takes them from the environment
	}
	c := &child{cmd: exec.Command(prog, args...)}
	if cgroup != "" {
		c.cmd = exec.Command("/bin/sh", append([]string{"-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cgroup, prog}, args...)...)
	}
	// Under the race detector a program waits a second as it ends, unless told not to.
	c.cmd.Env = append(append(os.Environ(), env...), "GORACE=atexit_sleep_ms=0")
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.stderr
	c.begin = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.exited = make(chan struct{})
	go func() { c.err = c.cmd.Wait(); close(c.exited) }()
	return c
}

// ended is a context that ends when the process does.
func (c *child) ended() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-c.exited:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

// untilPoll waits for the bot's first getUpdates and returns how long
// after the process started it came.
func (c *child) untilPoll(t *testing.T, fake *fakeapi.Server) time.Duration {
	t.Helper()
	polls := len(fake.Offsets())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Offsets()) > polls }); err != nil {
		c.cmd.Process.Kill()
		t.Fatalf("the bot did not poll: %v\n%s", err, c.stderr.String())
	}
	return time.Since(c.begin)
}

// status reads the process's memory figures from /proc, in kB: those of
// its status, and as "Store" the resident pages of its mapping of the
// store's file.
func (c *child) status(t *testing.T, storePath string) map[string]int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			out[k], _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", c.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	inStore := false
	for _, line := range strings.Split(string(smaps), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-"): // a mapping's first line
			inStore = len(f) == 6 && f[5] == storePath
		case inStore && len(f) == 3 && f[0] == "Rss:":
			n, _ := strconv.ParseInt(f[1], 10, 64)
			out["Store"] += n
		}
	}
	return out
}

// stop interrupts the process and waits for it to end cleanly.
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(os.Interrupt)
	<-c.exited
	if c.err != nil {
		t.Fatalf("the bot ended with %v\n%s", c.err, c.stderr.String())
	}
}

// memoryNote splits a process's resident memory: its own (anonymous), the
// store's pages it has mapped (the page cache's, which the kernel takes
// back when it needs them), and the rest of what is mapped from files
// (the program's code).
func memoryNote(s map[string]int64) string {
	return fmt.Sprintf("RSS (peak %s): anonymous %s, the store's mapped pages %s, other files (code) %s",
		mib(s["VmHWM"]), mib(s["RssAnon"]), mib(s["Store"]), mib(s["RssFile"]-s["Store"]))
}

// ran is a command run to its end.
type ran struct {
	out    string
	took   time.Duration
	maxRSS int64 // kB, VmHWM
	// maxAnon is the most anonymous memory seen (kB): the process's own,
	// not pages of files it mapped.
	maxAnon int64
}

// peakNote says a command's peak memory.
func (r ran) peakNote() string {
	return fmt.Sprintf("peak RSS %s, of it anonymous at most %s", mib(r.maxRSS), mib(r.maxAnon))
}

func runChild(t *testing.T, args ...string) ran {
	t.Helper()
	c := startChild(t, args...)
	// The kernel's own peak for a child (rusage) starts from this
	// process's, which the child shared until it ran the program: the
	// child's peak is read from /proc while it runs instead.
	peak := make(chan [2]int64)
	go func() {
		var hwm, anon int64
		for {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
			n := statusKB(data, "VmHWM")
			if err != nil || n == 0 { // ended (a zombie has no memory)
				peak <- [2]int64{hwm, anon}
				return
			}
			hwm, anon = max(hwm, n), max(anon, statusKB(data, "RssAnon"))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	p := <-peak
	<-c.exited
	err := c.err
	took := time.Since(c.begin)
	if err != nil {
		t.Fatalf("totuquan %s: %v\n%s", strings.Join(args, " "), err, c.stderr.String())
	}
	return ran{out: c.out.String(), took: took, maxRSS: p[0], maxAnon: p[1]}
}

// statusKB returns a field of /proc/PID/status in kB, 0 when absent.
func statusKB(status []byte, field string) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// reportAll has each leader send a whole incident report, 50 at a time,
// until running ends, and returns how long it took and how many updates
// were sent, or the first leader's failure.
func reportAll(running context.Context, fake *fakeapi.Server, leaders []bot.User) (time.Duration, int, error) {
	script := []struct {
		text  string
		press bool
	}{
		{"/baocao", false}, {"An ninh trật tự", true}, {"Trộm cắp tài sản", true}, {"Hôm qua", true},
		{"19:30", false}, {"Ngõ 3, xóm Bãi", false}, {"Mất trộm một xe máy đỗ trước nhà.", false}, {"2", false},
		{"Đã báo công an", true}, {"Không khẩn cấp", true}, {"Xong", true}, {"Gửi", true},
	}
	ctx, cancel := context.WithTimeout(running, 30*time.Minute)
	defer cancel()
	report := func(l bot.User) error {
		id, _ := strconv.ParseInt(l.Address.ID(), 10, 64)
		u := fakeapi.User{ID: id, FirstName: l.Name, Language: "vi"}
		for _, s := range script {
			n := fake.BotCount(u.ID)
			if s.press {
				if _, err := fake.PressLabel(u, s.text); err != nil {
					return fmt.Errorf("%s: %w", l.Address, err)
				}
			} else {
				fake.SendText(u, s.text)
			}
			step, stop := context.WithTimeout(ctx, time.Minute)
			err := fake.WaitFor(step, func() bool { return fake.BotCount(u.ID) > n })
			stop()
			if err != nil {
				return fmt.Errorf("%s after %q: %w", l.Address, s.text, err)
			}
		}
		msgs := fake.BotMessages(u.ID)
		if last := msgs[len(msgs)-1].Text; !strings.Contains(last, "AN-") {
			return fmt.Errorf("%s: the report's last answer is %q", l.Address, last)
		}
		return nil
	}
	work := make(chan bot.User)
	errc := make(chan error, len(leaders))
	var wg sync.WaitGroup
	begin := time.Now()
	for range min(50, len(leaders)) {
		wg.Go(func() {
			for l := range work {
				if err := report(l); err != nil {
					errc <- err
				}
			}
		})
	}
	for _, l := range leaders {
		work <- l
	}
	close(work)
	wg.Wait()
	took := time.Since(begin)
	close(errc)
	if err, failed := <-errc; failed {
		return took, 0, err // the first
	}
	return took, len(leaders) * len(script), nil
}

// answered is what the bot sent back to one command in the chat.
type answered struct {
	messages, buttons int
	text              string
	took              time.Duration // until the last message arrived
}

// chatCommand has a person send cmd and collects the bot's answer: every
// message it sends until a second passes with none, or until running
// ends.
func chatCommand(t *testing.T, running context.Context, fake *fakeapi.Server, who bot.User, cmd string) answered {
	t.Helper()
	id, _ := strconv.ParseInt(who.Address.ID(), 10, 64)
	u := fakeapi.User{ID: id, FirstName: who.Name, Language: "vi"}
	before := fake.BotCount(id)
	begin := time.Now()
	fake.SendText(u, cmd)
	ctx, cancel := context.WithTimeout(running, 10*time.Minute)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return fake.BotCount(id) > before }); err != nil {
		t.Fatalf("%s: no answer to %s: %v (has the bot ended? %v)", who.Address, cmd, err, running.Err() != nil)
	}
	for n := fake.BotCount(id); ; {
		time.Sleep(time.Second)
		if m := fake.BotCount(id); m == n {
			break
		} else {
			n = m
		}
	}
	var a answered
	msgs := fake.BotMessages(id)
	for _, m := range msgs[before:] {
		a.messages++
		a.text += m.Text + "\n"
		for _, row := range m.Buttons {
			a.buttons += len(row)
		}
		a.took = max(a.took, m.SentAt.Sub(begin))
	}
	return a
}

// exportRows counts the reports in an export file.
func exportRows(t *testing.T, path, format string) int {
	t.Helper()
	if format == "csv" {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) - 1
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	n := 0
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		n += len(rows) - 1
	}
	return n
}

// scheduledJobs runs the scheduler's jobs on a copy of the store, as the
// bot runs them, each timed: Monday's summaries for every official
// (text, CSV and chart), the reminders and the housekeeping.
func scheduledJobs(t *testing.T, path string, w *scalegen.World, f *figures) {
	t.Helper()
	loc := w.Opts.Location
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := &bot.Dispatcher{Store: st, Flows: flows.New(loc, time.Hour), Lang: "vi", Location: loc, Now: time.Now,
		Log: slog.New(slog.DiscardHandler), Chart: weeklyChart, DraftExpiry: 30 * 24 * time.Hour}
	if raceBuild {
		d.Chart = nil // the plain chart: plotting under the race detector takes minutes
	}
	queued := func() int {
		var depth int
		st.View(func(tx bot.Tx) (err error) { depth, _, err = tx.OutboxStats(); return })
		return depth
	}
	now := time.Now()
	for _, job := range []struct {
		name string
		run  func(context.Context, time.Time) error
		at   time.Time
	}{
		{"Monday's summaries for every official", d.WeeklySummaries, w.Opts.End},
		{"the weekly reminders", d.WeeklyReminders, now},
		{"the meeting reminders", d.MeetingReminders, now},
		{"the housekeeping", d.Housekeeping, now},
	} {
		before := queued()
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		begin := time.Now()
		if err := job.run(context.Background(), job.at); err != nil {
			t.Fatalf("%s: %v", job.name, err)
		}
		took := time.Since(begin)
		runtime.ReadMemStats(&m1)
		n := queued() - before
		if job.name[0] == 'M' && n < 3*len(w.Officials)*9/10 {
			t.Errorf("Monday's job queued %d messages for %d officials", n, len(w.Officials))
		}
		f.add(job.name+", in process", fmt.Sprintf("%.2f s", took.Seconds()),
			fmt.Sprintf("%d messages queued; %.0f MiB allocated", n, float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20)))
	}
}

// machine describes where the figures were taken.
func machine() string {
	cpu := "?"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	load := "?"
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	return fmt.Sprintf("%d CPUs (%s), %s, load %s at the start", runtime.NumCPU(), cpu, runtime.Version(), load)
}
