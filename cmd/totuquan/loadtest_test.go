package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// loadtestRun runs "totuquan loadtest" with args and a config of its own,
// in Vietnamese, and returns its standard output and error. Its temporary
// store goes in a directory of the test's, which must be empty afterwards.
func loadtestRun(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return loadtestRunIn(t, "vi", args...)
}

// loadtestRunIn is loadtestRun with the config's language lang.
func loadtestRunIn(t *testing.T, lang string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("timezone: Asia/Ho_Chi_Minh\nlanguage: "+lang+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var errs syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }, Now: time.Now}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = m.Run(ctx, append([]string{"loadtest", "-config", cfg}, args...))
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the load test left %s behind in the temporary directory", left[0].Name())
	}
	return out.String(), errs.String(), err
}

func decodeLoad(t *testing.T, out string) loadResult {
	t.Helper()
	var res loadResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("-json printed no JSON: %v\n%s", err, out)
	}
	return res
}

// Ensure a short closed-loop run has the leaders complete reports, every
// answer replied to, with sane figures, a progress line while it runs, a
// CPU profile shared out among the bot, the fake server and the leaders,
// and no store left behind.
func TestLoadtestShortRun(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cpu.pprof")
	out, stderr, err := loadtestRun(t, "-leaders", "5", "-duration", "2s", "-json", "-cpuprofile", profile)
	if err != nil {
		t.Fatalf("loadtest: %v\n%s", err, stderr)
	}
	res := decodeLoad(t, out)
	if res.Updates <= 0 || res.UpdatesPerSecond <= 0 || res.Answers <= 0 {
		t.Errorf("updates %d (%.1f/s), answers %d: want some", res.Updates, res.UpdatesPerSecond, res.Answers)
	}
	if res.Completed <= 0 || res.ReportsStored <= 0 {
		t.Errorf("%d reports completed, %d stored: want some\n%s", res.Completed, res.ReportsStored, out)
	}
	if res.Abandoned != 0 || res.OffScript != 0 {
		t.Errorf("%d conversations abandoned and %d off the script, want none\n%s", res.Abandoned, res.OffScript, out)
	}
	if l := res.Latency; res.Replies == 0 || l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Errorf("latency %+v over %d replies: want 0 < p50 ≤ p90 ≤ p99 ≤ max", l, res.Replies)
	}
	if res.SendsPerAnswer <= 0 || res.Calls["sendMessage"] <= 0 {
		t.Errorf("sends per answer %.2f (%v), want some", res.SendsPerAnswer, res.Calls)
	}
	if res.Throttled429 != 0 {
		t.Errorf("%d 429s without limits", res.Throttled429)
	}
	if !res.CPU.IncludesHarness || res.Memory.PeakRSSMB <= 0 {
		t.Errorf("cpu %+v, memory %+v", res.CPU, res.Memory)
	}
	shares, total := map[string]float64{}, 0.0
	for _, p := range res.CPU.Parts {
		shares[p.Part] = p.Share
		total += p.Share
	}
	if shares["bot"] <= 0 || total < 0.99 || total > 1.01 || res.CPU.BotPerUpdateMs <= 0 {
		t.Errorf("CPU parts %+v: want the bot's share among them, adding up to 1", res.CPU)
	}
	if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
		t.Errorf("-cpuprofile wrote no profile: %v", err)
	}
	if !regexp.MustCompile(`loadtest +\d+s: \d+ tin đến, \d+/s, p99 [\d.]+ ms, hàng đợi gửi \d+`).MatchString(stderr) {
		t.Errorf("no progress line in Vietnamese on standard error:\n%s", stderr)
	}
}

// Ensure that under Telegram's limits the fake server counts the bot's
// calls and the report gives the 429s as a number, in JSON and in text,
// the text in the config's language with its figures in one column.
func TestLoadtestTelegramLimits(t *testing.T) {
	out, stderr, err := loadtestRun(t, "-leaders", "4", "-duration", "1500ms", "-think", "exp:100ms", "-limits", "telegram", "-json")
	if err != nil {
		t.Fatalf("loadtest: %v\n%s", err, stderr)
	}
	res := decodeLoad(t, out)
	if res.Server.Calls["sendMessage"] <= 0 || res.Server.Calls["getUpdates"] <= 0 {
		t.Errorf("the fake server counted %v, want sendMessage and getUpdates calls", res.Server.Calls)
	}
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	if n, ok := raw["429s"].(float64); !ok || n < 0 || int64(n) != res.Throttled429 {
		t.Errorf("429s is %#v in the JSON, want a number", raw["429s"])
	}
	var byLimit int64
	for _, n := range res.ThrottledBy {
		byLimit += n
	}
	if byLimit != res.Throttled429 {
		t.Errorf("429s by limit %v do not add up to %d", res.ThrottledBy, res.Throttled429)
	}
	if res.Limits != "telegram" || res.Updates <= 0 {
		t.Errorf("limits %q, %d updates", res.Limits, res.Updates)
	}

	for lang, wants := range map[string][]string{
		"vi": {`(?m)^lỗi 429 +\d+ \(máy chủ giả lập từ chối`, `(?m)^bot gửi mỗi câu trả lời +[\d.]+`, `(?m)^độ trễ trả lời +p50 [\d.]+ ms`,
			`(?m)^totuquan loadtest: 2 tổ trưởng báo cáo vụ việc, .*giới hạn telegram \(máy chủ giả lập nhận 30 lần gọi mỗi giây`,
			`tính cả máy chủ giả lập và các tổ trưởng giả lập`},
		"en": {`(?m)^429s +\d+ \(the fake server refused`, `(?m)^sends per answer +[\d.]+`, `(?m)^reply latency +p50 [\d.]+ ms`,
			`(?m)^totuquan loadtest: 2 leaders reporting incidents, .*limits telegram \(the fake server takes 30 calls a second`,
			`the fake server and the leaders included`},
	} {
		text, stderr, err := loadtestRunIn(t, lang, "-leaders", "2", "-duration", "1s", "-limits", "telegram")
		if err != nil {
			t.Fatalf("loadtest (%s): %v\n%s", lang, err, stderr)
		}
		for _, want := range wants {
			if !regexp.MustCompile(want).MatchString(text) {
				t.Errorf("%s: the report does not match %s:\n%s", lang, want, text)
			}
		}
		_, body, _ := strings.Cut(text, "\n\n")
		column := -1
		for line := range strings.Lines(body) {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "note: ") || strings.HasPrefix(line, "Lưu ý: ") {
				continue
			}
			label, value, ok := strings.Cut(line, "  ")
			if !ok {
				t.Errorf("%s: a line of the report without its label: %q", lang, line)
				continue
			}
			at := utf8.RuneCountInString(label) + 2 + utf8.RuneCountInString(value) - utf8.RuneCountInString(strings.TrimLeft(value, " "))
			if column < 0 {
				column = at
			} else if at != column {
				t.Errorf("%s: the figures of %q begin at column %d, the others' at %d:\n%s", lang, label, at, column, text)
			}
			if lang == "vi" && !strings.HasPrefix(line, "nhật ký của bot ") { // the bot's log is in English
				if w := englishWords.FindString(line); w != "" {
					t.Errorf("English (%q) in the Vietnamese report: %q", w, line)
				}
			}
		}
		if column < 0 {
			t.Errorf("%s: no figures in the report:\n%s", lang, text)
		}
	}
}

// Ensure -endpoint leads the bot through a proxy on loopback to the fake
// server listening where -listen says.
func TestLoadtestEndpointThroughProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fakeAddr := ln.Addr().String()
	ln.Close()
	var proxied atomic.Int64
	target, _ := url.Parse("http://" + fakeAddr)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		rp.ServeHTTP(w, r)
	})}
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go proxy.Serve(pln)
	defer proxy.Close()

	out, stderr, err := loadtestRun(t, "-leaders", "2", "-duration", "1s", "-json",
		"-endpoint", "http://"+pln.Addr().String()+"/bot%s/%s", "-listen", fakeAddr)
	if err != nil {
		t.Fatalf("loadtest: %v\n%s", err, stderr)
	}
	if res := decodeLoad(t, out); res.Updates <= 0 || res.Replies <= 0 {
		t.Errorf("through the proxy: %d updates, %d replies", res.Updates, res.Replies)
	}
	if proxied.Load() == 0 {
		t.Error("the bot's calls did not go through the proxy")
	}
}

// Ensure bad flags are usage errors that say what is wrong, in the
// config's language (Vietnamese without one), and that no address beyond
// this machine is ever taken.
func TestLoadtestFlagErrors(t *testing.T) {
	en := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(en, []byte("language: en\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		vi, en string
	}{
		{[]string{"-think", "soon"}, `-think "soon" không phải là khoảng thời gian`, `-think "soon" is not a duration`},
		{[]string{"-think", "exp:0"}, `-think "exp:0" không phải là khoảng thời gian`, `-think "exp:0" is not a duration`},
		{[]string{"-think", "-3s"}, `-think "-3s" không phải là khoảng thời gian`, `-think "-3s" is not a duration`},
		{[]string{"-endpoint", "https://api.telegram.org/bot%s/%s"}, "chỉ nhận IP loopback", "only a loopback IP"},
		{[]string{"-endpoint", "http://10.1.2.3:8081/bot%s/%s"}, "chỉ nhận IP loopback", "only a loopback IP"},
		{[]string{"-endpoint", "http://localhost.example.com:8081/bot%s/%s"}, "chỉ nhận IP loopback", "only a loopback IP"},
		{[]string{"-endpoint", "http://127.0.0.1:8081/"}, "phải có chỗ cho token và cho tên phương thức", "must hold the token's and the method's places"},
		{[]string{"-endpoint", "ftp://127.0.0.1/bot%s/%s"}, "không phải là URL http://", "is not an http:// URL"},
		{[]string{"-listen", "0.0.0.0:8081"}, `-listen "0.0.0.0:8081" không phải là IP loopback`, `-listen "0.0.0.0:8081" is not a loopback IP`},
		{[]string{"-limits", "strict"}, `-limits "strict" phải là telegram hoặc off`, `-limits "strict" must be telegram or off`},
		{[]string{"-leaders", "0"}, "-leaders 0 phải từ 1 đến 100000", "-leaders 0 must be from 1 to 100000"},
		{[]string{"-duration", "0s"}, "-duration 0s phải lớn hơn 0", "-duration 0s must be above zero"},
		{[]string{"-warmup", "-1s"}, "-warmup -1s không được âm", "-warmup -1s must not be negative"},
		{[]string{"extra"}, "Cách dùng: totuquan loadtest [-leaders SỐ]", "usage: totuquan loadtest [-leaders N]"},
	} {
		for _, lang := range []struct {
			config    []string
			want, not string
		}{{nil, c.vi, c.en}, {[]string{"-config", en}, c.en, c.vi}} {
			m := &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }, Now: time.Now}
			args := append(append([]string{"loadtest"}, lang.config...), c.args...)
			err := m.Run(context.Background(), args)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), lang.want) || strings.Contains(err.Error(), lang.not) {
				t.Errorf("%s: %v, want a usage error saying %s", strings.Join(args, " "), err, lang.want)
			}
		}
	}
}
