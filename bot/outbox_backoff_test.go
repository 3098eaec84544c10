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
