// Package transporttest is the one table of transport tests that every chat
// platform adapter must pass: what reaches the handler from the platform,
// and what reaches the platform from the outbox, in neutral terms. Each
// adapter's tests implement Platform over that platform's fake server and
// call Run; they also implement Wire and call RunWire with the adapter's
// own wire cases, raw updates and requests as the platform has them. The
// package plain below is a platform without buttons that passes Run too.
package transporttest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
)

// Platform drives one adapter against its platform's fake server.
type Platform interface {
	// Start runs the adapter with h as its handler until the test ends and
	// returns it as a transport.
	Start(t *testing.T, h bot.Handler) bot.Transport
	// Address is the chat address of a user of the platform.
	Address(user string) bot.Address
	// UserText sends text from user.
	UserText(t *testing.T, user, text string)
	// UserJoins has user present an invite code in the platform's own
	// way: opening the bot's link that carries it where the platform has
	// such links, typing it where it has not.
	UserJoins(t *testing.T, user, code string)
	// UserPicks picks the n-th choice (from 1) of the last message user
	// received: a button press where the platform has buttons, the typed
	// number where it has not.
	UserPicks(t *testing.T, user string, n int)
	// Received returns what user received, in order.
	Received(user string) []Received
	// FailNextSend makes the platform refuse the next send: "rate" (too
	// many requests, retry after 1s), "server" (an internal error) or
	// "blocked" (the user blocked the bot).
	FailNextSend(kind string)
	// TextLimit is the platform's longest message, in the units TextLength
	// counts.
	TextLimit() int
	// TextLength is the length of text as the platform counts it against
	// TextLimit: UTF-16 code units on Telegram (an emoji outside the Basic
	// Multilingual Plane counts 2), where another may count characters or
	// bytes.
	TextLength(text string) int
}

// Received is a message as the user sees it.
type Received struct {
	Text    string
	Choices []string // labels, in reading order
}

// recorder is a handler that records what it is given and can fail.
type recorder struct {
	mu     sync.Mutex
	got    []bot.Inbound
	failN  int // fail this many more calls
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 100)} }

func (r *recorder) Handle(_ context.Context, in bot.Inbound) (bot.Ack, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
	defer func() { r.notify <- struct{}{} }()
	if r.failN > 0 {
		r.failN--
		return bot.Ack{}, errors.New("store unavailable")
	}
	return bot.Ack{}, nil
}

func (r *recorder) wait(t *testing.T, n int) []bot.Inbound {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		r.mu.Lock()
		got := append([]bot.Inbound(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("handler got %d updates, want %d", len(got), n)
		}
	}
}

// Run runs the table against p. Each case starts its own adapter.
func Run(t *testing.T, p Platform) {
	ctx := context.Background()
	choices := [][]bot.Choice{{{Label: "Hôm nay", Value: "3|v:today"}, {Label: "Hôm qua", Value: "3|v:yesterday"}}, {{Label: "Quay lại", Value: "3|!b"}}}

	t.Run("TextArrivesAsNFC", func(t *testing.T) {
		r := newRecorder()
		p.Start(t, r)
		p.UserText(t, "u1", "Ho\u0302m nay") // NFD, as some keyboards send it
		in := r.wait(t, 1)[0]
		if in.Text != "Hôm nay" || in.Chat != p.Address("u1") || in.From != p.Address("u1") || in.UpdateKey == "" || in.IsCallback() {
			t.Errorf("inbound = %+v", in)
		}
	})
	t.Run("Command", func(t *testing.T) {
		r := newRecorder()
		p.Start(t, r)
		p.UserText(t, "u1", "/xuat csv HG")
		if cmd, arg := r.wait(t, 1)[0].Command(); cmd != "xuat" || arg != "csv HG" {
			t.Errorf("command = %q %q", cmd, arg)
		}
	})
	t.Run("JoinCode", func(t *testing.T) {
		// A code presented the platform's way arrives as JoinCode; where
		// it can only be typed, the adapter may pass it on as the text.
		r := newRecorder()
		p.Start(t, r)
		p.UserJoins(t, "u1", "K7QM2XPA")
		in := r.wait(t, 1)[0]
		if !(in.JoinCode == "K7QM2XPA" && in.Text == "") && !(in.JoinCode == "" && in.Text == "K7QM2XPA") {
			t.Errorf("an invite code arrived as %+v", in)
		}
		if in.Chat != p.Address("u1") || in.From != p.Address("u1") || in.UpdateKey == "" {
			t.Errorf("inbound = %+v", in)
		}
	})
	t.Run("OneChatInOrderOnce", func(t *testing.T) {
		r := newRecorder()
		p.Start(t, r)
		for _, s := range []string{"một", "hai", "ba", "bốn", "năm"} {
			p.UserText(t, "u1", s)
		}
		p.UserText(t, "u2", "khác")
		got := r.wait(t, 6)
		var texts []string
		keys := map[string]bool{}
		for _, in := range got {
			if in.Chat == p.Address("u1") {
				texts = append(texts, in.Text)
			}
			keys[in.UpdateKey] = true
		}
		if strings.Join(texts, ",") != "một,hai,ba,bốn,năm" || len(keys) != 6 {
			t.Errorf("u1 got %q; %d distinct keys of %d", texts, len(keys), len(got))
		}
	})
	t.Run("ChoicesRenderedAndPicked", func(t *testing.T) {
		r := newRecorder()
		tr := p.Start(t, r)
		err := tr.Deliver(ctx, bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: "Ngày nào?", Choices: choices}})
		if err != nil {
			t.Fatal(err)
		}
		rec := p.Received("u1")
		if len(rec) != 1 || !strings.HasPrefix(rec[0].Text, "Ngày nào?") || strings.Join(rec[0].Choices, "|") != "Hôm nay|Hôm qua|Quay lại" {
			t.Fatalf("received %+v", rec)
		}
		p.UserPicks(t, "u1", 2)
		in := r.wait(t, 1)[0]
		if in.Callback != "3|v:yesterday" && in.Text != "2" {
			t.Errorf("a pick of choice 2 arrived as %+v", in)
		}
	})
	t.Run("LongTextSplit", func(t *testing.T) {
		tr := p.Start(t, newRecorder())
		long := strings.Repeat("Dòng khá dài về tình hình an ninh trật tự.\n", p.TextLimit()/20)
		if err := tr.Deliver(ctx, bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: long}}); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, m := range p.Received("u1") {
			if n := p.TextLength(m.Text); n > p.TextLimit() {
				t.Errorf("a part has length %d, limit %d", n, p.TextLimit())
			}
			parts = append(parts, m.Text)
		}
		if len(parts) < 2 || strings.ReplaceAll(strings.Join(parts, "\n"), "\n", "") != strings.ReplaceAll(long, "\n", "") {
			t.Errorf("long text arrived as %d parts that do not add up", len(parts))
		}
	})
	t.Run("EmojiTextSplit", func(t *testing.T) {
		// Emoji weigh more than one unit on some platforms (two UTF-16
		// units on Telegram): a text of fewer characters than the limit
		// may still be too long, and a cut must not fall inside one.
		tr := p.Start(t, newRecorder())
		line := "🚨 Tổ 3: mất trộm xe máy 🏍️ tại ngõ 5 👮‍♂️ đã báo công an 🇻🇳\n"
		long := strings.Repeat(line, p.TextLimit()/len([]rune(line))+1) + strings.Repeat("🔥", p.TextLimit()/2+10)
		choices := [][]bot.Choice{{{Label: "Đã xem", Value: "1|seen"}}}
		if err := tr.Deliver(ctx, bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: long, Choices: choices}}); err != nil {
			t.Fatal(err)
		}
		rec := p.Received("u1")
		var parts []string
		for i, m := range rec {
			if n := p.TextLength(m.Text); n > p.TextLimit() {
				t.Errorf("part %d has length %d, limit %d", i, n, p.TextLimit())
			}
			if !utf8.ValidString(m.Text) || strings.ContainsRune(m.Text, utf8.RuneError) {
				t.Errorf("part %d is cut inside a character", i)
			}
			parts = append(parts, m.Text)
		}
		squash := strings.NewReplacer("\n", "", " ", "")
		if len(parts) < 2 || squash.Replace(strings.Join(parts, "")) != squash.Replace(long) {
			t.Errorf("emoji text arrived as %d parts that do not add up", len(parts))
		}
		if len(rec) > 0 && len(rec[len(rec)-1].Choices) == 0 {
			t.Error("the choices are not under the last part")
		}
	})
	t.Run("DeliveryErrors", func(t *testing.T) {
		tr := p.Start(t, newRecorder())
		out := bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: "xin chào"}}
		for _, tc := range []struct {
			kind      string
			permanent bool
			retry     bool
		}{{"rate", false, true}, {"server", false, false}, {"blocked", true, false}} {
			p.FailNextSend(tc.kind)
			err := tr.Deliver(ctx, out)
			var de *bot.DeliveryError
			if !errors.As(err, &de) {
				t.Errorf("%s: error %v is not a *bot.DeliveryError", tc.kind, err)
				continue
			}
			if de.Permanent != tc.permanent || (de.RetryAfter >= time.Second) != tc.retry {
				t.Errorf("%s: %+v", tc.kind, de)
			}
		}
		if err := tr.Deliver(ctx, out); err != nil {
			t.Errorf("after the failures: %v", err)
		}
	})
	t.Run("HandlerFailureRedelivers", func(t *testing.T) {
		// An update is confirmed to the platform only once handled: when
		// the handler fails, it is offered again.
		r := newRecorder()
		r.failN = 1
		p.Start(t, r)
		p.UserText(t, "u1", "báo cáo")
		got := r.wait(t, 2)
		if got[0].UpdateKey != got[1].UpdateKey || got[1].Text != "báo cáo" {
			t.Errorf("after a failure the handler got %+v", got)
		}
	})
}
