package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/totuquan/totuquan/bot"
)

// A batch's updates are handled chat by chat, in order, chats in
// parallel, and the batch is confirmed to Telegram once each is
// committed. A chat that takes long (an area import, a backup) must not
// hold back the next poll and everyone's next answer, so a batch waits
// for it only patience long: what it still has in hand is then kept in the
// store's inbox, the batch confirmed, and the chat goes on in the
// background, its later updates queued behind. Kept updates leave the
// inbox once committed; left there by a crash, they are handled on the
// next start (the dispatcher's marks skip any already applied).

// patience is how long a batch waits for its slowest chat.
const patience = 250 * time.Millisecond

// inboxPrefix names the adapter's entries in the inbox it shares with
// other platforms.
const inboxPrefix = Platform + ":"

// job is one update in a chat's lane.
type job struct {
	in  bot.Inbound
	raw json.RawMessage
	id  int64
	// kept is set once the update is in the inbox: the batch that brought
	// it was confirmed without it. finished is set once it was handled.
	// Both change under the lanes' lock, so that an update is kept if and
	// only if it was not yet finished.
	kept, finished bool
	done           chan error // its outcome, for the batch waiting on it
}

// lanes are the chats with updates in hand.
type lanes struct {
	mu    sync.Mutex
	chats map[bot.Address][]*job
	wg    sync.WaitGroup // the chats' goroutines
}

// errDropped is a job's outcome when an earlier update of its chat in the
// same batch failed: it comes back with the batch.
var errDropped = errors.New("dropped after an earlier failure of its chat")

// enqueue adds j to its chat's lane, starting the chat's goroutine if it
// has none.
func (b *Bot) enqueue(ctx context.Context, j *job) {
	l := &b.lanes
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.chats == nil {
		l.chats = map[bot.Address][]*job{}
	}
	queue, busy := l.chats[j.in.Chat]
	l.chats[j.in.Chat] = append(queue, j)
	if !busy {
		l.wg.Go(func() { b.runChat(ctx, j.in.Chat) })
	}
}

// runChat handles a chat's updates in order until its lane is empty.
func (b *Bot) runChat(ctx context.Context, chat bot.Address) {
	l := &b.lanes
	var fails time.Duration
	for {
		l.mu.Lock()
		queue := l.chats[chat]
		if len(queue) == 0 || ctx.Err() != nil {
			delete(l.chats, chat)
			l.mu.Unlock()
			return
		}
		j := queue[0]
		l.mu.Unlock()

		b.sem <- struct{}{}
		err := b.handleOne(ctx, j.in)
		<-b.sem

		l.mu.Lock()
		kept := j.kept
		if err != nil && kept && ctx.Err() == nil {
			// Its batch is confirmed: only this lane can bring it through.
			l.mu.Unlock()
			fails = grow(fails, b.cfg.MinBackoff, b.cfg.MaxBackoff)
			b.cfg.Log.Error("telegram: handling a kept update failed; trying again", "update", j.id, "err", err, "retry_in", fails)
			if b.cfg.Sleep(ctx, fails) != nil {
				l.mu.Lock()
				delete(l.chats, chat)
				l.mu.Unlock()
				return
			}
			continue
		}
		fails = 0
		j.finished = true
		rest := l.chats[chat][1:]
		if err != nil {
			// The batch is offered again: the chat's later updates of it
			// come back with it.
			for _, later := range rest {
				if !later.kept {
					later.done <- errDropped
				}
			}
			rest = nil
		}
		l.chats[chat] = rest
		l.mu.Unlock()
		if kept && err == nil {
			if derr := b.cfg.Store.Update(func(tx bot.Tx) error { return tx.DeleteInbox(inboxKey(j.id)) }); derr != nil {
				b.cfg.Log.Warn("telegram: forget a kept update", "update", j.id, "err", derr)
			}
		}
		j.done <- err
	}
}

// inboxKey is where update id is kept: zero-padded, so that keys sort as
// the ids do.
func inboxKey(id int64) string { return fmt.Sprintf("%s%020d", inboxPrefix, id) }

// handleBatch hands each update to its chat's lane and waits until all are
// handled, or patience passes: then what is still in hand is kept in the
// inbox and the batch counts as handled. It returns the first handler
// error among the updates that were not kept; the batch is then offered
// again. Updates the bot does not use are dropped here, and confirmed with
// the batch.
func (b *Bot) handleBatch(ctx context.Context, updates []tgbotapi.Update, raws []json.RawMessage) error {
	var jobs []*job
	for i, u := range updates {
		in, ok := b.convert(u)
		if !ok {
			continue
		}
		j := &job{in: in, raw: raws[i], id: int64(u.UpdateID), done: make(chan error, 1)}
		jobs = append(jobs, j)
		b.enqueue(ctx, j)
	}
	timer := time.NewTimer(patience)
	defer timer.Stop()
	var firstErr error
	for i, j := range jobs {
		select {
		case err := <-j.done:
			if err != nil && !errors.Is(err, errDropped) && firstErr == nil {
				firstErr = err
			}
			continue
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		if firstErr != nil {
			// The batch is offered again anyway: wait for what is left.
			for _, j := range jobs[i:] {
				<-j.done
			}
			return firstErr
		}
		return b.keep(jobs[i:])
	}
	return firstErr
}

// keep puts the jobs not yet handled in the inbox, for the batch to be
// confirmed without them.
func (b *Bot) keep(jobs []*job) error {
	l := &b.lanes
	l.mu.Lock() // no job finishes while its keeping is decided
	defer l.mu.Unlock()
	var open []*job
	for _, j := range jobs {
		if !j.finished {
			open = append(open, j)
		}
	}
	if len(open) == 0 {
		return nil
	}
	now := b.cfg.Now()
	err := b.cfg.Store.Update(func(tx bot.Tx) error {
		for _, j := range open {
			if err := tx.PutInbox(inboxKey(j.id), j.raw, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("keep %d updates in hand: %w", len(open), err)
	}
	for _, j := range open {
		j.kept = true
	}
	b.cfg.Log.Info("telegram: a slow chat goes on in the background", "kept", len(open))
	return nil
}

// replay hands on the updates a previous run kept and did not finish,
// before the first poll; each leaves the inbox once committed.
func (b *Bot) replay(ctx context.Context) error {
	var (
		keptJobs []*job
		unusable []string
	)
	err := b.cfg.Store.View(func(tx bot.Tx) error {
		keptJobs, unusable = nil, nil
		return tx.Inbox(func(key string, data []byte, _ time.Time) error {
			if !strings.HasPrefix(key, inboxPrefix) {
				return nil // another platform's
			}
			var u tgbotapi.Update
			if err := json.Unmarshal(data, &u); err != nil {
				b.cfg.Log.Warn("telegram: a kept update cannot be decoded; dropped", "key", key)
				unusable = append(unusable, key)
				return nil
			}
			in, ok := b.convert(u)
			if !ok {
				unusable = append(unusable, key)
				return nil
			}
			keptJobs = append(keptJobs, &job{in: in, raw: data, id: int64(u.UpdateID), kept: true, done: make(chan error, 1)})
			return nil
		})
	})
	if err == nil && len(unusable) > 0 {
		err = b.cfg.Store.Update(func(tx bot.Tx) error {
			for _, key := range unusable {
				if err := tx.DeleteInbox(key); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("telegram: read the kept updates: %w", err)
	}
	if len(keptJobs) > 0 {
		b.cfg.Log.Info("telegram: handling the updates a previous run kept", "kept", len(keptJobs))
	}
	for _, j := range keptJobs {
		b.enqueue(ctx, j)
	}
	return nil
}
