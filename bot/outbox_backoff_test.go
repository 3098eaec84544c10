package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// brokenChat fails every delivery to one chat, as a network that drops
// some calls would, and records the rest.
type brokenChat struct {
	mu       sync.Mutex
	broken   bot.Address
	attempts int
	got      []string
}

func (tr *brokenChat) ChatLimit(bot.Address) bot.RateLimit { return bot.RateLimit{} }
func (tr *brokenChat) PerSecond() float64                  { return 0 }

func (tr *brokenChat) Deliver(_ context.Context, m bot.Outbound) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if m.Chat == tr.broken {
		tr.attempts++
		return errors.New("connection reset")
	}
	tr.got = append(tr.got, m.Text)
	return nil
}

// Ensure a chat whose messages keep failing is put off on its own, with a
// growing backoff, while every other chat's messages go at once: before,
// the sender's one backoff doubled with each failing round, and everyone's
// replies waited seconds, then a minute.
func TestFailingChatHoldsBackOnlyItself(t *testing.T) {
	st := mustOpen(t)
	tr := &brokenChat{broken: "t:bad"}
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"t": tr}, Log: slog.New(slog.DiscardHandler),
		MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Minute}
	enqueue := func(chat bot.Address, text string) {
		t.Helper()
		if err := st.Update(func(tx bot.Tx) error {
			_, err := tx.Enqueue(bot.Outbound{Chat: chat, Reply: bot.Reply{Text: text}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s.Notify()
	}
	enqueue("t:bad", "never")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	start := time.Now()
	const replies = 8
	for i := range replies {
		text := fmt.Sprintf("reply %d", i)
		enqueue("t:good", text)
		// Two seconds is ten times the sender's usual pace, and less than
		// the old shared backoff after five failing rounds (3.2 s).
		deadline := time.Now().Add(2 * time.Second)
		for {
			tr.mu.Lock()
			done := slices.Contains(tr.got, text)
			tr.mu.Unlock()
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s was not delivered in 2s while another chat failed", text)
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // the failing chat's backoff grows meanwhile
	}
	elapsed := time.Since(start)
	tr.mu.Lock()
	attempts := tr.attempts
	tr.mu.Unlock()
	// Backoffs of 0.1, 0.2, 0.4 … s: about log2 of the time over 0.1 s
	// attempts, and far fewer than one a round.
	if max := 2 + int(elapsed/(100*time.Millisecond)); attempts < 3 || attempts > 8 || attempts >= max {
		t.Errorf("the failing chat was tried %d times in %v", attempts, elapsed.Round(time.Millisecond))
	}
	if got := strings.Join(tr.got, ","); strings.Count(got, "reply") != replies {
		t.Errorf("delivered %q", got)
	}
}

// paced records the order of deliveries under an overall rate.
type paced struct {
	mu  sync.Mutex
	got []string
	at  []time.Time
}

func (tr *paced) ChatLimit(bot.Address) bot.RateLimit { return bot.RateLimit{} }
func (tr *paced) PerSecond() float64                  { return 100 }

func (tr *paced) Deliver(_ context.Context, m bot.Outbound) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.got, tr.at = append(tr.got, m.Text), append(tr.at, time.Now())
	return nil
}

func (tr *paced) sent() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.got...)
}

// Ensure a reply queued in the middle of a fan-out goes before the rest of
// the round's bulk messages, not after them: a round holds about a second
// of bulk, which a leader waiting for the next question would wait out.
// The bulk left for later keeps its places: the fan-out still finishes,
// within the overall rate.
func TestReplyCutsIntoTheFanOut(t *testing.T) {
	st := mustOpen(t)
	tr := &paced{}
	s := &bot.Sender{Store: st, Transports: map[string]bot.Transport{"t": tr}, Log: slog.New(slog.DiscardHandler)}
	const bulk = 300
	if err := st.Update(func(tx bot.Tx) error {
		for i := range bulk {
			if _, err := tx.Enqueue(bot.Outbound{Chat: bot.Address(fmt.Sprintf("t:%d", i)), Bulk: true, Reply: bot.Reply{Text: fmt.Sprintf("summary %d", i)}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	waitSent := func(what string, cond func([]string) bool) []string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := tr.sent()
			if cond(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %d sent", what, len(got))
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitSent("the fan-out under way", func(got []string) bool { return len(got) >= 20 })
	if err := st.Update(func(tx bot.Tx) error {
		_, err := tx.Enqueue(bot.Outbound{Chat: "t:lan", Reply: bot.Reply{Text: "the next question"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := len(tr.sent()) // the sender learns of the reply now
	s.Notify()
	got := waitSent("the reply", func(got []string) bool { return slices.Contains(got, "the next question") })
	if ahead := slices.Index(got, "the next question") - before; ahead > 8 {
		t.Errorf("%d bulk messages went ahead of the reply queued in the middle of the round", ahead)
	}
	got = waitSent("the whole fan-out", func(got []string) bool { return len(got) == bulk+1 })
	tr.mu.Lock()
	span := tr.at[len(tr.at)-1].Sub(tr.at[0])
	tr.mu.Unlock()
	// 100 a second with a burst of half a second's: at least 2.5 s for 301.
	if span < 2500*time.Millisecond {
		t.Errorf("%d messages went in %v: over the overall rate", len(got), span)
	}
}
