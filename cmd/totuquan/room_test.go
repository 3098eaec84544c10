package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// roomEnv is a training room served on 127.0.0.1 for a test.
type roomEnv struct {
	t      *testing.T
	url    string
	room   *Room
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startRoom runs "totuquan args..." (the room, one way or another) until
// the test ends.
func startRoom(t *testing.T, args ...string) *roomEnv {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("language: vi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &roomEnv{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	m := &Main{Stdin: strings.NewReader(""), Stdout: e.stdout, Stderr: e.stderr, Getenv: noenv, Now: time.Now}
	ready := make(chan struct{})
	m.roomReady = func(url string, r *Room) { e.url, e.room = url, r; close(ready) }
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	if len(args) == 0 {
		args = []string{"room"}
	}
	args = append(args, "-listen", "127.0.0.1:0", "-config", cfg)
	go func() { e.done <- m.Run(ctx, args) }()
	select {
	case <-ready:
	case err := <-e.done:
		t.Fatalf("the room did not start: %v\n%s", err, e.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the room did not start in 20s")
	}
	t.Cleanup(e.stop)
	return e
}

func (e *roomEnv) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("the room stopped with %v", err)
		}
	case <-time.After(20 * time.Second):
		e.t.Error("the room did not stop in 20s")
	}
}

// post does what the page does for a person's action.
func (e *roomEnv) post(action string, body any) (int, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(e.url+"/api/"+action, "application/json", strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

func (e *roomEnv) do(action string, body any) {
	e.t.Helper()
	if code, out := e.post(action, body); code != http.StatusNoContent {
		e.t.Fatalf("%s %v: %d %s", action, body, code, out)
	}
}

func (e *roomEnv) say(phone, text string) { e.do("send", map[string]any{"phone": phone, "text": text}) }

// state reads the room as the page does.
func (e *roomEnv) state() roomState {
	e.t.Helper()
	res, err := http.Get(e.url + "/api/state")
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var st roomState
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

func phoneOf(st roomState, id string) phoneView {
	for _, p := range st.Phones {
		if p.ID == id {
			return p
		}
	}
	return phoneView{}
}

// waitFor waits until cond holds of the room's state and returns it.
func (e *roomEnv) waitFor(what string, cond func(roomState) bool) roomState {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := e.state()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(st.Phones, "", " ")
			e.t.Fatalf("waiting for %s: not in 20s\n%s", what, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until the phone's newest message from the bot contains
// text and returns that message.
func (e *roomEnv) waitText(phone, text string) messageView {
	e.t.Helper()
	var found messageView
	e.waitFor(phone+" shows "+text, func(st roomState) bool {
		ms := phoneOf(st, phone).Messages
		for i := len(ms) - 1; i >= 0; i-- {
			if !ms[i].Mine {
				found = ms[i]
				return strings.Contains(ms[i].Text, text)
			}
		}
		return false
	})
	return found
}

func exerciseDone(st roomState, id string) bool {
	for _, ex := range st.Exercises {
		if ex.ID == id {
			return ex.Done
		}
	}
	return false
}

// answer sends each line from the phone, waiting for the bot's reply to
// each.
func (e *roomEnv) answer(phone string, lines ...string) {
	e.t.Helper()
	for _, line := range lines {
		n := botMessages(e.state(), phone)
		e.say(phone, line)
		e.waitFor(phone+" answered after "+line, func(st roomState) bool { return botMessages(st, phone) > n })
	}
}

func botMessages(st roomState, phone string) int {
	n := 0
	for _, m := range phoneOf(st, phone).Messages {
		if !m.Mine {
			n++
		}
	}
	return n
}

// Ensure the room starts as the sample commune: six phones, each on its
// platform, the exercises not done, the clock at the present.
func TestRoomStarts(t *testing.T) {
	e := startRoom(t)
	if !strings.Contains(e.stdout.String(), "Phòng tập huấn đang mở tại "+e.url) {
		t.Errorf("stdout = %q", e.stdout.String())
	}
	st := e.state()
	if len(st.Phones) != len(personas) || phoneOf(st, "lan").Platform != "telegram" || phoneOf(st, "minh").Platform != "zalo" {
		t.Errorf("phones = %+v", st.Phones)
	}
	if len(st.Exercises) != 5 {
		t.Errorf("exercises = %+v", st.Exercises)
	}
	for _, ex := range st.Exercises {
		if ex.Done || len(ex.Steps) < 3 || ex.Title == "" {
			t.Errorf("exercise %+v", ex)
		}
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if want := time.Now().In(loc).Format("02/01/2006"); !strings.Contains(st.Clock, want) {
		t.Errorf("clock = %q, want today %s", st.Clock, want)
	}
	res, err := http.Get(e.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), `<script src="room.js">`) {
		t.Errorf("page = %.200s", page)
	}
}

// Ensure an urgent report typed on a Zalo phone reaches the police
// officer's Telegram phone at once, the officer's «Đã tiếp nhận» reaches
// the leader, and the exercise ticks itself off from the store.
func TestRoomUrgentReachesPolice(t *testing.T) {
	e := startRoom(t)
	e.answer("minh", "/khan", "1", "Nhà ông Tư, ngõ 5 xóm Bãi")
	alert := e.waitText("hai", "BÁO CÁO KHẨN")
	if !strings.Contains(alert.Text, "Cháy, nổ") || len(alert.Buttons) == 0 {
		t.Fatalf("alert = %+v", alert)
	}
	st := e.state()
	if !exerciseDone(st, "fire") || exerciseDone(st, "theft") {
		t.Errorf("exercises = %+v", st.Exercises)
	}
	if hoa := phoneOf(st, "hoa"); botMessages(st, "hoa") != 0 {
		t.Errorf("the justice officer got an incident: %+v", hoa.Messages)
	}
	ack := alert.Buttons[0][0]
	if ack.Text != "Đã tiếp nhận" {
		t.Fatalf("first button = %+v", ack)
	}
	id := 0
	json.Unmarshal([]byte(alert.ID), &id)
	e.do("press", map[string]any{"phone": "hai", "message": id, "data": ack.Data})
	e.waitText("minh", "Đã tiếp nhận")
	// Zalo has no buttons to press.
	if code, _ := e.post("press", map[string]any{"phone": "minh", "message": 1, "data": "x"}); code != http.StatusBadRequest {
		t.Errorf("a press on Zalo = %d", code)
	}
}

// Ensure the clock control runs the schedules: Friday 19:00 reminds the
// groups that sent nothing, Monday 07:30 brings the weekly summary with its
// CSV and chart to the officials, on Telegram as files and on Zalo as links
// the room serves.
func TestRoomClockRunsSchedules(t *testing.T) {
	e := startRoom(t)
	e.answer("lan", "/baocao", "3", "2", "19:30", "Nhà văn hóa xóm Bãi", "Bà Lan", "2", "30", "4", "1, 2", "1, 4", "Tuần tra ban đêm", "1", "2", "1", "1")
	st := e.waitFor("the meeting stored", func(st roomState) bool { return exerciseDone(st, "meeting") })
	before := botMessages(st, "lan")
	e.do("clock", map[string]any{"to": "friday"})
	st = e.waitFor("the reminder to group 2", func(st roomState) bool { return botMessages(st, "minh") > 0 })
	if !strings.Contains(st.Clock, "Thứ Sáu") || !strings.Contains(st.Clock, "19:0") {
		t.Errorf("clock = %q", st.Clock)
	}
	time.Sleep(300 * time.Millisecond) // a reminder to group 1 would be on its way by now
	if n := botMessages(e.state(), "lan"); n != before {
		t.Errorf("group 1 met this week but got %d reminders", n-before)
	}

	e.do("clock", map[string]any{"to": "monday"})
	var csv, chart messageView
	e.waitFor("the summary, its CSV and its chart on the police phone", func(st roomState) bool {
		for _, m := range phoneOf(st, "hai").Messages {
			switch {
			case strings.HasSuffix(m.File, ".csv"):
				csv = m
			case strings.HasSuffix(m.File, ".png"):
				chart = m
			}
		}
		return csv.Href != "" && chart.Image != ""
	})
	for _, m := range []messageView{csv, chart} {
		res, err := http.Get(e.url + m.Href)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d, %d bytes", m.File, res.StatusCode, len(body))
		}
		if strings.HasSuffix(m.File, ".png") && res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("chart served as %q", res.Header.Get("Content-Type"))
		}
	}
	// Hoa reads on Zalo: the summary's files are links that the room serves.
	st = e.waitFor("the summary on the justice officer's Zalo phone", func(st roomState) bool {
		for _, m := range phoneOf(st, "hoa").Messages {
			if strings.Contains(m.Text, e.url+filePath) {
				return true
			}
		}
		return false
	})
	for _, m := range phoneOf(st, "hoa").Messages {
		i := strings.Index(m.Text, e.url+filePath)
		if i < 0 {
			continue
		}
		link := strings.Fields(m.Text[i:])[0]
		res, err := http.Get(strings.TrimRight(link, ".,)"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", link, res.StatusCode)
		}
	}
	if code, _ := e.post("clock", map[string]any{"to": "hours", "hours": 0}); code != http.StatusBadRequest {
		t.Errorf("a jump of 0 hours = %d", code)
	}
}

// Ensure an admin's invite opens on the newcomer's phone, and that opening
// one before it exists is explained.
func TestRoomNewcomerOpensInvite(t *testing.T) {
	e := startRoom(t)
	code, out := e.post("invite", map[string]any{"phone": "mai"})
	if code != http.StatusBadRequest || !strings.Contains(out, "/moi to PT-TL-XB-T3") {
		t.Errorf("no invite yet: %d %s", code, out)
	}
	e.answer("tuan", "/moi to PT-TL-XB-T3")
	e.waitText("tuan", "Mã QR")
	e.do("invite", map[string]any{"phone": "mai"})
	e.waitText("mai", "Tổ tự quản số 3 xóm Bãi")
	var u bot.User
	err := e.room.session().st.View(func(tx bot.Tx) (err error) {
		u, err = tx.User(personas[5].address("telegram"))
		return err
	})
	if err != nil || u.Role != bot.RoleLeader || u.Group != "PT-TL-XB-T3" {
		t.Errorf("Mai = %+v, %v", u, err)
	}
}

// Ensure a phone switched to Zalo gets the alerts there, a restart keeps
// a draft, and reset brings back the sample commune with nothing in it.
func TestRoomSwitchRestartReset(t *testing.T) {
	e := startRoom(t)
	e.do("platform", map[string]any{"phone": "hai", "platform": "zalo"})
	e.answer("lan", "/baocao", "1", "1") // urgent: a fire
	e.say("lan", "Chợ xóm Bãi")
	e.waitFor("the alert on the police's Zalo phone", func(st roomState) bool {
		p := phoneOf(st, "hai")
		return p.Platform == "zalo" && botMessages(st, "hai") > 0 && strings.Contains(p.Messages[len(p.Messages)-1].Text, "KHẨN")
	})

	e.answer("lan", "/baocao", "2") // a draft: the incident's first question
	e.do("restart", nil)
	e.answer("lan", "1") // Trộm cắp tài sản, after the restart
	if m := e.waitText("lan", ""); !strings.Contains(m.Text, "ngày") {
		t.Errorf("after the restart the draft went on to %q", m.Text)
	}

	old := e.room.session()
	e.do("reset", nil)
	st := e.state()
	if st.Session == old.id {
		t.Error("reset kept the session")
	}
	for _, p := range st.Phones {
		if len(p.Messages) != 0 {
			t.Errorf("%s still shows %d messages", p.ID, len(p.Messages))
		}
	}
	for _, ex := range st.Exercises {
		if ex.Done {
			t.Errorf("%s still done", ex.ID)
		}
	}
	if _, err := os.Stat(old.dir); !os.IsNotExist(err) {
		t.Errorf("the old store's folder is still there: %v", err)
	}
	if phoneOf(st, "hai").Platform != "telegram" {
		t.Error("reset kept the police phone on Zalo")
	}
	e.answer("lan", "/trogiup") // the fresh commune answers
	dir := e.room.session().dir
	e.stop()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the store's folder outlived the room: %v", err)
	}
}

// Ensure the page switches the room's language, the bot's with it.
func TestRoomLanguage(t *testing.T) {
	e := startRoom(t)
	e.do("lang", map[string]any{"lang": "en"})
	st := e.state()
	if st.Texts["title"] != "Self-management group training room" || !strings.Contains(st.Exercises[0].Title, "theft") {
		t.Errorf("texts = %v", st.Texts["title"])
	}
	e.answer("lan", "/baocao")
	e.waitText("lan", "What would you like to report?")
	if code, _ := e.post("lang", map[string]any{"lang": "fr"}); code != http.StatusBadRequest {
		t.Errorf("lang fr = %d", code)
	}
}

// Ensure another site cannot act in the room from a visitor's browser:
// only JSON, from the page's own origin.
func TestRoomRefusesForeignPosts(t *testing.T) {
	e := startRoom(t)
	res, err := http.Post(e.url+"/api/reset", "text/plain", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain post = %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/reset", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://evil.example")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post = %d", res.StatusCode)
	}
	if code, _ := e.post("send", map[string]any{"phone": "nobody", "text": "x"}); code != http.StatusBadRequest {
		t.Errorf("unknown phone = %d", code)
	}
}

// Ensure the bare command with no token opens the room, and demo -terminal
// keeps the terminal chat.
func TestBareCommandOpensRoom(t *testing.T) {
	e := startRoom(t, "-listen", "127.0.0.1:0")
	e.answer("lan", "/trogiup")
	e.stop()

	m := &Main{Stdin: strings.NewReader("/trogiup\n"), Getenv: noenv, Now: func() time.Time { return testNow }}
	var out, errb syncBuffer
	m.Stdout, m.Stderr = &out, &errb
	t.Chdir(t.TempDir())
	if err := m.Run(context.Background(), []string{"demo", "-terminal"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "tổ trưởng của Tổ tự quản số 1 xóm Bãi") {
		t.Errorf("demo -terminal:\n%s\n%s", out.String(), errb.String())
	}
}

func TestRoomExposedWarning(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": false, "localhost": false, "::1": false, "": true, "0.0.0.0": true, "192.168.1.5": true} {
		if got := exposed(host); got != want {
			t.Errorf("exposed(%q) = %v", host, got)
		}
	}
}

// Ensure the mediation and correction exercises tick off from what the
// store holds: a case taken in and updated, a report corrected.
func TestRoomExercisesFromTheStore(t *testing.T) {
	e := startRoom(t)
	e.answer("lan", "/baocao", "4", "1", "Bà Lò Thị Mai", "Nguyễn Văn A, 45, xóm Bãi\nTrần Văn B, 50, xóm Bãi",
		"Tranh chấp lối đi chung giữa hai nhà", "2", "2", "2", "2", "1")
	st := e.state()
	if exerciseDone(st, "mediation") {
		t.Fatal("the mediation exercise is done before the case was updated")
	}
	e.answer("lan", "/vuviec", "1", "2", "2", "Hai bên thống nhất mở lối đi rộng 1,5 m", "1")
	e.waitFor("the mediation exercise ticked", func(st roomState) bool { return exerciseDone(st, "mediation") })
	if exerciseDone(e.state(), "correction") {
		t.Fatal("the correction exercise is done before any correction")
	}
	e.answer("lan", "/cuatoi", "1", "1", "3", "Bà Lò Thị Mai, ông Lê Văn Tư", "1")
	e.waitFor("the correction exercise ticked", func(st roomState) bool { return exerciseDone(st, "correction") })
}

// Ensure the bare command with no config file says that the room's data is
// temporary, rather than naming a store it does not create.
func TestBareCommandSaysTheStoreIsTemporary(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var out, errb syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: noenv, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	m.roomReady = func(string, *Room) { cancel() }
	if err := m.Run(ctx, []string{"-listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if s := errb.String(); !strings.Contains(s, "tệp tạm, xóa khi dừng") || strings.Contains(s, "totuquan.db") {
		t.Errorf("stderr = %q", s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the room left %d files in the folder it ran in", len(entries))
	}
}
