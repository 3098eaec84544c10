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

// cases are the table's cases, each run against a fresh adapter.
var cases = []struct {
	name string
	run  func(t *testing.T, p Platform)
}{
	{"TextArrivesAsNFC", textArrivesAsNFC},
	{"Command", commandAndArgument},
	{"JoinCode", joinCode},
	{"OneChatInOrderOnce", oneChatInOrderOnce},
	{"ChoicesRenderedAndPicked", choicesRenderedAndPicked},
	{"LongTextSplit", longTextSplit},
	{"EmojiTextSplit", emojiTextSplit},
	{"DeliveryErrors", deliveryErrors},
	{"HandlerFailureRedelivers", handlerFailureRedelivers},
}

// Run runs the table against p. Each case starts its own adapter.
func Run(t *testing.T, p Platform) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, p) })
	}
}

// dateChoices are a question's choices in two rows, as a report's date
// question has them.
var dateChoices = [][]bot.Choice{{{Label: "Hôm nay", Value: "3|v:today"}, {Label: "Hôm qua", Value: "3|v:yesterday"}}, {{Label: "Quay lại", Value: "3|!b"}}}

// textArrivesAsNFC ensures that text typed in decomposed form reaches the
// handler in NFC, from the user's chat.
func textArrivesAsNFC(t *testing.T, p Platform) {
	r := newRecorder()
	p.Start(t, r)
	p.UserText(t, "u1", "Ho\u0302m nay") // NFD, as some keyboards send it
	in := r.wait(t, 1)[0]
	if in.Text != "Hôm nay" || in.Chat != p.Address("u1") || in.From != p.Address("u1") || in.UpdateKey == "" || in.IsCallback() {
		t.Errorf("inbound = %+v", in)
	}
}

// commandAndArgument ensures that a command and its argument reach the
// handler as typed.
func commandAndArgument(t *testing.T, p Platform) {
	r := newRecorder()
	p.Start(t, r)
	p.UserText(t, "u1", "/xuat csv HG")
	if cmd, arg := r.wait(t, 1)[0].Command(); cmd != "xuat" || arg != "csv HG" {
		t.Errorf("command = %q %q", cmd, arg)
	}
}

// joinCode ensures that an invite code reaches the handler, from the user's
// chat.
func joinCode(t *testing.T, p Platform) {
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
}

// oneChatInOrderOnce ensures that one chat's messages reach the handler in
// order, each once, with distinct keys.
func oneChatInOrderOnce(t *testing.T, p Platform) {
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
}

// choicesRenderedAndPicked ensures that choices are shown in reading order
// and picking the second reaches the handler as that choice.
func choicesRenderedAndPicked(t *testing.T, p Platform) {
	r := newRecorder()
	tr := p.Start(t, r)
	err := tr.Deliver(context.Background(), bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: "Ngày nào?", Choices: dateChoices}})
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
}

// longTextSplit ensures that a text over the platform's limit arrives in
// parts within it that add up to the whole.
func longTextSplit(t *testing.T, p Platform) {
	tr := p.Start(t, newRecorder())
	long := strings.Repeat("Dòng khá dài về tình hình an ninh trật tự.\n", p.TextLimit()/20)
	if err := tr.Deliver(context.Background(), bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: long}}); err != nil {
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
}

// emojiTextSplit ensures that a text of emoji is cut within the limit as the
// platform counts it, never inside a character, the choices under the last
// part.
func emojiTextSplit(t *testing.T, p Platform) {
	// Emoji weigh more than one unit on some platforms (two UTF-16
	// units on Telegram): a text of fewer characters than the limit
	// may still be too long, and a cut must not fall inside one.
	tr := p.Start(t, newRecorder())
	line := "🚨 Tổ 3: mất trộm xe máy 🏍️ tại ngõ 5 👮‍♂️ đã báo công an 🇻🇳\n"
	long := strings.Repeat(line, p.TextLimit()/len([]rune(line))+1) + strings.Repeat("🔥", p.TextLimit()/2+10)
	choices := [][]bot.Choice{{{Label: "Đã xem", Value: "1|seen"}}}
	if err := tr.Deliver(context.Background(), bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: long, Choices: choices}}); err != nil {
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
}

// deliveryErrors ensures that the platform's refusals come back as
// bot.DeliveryError saying whether to retry.
func deliveryErrors(t *testing.T, p Platform) {
	tr := p.Start(t, newRecorder())
	out := bot.Outbound{Chat: p.Address("u1"), Reply: bot.Reply{Text: "xin chào"}}
	for _, tc := range []struct {
		kind      string
		permanent bool
		retry     bool
	}{{"rate", false, true}, {"server", false, false}, {"blocked", true, false}} {
		p.FailNextSend(tc.kind)
		err := tr.Deliver(context.Background(), out)
		var de *bot.DeliveryError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v is not a *bot.DeliveryError", tc.kind, err)
			continue
		}
		if de.Permanent != tc.permanent || (de.RetryAfter >= time.Second) != tc.retry {
			t.Errorf("%s: %+v", tc.kind, de)
		}
	}
	if err := tr.Deliver(context.Background(), out); err != nil {
		t.Errorf("after the failures: %v", err)
	}
}

// handlerFailureRedelivers ensures that an update is confirmed to the
// platform only once handled: when the handler fails, it is offered again,
// with the same key.
func handlerFailureRedelivers(t *testing.T, p Platform) {
	r := newRecorder()
	r.failN = 1
	p.Start(t, r)
	p.UserText(t, "u1", "báo cáo")
	got := r.wait(t, 2)
	if got[0].UpdateKey != got[1].UpdateKey || got[1].Text != "báo cáo" {
		t.Errorf("after a failure the handler got %+v", got)
	}
}
