package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// crashChat is a leader's private chat with the bot, on either platform.
type crashChat struct {
	// send sends text and returns its update's key.
	send     func(text string) string
	messages func() []crashMsg // every message of the chat, both ways, in order
	// wait waits until the bot has sent more than n messages, or ctx ends.
	wait func(ctx context.Context, n int)
	// press, where the platform has buttons, presses the nth button of the
	// bot's latest message that has buttons, as a number typed picks it;
	// it returns the press's update key, "" when there was none.
	press func(n int) string
}

// crashMsg is one message of a chat as the fake server received it.
type crashMsg struct {
	text    string
	fromBot bool
	at      time.Time
}

// telegramChat is u's chat on the fake Telegram; what u sends is entered
// in g.
func telegramChat(s *fakeapi.Server, u fakeapi.User, g *crashLedger) crashChat {
	return crashChat{
		send: func(text string) string {
			g.mu.Lock()
			defer g.mu.Unlock()
			id := s.SendText(u, text)
			msgs := s.Messages(u.ID)
			for i := len(msgs) - 1; i >= 0; i-- {
				if !msgs[i].FromBot {
					key := fmt.Sprintf("telegram:m:%d:%d", u.ID, msgs[i].ID)
					g.tg = append(g.tg, crashUpdate{id: id, key: key, from: u.FirstName, text: text})
					return key
				}
			}
			panic("the message sent is not in the chat")
		},
		messages: func() []crashMsg {
			var out []crashMsg
			for _, m := range s.Messages(u.ID) {
				out = append(out, crashMsg{text: m.Text, fromBot: m.FromBot, at: m.SentAt})
			}
			return out
		},
		wait: func(ctx context.Context, n int) { s.WaitFor(ctx, func() bool { return s.BotCount(u.ID) > n }) },
		press: func(n int) string {
			m, ok := s.LastWithButtons(u.ID)
			if !ok {
				return ""
			}
			var flat []fakeapi.Button
			for _, row := range m.Buttons {
				flat = append(flat, row...)
			}
			if n < 1 || n > len(flat) {
				return ""
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			update, id := s.Press(u, m.ID, flat[n-1].CallbackData)
			key := "telegram:cb:" + id
			g.tg = append(g.tg, crashUpdate{id: update, key: key, from: u.FirstName, text: "[" + flat[n-1].Text + "]"})
			return key
		},
	}
}

// zaloChat is u's chat on the fake Zalo; what u sends is entered in g.
func zaloChat(s *zfakeapi.Server, u zfakeapi.User, g *crashLedger) crashChat {
	return crashChat{
		send: func(text string) string {
			g.mu.Lock()
			defer g.mu.Unlock()
			key := "zalo:m:" + s.SendText(u, text) + ":text"
			g.zalo = append(g.zalo, crashUpdate{key: key, from: u.Name, text: text})
			return key
		},
		messages: func() []crashMsg {
			var out []crashMsg
			for _, m := range s.Messages(u.ID) {
				out = append(out, crashMsg{text: m.Text, fromBot: m.FromBot, at: m.SentAt})
			}
			return out
		},
		wait: func(ctx context.Context, n int) {
			s.WaitFor(ctx, func() bool { return len(s.BotMessages(u.ID)) > n })
		},
	}
}

// botTexts is what the bot said in a chat, in order.
func botTexts(msgs []crashMsg) []crashMsg {
	var out []crashMsg
	for _, m := range msgs {
		if m.fromBot {
			out = append(out, m)
		}
	}
	return out
}

// resendAfter is how long a leader waits, with the bot up, for an answer
// before reading the chat again and answering its latest question anew.
// It is far longer than the bot takes to answer (milliseconds), so an
// answer is sent again only when the bot never got it: on Zalo, where
// reading an update removes it from the queue, one read just before a
// kill is lost.
const resendAfter = 2 * time.Second

// stuckAfter is how long a leader goes without an answer before the run
// fails.
const stuckAfter = 45 * time.Second

// catalogRe matches the Vietnamese catalog text of key, its arguments
// filled in (each a group), anywhere in a message.
func catalogRe(key string) *regexp.Regexp {
	parts := regexp.MustCompile(`%[sdv]`).Split(i18n.T("vi", key), -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("(?s)" + strings.Join(parts, "(.*?)"))
}

var (
	receiptRe = catalogRe("receipt")
	refRe     = regexp.MustCompile(`^[A-Z]{2}-\d{4}-\d{6}$`)
	confirmRe = catalogRe("confirm.prompt")
	resumeRe  = catalogRe("resume.prompt")
	welcomeRe = catalogRe("welcome")
	alreadyRe = catalogRe("join.already")
	helpRe    = catalogRe("help.leader")
)

// receiptRef is the reference number a receipt names, "" when text is no
// receipt.
func receiptRef(text string) string {
	m := receiptRe.FindStringSubmatch(text)
	if m == nil || !refRe.MatchString(m[2]) {
		return ""
	}
	return m[2]
}

// crashDescription is what happened, as leader name tells it in report n:
// every conversation's answers differ by it.
func crashDescription(name string, n int) string {
	return fmt.Sprintf("Mất trộm xe máy trước cổng nhà văn hóa; tổ trưởng %s, báo cáo thứ %d", name, n)
}

// crashLeader is a leader who reports one incident after another, as a
// person does: reads the bot's latest message and answers it, waits for
// the next, and when none comes for a while (with the bot up), reads the
// chat again and answers what it asks now. A message the leader already
// answered a moment ago that comes again (the bot sent it again after a
// crash) is not answered twice.
type crashLeader struct {
	name     string
	addr     bot.Address
	join     string // the first message: "/start CODE" or the code
	chat     crashChat
	bot      *crashBot
	rng      *rand.Rand
	stopping *atomic.Bool // once set, the leader stops after the report in hand
	// presses is set for a leader who presses the buttons that a number
	// would pick, rather than typing it.
	presses bool
	ledger  *crashLedger

	report   int      // the report in hand, from 1; 0 before joining
	receipts []string // the reference numbers received, by report
	acted    []string // the bot's messages answered, the latest last
	asked    []string // what each of them asked
	seen     int      // the bot's messages read
	sentAt   time.Time
	sent     string   // the key of the update last sent
	pressed  []string // the callback queries of the buttons pressed
	resent   int      // answers sent again after no reply
	repeats  int      // the bot's messages that came again and were not answered
	again    int      // the same question answered again in a row
	err      error
	finished atomic.Bool // run has returned
}

func (l *crashLeader) say(text string) {
	time.Sleep(time.Duration(l.rng.IntN(25)) * time.Millisecond) // reading, typing
	l.sent, l.sentAt = l.chat.send(text), time.Now()
}

// run is the leader's side of the conversation until stopping is set and
// the report in hand is sent.
func (l *crashLeader) run(ctx context.Context) error {
	l.say(l.join)
	lastNew := time.Now()
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		bot := botTexts(l.chat.messages())
		if len(bot) > l.seen {
			l.seen, lastNew = len(bot), time.Now()
			latest := bot[len(bot)-1].text
			if l.answeredRecently(latest) {
				l.repeats++
				continue
			}
			done, err := l.answer(latest, false)
			if done || err != nil {
				return err
			}
			continue
		}
		if time.Since(lastNew) > stuckAfter {
			return fmt.Errorf("no answer from the bot for %s", stuckAfter)
		}
		if l.bot.upFor(l.sentAt) >= resendAfter {
			// No answer with the bot up: where does the conversation stand?
			// The update must have been lost, read from Zalo by a bot
			// killed before it had stored it (see crashLedger.check).
			if !l.ledger.isLost(l.sent) {
				return fmt.Errorf("no answer within %s of the bot being up, though the update %s was not lost", resendAfter, l.sent)
			}
			l.resent++
			if len(bot) == 0 {
				l.say(l.join)
				continue
			}
			done, err := l.answer(bot[len(bot)-1].text, true)
			if done || err != nil {
				return err
			}
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		l.chat.wait(wctx, l.seen)
		cancel()
	}
}

// answeredRecently reports whether text is one of the last messages the
// leader answered, or a receipt already received: the bot sending again
// what it had sent before a crash.
func (l *crashLeader) answeredRecently(text string) bool {
	for i := len(l.acted) - 1; i >= 0 && i >= len(l.acted)-3; i-- {
		if l.acted[i] == text {
			return true
		}
	}
	if ref := receiptRef(text); ref != "" {
		for _, r := range l.receipts {
			if r == ref {
				return true
			}
		}
	}
	return false
}

// answer answers the bot's message text; again is set when it was
// answered before and got no reply. done is set when the leader stops.
func (l *crashLeader) answer(text string, again bool) (done bool, err error) {
	what, reply, done, err := l.reply(text, again)
	if done || err != nil {
		return done, err
	}
	// The bot asks again, after an error, what a wrong answer did not
	// settle; the leader's answers are all right, so that must not last.
	if n := len(l.asked); !again && n > 0 && l.asked[n-1] == what {
		l.again++
	} else if !again {
		l.again = 0
	}
	if l.again > 2 {
		return false, fmt.Errorf("the bot asks %s again and again", what)
	}
	l.acted, l.asked = append(l.acted, text), append(l.asked, what)
	if n, err := strconv.Atoi(reply); err == nil && l.presses && l.chat.press != nil {
		time.Sleep(time.Duration(l.rng.IntN(25)) * time.Millisecond)
		if key := l.chat.press(n); key != "" {
			l.pressed = append(l.pressed, strings.TrimPrefix(key, "telegram:cb:"))
			l.sent, l.sentAt = key, time.Now()
			return false, nil
		}
	}
	l.say(reply)
	return false, nil
}

// crashAnswers are the leader's answers to the incident report's
// questions, by catalog key; numbers pick choices, as typed on Zalo and
// on Telegram where no button is pressed.
var crashAnswers = []struct{ key, reply string }{
	{"incident.category.q", "1"}, // Trộm cắp tài sản
	{"incident.date.q", "2"},     // Hôm qua
	{"incident.time.q", "21:30"},
	{"incident.place.q", "Ngõ 3, xóm Bãi"},
	{"incident.description.q", ""}, // crashDescription
	{"incident.people.q", "3"},
	{"incident.handling.q", "2"}, // Đã báo công an
	{"incident.urgent.q", "2"},   // Không khẩn cấp
	{"incident.photos.q", "1"},   // Xong: no photos
	{"menu.prompt", "2"},         // An ninh trật tự
}

// reply is what the leader answers to text, and what text asks.
func (l *crashLeader) reply(text string, again bool) (what, reply string, done bool, err error) {
	switch ref := receiptRef(text); {
	case ref != "":
		switch {
		case again && len(l.receipts) > 0 && l.receipts[len(l.receipts)-1] == ref:
			// The next report's first message got no reply: ask again.
		case len(l.receipts) == l.report-1:
			l.receipts = append(l.receipts, ref)
			l.report++
		default:
			return "", "", false, fmt.Errorf("a receipt for %s while on report %d with receipts %v", ref, l.report, l.receipts)
		}
		if l.stopping.Load() {
			return "receipt", "", true, nil
		}
		return "receipt", "/baocao", false, nil
	case confirmRe.MatchString(text):
		return "confirm", "1", false, nil // Gửi
	case resumeRe.MatchString(text):
		return "resume", i18n.T("vi", "resume.continue"), false, nil
	}
	for _, a := range crashAnswers {
		if strings.Contains(text, i18n.T("vi", a.key)) {
			if a.reply == "" {
				return a.key, crashDescription(l.name, l.report), false, nil
			}
			return a.key, a.reply, false, nil
		}
	}
	if welcomeRe.MatchString(text) || alreadyRe.MatchString(text) || helpRe.MatchString(text) {
		l.report = max(l.report, 1)
		return "welcome", "/baocao", false, nil
	}
	return "", "", false, fmt.Errorf("a message the leader cannot answer: %q", text)
}

// transcript is the end of the leader's chat, with the bot's lives.
func (l *crashLeader) transcript(b *crashBot) string {
	return l.transcriptUntil(b, time.Now().Add(time.Hour))
}

// transcriptUntil is the leader's chat up to a little after t, with the
// bot's lives.
func (l *crashLeader) transcriptUntil(b *crashBot, t time.Time) string {
	msgs := l.chat.messages()
	end := len(msgs)
	for end > 0 && msgs[end-1].at.After(t.Add(200*time.Millisecond)) {
		end--
	}
	msgs = msgs[max(0, end-40):end]
	type event struct {
		at   time.Time
		what string
	}
	var events []event
	b.mu.Lock()
	for i, life := range b.lives {
		events = append(events, event{life.start, fmt.Sprintf("life %d starts", i+1)})
		if !life.up.IsZero() {
			events = append(events, event{life.up, fmt.Sprintf("life %d is up", i+1)})
		}
		if !life.end.IsZero() {
			events = append(events, event{life.end, fmt.Sprintf("life %d ends", i+1)})
		}
	}
	b.mu.Unlock()
	for len(events) > 0 && len(msgs) > 0 && events[0].at.Before(msgs[0].at.Add(-3*time.Second)) {
		events = events[1:]
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s's chat (report %d, %d receipts):\n", l.name, l.report, len(l.receipts))
	for _, m := range msgs {
		for len(events) > 0 && events[0].at.Before(m.at) {
			fmt.Fprintf(&sb, "%s === %s\n", events[0].at.Format("15:04:05.000"), events[0].what)
			events = events[1:]
		}
		who := l.name
		if m.fromBot {
			who = "bot"
		}
		fmt.Fprintf(&sb, "%s %s: %q\n", m.at.Format("15:04:05.000"), who, m.text)
	}
	return sb.String()
}
