package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// crashLedger is every update the leaders sent, in the order the fakes
// queued them, with the key the bot marks it handled under. With the bot
// down, it is checked against the store: an update a platform no longer
// offers must have been handled, or be kept in the bot's own inbox.
type crashLedger struct {
	mu   sync.Mutex
	tg   []crashUpdate // Telegram's, by update id
	zalo []crashUpdate // Zalo's, in the order of its queue
	// lost are the Zalo updates lost so far: each read from Zalo's queue
	// by a bot killed before it had stored it.
	lost map[string]bool
}

// crashUpdate is a message or a button press a leader sent.
type crashUpdate struct {
	key  string // the bot's de-duplication key
	id   int64  // Telegram's update id
	from string // the leader
	text string
}

// isLost reports whether the update with key was lost at a kill.
func (g *crashLedger) isLost(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lost[key]
}

func (u crashUpdate) String() string { return fmt.Sprintf("%s's %q (%s)", u.from, u.text, u.key) }

// afterStop waits, the bot stopped, until the fake Zalo has seen its
// connections close (a request the bot sent just before it died is then
// answered, and a long poll it left open takes nothing more), then checks.
func (g *crashLedger) afterStop(dbPath string, tg *fakeapi.Server, zf *zfakeapi.Server, b *crashBot, final bool) ([]crashUpdate, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := zf.WaitFor(ctx, func() bool { return zf.OpenConns() == 0 }); err != nil {
		return nil, fmt.Errorf("the fake Zalo still has %d connections of the stopped bot open", zf.OpenConns())
	}
	return g.check(dbPath, tg, zf, b, final)
}

// check opens the store of the stopped bot and checks every update the
// platforms let go of:
//
//   - Telegram forgets an update once the bot polls with an offset past
//     it, which the bot sends only after the update's effects were
//     committed: each must have been handled.
//   - Zalo removes an update from its queue as getUpdates returns it; the
//     bot stores it in its inbox, handles it, then deletes it from the
//     inbox: each must have been handled or be in the inbox, but the one
//     the bot had just read when it was killed, before storing it. The
//     bot reads one update at a time, so a kill loses one at most, and
//     only the last read, and only if the bot had not yet handed it to
//     the dispatcher (which it does from the inbox).
//
// final is set after the clean stop: then every update sent must have
// been handled, and none lost at the stop. It returns the Zalo updates
// lost at this stop.
func (g *crashLedger) check(dbPath string, tg *fakeapi.Server, zf *zfakeapi.Server, b *crashBot, final bool) (lost []crashUpdate, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lost == nil {
		g.lost = map[string]bool{}
	}
	read := g.zalo[:len(g.zalo)-zf.Pending()]
	confirmed := int64(0) // Telegram offers no update below this
	for _, off := range tg.Offsets() {
		confirmed = max(confirmed, off)
	}
	b.mu.Lock()
	reached := maps.Clone(b.reached)
	b.mu.Unlock()
	st, err := store.Open(dbPath, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var problems []string
	err = st.View(func(tx bot.Tx) error {
		inbox := map[string]bool{}
		if err := tx.Inbox(func(key string, _ []byte, _ time.Time) error { inbox[key] = true; return nil }); err != nil {
			return err
		}
		for _, u := range g.tg {
			seen, err := tx.Seen(u.key)
			if err != nil {
				return err
			}
			if !seen && (final || u.id < confirmed) {
				problems = append(problems, fmt.Sprintf("Telegram no longer offers %s (update %d, the offset is %d), but the bot never handled it", u, u.id, confirmed))
			}
		}
		for i, u := range read {
			seen, err := tx.Seen(u.key)
			if err != nil {
				return err
			}
			switch {
			case seen || g.lost[u.key]:
			case inbox[u.key]:
				if final {
					problems = append(problems, fmt.Sprintf("%s is still in the inbox after a clean stop", u))
				}
			case final || i != len(read)-1 || reached[u.key]:
				problems = append(problems, fmt.Sprintf("Zalo gave the bot %s (the %dth of %d read; handed to the dispatcher: %v), which it neither handled nor kept", u, i+1, len(read), reached[u.key]))
			default:
				lost = append(lost, u)
			}
		}
		if final && len(read) != len(g.zalo) {
			problems = append(problems, fmt.Sprintf("%d Zalo updates were never read", len(g.zalo)-len(read)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d updates lost:\n%s", len(problems), strings.Join(slices.Compact(problems), "\n"))
	}
	for _, u := range lost {
		g.lost[u.key] = true
	}
	return lost, nil
}
