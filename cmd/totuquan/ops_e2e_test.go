package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newOpsEnv is an installation that serves /metrics and /healthz on a
// loopback port, with the log in format at level info.
func newOpsEnv(t *testing.T, logExtra string) *env {
	e := newEnv(t)
	e.logExtra = logExtra
	e.extra = "metrics:\n  listen: \"127.0.0.1:0\"\n"
	e.writeConfig("info")
	return e
}

// get fetches path from the bot's metrics server.
func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get("http://" + e.metrics + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metric is the value of one series on /metrics ("name{labels}", labels
// in the exposition's order), or -1 when it is absent.
func (e *env) metric(series string) float64 {
	e.t.Helper()
	_, body := e.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				e.t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

// waitFor polls cond for up to 15s.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			e.t.Fatalf("%s: not within 15s\n%s", what, e.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Ensure, with log.format json, that every line is JSON, that a report
// and its alert are logged by kind, number and group with no name, answer
// or message text, and that the health line comes.
func TestJSONLogOfAReport(t *testing.T) {
	e := newOpsEnv(t, "  format: json\n  health_every: 1s\n")
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	before := len(e.stderr.String()) // what the commands printed for the admin
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	lan.say("/baocao").press("An ninh trật tự").press("Trộm cắp tài sản").press("Hôm qua").say("21:30").say("Ngõ 3").
		say("Mất chiếc xe máy trước cửa").expect("bao nhiêu người").say("1").press("Đã báo công an").press("Khẩn cấp").press("Xong").
		press("Gửi").expect("AN-2026-000001")
	cong.expect("BÁO CÁO KHẨN")
	e.waitFor("a health line", func() bool { return strings.Contains(e.stderr.String(), `"msg":"health"`) })
	e.stop()

	var report, alert, health map[string]any
	for _, line := range strings.Split(strings.TrimSpace(e.stderr.String()[before:]), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		for _, private := range []string{"Lan", "Công", "Ngõ 3", "xe máy", "Trộm"} {
			if strings.Contains(line, private) {
				t.Errorf("the log holds %q: %s", private, line)
			}
		}
		switch rec["msg"] {
		case "report received":
			report = rec
		case "alert queued":
			alert = rec
		case "health":
			health = rec
		}
	}
	if report["kind"] != "incident" || report["report"] != "AN-2026-000001" || report["group"] != "PT-TL-XB-T1" || report["urgent"] != true || report["level"] != "INFO" {
		t.Errorf("report line = %v", report)
	}
	if alert["report"] != "AN-2026-000001" || alert["officials"] != 1.0 {
		t.Errorf("alert line = %v", alert)
	}
	if _, ok := health["handled"]; !ok || health["outbox"] == nil || health["throttled"] == nil {
		t.Errorf("health line = %v", health)
	}
	if lp, _ := health["last_poll"].(map[string]any); lp["telegram"] == nil || lp["telegram"] == "never" {
		t.Errorf("health line's last poll = %v", health)
	}
}

// Ensure /metrics counts handled updates and their latency, shows the
// outbox filling and draining, the store's size and the last poll, and
// counts a 429 from Telegram.
func TestMetrics(t *testing.T) {
	e := newOpsEnv(t, "")
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	lan.say("/baocao").press("An ninh trật tự").press("Trộm cắp tài sản").press("Hôm qua").say("21:30").say("Ngõ 3").
		say("Mất chiếc xe máy").say("1").press("Đã báo công an").press("Không khẩn cấp").press("Xong").press("Gửi").expect("AN-2026-000001")

	handled := e.metric(`totuquan_updates_total{outcome="handled",platform="telegram"}`)
	if handled != float64(e.sent) {
		t.Errorf("updates handled = %v, want %d", handled, e.sent)
	}
	if n := e.metric(`totuquan_reply_latency_seconds_count{platform="telegram"}`); n != handled {
		t.Errorf("latency observations = %v, want %v", n, handled)
	}
	if n := e.metric(`totuquan_updates_total{outcome="failed",platform="telegram"}`); n != 0 {
		t.Errorf("updates failed = %v", n)
	}
	if n := e.metric("totuquan_outbox_depth"); n != 0 {
		t.Errorf("outbox depth after settling = %v", n)
	}
	if n := e.metric("totuquan_store_size_bytes"); n <= 0 {
		t.Errorf("store size = %v", n)
	}
	if at := e.metric(`totuquan_last_poll_timestamp_seconds{platform="telegram"}`); at < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last poll = %v", at)
	}
	if n := e.metric(`totuquan_throttled_total{platform="telegram"}`); n != 0 {
		t.Errorf("throttled before any 429 = %v", n)
	}

	// Telegram asks for a 2s pause: the reply waits in the outbox meanwhile.
	e.fake.FailNext("sendMessage", http.StatusTooManyRequests, 2)
	e.fake.SendText(lan.u, "/baocao")
	e.sent++
	e.waitFor("the 429 counted", func() bool { return e.metric(`totuquan_throttled_total{platform="telegram"}`) == 1 })
	if n := e.metric("totuquan_outbox_depth"); n < 1 {
		t.Errorf("outbox depth during the pause = %v", n)
	}
	e.settle()
	if n := e.metric("totuquan_outbox_depth"); n != 0 {
		t.Errorf("outbox depth after the pause = %v", n)
	}
	if n := e.metric(`totuquan_updates_total{outcome="handled",platform="telegram"}`); n != handled+1 {
		t.Errorf("updates handled = %v, want %v", n, handled+1)
	}
}

// Ensure /healthz says ok while Telegram answers polls, then 503 with the
// reason once it stops answering for 3× the poll timeout.
func TestHealthz(t *testing.T) {
	e := newOpsEnv(t, "")
	e.start()
	e.waitFor("a first poll", func() bool { return e.metric(`totuquan_last_poll_timestamp_seconds{platform="telegram"}`) > 0 })
	if code, body := e.get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	e.fake.Close() // polls now fail
	var body string
	e.waitFor("/healthz to fail", func() bool {
		var code int
		code, body = e.get("/healthz")
		return code == http.StatusServiceUnavailable
	})
	if !strings.Contains(body, "telegram: no answered poll") || !strings.Contains(body, "at most 6s") {
		t.Errorf("/healthz says %q", body)
	}
}
