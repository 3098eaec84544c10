package fakeapi_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// reply is the part of the server's answer the tests read.
type reply struct {
	OK         bool           `json:"ok"`
	ErrorCode  int            `json:"error_code"`
	Parameters map[string]int `json:"parameters"`
	Result     struct {
		MessageID int `json:"message_id"`
	} `json:"result"`
}

func call(t *testing.T, s *fakeapi.Server, method string, params url.Values) reply {
	t.Helper()
	resp, err := http.PostForm(fmt.Sprintf(s.Endpoint(), s.Token(), method), params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func send(t *testing.T, s *fakeapi.Server, chat int64, text string) reply {
	t.Helper()
	return call(t, s, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {text},
		"reply_markup": {`{"inline_keyboard":[[{"text":"Gửi","callback_data":"s"}]]}`}})
}

func clearKeyboard(t *testing.T, s *fakeapi.Server, chat int64, id int) reply {
	t.Helper()
	return call(t, s, "editMessageReplyMarkup", url.Values{"chat_id": {strconv.FormatInt(chat, 10)},
		"message_id": {strconv.Itoa(id)}, "reply_markup": {`{"inline_keyboard":[]}`}})
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

// Ensure a group takes GroupPerMinute sends in a minute and no more, the
// refusal saying to wait for the minute to pass, while a private chat
// goes on.
func TestGroupPerMinute(t *testing.T) {
	s := newServer(t, fakeapi.Options{Limits: &fakeapi.Limits{PerSecond: 1000, ChatBurst: 100, ChatEvery: time.Millisecond, GroupPerMinute: 3}})
	for i := range 3 {
		if r := send(t, s, -100, "tin"); !r.OK {
			t.Fatalf("send %d to the group refused: %+v", i+1, r)
		}
	}
	r := send(t, s, -100, "tin")
	if r.ErrorCode != http.StatusTooManyRequests || r.Parameters["retry_after"] < 58 || r.Parameters["retry_after"] > 60 {
		t.Errorf("the fourth send in a minute got %+v, want 429 with retry_after about 60", r)
	}
	for i := range 5 {
		if r := send(t, s, 7, "tin"); !r.OK {
			t.Fatalf("send %d to a private chat refused: %+v", i+1, r)
		}
	}
	if n := s.Refused(); n != 1 {
		t.Errorf("Refused() = %d, want 1", n)
	}
}

// Ensure edits are free unless Limits.Edits counts them, and then take
// the chat's places like sends.
func TestEditsCount(t *testing.T) {
	for _, edits := range []bool{false, true} {
		t.Run(fmt.Sprintf("edits=%v", edits), func(t *testing.T) {
			s := newServer(t, fakeapi.Options{Limits: &fakeapi.Limits{PerSecond: 1000, ChatBurst: 2, ChatEvery: time.Hour, Edits: edits}})
			first := send(t, s, 7, "một")
			if !first.OK {
				t.Fatalf("first send refused: %+v", first)
			}
			if r := clearKeyboard(t, s, 7, first.Result.MessageID); !r.OK {
				t.Fatalf("first edit refused: %+v", r)
			}
			r := send(t, s, 7, "hai")
			if r.OK == edits {
				t.Errorf("the second send after an edit got %+v; with edits counted it must be refused, else taken", r)
			}
			if edits && (r.ErrorCode != 429 || r.Parameters["retry_after"] < 3000) {
				t.Errorf("refusal %+v, want 429 with retry_after about an hour", r)
			}
		})
	}
}

// Ensure OnCall hears of sends and edits, taken and refused, with their
// messages and keyboards; and that History bounds what is kept but not
// what is counted.
func TestOnCallAndHistory(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []fakeapi.Call
	)
	s := newServer(t, fakeapi.Options{History: 2, Limits: &fakeapi.Limits{PerSecond: 1000, ChatBurst: 5, ChatEvery: time.Hour, Edits: true},
		OnCall: func(c fakeapi.Call) { mu.Lock(); calls = append(calls, c); mu.Unlock() }})
	for range 4 {
		send(t, s, 7, "câu hỏi")
	}
	clearKeyboard(t, s, 7, 4)
	send(t, s, 7, "thừa")
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 6 {
		t.Fatalf("OnCall heard %d calls, want 6: %+v", len(calls), calls)
	}
	if c := calls[0]; c.Method != "sendMessage" || c.Chat != 7 || c.MessageID != 1 || c.Status != 200 || c.Text != "câu hỏi" || len(c.Buttons) != 1 || c.At.IsZero() {
		t.Errorf("first call %+v", c)
	}
	if c := calls[4]; c.Method != "editMessageReplyMarkup" || c.MessageID != 4 || c.Status != 200 || len(c.Buttons) != 0 {
		t.Errorf("the edit %+v", c)
	}
	if c := calls[5]; c.Status != 429 || c.MessageID != 0 || c.Limit != fakeapi.LimitChat {
		t.Errorf("the send over the limit %+v", c)
	}
	if n := len(s.Messages(7)); n > 3 {
		t.Errorf("the server keeps %d messages of the chat, want at most 3 with History 2", n)
	}
	if n := s.BotCount(7); n != 4 {
		t.Errorf("BotCount = %d, want 4", n)
	}
	if m, ok := s.LastWithButtons(7); !ok || m.ID != 3 {
		t.Errorf("LastWithButtons = %+v, %v; want message 3", m, ok)
	}
	if c := s.CallCounts(); c["sendMessage"] != 5 || c["editMessageReplyMarkup"] != 1 {
		t.Errorf("CallCounts = %v", c)
	}
}

// Ensure the server listens where Options.Addr says.
func TestAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newServer(t, fakeapi.Options{Addr: addr})
	if want := "http://" + addr + "/bot%s/%s"; s.Endpoint() != want {
		t.Errorf("Endpoint() = %q, want %q", s.Endpoint(), want)
	}
	if r := call(t, s, "getMe", nil); !r.OK {
		t.Errorf("getMe: %+v", r)
	}
}
