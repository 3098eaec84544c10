package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// secret is a token that shows up anywhere it leaks; its second half is
// checked on its own too.
const secret = "7654321:AAH-s3cretPart_of-the-TOKEN"

func leaks(s string) bool {
	_, tail, _ := strings.Cut(secret, ":")
	return strings.Contains(s, secret) || strings.Contains(s, tail) ||
		strings.Contains(s, url.PathEscape(secret)) || strings.Contains(s, url.QueryEscape(secret))
}

// noToken fails if err, by any way of printing or unwrapping it, gives the
// token back. It reports whether err is a *tgbotapi.Error.
func noToken(t *testing.T, what string, err error) bool {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if s := fmt.Sprintf(verb, err); leaks(s) {
			t.Errorf("%s: %s gives the token: %s", what, verb, s)
		}
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if leaks(e.Error()) || leaks(fmt.Sprintf("%#v", e)) {
			t.Errorf("%s: unwrapping reaches %T with the token", what, e)
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("%s: errors.As recovers a *url.Error: %v", what, ue)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		t.Errorf("%s: errors.As recovers a *net.OpError: %v", what, oe)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		t.Errorf("%s: errors.As recovers a net.Error %T", what, ne)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		t.Errorf("%s: errors.As recovers a *json.SyntaxError", what)
	}
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return false
	}
	if leaks(te.Message) || leaks(fmt.Sprintf("%+v", te)) || leaks(fmt.Sprintf("%#v", te)) {
		t.Errorf("%s: the *tgbotapi.Error gives the token: %+v", what, te)
	}
	return true
}

func secretFake(t *testing.T) *fakeapi.Server {
	t.Helper()
	fake, err := fakeapi.New(fakeapi.Options{Token: secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake
}

func connect(ctx context.Context, endpoint string, log *slog.Logger, st bot.Store) (*telegram.Bot, error) {
	return telegram.New(ctx, telegram.Config{Token: secret, Endpoint: endpoint, Handler: nopHandler{}, Store: st, Log: log,
		PollTimeout: time.Second, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, NoChatLimits: true})
}

// refusedEndpoint is an endpoint on a port where nothing listens.
func refusedEndpoint(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/bot%s/%s"
}

// Ensure no error the client can produce gives the token back, however it
// is printed or unwrapped: transport errors (a dropped connection, a
// refused port, a timeout), Telegram's own errors (even one that quotes
// the token), and decode errors of a garbage reply. Only *tgbotapi.Error
// can be recovered with errors.As, and it is scrubbed too.
func TestErrorsNeverGiveTheToken(t *testing.T) {
	quoting := "Unauthorized: bad token " + secret
	t.Run("Connect", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			breakIt func(*fakeapi.Server)
			api     bool // a *tgbotapi.Error is expected
		}{
			{"Dropped", func(f *fakeapi.Server) { f.DropNext("getMe") }, false},
			{"Garbage", func(f *fakeapi.Server) { f.GarbageNext("getMe") }, false},
			{"TelegramQuotesToken", func(f *fakeapi.Server) { f.FailNextWith("getMe", 401, quoting) }, true},
			{"Timeout", func(f *fakeapi.Server) { f.HangNext("getMe") }, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fake := secretFake(t)
				tc.breakIt(fake)
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				_, err := connect(ctx, fake.Endpoint(), nil, openStore(t))
				if isAPI := noToken(t, tc.name, err); isAPI != tc.api {
					t.Errorf("%s: *tgbotapi.Error recovered = %v, want %v (%v)", tc.name, isAPI, tc.api, err)
				}
			})
		}
		t.Run("Refused", func(t *testing.T) {
			_, err := connect(context.Background(), refusedEndpoint(t), nil, openStore(t))
			noToken(t, "refused", err)
		})
	})

	t.Run("Deliver", func(t *testing.T) {
		fake := secretFake(t)
		tg, err := connect(context.Background(), fake.Endpoint(), nil, openStore(t))
		if err != nil {
			t.Fatal(err)
		}
		text := bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "xin chào"}}
		doc := bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "tệp"}, Document: &bot.Document{Name: "a.csv", Data: []byte("a,b\n")}}
		for _, tc := range []struct {
			name    string
			method  string
			m       bot.Outbound
			breakIt func(f *fakeapi.Server, method string)
			api     bool
		}{
			{"Dropped", "sendMessage", text, (*fakeapi.Server).DropNext, false},
			{"Garbage", "sendMessage", text, (*fakeapi.Server).GarbageNext, false},
			{"TelegramQuotesToken", "sendMessage", text, func(f *fakeapi.Server, m string) { f.FailNextWith(m, 400, "Bad Request: "+secret) }, true},
			{"Throttled", "sendMessage", text, func(f *fakeapi.Server, m string) { f.FailNext(m, 429, 3) }, true},
			{"UploadDropped", "sendDocument", doc, (*fakeapi.Server).DropNext, false},
			{"UploadGarbage", "sendDocument", doc, (*fakeapi.Server).GarbageNext, false},
			{"UploadQuotesToken", "sendDocument", doc, func(f *fakeapi.Server, m string) { f.FailNextWith(m, 400, "Bad Request: "+secret) }, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.breakIt(fake, tc.method)
				err := tg.Deliver(context.Background(), tc.m)
				var de *bot.DeliveryError
				if !errors.As(err, &de) {
					t.Fatalf("%v is not a *bot.DeliveryError", err)
				}
				if isAPI := noToken(t, tc.name, err); isAPI != tc.api {
					t.Errorf("*tgbotapi.Error recovered = %v, want %v (%v)", isAPI, tc.api, err)
				}
			})
		}
		t.Run("Download", func(t *testing.T) {
			fake.SendDocument(fakeapi.User{ID: 5, FirstName: "Lan"}, "a.csv", []byte("a,b\n"), "")
			msgs := fake.Messages(5)
			fileID := msgs[len(msgs)-1].FileID
			for i, breakIt := range []func(){
				func() { fake.DropNext("getFile") },
				func() { fake.GarbageNext("getFile") },
				func() { fake.FailNextWith("getFile", 400, "Bad Request: "+secret) },
				// A dropped GET on a reused connection is retried by
				// net/http; a hang is not.
				func() { fake.HangNext("download") },
			} {
				breakIt()
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				_, err := tg.Download(ctx, fileID)
				cancel()
				noToken(t, fmt.Sprintf("download %d", i), err)
			}
			if data, err := tg.Download(context.Background(), fileID); err != nil || string(data) != "a,b\n" {
				t.Fatalf("after the failures: %q, %v", data, err)
			}
		})
		t.Run("Refused", func(t *testing.T) {
			fake.Close()
			noToken(t, "refused send", tg.Deliver(context.Background(), text))
			_, err := tg.Download(context.Background(), "doc-1-5") // getFile is refused first
			noToken(t, "refused download", err)
		})
	})
}

// syncBuffer is a log sink safe for the adapter's goroutines.
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

// Ensure the logs never carry the token, in text or JSON, at every level,
// while polling, answering presses, clearing buttons and publishing the
// command menu all fail in every way.
func TestLogsNeverGiveTheToken(t *testing.T) {
	for _, kind := range []string{"text", "json"} {
		t.Run(kind, func(t *testing.T) {
			var buf syncBuffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewTextHandler(&buf, opts)
			if kind == "json" {
				h = slog.NewJSONHandler(&buf, opts)
			}
			fake := secretFake(t)
			fake.FailNextWith("setMyCommands", 500, "Internal Server Error: "+secret)
			for _, m := range []string{"getUpdates", "answerCallbackQuery", "editMessageReplyMarkup"} {
				fake.FailNextWith(m, 502, "Bad Gateway: "+secret)
				fake.DropNext(m)
				fake.GarbageNext(m)
			}
			got := make(chan bot.Inbound, 10)
			tg := start(t, fake, nopHandler{got}, openStore(t), func(c *telegram.Config) {
				c.Log, c.Commands = slog.New(h), []bot.MenuCommand{{Name: "baocao", Description: "Báo cáo"}}
			})
			lan := fakeapi.User{ID: 5, FirstName: "Lan"}
			for range 3 {
				out := bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "Chọn", Choices: [][]bot.Choice{{{Label: "A", Value: "1|a"}}}}}
				if err := tg.Deliver(context.Background(), out); err != nil {
					t.Fatal(err)
				}
				m, _ := fake.LastWithButtons(5)
				fake.Press(lan, m.ID, "1|a")
				recv(t, got)
				clear := bot.Outbound{Chat: "telegram:5", Op: bot.OpClearButtons, MessageID: strconv.Itoa(m.ID)}
				if err := tg.Deliver(context.Background(), clear); err == nil {
					t.Error("clearing the buttons did not fail")
				} else if leaks(err.Error()) {
					t.Errorf("clearing the buttons failed with the token: %v", err)
				}
			}
			// The poll that confirms the last press comes after its
			// answer failed and was logged.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := fake.WaitFor(ctx, func() bool { return fake.Unconfirmed() == 0 }); err != nil {
				t.Fatal("the presses were not confirmed")
			}
			log := buf.String()
			for _, want := range []string{"getUpdates failed", "answer callback", "set command menu"} {
				if n := strings.Count(log, want); n == 0 {
					t.Errorf("the log has no %q; the failures did not happen:\n%s", want, log)
				}
			}
			if leaks(log) {
				t.Errorf("the log gives the token:\n%s", log)
			}
		})
	}
}
