package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// Transport delivers one outbound message to a platform. It returns a
// *DeliveryError to say whether and when to try again.
type Transport interface {
	Deliver(ctx context.Context, m Outbound) error
}

// DeliveryError classifies a failed delivery. Permanent failures (the user
// blocked the bot, the chat does not exist) are dropped from the outbox;
// others are retried, after RetryAfter when the platform asked for a pause.
type DeliveryError struct {
	Permanent  bool
	RetryAfter time.Duration
	Err        error
}

func (e *DeliveryError) Error() string {
	switch {
	case e.Permanent:
		return fmt.Sprintf("permanent delivery failure: %v", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("delivery throttled for %s: %v", e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("delivery failed: %v", e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Sender drains the persistent outbox. Messages to one chat go out in the
// order they were queued; different chats go out in parallel, under one
// overall rate. A message leaves the outbox only after the platform accepted
// it (or refused it for good), so a crash repeats at most the messages that
// were in flight and loses none.
type Sender struct {
	Store      Store
	Transports map[string]Transport // by Address.Platform()
	Log        *slog.Logger
	// PerSecond caps messages per second overall (Telegram allows about
	// 30); zero means no cap.
	PerSecond float64
	// Workers is how many chats are served at once (default 4).
	Workers int
	// MinBackoff and MaxBackoff bound the wait after failures
	// (default 500ms and 1m).
	MinBackoff, MaxBackoff time.Duration

	once  sync.Once
	wake  chan struct{}
	mu    sync.Mutex
	next  time.Time // the earliest moment the next message may go out
	pause time.Time // set by a platform's retry-after
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Workers <= 0 {
			s.Workers = 4
		}
		if s.MinBackoff <= 0 {
			s.MinBackoff = 500 * time.Millisecond
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = time.Minute
		}
	})
}

// Notify wakes the sender; it never blocks.
func (s *Sender) Notify() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx is done; it returns ctx's error.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	backoff := time.Duration(0)
	for {
		var items []OutboxItem
		err := s.Store.View(func(tx Tx) error {
			var err error
			items, err = tx.Pending(512)
			return err
		})
		if err != nil {
			s.Log.Error("read outbox", "err", err)
		}
		if len(items) == 0 || err != nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.wake:
			case <-time.After(30 * time.Second):
			}
			continue
		}
		failed := s.round(ctx, items)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !failed {
			backoff = 0
			continue
		}
		backoff = min(max(2*backoff, s.MinBackoff), s.MaxBackoff)
		if err := sleepCtx(ctx, backoff); err != nil {
			return err
		}
	}
}

// round delivers one batch and reports whether any message must be retried.
func (s *Sender) round(ctx context.Context, items []OutboxItem) (failed bool) {
	// Keep each chat's messages together and in order, and spread chats
	// over the workers.
	lanes := make([][]OutboxItem, s.Workers)
	for _, it := range items {
		h := fnv.New32a()
		h.Write([]byte(it.Msg.Chat))
		i := int(h.Sum32() % uint32(s.Workers))
		lanes[i] = append(lanes[i], it)
	}
	var (
		mu   sync.Mutex
		done []uint64
		wg   sync.WaitGroup
	)
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			blocked := map[Address]bool{} // chats whose earlier message failed
			for _, it := range lane {
				if blocked[it.Msg.Chat] {
					continue
				}
				err := s.deliver(ctx, it.Msg)
				var de *DeliveryError
				switch {
				case err == nil:
				case errors.As(err, &de) && de.Permanent:
					s.Log.Warn("message dropped", "chat", it.Msg.Chat, "err", err)
				default:
					if ctx.Err() == nil {
						s.Log.Warn("message not delivered, will retry", "chat", it.Msg.Chat, "err", err)
					}
					blocked[it.Msg.Chat] = true
					mu.Lock()
					failed = true
					mu.Unlock()
					continue
				}
				mu.Lock()
				done = append(done, it.ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(done) > 0 {
		// A fresh context: what was delivered must be recorded even while
		// shutting down, or it would be sent again.
		if err := s.Store.Update(func(tx Tx) error { return tx.Delivered(done...) }); err != nil {
			s.Log.Error("mark outbox delivered", "err", err)
			return true
		}
	}
	return failed
}

func (s *Sender) deliver(ctx context.Context, m Outbound) error {
	tr, ok := s.Transports[m.Chat.Platform()]
	if !ok {
		return &DeliveryError{Permanent: true, Err: fmt.Errorf("no transport for %q", m.Chat.Platform())}
	}
	if err := s.wait(ctx); err != nil {
		return err
	}
	err := tr.Deliver(ctx, m)
	var de *DeliveryError
	if errors.As(err, &de) && de.RetryAfter > 0 {
		s.mu.Lock()
		if p := time.Now().Add(de.RetryAfter); p.After(s.pause) {
			s.pause = p
		}
		s.mu.Unlock()
	}
	return err
}

// wait blocks until the overall rate and any retry-after pause allow one
// more message, and reserves its slot.
func (s *Sender) wait(ctx context.Context) error {
	s.mu.Lock()
	now := time.Now()
	at := now
	if s.pause.After(at) {
		at = s.pause
	}
	if s.PerSecond > 0 {
		if s.next.After(at) {
			at = s.next
		}
		s.next = at.Add(time.Duration(float64(time.Second) / s.PerSecond))
	}
	s.mu.Unlock()
	return sleepCtx(ctx, at.Sub(now))
}
