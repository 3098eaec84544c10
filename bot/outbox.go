package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Transport delivers one outbound message to a platform. It returns a
// *DeliveryError to say whether and when to try again.
type Transport interface {
	Deliver(ctx context.Context, m Outbound) error
	// ChatLimit is how fast the platform lets the bot send to one chat.
	ChatLimit(chat Address) RateLimit
	// PerSecond is how many messages a second the platform lets the bot
	// send overall; 0 means no cap.
	PerSecond() float64
}

// RateLimit is a token bucket: Burst messages at once, then one per Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// DeliveryError classifies a failed delivery. Permanent failures are
// dropped from the outbox; Blocked ones also mark the chat, which gets
// nothing more until its user writes again; others are retried, after
// RetryAfter when the platform asked for a pause.
type DeliveryError struct {
	Permanent  bool
	Blocked    bool
	RetryAfter time.Duration
	Err        error
}

func (e *DeliveryError) Error() string {
	switch {
	case e.Blocked:
		return fmt.Sprintf("the chat blocked the bot: %v", e.Err)
	case e.Permanent:
		return fmt.Sprintf("permanent delivery failure: %v", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("delivery throttled for %s: %v", e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("delivery failed: %v", e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Sender drains the persistent outbox within the platform's limits: an
// overall rate, a rate per chat, and pauses the platform asks for. Messages
// to one chat go out in the order they were queued; chats go out in
// parallel. Replies to people chatting go before bulk messages, and a round
// takes about a second of bulk at most, so a long fan-out never holds a
// reply back for longer than that. A message leaves the outbox as soon as
// the platform accepted it (or refused it for good).
type Sender struct {
	Store      Store
	Transports map[string]Transport // by Address.Platform()
	Log        *slog.Logger
	// Workers is how many chats are served at once (default 4).
	Workers int
	// MinBackoff and MaxBackoff bound the wait after failures, a chat's
	// own after its message failed, and everyone's after the store did
	// (default 500ms and 1m).
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnThrottle, if set, is called each time a platform refused a
	// message and asked for a pause (Telegram's and Zalo's 429).
	OnThrottle func(platform string)

	once      sync.Once
	wake      chan struct{}
	mu        sync.Mutex
	platforms map[string]*platformLimit
	chats     map[Address]*bucket
	// retry holds the chats whose last message failed: when to try again,
	// and the backoff that led there. A chat's failures hold back only
	// that chat: on a network that fails some calls, everyone else's
	// messages go on.
	retry map[Address]retryAt
	// hurry is closed when something is queued during a round: the
	// round's bulk messages not yet begun then wait for the next round,
	// which takes the new ones first if they are replies.
	hurry     chan struct{}
	hurryOnce *sync.Once
}

// retryAt is when a chat whose message failed is tried again.
type retryAt struct {
	at      time.Time
	backoff time.Duration
}

// underLimit stretches an interval by 2%: the platform counts sends as
// they arrive, and one that lands exactly on the limit's boundary may find
// a hair less than a token and be refused, costing a whole retry-after.
func underLimit(every time.Duration) time.Duration { return every + every/50 }

// bucket is a token bucket that hands out reservations.
type bucket struct {
	tokens float64
	last   time.Time
	burst  float64
	every  time.Duration
}

// peek returns how long a reservation made now would wait, taking nothing.
func (b *bucket) peek(now time.Time) time.Duration {
	if b.last.IsZero() {
		return 0
	}
	tokens := b.tokens
	if now.After(b.last) {
		tokens = min(b.burst, tokens+float64(now.Sub(b.last))/float64(b.every))
	}
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(b.every))
}

// reserve takes a token and returns how long to wait before using it.
func (b *bucket) reserve(now time.Time) time.Duration {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, now
	}
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+float64(now.Sub(b.last))/float64(b.every))
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens * float64(b.every))
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.chats = map[Address]*bucket{}
		s.retry = map[Address]retryAt{}
		if s.Workers <= 0 {
			s.Workers = 4
		}
		if s.MinBackoff <= 0 {
			s.MinBackoff = 500 * time.Millisecond
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = time.Minute
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		s.platforms = map[string]*platformLimit{}
	})
}

// platformLimit is one platform's overall rate and the pause it asked for.
type platformLimit struct {
	rate   float64
	global bucket
	pause  time.Time // set by the platform's retry-after
}

// limitOf returns the overall limit of tr's platform; s.mu is held.
func (s *Sender) limitOf(platform string, tr Transport) *platformLimit {
	pl := s.platforms[platform]
	if pl == nil {
		pl = &platformLimit{rate: tr.PerSecond()}
		if pl.rate > 0 {
			// Half a second's burst, where the platform allows a whole one:
			// its bucket starts filling when our first send arrives, a little
			// after ours does, and after the burst the difference would show.
			pl.global = bucket{burst: max(1, pl.rate/2), every: underLimit(time.Duration(float64(time.Second) / pl.rate))}
		}
		s.platforms[platform] = pl
	}
	return pl
}

// bulkShare is how many bulk messages a round reads: about a second's
// worth of every platform's rate.
func (s *Sender) bulkShare() int {
	total := 0.0
	for _, tr := range s.Transports {
		if tr.PerSecond() == 0 {
			return 500
		}
		total += tr.PerSecond()
	}
	return max(10, int(total))
}

// Notify wakes the sender; it never blocks.
func (s *Sender) Notify() {
	s.init()
	s.mu.Lock()
	if s.hurryOnce != nil {
		s.hurryOnce.Do(func() { close(s.hurry) })
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// newRound arms the hurry for a round about to read the outbox.
func (s *Sender) newRound() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hurry, s.hurryOnce = make(chan struct{}), &sync.Once{}
	return s.hurry
}

// errHurried is a bulk message's outcome when something was queued
// before it began: it stays in the outbox for the next round.
var errHurried = errors.New("left for the next round")

// Run sends until ctx is done; it returns ctx's error.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	bulk := s.bulkShare()
	backoff := time.Duration(0)
	for {
		hurry := s.newRound()
		var items []OutboxItem
		err := s.Store.View(func(tx Tx) error {
			var err error
			items, err = tx.Pending(500, bulk)
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
		storeFailed, wait := s.round(ctx, items, hurry)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if wait > 0 {
			// Everything pending waits on a limit: sleep until the first
			// place opens, or something new arrives.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.wake:
			case <-time.After(wait):
			}
		}
		if !storeFailed {
			backoff = 0
			continue
		}
		// The store failed to take the marks: everyone waits.
		backoff = min(max(2*backoff, s.MinBackoff), s.MaxBackoff)
		if err := Sleep(ctx, backoff); err != nil {
			return err
		}
	}
}

// horizon is how far ahead a round takes places under the limits. A
// message that would wait longer stays in the outbox for a later round,
// with the rest of its chat's, so that one slow chat (a flooder's, a
// group's) never holds back the round, and a reply queued meanwhile for
// another chat waits at most about this long.
const horizon = time.Second

// round delivers what of items the limits let out within horizon and
// reports whether the store failed to take the marks (a chat whose message
// failed is put off on its own); wait is set when nothing could go yet, to
// how long until something can.
func (s *Sender) round(ctx context.Context, items []OutboxItem, hurry <-chan struct{}) (storeFailed bool, wait time.Duration) {
	lanes, at, wait := s.plan(items)
	if lanes == nil {
		return false, wait
	}
	// Lanes hand what went out to one marker, which commits the marks
	// every couple of milliseconds: prompt (a crash repeats only what was
	// sent since), without a lane waiting for a commit between sends.
	marks := make(chan mark, 256)
	var markErr error
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		markErr = s.mark(marks)
	}()
	var wg sync.WaitGroup
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		wg.Go(func() { s.runLane(ctx, lane, at, marks, hurry) })
	}
	wg.Wait()
	close(marks)
	<-marked
	return markErr != nil, 0
}

// plan spreads items over the workers' lanes, each chat's messages
// together and in order, with the time each may go. Places under the
// limits are taken here, in queue order, not by the lanes as they get to
// them: what was queued first (the police's copy of an alert, say) gets
// the earlier place across chats too. A lane held up by a slow send may
// still send it a little late. With nothing to send yet, lanes is nil and
// wait says how long until something can go.
func (s *Sender) plan(items []OutboxItem) (lanes [][]OutboxItem, at map[uint64]time.Time, wait time.Duration) {
	lanes = make([][]OutboxItem, s.Workers)
	at = make(map[uint64]time.Time, len(items))
	later := map[Address]bool{} // chats whose next message waits for a later round
	full := map[string]bool{}   // platforms whose overall limit is used up
	taken := 0
	wait = 30 * time.Second
	for _, it := range items {
		chat := it.Msg.Chat
		if later[chat] || full[chat.Platform()] {
			continue
		}
		s.mu.Lock()
		again, retrying := s.retry[chat]
		s.mu.Unlock()
		if d := again.at.Sub(s.Now()); retrying && d > horizon {
			wait = min(wait, d)
			later[chat] = true
			continue
		}
		if tr, ok := s.Transports[chat.Platform()]; ok {
			t, ok, global := s.reserve(tr, it.Msg, horizon)
			if ok && retrying && t.Before(again.at) {
				t = again.at
			}
			if !ok {
				wait = min(wait, t.Sub(s.Now()))
				later[chat] = true
				if global { // every later message of the platform waits on it too
					full[chat.Platform()] = true
				}
				continue
			}
			at[it.ID] = t
		}
		h := fnv.New32a()
		h.Write([]byte(chat))
		i := int(h.Sum32() % uint32(s.Workers))
		lanes[i] = append(lanes[i], it)
		taken++
	}
	if taken == 0 {
		return nil, nil, max(wait-horizon, time.Millisecond)
	}
	// Each lane goes in the order its places fall, so that a message free
	// to go now (another platform's, say) never sleeps behind one that
	// waits; one chat's places rise in its own order, which stays.
	for _, lane := range lanes {
		slices.SortStableFunc(lane, func(a, b OutboxItem) int { return at[a.ID].Compare(at[b.ID]) })
	}
	return lanes, at, 0
}

// mark is a message that left the outbox: delivered, or dropped, and
// whether its chat blocked the bot.
type mark struct {
	id      uint64
	blocked Address
}

// mark commits the marks it is handed every couple of milliseconds, or
// every 64, until marks is closed; it returns the first failure.
func (s *Sender) mark(marks <-chan mark) (markErr error) {
	var pending []mark
	flush := func() {
		if len(pending) == 0 || markErr != nil {
			return
		}
		markErr = s.Store.Batch(func(tx Tx) error { // shares its commit with the handlers': it may run twice, and marks the same
			for _, m := range pending {
				if m.blocked != "" {
					if err := tx.Block(m.blocked, s.Now()); err != nil {
						return err
					}
				}
				if err := tx.Delivered(m.id); err != nil {
					return err
				}
			}
			return nil
		})
		if markErr != nil {
			s.Log.Error("mark outbox delivered", "err", markErr)
		}
		pending = pending[:0]
	}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case m, ok := <-marks:
			if !ok {
				flush()
				return markErr
			}
			if pending = append(pending, m); len(pending) >= 64 {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// runLane sends a lane's messages in order, handing each that left the
// outbox to the marker; a failed chat is put off on its own. A chat
// whose message failed or that blocked the bot gets nothing more this
// round, so that its order is kept.
func (s *Sender) runLane(ctx context.Context, lane []OutboxItem, at map[uint64]time.Time, marks chan<- mark, hurry <-chan struct{}) {
	stopped := map[Address]bool{} // chats whose earlier message failed or that blocked the bot
	for _, it := range lane {
		if stopped[it.Msg.Chat] || ctx.Err() != nil {
			continue
		}
		var wake <-chan struct{}
		if it.Msg.Bulk {
			wake = hurry
		}
		err := s.deliver(ctx, it.Msg, at[it.ID], wake)
		var de *DeliveryError
		m := mark{id: it.ID}
		switch {
		case errors.Is(err, errHurried):
			stopped[it.Msg.Chat] = true // its order kept: the rest wait too
			s.refund(it.Msg)
			continue
		case err == nil:
		case errors.As(err, &de) && de.Permanent:
			s.Log.Warn("message dropped", "chat", it.Msg.Chat, "err", err)
			if de.Blocked {
				m.blocked = it.Msg.Chat
				stopped[it.Msg.Chat] = true
			}
		default:
			if ctx.Err() == nil {
				s.Log.Warn("message not delivered, will retry", "chat", it.Msg.Chat, "err", err)
			}
			stopped[it.Msg.Chat] = true
			if errors.As(err, &de) && de.RetryAfter > 0 {
				// Throttled: the platform's pause holds it (and everyone
				// on the platform) as long as asked; no backoff on top.
				continue
			}
			s.failedNow(it.Msg.Chat)
			continue
		}
		s.mu.Lock()
		delete(s.retry, it.Msg.Chat)
		s.mu.Unlock()
		marks <- m
	}
}

// failedNow puts chat off for its next backoff: doubled from the last,
// within MinBackoff and MaxBackoff.
func (s *Sender) failedNow(chat Address) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := min(max(2*s.retry[chat].backoff, s.MinBackoff), s.MaxBackoff)
	s.retry[chat] = retryAt{at: s.Now().Add(b), backoff: b}
}

// deliver sends m at its place, at; a bulk message whose wait hurry ends
// first is not sent (errHurried).
func (s *Sender) deliver(ctx context.Context, m Outbound, at time.Time, hurry <-chan struct{}) error {
	tr, ok := s.Transports[m.Chat.Platform()]
	if !ok {
		return &DeliveryError{Permanent: true, Err: fmt.Errorf("no transport for %q", m.Chat.Platform())}
	}
	s.mu.Lock()
	pl := s.limitOf(m.Chat.Platform(), tr)
	if pl.pause.After(at) {
		at = pl.pause // the platform asked for a pause since
	}
	s.mu.Unlock()
	select {
	case <-hurry:
		return errHurried
	default:
	}
	if d := at.Sub(s.Now()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-hurry:
			t.Stop()
			return errHurried
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	// Once begun, a send is finished even if shutdown starts meanwhile: cut
	// short, it might have reached the platform and would go out twice.
	err := tr.Deliver(context.WithoutCancel(ctx), m)
	var de *DeliveryError
	if errors.As(err, &de) && de.RetryAfter > 0 {
		if s.OnThrottle != nil {
			s.OnThrottle(m.Chat.Platform())
		}
		s.mu.Lock()
		if p := s.Now().Add(de.RetryAfter); p.After(pl.pause) {
			pl.pause = p
		}
		s.mu.Unlock()
	}
	return err
}

// reserve takes m's places under the overall rate, the chat's rate and
// any retry-after pause, and returns when it may go, if that is within
// horizon. Otherwise it takes nothing and returns how long it would wait
// (beyond now), and whether the overall rate or a pause is the cause.
// Edits of earlier messages count only against the overall rate.
func (s *Sender) reserve(tr Transport, m Outbound, horizon time.Duration) (at time.Time, ok, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	pl := s.limitOf(m.Chat.Platform(), tr)
	gwait := max(time.Duration(0), pl.pause.Sub(now))
	if pl.rate > 0 {
		gwait = max(gwait, pl.global.peek(now))
	}
	var b *bucket
	if m.Op == OpSend {
		b = s.chats[m.Chat]
		if b == nil {
			lim := tr.ChatLimit(m.Chat)
			b = &bucket{burst: float64(max(1, lim.Burst-1)), every: underLimit(lim.Every)} // one less, as above
			s.chats[m.Chat] = b
		}
		if b.every <= 0 {
			b = nil
		}
	}
	cwait := time.Duration(0)
	if b != nil {
		cwait = b.peek(now)
	}
	if gwait > horizon || cwait > horizon {
		return now.Add(max(gwait, cwait)), false, gwait > horizon
	}
	wait := max(time.Duration(0), pl.pause.Sub(now))
	if pl.rate > 0 {
		wait = max(wait, pl.global.reserve(now))
	}
	if b != nil {
		wait = max(wait, b.reserve(now))
	}
	return now.Add(wait), true, false
}

// refund gives back the places reserve took for m, which was not sent.
func (s *Sender) refund(m Outbound) {
	tr, ok := s.Transports[m.Chat.Platform()]
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pl := s.limitOf(m.Chat.Platform(), tr); pl.rate > 0 {
		pl.global.tokens = min(pl.global.burst, pl.global.tokens+1)
	}
	if b := s.chats[m.Chat]; m.Op == OpSend && b != nil && b.every > 0 {
		b.tokens = min(b.burst, b.tokens+1)
	}
}

// Joiner is a platform on which a person can join with an invite code.
type Joiner interface {
	// JoinLink is the link that opens a chat with the bot carrying code,
	// or "" where the platform has none and the code is typed instead.
	JoinLink(code string) string
}

// ChatLinker is a Joiner whose bot has a link of its own (Zalo's
// https://zalo.me/<account>), to open before typing the code.
type ChatLinker interface {
	ChatLink() string
}
