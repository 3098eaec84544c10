// Package plain is a chat platform for tests that has no buttons, no
// edits and no files, as Zalo's bot platform has none: every message the
// bot sends arrives as text, its choices as numbered lines
// (bot.Reply.NumberedText), and people answer by typing, a number to pick
// a choice. It lives in memory: a Platform hands what its users say
// straight to a bot.Handler and keeps what the bot sends them in a Log,
// without a bot.Store of its own.
//
// It passes the shared transport table like a real adapter, and lets an
// end-to-end test run the real dispatcher, flows and store over a
// platform without buttons:
//
//	p := plain.New(dispatcher, nil)
//	sender.Transports[plain.Name] = p
//	p.Settle = waitUntilTheOutboxIsEmpty
//	p.Say("lan", "/baocao")
//	p.Say("lan", "1")
//	if !strings.Contains(p.Last("lan"), "...") { ... }
package plain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
)

// Name is the platform's name, the prefix of its addresses ("plain:lan").
const Name = "plain"

// TextLimit is the longest message, in characters, as on Zalo (2,000).
const TextLimit = 2000

// tries is how many times an update is handed to the handler while it
// fails, as a platform that keeps unhandled updates offers them again.
const tries = 3

// Delivery is one message as its user received it.
type Delivery struct {
	// Text is what the user reads, the numbered choices included.
	Text string
	// Document is the name of a file the bot sent with Text as its
	// caption: the platform cannot carry files, so only the name is kept.
	Document string
}

// Log is what the platform's users received, in order, kept in memory. It
// is safe for concurrent use and may outlive a Platform, to see one
// conversation across a restart.
type Log struct {
	mu      sync.Mutex
	byUser  map[string][]Delivery
	changed chan struct{} // closed and replaced at every delivery
}

// NewLog returns an empty log.
func NewLog() *Log { return &Log{byUser: map[string][]Delivery{}, changed: make(chan struct{})} }

func (l *Log) add(user string, d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byUser[user] = append(l.byUser[user], d)
	close(l.changed)
	l.changed = make(chan struct{})
}

// Received returns what user received, in order.
func (l *Log) Received(user string) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Delivery(nil), l.byUser[user]...)
}

// Last returns the text of the last message user received, "" if none.
func (l *Log) Last(user string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ds := l.byUser[user]
	if len(ds) == 0 {
		return ""
	}
	return ds[len(ds)-1].Text
}

// WaitFor blocks until cond holds, checked now and after every delivery,
// or ctx ends.
func (l *Log) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		l.mu.Lock()
		ch := l.changed
		l.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Platform is one running instance of the platform: its users' driver
// and the bot's transport to them. It implements bot.Transport and
// bot.Joiner.
type Platform struct {
	h   bot.Handler
	log *Log
	// Settle, if set, runs after each update has been handled, before Say
	// and Join return: an end-to-end test waits there until the outbox is
	// drained, so that Last then reads the bot's answer.
	Settle func()

	mu    sync.Mutex
	seq   int
	fails []string // the refusals FailNextSend queued
}

var (
	_ bot.Transport = (*Platform)(nil)
	_ bot.Joiner    = (*Platform)(nil)
)

// New returns a platform whose users' messages go to h and whose
// deliveries go to log (a new one when nil).
func New(h bot.Handler, log *Log) *Platform {
	if log == nil {
		log = NewLog()
	}
	return &Platform{h: h, log: log}
}

// Address is the chat address of user, who is also the sender.
func Address(user string) bot.Address { return bot.NewAddress(Name, user) }

// Address is the chat address of user.
func (p *Platform) Address(user string) bot.Address { return Address(user) }

// Log is where the platform keeps what its users received.
func (p *Platform) Log() *Log { return p.log }

// Last returns the text of the last message user received, "" if none.
func (p *Platform) Last(user string) string { return p.log.Last(user) }

// Received returns what user received, in order.
func (p *Platform) Received(user string) []Delivery { return p.log.Received(user) }

// Say hands text typed by user to the handler as one update, in NFC as
// every adapter hands text on, and returns once it has been handled (and
// Settle has run). While the handler fails the update is offered again,
// with the same UpdateKey, up to three times in all; the last error is
// returned.
func (p *Platform) Say(user, text string) error {
	return p.hand(bot.Inbound{Text: vntext.NFC(text)}, user)
}

// Join has user present an invite code as an adapter that recognises one
// hands it on: as the JoinCode, with no text. A person who types the code
// instead is Say(user, code).
func (p *Platform) Join(user, code string) error {
	return p.hand(bot.Inbound{JoinCode: code}, user)
}

func (p *Platform) hand(in bot.Inbound, user string) error {
	p.mu.Lock()
	p.seq++
	in.UpdateKey = Name + ":" + user + ":" + strconv.Itoa(p.seq)
	p.mu.Unlock()
	in.Chat, in.From, in.Name = Address(user), Address(user), user
	var err error
	for range tries {
		if _, err = p.h.Handle(context.Background(), in); err == nil {
			break
		}
	}
	if p.Settle != nil {
		p.Settle()
	}
	if err != nil {
		return fmt.Errorf("plain: %s's update %s: %w", user, in.UpdateKey, err)
	}
	return nil
}

// FailNextSend makes the next delivery fail: "rate" (retry after a
// second), "server" (a failure worth retrying) or "blocked" (the user
// blocked the bot).
func (p *Platform) FailNextSend(kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, kind)
}

func (p *Platform) takeFailure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fails) == 0 {
		return nil
	}
	kind := p.fails[0]
	p.fails = p.fails[1:]
	err := errors.New("plain: refused (" + kind + ")")
	switch kind {
	case "rate":
		return &bot.DeliveryError{RetryAfter: time.Second, Err: err}
	case "blocked":
		return &bot.DeliveryError{Permanent: true, Blocked: true, Err: err}
	}
	return &bot.DeliveryError{Err: err}
}

// Deliver implements bot.Transport. Every message is sent as text, its
// choices numbered under it; a text longer than TextLimit goes as several
// messages, the choices under the last. An edit cannot be made, so the
// new text goes as a new message; clearing buttons has nothing to clear.
func (p *Platform) Deliver(_ context.Context, m bot.Outbound) error {
	user := m.Chat.ID()
	if m.Chat.Platform() != Name || user == "" {
		return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("plain: not a chat of this platform: %q", m.Chat)}
	}
	if err := p.takeFailure(); err != nil {
		return err
	}
	switch m.Op {
	case bot.OpClearButtons:
		return nil
	case bot.OpSend, bot.OpEdit:
	default:
		return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("plain: unknown operation %q", m.Op)}
	}
	parts := Split(m.NumberedText(), TextLimit)
	for i, part := range parts {
		d := Delivery{Text: part}
		if i == 0 && m.Document != nil {
			d.Document = m.Document.Name
		}
		p.log.add(user, d)
	}
	return nil
}

// ChatLimit implements bot.Transport: the platform sets none.
func (p *Platform) ChatLimit(bot.Address) bot.RateLimit { return bot.RateLimit{} }

// PerSecond is the platform's overall limit on sends: none.
func (p *Platform) PerSecond() float64 { return 0 }

// JoinLink implements bot.Joiner: the platform has no links that carry a
// code, so a code is typed.
func (p *Platform) JoinLink(string) string { return "" }

// Split cuts text into parts of at most limit characters: at a line break
// in the second half of a part if there is one, else at a space there,
// else between two characters. Line breaks and spaces at a cut are dropped.
func Split(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		end, n := 0, 0 // end: the byte offset after limit characters
		for i := range text {
			if n == limit {
				end = i
				break
			}
			n++
		}
		window := text[:end]
		cut := strings.LastIndexByte(window, '\n')
		if cut < 0 || utf8.RuneCountInString(window[:cut]) <= limit/2 {
			cut = strings.LastIndexByte(window, ' ')
			if cut >= 0 && utf8.RuneCountInString(window[:cut]) <= limit/2 {
				cut = -1
			}
		}
		next := cut + 1
		if cut < 0 {
			cut, next = end, end
		}
		if part := strings.TrimRight(text[:cut], " \n"); part != "" {
			parts = append(parts, part)
		}
		text = strings.TrimLeft(text[next:], "\n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}
