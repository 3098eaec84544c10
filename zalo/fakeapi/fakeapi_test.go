package fakeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/zalo/fakeapi"
)

type reply struct {
	status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
}

func call(t *testing.T, s *fakeapi.Server, method, body string) reply {
	t.Helper()
	resp, err := http.Post(s.APIBase()+"/bot"+s.Token()+"/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	var r reply
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: reply %q: %v", method, data, err)
	}
	r.status = resp.StatusCode
	return r
}

func newServer(t *testing.T, opts fakeapi.Options) *fakeapi.Server {
	t.Helper()
	s, err := fakeapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var lan = fakeapi.User{ID: "6ede9afa66b88fe6d6a9", Name: "Lan"}

// Ensure getUpdates has Zalo's semantics: one update per call, gone once
// read, a long poll that waits for the timeout (a number or a string)
// and then answers 408, with the HTTP status chosen.
func TestGetUpdates(t *testing.T) {
	for _, idle := range []int{http.StatusRequestTimeout, http.StatusOK} {
		s := newServer(t, fakeapi.Options{IdleStatus: idle})
		s.SendText(lan, "một")
		s.SendText(lan, "hai")
		for _, want := range []string{"một", "hai"} {
			r := call(t, s, "getUpdates", `{"timeout":"1"}`)
			var u struct {
				EventName string `json:"event_name"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
			}
			if !r.OK || json.Unmarshal(r.Result, &u) != nil || u.Message.Text != want || u.EventName != fakeapi.EventText {
				t.Fatalf("getUpdates = %+v, want the update %q", r, want)
			}
		}
		begin := time.Now()
		r := call(t, s, "getUpdates", `{"timeout":1}`)
		if r.OK || r.ErrorCode != 408 || r.status != idle || time.Since(begin) < 900*time.Millisecond {
			t.Errorf("an idle poll: %+v after %v, want error 408 with HTTP %d after a second", r, time.Since(begin), idle)
		}
		// A long poll returns as soon as something arrives.
		go func() { time.Sleep(50 * time.Millisecond); s.SendText(lan, "ba") }()
		if r := call(t, s, "getUpdates", `{"timeout":5}`); !r.OK || !strings.Contains(string(r.Result), "ba") {
			t.Errorf("a long poll = %+v", r)
		}
	}
}

// Ensure a webhook excludes polling and gets every update with the secret
// header, bare or wrapped, once or twice when asked; deleteWebhook brings
// polling back, and answers 404 when none is set.
func TestWebhook(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
		heads  []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, heads = append(bodies, string(data)), append(heads, r.Header.Get(fakeapi.SecretHeader))
		mu.Unlock()
	}))
	defer hook.Close()
	s := newServer(t, fakeapi.Options{WrapWebhook: true})
	if r := call(t, s, "deleteWebhook", ``); r.ErrorCode != 404 {
		t.Errorf("deleteWebhook with none set = %+v, want 404", r)
	}
	if r := call(t, s, "setWebhook", `{"url":"`+hook.URL+`","secret_token":"short"}`); r.ErrorCode != 400 {
		t.Errorf("a 5-character secret = %+v, want 400", r)
	}
	if r := call(t, s, "setWebhook", `{"url":"http://example.com/h","secret_token":"long enough"}`); r.ErrorCode != 400 {
		t.Errorf("a plain http URL = %+v, want 400", r)
	}
	if r := call(t, s, "setWebhook", `{"url":"`+hook.URL+`","secret_token":"long enough"}`); !r.OK {
		t.Fatalf("setWebhook = %+v", r)
	}
	if r := call(t, s, "getUpdates", `{"timeout":1}`); r.OK || r.ErrorCode == 408 {
		t.Errorf("getUpdates with a webhook set = %+v, want a refusal", r)
	}
	s.DuplicateNext()
	s.SendText(lan, "một")
	s.SendSticker(lan)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { n, _ := s.Delivered(); return n == 3 }); err != nil {
		t.Fatal("three deliveries did not happen")
	}
	mu.Lock()
	if len(bodies) != 3 || bodies[0] != bodies[1] || !strings.HasPrefix(bodies[0], `{"ok":true,"result":{"event_name":"message.text.received"`) ||
		!strings.Contains(bodies[2], fakeapi.EventSticker) || heads[0] != "long enough" || heads[2] != "long enough" {
		t.Errorf("deliveries %q with secrets %q", bodies, heads)
	}
	mu.Unlock()
	if r := call(t, s, "deleteWebhook", ``); !r.OK {
		t.Errorf("deleteWebhook = %+v", r)
	}
	s.SendText(lan, "hai")
	if r := call(t, s, "getUpdates", `{"timeout":1}`); !r.OK || !strings.Contains(string(r.Result), "hai") {
		t.Errorf("getUpdates after deleteWebhook = %+v", r)
	}
}

// Ensure sends are checked as Zalo checks them (2,000 units, a chat) and
// recorded per chat and as requests.
func TestSends(t *testing.T) {
	s := newServer(t, fakeapi.Options{RecordRequests: true})
	if r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"`+strings.Repeat("🔥", 1000)+`"}`); !r.OK {
		t.Errorf("2,000 units = %+v", r)
	}
	if r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"`+strings.Repeat("🔥", 1000)+`a"}`); r.ErrorCode != 400 || r.status != 400 {
		t.Errorf("2,001 units = %+v, want 400", r)
	}
	if r := call(t, s, "sendMessage", `{"text":"x"}`); r.ErrorCode != 400 {
		t.Errorf("no chat = %+v, want 400", r)
	}
	call(t, s, "sendPhoto", `{"chat_id":"c1","photo":"https://example.com/a.jpg","caption":"ảnh"}`)
	if got := s.BotMessages("c1"); len(got) != 2 || got[1].Photo != "https://example.com/a.jpg" || got[1].Text != "ảnh" {
		t.Errorf("bot messages = %+v", got)
	}
	if reqs := s.Requests(); len(reqs) != 4 || reqs[0].Params["chat_id"] != "c1" || reqs[3].Params["caption"] != "ảnh" {
		t.Errorf("requests = %+v", reqs)
	}
}

// Ensure failures come as asked: an error status (or 200 with
// ErrorsAsOK), one for a matching call only, a throttle, a dropped
// connection, garbage.
func TestFailures(t *testing.T) {
	s := newServer(t, fakeapi.Options{})

	s.FailNext("sendMessage", 500)
	if r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"x"}`); r.ErrorCode != 500 || r.status != 500 {
		t.Errorf("after FailNext 500: %+v", r)
	}
	s.Throttle("sendMessage", 200*time.Millisecond)
	for range 2 {
		if r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"x"}`); r.ErrorCode != 429 {
			t.Errorf("throttled: %+v", r)
		}
	}
	time.Sleep(250 * time.Millisecond)
	if r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"x"}`); !r.OK {
		t.Errorf("after the throttle: %+v", r)
	}
	s.FailNextIf("sendMessage", 502, func(p map[string]string) bool { return p["text"] == "b" })
	for _, text := range []string{"a", "b", "b"} {
		r := call(t, s, "sendMessage", `{"chat_id":"c1","text":"`+text+`"}`)
		if failed := r.ErrorCode == 502; failed != (text == "b" && !r.OK && r.status == 502) {
			t.Errorf("FailNextIf: %q gave %+v", text, r)
		}
	}
	if n := len(s.BotMessages("c1")); n != 3 { // x after the throttle, a, b
		t.Errorf("%d bot messages after FailNextIf, want 3", n)
	}
	s.DropNext("sendMessage")
	if _, err := http.Post(s.APIBase()+"/bot"+s.Token()+"/sendMessage", "application/json", strings.NewReader(`{"chat_id":"c1","text":"x"}`)); err == nil {
		t.Error("a dropped connection gave a reply")
	}
	s.GarbageNext("getMe")
	resp, err := http.Post(s.APIBase()+"/bot"+s.Token()+"/getMe", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if json.Valid(data) {
		t.Errorf("garbage = %q", data)
	}

	quiet := newServer(t, fakeapi.Options{ErrorsAsOK: true})
	quiet.FailNext("sendMessage", 403)
	if r := call(t, quiet, "sendMessage", `{"chat_id":"c1","text":"x"}`); r.ErrorCode != 403 || r.status != 200 {
		t.Errorf("with ErrorsAsOK: %+v", r)
	}
	resp, err = http.Post(quiet.APIBase()+"/botWRONG/getMe", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a wrong token with ErrorsAsOK: HTTP %d", resp.StatusCode)
	}
}

// Ensure injected messages look like Zalo's and their files are served.
func TestInjected(t *testing.T) {
	s := newServer(t, fakeapi.Options{})
	img := s.ServeFile("a.jpg", "image/jpeg", []byte("jpeg"))
	s.SendImage(lan, img, "chú thích")
	s.SendVoice(lan, s.ServeFile("v.aac", "audio/aac", []byte("aac")))
	s.SendUnsupported(lan)
	s.SendGroupText("g1", lan, "cả tổ")
	var events []string
	for range 4 {
		r := call(t, s, "getUpdates", `{"timeout":1}`)
		var u struct {
			EventName string `json:"event_name"`
			Message   struct {
				MessageID string `json:"message_id"`
				Date      int64  `json:"date"`
				PhotoURL  string `json:"photo_url"`
				Caption   string `json:"caption"`
				VoiceURL  string `json:"voice_url"`
				Chat      struct {
					ID       string `json:"id"`
					ChatType string `json:"chat_type"`
				} `json:"chat"`
			} `json:"message"`
		}
		json.Unmarshal(r.Result, &u)
		m := u.Message
		if m.MessageID == "" || m.Date < time.Now().Add(-time.Minute).UnixMilli() {
			t.Errorf("update %s: %s", u.EventName, r.Result)
		}
		events = append(events, u.EventName+" "+m.Chat.ChatType+" "+m.Caption)
		if u.EventName == fakeapi.EventImage && m.PhotoURL != img {
			t.Errorf("photo_url = %q", m.PhotoURL)
		}
	}
	want := fakeapi.EventImage + " PRIVATE chú thích," + fakeapi.EventVoice + " PRIVATE ," + fakeapi.EventUnsupported + " PRIVATE ," + fakeapi.EventText + " GROUP "
	if strings.Join(events, ",") != want {
		t.Errorf("events %q", events)
	}
	resp, err := http.Get(img)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(data, []byte("jpeg")) || resp.Header.Get("Content-Type") != "image/jpeg" || s.Fetches("a.jpg") != 1 {
		t.Errorf("served %q as %q", data, resp.Header.Get("Content-Type"))
	}
	if msgs := s.Messages("g1"); len(msgs) != 1 || msgs[0].Text != "cả tổ" || msgs[0].FromBot {
		t.Errorf("group messages = %+v", msgs)
	}
}
