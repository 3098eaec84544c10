package plain_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest"
	"github.com/totuquan/totuquan/bot/transporttest/plain"
)

// table drives the plain platform for the shared transport table.
type table struct {
	p *plain.Platform
}

func (tb *table) Start(t *testing.T, h bot.Handler) bot.Transport {
	tb.p = plain.New(h, nil)
	return tb.p
}

func (tb *table) Address(user string) bot.Address { return plain.Address(user) }

func (tb *table) UserText(t *testing.T, user, text string) {
	t.Helper()
	// A handler that fails every try is the table's business, not an error
	// of the platform's.
	tb.p.Say(user, text)
}

func (tb *table) UserJoins(t *testing.T, user, code string) { tb.p.Join(user, code) }

// UserPicks types the choice's number: there are no buttons to press.
func (tb *table) UserPicks(t *testing.T, user string, n int) { tb.p.Say(user, strconv.Itoa(n)) }

var numbered = regexp.MustCompile(`^(\d+)\. (.*)$`)

// Received reads each message as the user does: the numbered lines at its
// end, after a blank line, are the choices.
func (tb *table) Received(user string) []transporttest.Received {
	var out []transporttest.Received
	for _, d := range tb.p.Received(user) {
		r := transporttest.Received{Text: d.Text}
		if head, list, ok := cutLast(d.Text, "\n\n"); ok {
			var labels []string
			for i, line := range strings.Split(list, "\n") {
				m := numbered.FindStringSubmatch(line)
				if m == nil || m[1] != strconv.Itoa(i+1) {
					labels = nil
					break
				}
				labels = append(labels, m[2])
			}
			if labels != nil {
				r.Text, r.Choices = head, labels
			}
		}
		out = append(out, r)
	}
	return out
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (tb *table) FailNextSend(kind string) { tb.p.FailNextSend(kind) }

func (tb *table) TextLimit() int { return plain.TextLimit }

// TextLength counts characters, as the platform does.
func (tb *table) TextLength(text string) int { return utf8.RuneCountInString(text) }

func TestTransport(t *testing.T) {
	transporttest.Run(t, &table{})
}

type handlerFunc func(context.Context, bot.Inbound) (bot.Ack, error)

func (f handlerFunc) Handle(ctx context.Context, in bot.Inbound) (bot.Ack, error) { return f(ctx, in) }

// Ensure what the bot sends reads as a platform without buttons shows it:
// choices as numbered lines, an edit as a new message, nothing for
// clearing buttons, a file by its name only; and that answers come back as
// typed text, with Settle run after each.
func TestConversation(t *testing.T) {
	ctx := context.Background()
	var p *plain.Platform
	settled := 0
	h := handlerFunc(func(_ context.Context, in bot.Inbound) (bot.Ack, error) {
		reply := bot.Reply{Text: "Ngày nào?", Choices: [][]bot.Choice{{{Label: "Hôm nay", Value: "v:today"}, {Label: "Hôm qua", Value: "v:yesterday"}}}}
		if in.Text == "2" {
			reply = bot.Reply{Text: "Đã ghi: hôm qua."}
		}
		return bot.Ack{}, p.Deliver(ctx, bot.Outbound{Chat: in.Chat, Reply: reply})
	})
	p = plain.New(h, nil)
	p.Settle = func() { settled++ }
	if err := p.Say("lan", "/baocao"); err != nil {
		t.Fatal(err)
	}
	if got := p.Last("lan"); got != "Ngày nào?\n\n1. Hôm nay\n2. Hôm qua" {
		t.Errorf("question = %q", got)
	}
	p.Say("lan", "2")
	if got := p.Last("lan"); got != "Đã ghi: hôm qua." || settled != 2 {
		t.Errorf("answer = %q after %d settles", got, settled)
	}

	for _, m := range []bot.Outbound{
		{Chat: plain.Address("lan"), Op: bot.OpClearButtons, MessageID: "1"},
		{Chat: plain.Address("lan"), Op: bot.OpEdit, MessageID: "1", Reply: bot.Reply{Text: "Đã tiếp nhận", Choices: [][]bot.Choice{{{Label: "Đã xử lý", Value: "done"}}}}},
		{Chat: plain.Address("lan"), Reply: bot.Reply{Text: "Báo cáo tuần"}, Document: &bot.Document{Name: "tuan48.csv", Data: []byte("a,b\n")}},
	} {
		if err := p.Deliver(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got := p.Received("lan")[2:]
	if len(got) != 2 || got[0].Text != "Đã tiếp nhận\n\n1. Đã xử lý" || got[1] != (plain.Delivery{Text: "Báo cáo tuần", Document: "tuan48.csv"}) {
		t.Errorf("after clear, edit and file: %+v", got)
	}
	if err := p.Deliver(ctx, bot.Outbound{Chat: "telegram:5", Reply: bot.Reply{Text: "x"}}); err == nil {
		t.Error("delivered to another platform's chat")
	}
}

// Ensure a join code goes on as the JoinCode, typed text as the text, both
// with the user as chat and sender and a fresh update key each.
func TestJoinAndSay(t *testing.T) {
	var got []bot.Inbound
	p := plain.New(handlerFunc(func(_ context.Context, in bot.Inbound) (bot.Ack, error) {
		got = append(got, in)
		return bot.Ack{}, nil
	}), nil)
	p.Join("mai", "K7QM2XPA")
	p.Say("mai", "K7QM2XPA")
	if len(got) != 2 || got[0].JoinCode != "K7QM2XPA" || got[0].Text != "" || got[1].Text != "K7QM2XPA" || got[1].JoinCode != "" ||
		got[0].Chat != "plain:mai" || got[0].From != "plain:mai" || got[0].UpdateKey == got[1].UpdateKey {
		t.Errorf("got %+v", got)
	}
	if p.JoinLink("K7QM2XPA") != "" {
		t.Error("a platform without links gave a join link")
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		text  string
		limit int
		want  []string
	}{
		{"ngắn", 10, []string{"ngắn"}},
		{"aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"một hai ba bốn năm", 10, []string{"một hai", "ba bốn năm"}},
		{strings.Repeat("ư", 25), 10, []string{strings.Repeat("ư", 10), strings.Repeat("ư", 10), strings.Repeat("ư", 5)}},
		{"ab\n" + strings.Repeat("🔥", 12), 10, []string{"ab\n" + strings.Repeat("🔥", 7), strings.Repeat("🔥", 5)}},
	} {
		if got := plain.Split(tc.text, tc.limit); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Split(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
		}
	}
}
