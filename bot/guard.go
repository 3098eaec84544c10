package bot

import (
	"sync"
	"time"
)

// Guard keeps one sender, one chat or a crowd of strangers from holding
// the bot back for everyone else. It is in memory: its limits are about
// the next minutes, and a restart that forgets them costs nothing.
//
// Updates over a limit are dropped before they reach the store: nothing is
// written for them, and their sender is told at most once a minute. A
// stranger (someone neither registered nor an admin) gets one polite
// answer an hour; until then their messages are dropped, except an invite
// code, which can always be tried (itself under the sender's limit).
type Guard struct {
	// PerSender and PerChat are token buckets on updates: Burst at once,
	// then one per Every. A zero Every turns the limit off.
	PerSender, PerChat RateLimit
	// StrangerEvery is how often a stranger is answered (default an hour).
	StrangerEvery time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	once      sync.Once
	mu        sync.Mutex
	senders   map[Address]*bucket
	chats     map[Address]*bucket
	told      map[Address]time.Time // when a flooding sender was last told
	strangers map[Address]time.Time // when a stranger was last answered
	groups    map[Address]time.Time // when a group chat was last answered
	swept     time.Time
}

func (g *Guard) init() {
	g.once.Do(func() {
		if g.Now == nil {
			g.Now = time.Now
		}
		if g.StrangerEvery <= 0 {
			g.StrangerEvery = time.Hour
		}
		g.senders = map[Address]*bucket{}
		g.chats = map[Address]*bucket{}
		g.told = map[Address]time.Time{}
		g.strangers = map[Address]time.Time{}
		g.groups = map[Address]time.Time{}
	})
}

// verdict is what the guard says of an update.
type verdict int

const (
	admit   verdict = iota
	drop            // over a limit, or a stranger answered recently: nothing at all
	dropTel         // over a limit: dropped, and the sender told so
)

// check decides on in; joining says the update tries an invite code.
func (g *Guard) check(in Inbound, joining bool) verdict {
	if g == nil {
		return admit
	}
	g.init()
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.Now()
	g.sweep(now)
	if at, ok := g.strangers[in.From]; ok && !joining && now.Sub(at) < g.StrangerEvery {
		return drop
	}
	if take(g.senders, in.From, g.PerSender, now) && take(g.chats, in.Chat, g.PerChat, now) {
		return admit
	}
	if now.Sub(g.told[in.From]) < time.Minute {
		return drop
	}
	g.told[in.From] = now
	return dropTel
}

// answeredStranger records that a stranger was answered now; joined
// forgets it once they have joined.
func (g *Guard) answeredStranger(a Address) {
	if g == nil {
		return
	}
	g.init()
	g.mu.Lock()
	g.strangers[a] = g.Now()
	g.mu.Unlock()
}

// groupAnswer reports whether a group chat may be answered now, at most
// once per StrangerEvery, and records it.
func (g *Guard) groupAnswer(chat Address) bool {
	g.init()
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.Now()
	if at, ok := g.groups[chat]; ok && now.Sub(at) < g.StrangerEvery {
		return false
	}
	g.groups[chat] = now
	return true
}

func (g *Guard) joined(a Address) {
	if g == nil {
		return
	}
	g.init()
	g.mu.Lock()
	delete(g.strangers, a)
	g.mu.Unlock()
}

// take spends one token of key's bucket under lim, reporting false when
// there is none.
func take(buckets map[Address]*bucket, key Address, lim RateLimit, now time.Time) bool {
	if lim.Every <= 0 {
		return true
	}
	b := buckets[key]
	if b == nil {
		b = &bucket{burst: float64(max(1, lim.Burst)), every: lim.Every}
		buckets[key] = b
	}
	if b.peek(now) > 0 {
		return false
	}
	b.reserve(now)
	return true
}

// sweep forgets, once a minute, what no longer limits anyone: full
// buckets and old marks. Memory stays proportional to the people active
// in the last hour.
func (g *Guard) sweep(now time.Time) {
	if now.Sub(g.swept) < time.Minute {
		return
	}
	g.swept = now
	for _, m := range []map[Address]*bucket{g.senders, g.chats} {
		for k, b := range m {
			if b.peek(now) == 0 && b.tokens+float64(now.Sub(b.last))/float64(b.every) >= b.burst {
				delete(m, k)
			}
		}
	}
	for k, at := range g.told {
		if now.Sub(at) >= time.Minute {
			delete(g.told, k)
		}
	}
	for _, m := range []map[Address]time.Time{g.strangers, g.groups} {
		for k, at := range m {
			if now.Sub(at) >= g.StrangerEvery {
				delete(m, k)
			}
		}
	}
}
