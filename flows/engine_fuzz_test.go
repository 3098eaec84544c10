package flows

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
)

// fuzzFlows are every flow the engine runs.
func fuzzFlows(e *Engine) []*Flow { return append(slices.Clone(e.Flows), Emergency, CaseUpdate) }

// askAt is a session asking step of flow f, as the dispatcher keeps it:
// a group of 40 households, the event's day answered as today or not.
func askAt(f *Flow, st *Step, lang string, today bool) bot.Session {
	date := "2026-11-20"
	if today {
		date = "2026-11-25"
	}
	return bot.Session{
		Chat: "test:1", Lang: lang, Flow: f.Name, Mode: modeAsk, Step: st.Key, Token: 7,
		Answers:   map[string]string{bot.KeyDate: date, "present": "30"},
		Limits:    map[string]int{bot.LimitGroupSize: 40},
		StartedAt: fuzzNow.Add(-time.Minute), UpdatedAt: fuzzNow.Add(-time.Minute),
	}
}

// Ensure every step of every flow takes any typed text or voice message
// without panicking, answers with a question whose buttons fit Telegram's
// 64 bytes, and stores only what the step promises: a past day within a
// year, a time of day not later today, a number in range, an NFC text of
// the allowed length shown as it was typed, one of the options, or a list
// of options. A stored day, time or number typed again as the engine shows
// it is read back the same.
func FuzzAnswer(f *testing.F) {
	e := New(fuzzLoc, time.Hour)
	for _, s := range append(realAnswers(), hostileAnswers()...) {
		for i, fl := range fuzzFlows(e) {
			for j := range fl.Steps {
				if (i+j)%3 == len(s)%3 { // a third of the pairs: enough to start from
					f.Add(uint8(i), uint8(j), s, false, 0, j%2 == 0)
				}
			}
		}
	}
	f.Add(uint8(0), uint8(4), "", true, 42, false)    // a voice note answers a description
	f.Add(uint8(1), uint8(2), "", true, -3, true)     // with no sensible length
	f.Add(uint8(2), uint8(1), "", true, 1<<40, false) // or a huge one
	f.Fuzz(func(t *testing.T, fi, si uint8, text string, voice bool, secs int, today bool) {
		flows := fuzzFlows(e)
		fl := flows[int(fi)%len(flows)]
		st := &fl.Steps[int(si)%len(fl.Steps)]
		lang := "vi"
		if fi >= 128 {
			lang = "en"
		}
		s := askAt(fl, st, lang, today)
		// As the adapters pass it on: JSON has made it UTF-8, and it is NFC.
		in := bot.Inbound{Text: vntext.NFC(strings.ToValidUTF8(text, "\uFFFD"))}
		if voice {
			in = bot.Inbound{Voice: "AwACAg" + strconv.Itoa(len(text)), Seconds: secs}
		}
		turn := e.Handle(s, in, fuzzNow)
		checkTurn(t, turn)
		if turn.End || turn.Submit != nil && turn.Session.Answers == nil {
			return
		}
		before, had := s.Answers[st.Key]
		v, has := turn.Session.Answers[st.Key]
		if !has || (had && v == before) {
			return
		}
		what := fmt.Sprintf("%s.%s (%v) took %q (voice %v) as %q", fl.Name, st.Key, st.Kind, in.Text, voice, v)
		checkStored(t, e, s, st, v, what, in.Text, voice)
	})
}

// checkTurn asserts what every turn must be: something said or done, and
// buttons that Telegram accepts.
func checkTurn(t *testing.T, turn bot.Turn) {
	t.Helper()
	if len(turn.Replies) == 0 && turn.Submit == nil && !turn.End && turn.Open == "" {
		t.Fatalf("a turn that says and does nothing: %+v", turn)
	}
	for _, r := range turn.Replies {
		if r.Text == "" {
			t.Fatalf("an empty reply: %+v", r)
		}
		for _, c := range r.Flat() {
			if len(c.Value) > 64 || c.Value == "" || c.Label == "" {
				t.Fatalf("button %+v: empty or over Telegram's 64 bytes", c)
			}
		}
	}
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

// checkStored asserts that v, stored for st from typed (or a voice note),
// is what st promises.
func checkStored(t *testing.T, e *Engine, s bot.Session, st *Step, v, what, typed string, voice bool) {
	t.Helper()
	today := civil(fuzzNow)
	again := func(shown string) string {
		t.Helper()
		s2 := s
		s2.Answers = map[string]string{bot.KeyDate: s.Answers[bot.KeyDate], "present": s.Answers["present"]}
		turn := e.Handle(s2, bot.Inbound{Text: shown}, fuzzNow)
		return turn.Session.Answers[st.Key]
	}
	switch st.Kind {
	case Date:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil || d.After(today) || d.Before(today.AddDate(-1, 0, 0)) {
			t.Fatalf("%s: not a day of the past year", what)
		}
		if shown := e.display(st, v, s.Lang); again(shown) != v {
			t.Fatalf("%s, shown as %q, which is read as %q", what, shown, again(shown))
		}
	case Time:
		if !hhmm.MatchString(v) {
			t.Fatalf("%s: not hh:mm", what)
		}
		if s.Answers[bot.KeyDate] == today.Format(time.DateOnly) && v > fuzzNow.Format("15:04") {
			t.Fatalf("%s: later today than now", what)
		}
		if again(v) != v {
			t.Fatalf("%s, which typed again is read as %q", what, again(v))
		}
	case Number:
		n, err := strconv.Atoi(v)
		if err != nil || n < st.Min || n > st.Max || strconv.Itoa(n) != v {
			t.Fatalf("%s: not a number in %d..%d", what, st.Min, st.Max)
		}
		if limit := s.Limits[st.Limit]; st.Limit != "" && limit > 0 {
			with, _ := strconv.Atoi(s.Answers[st.With])
			if n > limit || (st.With != "" && n+with > limit) {
				t.Fatalf("%s: over the group's %d", what, limit)
			}
		}
		if again(v) != v {
			t.Fatalf("%s, which typed again is read as %q", what, again(v))
		}
	case Text:
		if !utf8.ValidString(v) || vntext.NFC(v) != v {
			t.Fatalf("%s: not NFC UTF-8", what)
		}
		if n := vntext.UTF16Len(v); n > st.Max || utf8.RuneCountInString(v) < st.Min {
			t.Fatalf("%s: %d units, want %d..%d", what, n, st.Min, st.Max)
		}
		if !voice && v != typed && !strings.HasPrefix(v, "📍") {
			t.Fatalf("%s: not what was typed", what)
		}
		// A text is shown as it was typed; only a voice note is shown as one.
		if shown := e.display(st, v, s.Lang); !voice && shown != v {
			t.Fatalf("%s, shown as %q", what, shown)
		} else if _, _, ok := bot.ParseVoice(v); voice && !ok {
			t.Fatalf("%s: a voice note not kept as one", what)
		}
	case Choice:
		if !slices.ContainsFunc(st.Options, func(o Option) bool { return o.Value == v }) {
			t.Fatalf("%s: not one of the options", what)
		}
	case Multi:
		var want []string
		for _, o := range st.Options {
			if slices.Contains(strings.Split(v, ","), o.Value) {
				want = append(want, o.Value)
			}
		}
		if strings.Join(want, ",") != v {
			t.Fatalf("%s: not a list of options in their order", what)
		}
	case Photos:
		t.Fatalf("%s: a photo step took text", what)
	}
}

// Ensure a pressed button's data, whatever a client sends, is taken only
// when the question offered it, and else answered as stale, as forged when
// it could never have been offered.
func FuzzCallback(f *testing.F) {
	e := New(fuzzLoc, time.Hour)
	for _, d := range []string{"7|v:theft", "7|!b", "7|!s", "7|!x", "7|!ok", "6|v:theft", "7|v:nope", "v:theft", "7|", "|", "",
		"7|m:1,2", "7|t:hello", "7|n:theft,fight", "7|p:photo", "7|l:10.8,106.6", "7|v:today", "7|!d", "a:ack:AN-1",
		"-1|v:theft", "07|v:theft", "7 |v:theft", "7|v:theft\x00", strings.Repeat("7|", 100)} {
		for i := range 5 {
			f.Add(uint8(i), uint8(i*2), d)
		}
	}
	f.Fuzz(func(t *testing.T, fi, si uint8, data string) {
		flows := fuzzFlows(e)
		fl := flows[int(fi)%len(flows)]
		st := &fl.Steps[int(si)%len(fl.Steps)]
		s := askAt(fl, st, "vi", false)
		offered := e.offered(s, fuzzNow, strings.TrimPrefix(data, "7|"))
		turn := e.Handle(s, bot.Inbound{CallbackID: "cb", Callback: data}, fuzzNow)
		checkTurn(t, turn)
		tok, _, hasTok := strings.Cut(data, "|")
		switch {
		case !hasTok && !turn.Forged:
			t.Fatalf("%q, without a token, is not taken for forged", data)
		case strings.HasPrefix(data, "7|") && !offered && (turn.Ack.Text == "" || !turn.Forged):
			t.Fatalf("%q, never offered with the current token, is not refused as forged: %+v", data, turn)
		case hasTok && tok != "7" && (turn.Ack.Text == "" || turn.Forged):
			t.Fatalf("%q, an older question's button, is not answered as stale", data)
		case offered && strings.HasPrefix(data, "7|") && turn.Forged:
			t.Fatalf("%q, offered, is refused", data)
		}
	})
}
