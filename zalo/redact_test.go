package zalo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/zalo"
	"github.com/totuquan/totuquan/zalo/fakeapi"
)

// secret is a token that shows up anywhere it leaks; its second half is
// checked on its own too.
const secret = "2718281828459045235:AAH-s3cretPart_of-the-ZALO-token"

func leaks(s string) bool {
	_, tail, _ := strings.Cut(secret, ":")
	return strings.Contains(s, secret) || strings.Contains(s, tail) ||
		strings.Contains(s, url.PathEscape(secret)) || strings.Contains(s, url.QueryEscape(secret))
}

// noToken fails if err, by any way of printing or unwrapping it, gives the
// token back, or lets errors.As recover an error that holds it. It
// reports whether err is an *zalo.APIError.
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
	var ae *zalo.APIError
	if !errors.As(err, &ae) {
		return false
	}
	if leaks(ae.Description) || leaks(fmt.Sprintf("%+v", ae)) || leaks(fmt.Sprintf("%#v", ae)) {
		t.Errorf("%s: the *zalo.APIError gives the token: %+v", what, ae)
	}
	return true
}

func secretFake(t *testing.T, opts fakeapi.Options) *fakeapi.Server {
	t.Helper()
	opts.Token = secret
	return newFake(t, opts)
}

func connect(ctx context.Context, base string, log *slog.Logger, st bot.Store) (*zalo.Bot, error) {
	return zalo.New(ctx, zalo.Config{Token: secret, APIBase: base, Handler: &recorder{}, Store: st, Log: log,
		PollTimeout: time.Second, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
}

// refusedBase is an address where nothing listens.
func refusedBase(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// Ensure no error the adapter returns gives the token back, however it is
// printed or unwrapped: transport errors (a dropped connection, a refused
// port), Zalo's own errors (even one that quotes the token) and replies
// that are not the API's. Only *zalo.APIError can be recovered with
// errors.As, and it is scrubbed too. A refused token says so and names
// zalo.token.
func TestErrorsNeverGiveTheToken(t *testing.T) {
	quoting := "Unauthorized: bad token " + secret
	t.Run("Connect", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			opts    fakeapi.Options
			breakIt func(*fakeapi.Server)
			api     bool // an *zalo.APIError is expected
		}{
			{"Dropped", fakeapi.Options{}, func(f *fakeapi.Server) { f.DropNext("getMe") }, false},
			{"Garbage", fakeapi.Options{}, func(f *fakeapi.Server) { f.GarbageNext("getMe") }, false},
			{"ZaloQuotesToken", fakeapi.Options{}, func(f *fakeapi.Server) { f.FailNextWith("getMe", 401, quoting) }, true},
			{"RefusedWith200", fakeapi.Options{ErrorsAsOK: true}, func(f *fakeapi.Server) { f.FailNextWith("getMe", 401, quoting) }, true},
			{"ServerError", fakeapi.Options{}, func(f *fakeapi.Server) { f.FailNextWith("getMe", 500, "Internal error at /bot"+secret+"/getMe") }, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fake := secretFake(t, tc.opts)
				tc.breakIt(fake)
				_, err := connect(context.Background(), fake.APIBase(), nil, openStore(t))
				if isAPI := noToken(t, tc.name, err); isAPI != tc.api {
					t.Errorf("*zalo.APIError recovered = %v, want %v (%v)", isAPI, tc.api, err)
				}
			})
		}
		t.Run("Refused", func(t *testing.T) {
			_, err := connect(context.Background(), refusedBase(t), nil, openStore(t))
			noToken(t, "refused", err)
		})
		t.Run("Unauthorized", func(t *testing.T) {
			fake := newFake(t, fakeapi.Options{})
			_, err := connect(context.Background(), fake.APIBase(), nil, openStore(t)) // not the fake's token
			noToken(t, "unauthorized", err)
			if !errors.Is(err, zalo.ErrUnauthorized) || !strings.Contains(err.Error(), "zalo.token") || !strings.Contains(err.Error(), "401") {
				t.Errorf("a refused token: %v", err)
			}
		})
	})

	t.Run("Deliver", func(t *testing.T) {
		fake := secretFake(t, fakeapi.Options{})
		z, err := connect(context.Background(), fake.APIBase(), nil, openStore(t))
		if err != nil {
			t.Fatal(err)
		}
		text := bot.Outbound{Chat: "zalo:6ede9afa", Reply: bot.Reply{Text: "xin chào"}}
		for _, tc := range []struct {
			name      string
			breakIt   func(f *fakeapi.Server)
			api       bool
			permanent bool
		}{
			{"Dropped", func(f *fakeapi.Server) { f.DropNext("sendMessage") }, false, false},
			{"Garbage", func(f *fakeapi.Server) { f.GarbageNext("sendMessage") }, false, false},
			{"ZaloQuotesToken", func(f *fakeapi.Server) { f.FailNextWith("sendMessage", 400, "Bad Request: "+secret) }, true, true},
			{"Throttled", func(f *fakeapi.Server) { f.FailNext("sendMessage", 429) }, true, false},
			{"Unauthorized", func(f *fakeapi.Server) { f.FailNextWith("sendMessage", 401, quoting) }, true, false},
			{"NotFound", func(f *fakeapi.Server) { f.FailNext("sendMessage", 404) }, true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.breakIt(fake)
				err := z.Deliver(context.Background(), text)
				var de *bot.DeliveryError
				if !errors.As(err, &de) || de.Permanent != tc.permanent {
					t.Fatalf("%v is not a *bot.DeliveryError with Permanent %v", err, tc.permanent)
				}
				if isAPI := noToken(t, tc.name, err); isAPI != tc.api {
					t.Errorf("*zalo.APIError recovered = %v, want %v (%v)", isAPI, tc.api, err)
				}
			})
		}
		t.Run("Refused", func(t *testing.T) {
			fake.Close()
			noToken(t, "refused send", z.Deliver(context.Background(), text))
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
// while polling fails in every way (an error that quotes the token, a
// dropped connection, a garbage reply, a download that fails), and that
// a refused token (401) stops Run with an error that names zalo.token.
func TestLogsNeverGiveTheToken(t *testing.T) {
	for _, kind := range []string{"text", "json"} {
		t.Run(kind, func(t *testing.T) {
			var buf syncBuffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewTextHandler(&buf, opts)
			if kind == "json" {
				h = slog.NewJSONHandler(&buf, opts)
			}
			fake := secretFake(t, fakeapi.Options{})
			fake.FailNextWith("deleteWebhook", 502, "Bad Gateway: "+secret)
			fake.FailNextWith("getUpdates", 502, "Bad Gateway: "+secret)
			fake.DropNext("getUpdates")
			fake.GarbageNext("getUpdates")
			fake.FailNextWith("media", 502, "Bad Gateway: "+secret)
			rec := &recorder{}
			st := openStore(t)
			cfg := zalo.Config{Token: secret, APIBase: fake.APIBase(), Handler: rec, Store: st, Log: slog.New(h),
				PollTimeout: time.Second, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MediaDir: t.TempDir()}
			_, _, done := start(t, cfg)
			lan := userOf("lan")
			fake.SendImage(lan, fake.ServeFile("a.jpg", "image/jpeg", jpeg), "")
			eventually(t, "the image", func() bool { return len(rec.all()) == 1 })
			fake.FailNextWith("getUpdates", 401, "Unauthorized: "+secret)
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not stop on a refused token")
			}
			noToken(t, "Run", err)
			if !errors.Is(err, zalo.ErrUnauthorized) || !strings.Contains(err.Error(), "zalo.token") {
				t.Errorf("Run stopped with %v", err)
			}
			log := buf.String()
			for _, want := range []string{"deleting the webhook before polling failed", "getUpdates failed", "could not be downloaded"} {
				if !strings.Contains(log, want) {
					t.Errorf("the log has no %q; the failures did not happen:\n%s", want, log)
				}
			}
			if leaks(log) {
				t.Errorf("the log gives the token:\n%s", log)
			}
		})
	}
}
