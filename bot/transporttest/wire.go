package transporttest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
)

// Wire is a Platform whose tests can also speak the platform's own wire
// format: raw updates in, raw requests out. Each adapter supplies one with
// its own table of wire cases and calls RunWire, so that what the platform
// really sends and is sent is pinned case by case, next to the neutral
// table of Run.
type Wire interface {
	Platform
	// InjectRaw hands raw, one update exactly as the platform sends it
	// (JSON), to the adapter started last, and returns once the adapter is
	// done with it: handed to the handler, or dropped. The fake server may
	// renumber it (Telegram's update_id) to fit its queue.
	InjectRaw(t *testing.T, raw string)
	// Requests returns what the adapter started last has asked of the
	// platform so far, in order, leaving out polling and what it asks on
	// its own (Telegram's getMe and getUpdates).
	Requests() []Request
}

// Request is one request to the platform: its method and its parameters
// under the platform's own names. Structured parameters are rendered so
// that a table can compare them: a keyboard as Buttons renders it.
type Request struct {
	Method string
	Params map[string]string
}

// Absent, as the value of a wanted parameter, says that the request must
// not carry that parameter at all (a message without a keyboard, a text
// without a parse mode).
const Absent = "\x00absent"

// Buttons renders rows of choices as a wire case compares them: each
// button as [label=value], a space between buttons, " / " between rows;
// "" for a keyboard with no buttons, as one that clears them.
func Buttons(rows [][]bot.Choice) string {
	var b strings.Builder
	for i, row := range rows {
		if i > 0 {
			b.WriteString(" / ")
		}
		for j, c := range row {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString("[" + c.Label + "=" + c.Value + "]")
		}
	}
	return b.String()
}

// InboundCase is a raw update and what the handler must get for it.
type InboundCase struct {
	Name string
	// Raw is the update exactly as the platform sends it, JSON.
	Raw string
	// Want is the neutral message the handler must get, compared on Chat,
	// From, GroupChat, Text, Photo, Location, JoinCode, Document,
	// DocumentName, Voice, Callback and MessageID, and on Name and LangHint when
	// set. Its UpdateKey must be set, and its CallbackID exactly when
	// Callback is.
	Want bot.Inbound
	// Ignored means the handler gets nothing for it, and the adapter goes
	// on with the next update.
	Ignored bool
}

// OutboundCase is a neutral message and the requests it causes.
type OutboundCase struct {
	Name string
	// Before are delivered first, on the same adapter (a message to edit,
	// a question asked before the next one); their requests are
	// not compared.
	Before []bot.Outbound
	Out    bot.Outbound
	// Want are the requests Out causes, in order: the method, and the
	// parameters listed (others are not compared).
	Want []Request
}

// sentinel is what the table sends after each inbound case, to see that
// the adapter goes on.
const sentinel = "tin sau cùng"

// RunWire runs an adapter's wire cases against p, each on its own adapter.
func RunWire(t *testing.T, p Wire, inbound []InboundCase, outbound []OutboundCase) {
	for _, tc := range inbound {
		t.Run("In/"+tc.Name, func(t *testing.T) {
			r := newRecorder()
			p.Start(t, r)
			p.InjectRaw(t, tc.Raw)
			p.UserText(t, "u9", sentinel)
			var got []bot.Inbound
			for n := 1; ; n++ {
				got = r.wait(t, n)
				if last := got[len(got)-1]; last.Text == sentinel && last.From == p.Address("u9") {
					got = got[:len(got)-1]
					break
				}
			}
			want := 1
			if tc.Ignored {
				want = 0
			}
			if len(got) != want {
				t.Fatalf("the handler got %d updates before the next message, want %d:\n%s", len(got), want, dump(got))
			}
			if tc.Ignored {
				return
			}
			if diff := inboundDiff(got[0], tc.Want); diff != "" {
				t.Errorf("inbound differs: %s\ngot  %+v", diff, got[0])
			}
		})
	}
	ctx := context.Background()
	for _, tc := range outbound {
		t.Run("Out/"+tc.Name, func(t *testing.T) {
			tr := p.Start(t, newRecorder())
			for i, m := range tc.Before {
				if err := tr.Deliver(ctx, m); err != nil {
					t.Fatalf("before %d: %v", i, err)
				}
			}
			from := len(p.Requests())
			if err := tr.Deliver(ctx, tc.Out); err != nil {
				t.Fatalf("deliver: %v", err)
			}
			got := p.Requests()[from:]
			if len(got) != len(tc.Want) {
				t.Fatalf("%d requests, want %d:\n%s", len(got), len(tc.Want), dumpRequests(got))
			}
			for i, w := range tc.Want {
				if diff := requestDiff(got[i], w); diff != "" {
					t.Errorf("request %d: %s", i, diff)
				}
			}
		})
	}
}

func inboundDiff(got, want bot.Inbound) string {
	var diffs []string
	field := func(name string, g, w any) {
		if g != w {
			diffs = append(diffs, fmt.Sprintf("%s = %q, want %q", name, fmt.Sprint(g), fmt.Sprint(w)))
		}
	}
	field("Chat", got.Chat, want.Chat)
	field("From", got.From, want.From)
	field("GroupChat", got.GroupChat, want.GroupChat)
	field("Text", got.Text, want.Text)
	field("Photo", got.Photo, want.Photo)
	field("Location", got.Location, want.Location)
	field("JoinCode", got.JoinCode, want.JoinCode)
	field("Document", got.Document, want.Document)
	field("DocumentName", got.DocumentName, want.DocumentName)
	field("Voice", got.Voice, want.Voice)
	field("Callback", got.Callback, want.Callback)
	field("MessageID", got.MessageID, want.MessageID)
	if want.Name != "" {
		field("Name", got.Name, want.Name)
	}
	if want.LangHint != "" {
		field("LangHint", got.LangHint, want.LangHint)
	}
	if got.UpdateKey == "" {
		diffs = append(diffs, "no UpdateKey")
	}
	if (got.CallbackID != "") != (want.Callback != "") {
		diffs = append(diffs, fmt.Sprintf("CallbackID = %q with Callback %q", got.CallbackID, want.Callback))
	}
	return strings.Join(diffs, "; ")
}

func requestDiff(got, want Request) string {
	var diffs []string
	if got.Method != want.Method {
		diffs = append(diffs, fmt.Sprintf("method %s, want %s", got.Method, want.Method))
	}
	for _, k := range slices.Sorted(maps.Keys(want.Params)) {
		w := want.Params[k]
		g, ok := got.Params[k]
		switch {
		case w == Absent && ok:
			diffs = append(diffs, fmt.Sprintf("%s = %s, want none", k, short(g)))
		case w != Absent && !ok:
			diffs = append(diffs, fmt.Sprintf("no %s, want %s", k, short(w)))
		case w != Absent && g != w:
			diffs = append(diffs, fmt.Sprintf("%s = %s, want %s", k, short(g), short(w)))
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return strings.Join(diffs, "; ") + "\n" + dumpRequests([]Request{got})
}

// short quotes s, cutting the middle of a long one.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return fmt.Sprintf("%q (%d characters)", string(r[:25])+"…"+string(r[len(r)-25:]), len(r))
	}
	return fmt.Sprintf("%q", s)
}

func dump(ins []bot.Inbound) string {
	var b strings.Builder
	for _, in := range ins {
		fmt.Fprintf(&b, "  %+v\n", in)
	}
	return b.String()
}

func dumpRequests(reqs []Request) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "  %s", r.Method)
		for _, k := range slices.Sorted(maps.Keys(r.Params)) {
			fmt.Fprintf(&b, " %s=%s", k, short(r.Params[k]))
		}
		b.WriteString("\n")
	}
	return b.String()
}
