package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// inboxEntry is an update as the inbox keeps it: the update, and once its
// photo or voice note was fetched, the stored file ("" if the download
// failed and the URL goes on), so that a replay does not fetch it again
// from a URL that may have expired.
type inboxEntry struct {
	Update  json.RawMessage `json:"update"`
	Fetched bool            `json:"fetched,omitempty"`
	File    string          `json:"file,omitempty"`
}

type stored struct {
	key   string
	entry inboxEntry
	at    time.Time
}

// Run receives updates and hands them to the handler until ctx ends; it
// then returns nil, or an error when Zalo refuses the token. It first
// replays what a previous run left in the inbox, oldest first. In polling
// mode it deletes any webhook, then long-polls getUpdates; in webhook mode
// (or once SetWebhook switched to it) it hands on what WebhookHandler
// stores. Updates are handled one at a time, in order.
func (b *Bot) Run(ctx context.Context) error {
	var (
		fails   time.Duration      // after handling or polling failed
		idle    time.Duration      // after idle polls that came back at once
		deleted = b.webhook.Load() // in webhook mode there is none to delete
		pruned  time.Time
	)
	for ctx.Err() == nil {
		n, err := b.drain(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fails = grow(fails, b.cfg.MinBackoff, b.cfg.MaxBackoff)
			b.cfg.Log.Error("zalo: handling an update failed; it is kept and tried again", "err", err, "retry_in", fails)
			if b.cfg.Sleep(ctx, fails) != nil {
				return nil
			}
			continue
		}
		if n == 0 && b.cfg.Now().Sub(pruned) > time.Hour {
			pruned = b.prune()
		}
		if b.webhook.Load() {
			b.await(ctx)
			continue
		}
		if !deleted {
			ok, err := b.dropWebhook(ctx)
			if err != nil {
				return err
			}
			if !ok {
				fails = grow(fails, b.cfg.MinBackoff, b.cfg.MaxBackoff)
				if b.cfg.Sleep(ctx, fails) != nil {
					return nil
				}
				continue
			}
			deleted = true
		}
		wait, err := b.pollOnce(ctx, &fails, &idle)
		if err != nil {
			return err
		}
		if wait > 0 && b.cfg.Sleep(ctx, wait) != nil {
			return nil
		}
	}
	return nil
}

// await waits until something is put in the inbox, the mode changes, a
// while passes (to retry what is left) or ctx ends.
func (b *Bot) await(ctx context.Context) {
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-b.wake:
	case <-t.C:
	}
}

func (b *Bot) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func grow(d, lo, hi time.Duration) time.Duration { return min(max(2*d, lo), hi) }

// dropWebhook deletes any webhook before polling, as Zalo refuses
// getUpdates while one is set. ok is false when it must be tried again;
// err is set when the token is refused.
func (b *Bot) dropWebhook(ctx context.Context) (ok bool, err error) {
	_, err = b.call(ctx, b.api, "deleteWebhook", nil)
	ae := asAPIError(err)
	switch {
	case err == nil:
		b.cfg.Log.Info("zalo: the webhook was deleted: polling")
		return true, nil
	case ae != nil && ae.Code == http.StatusNotFound:
		return true, nil // none was set
	case errors.Is(err, ErrUnauthorized):
		return false, err
	case ctx.Err() != nil:
		return false, nil
	}
	b.cfg.Log.Warn("zalo: deleting the webhook before polling failed", "err", err)
	return false, nil
}

// pollOnce long-polls once and stores what it gets in the inbox. It
// returns how long to wait before the next poll, and an error only when
// the token is refused. An idle poll (408) is no failure: the next poll
// follows at once, unless the server answered long before the timeout, as
// one that does not long-poll does (then a short, growing pause keeps the
// bot from spinning against it).
func (b *Bot) pollOnce(ctx context.Context, fails, idle *time.Duration) (time.Duration, error) {
	pctx, cancel := context.WithCancel(ctx)
	b.mu.Lock()
	b.pollCancel = cancel
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.pollCancel = nil
		b.mu.Unlock()
		cancel()
	}()
	start := time.Now()
	raw, err := b.call(pctx, b.poll, "getUpdates", map[string]any{"timeout": int(b.cfg.PollTimeout / time.Second)})
	if err == nil {
		*fails, *idle = 0, 0
		b.polled()
		b.keep(ctx, raw)
		return 0, nil
	}
	if pctx.Err() != nil {
		return 0, nil // shutting down, or switched to the webhook
	}
	ae := asAPIError(err)
	switch {
	case ae != nil && ae.Code == http.StatusRequestTimeout:
		*fails = 0
		b.polled()
		b.cfg.Log.Debug("zalo: no update")
		if time.Since(start) >= b.cfg.PollTimeout/2 {
			*idle = 0
			return 0, nil
		}
		*idle = grow(*idle, b.cfg.MinBackoff/4, b.cfg.MaxBackoff/4)
		return *idle, nil
	case errors.Is(err, ErrUnauthorized):
		return 0, err
	case ae != nil && ae.Code == http.StatusTooManyRequests:
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = max(b.cfg.MinBackoff, time.Second)
		}
		b.cfg.Log.Warn("zalo: getUpdates throttled", "err", err, "retry_in", wait)
		return wait, nil
	}
	*fails = grow(*fails, b.cfg.MinBackoff, b.cfg.MaxBackoff)
	b.cfg.Log.Warn("zalo: getUpdates failed", "err", err, "retry_in", *fails)
	return *fails, nil
}

// polled tells OnPoll that Zalo answered a poll.
func (b *Bot) polled() {
	if b.cfg.OnPoll != nil {
		b.cfg.OnPoll()
	}
}

// keep stores the updates of a poll's result in the inbox. Zalo has
// removed them from its queue: they must not be lost, so a store that
// fails is tried again until it works or the bot stops.
func (b *Bot) keep(ctx context.Context, raw json.RawMessage) {
	var wait time.Duration
	for {
		err := b.accept(raw)
		if err == nil || errors.Is(err, errNotUpdates) {
			if err != nil {
				b.cfg.Log.Warn("zalo: a poll's result dropped", "err", err)
			}
			return
		}
		wait = grow(wait, b.cfg.MinBackoff, b.cfg.MaxBackoff)
		b.cfg.Log.Error("zalo: storing an update failed; trying again", "err", err, "retry_in", wait)
		if b.cfg.Sleep(ctx, wait) != nil {
			b.cfg.Log.Error("zalo: an update was lost: the bot stopped before it could be stored")
			return
		}
	}
}

// errNotUpdates marks a body or a result that holds no readable update.
var errNotUpdates = errors.New("not updates")

// accept puts the updates in raw in the inbox, in one transaction, leaving
// out those already applied (a duplicate delivery). An update that cannot
// be decoded (a field of another type) is dropped with a warning: Zalo
// would only send it again. errNotUpdates is returned when raw is not
// JSON updates at all.
func (b *Bot) accept(raw []byte) error {
	ups, err := splitUpdates(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", errNotUpdates, err)
	}
	var list []stored
	for _, u := range ups {
		_, key, at, err := b.identify(u)
		if err != nil {
			b.cfg.Log.Warn("zalo: update dropped", "err", err)
			continue
		}
		list = append(list, stored{key: key, entry: inboxEntry{Update: u}, at: at})
	}
	if len(list) == 0 {
		return nil
	}
	err = b.cfg.Store.Update(func(tx bot.Tx) error {
		for _, s := range list {
			seen, err := tx.Seen(s.key)
			if err != nil {
				return err
			}
			if seen {
				continue
			}
			if err := putEntry(tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		b.signal()
	}
	return err
}

func putEntry(tx bot.Tx, s stored) error {
	data, err := json.Marshal(s.entry)
	if err != nil {
		return err
	}
	return tx.PutInbox(s.key, data, s.at)
}

// seenMemory is how long de-duplication marks are kept: Zalo delivers a
// duplicate within minutes, and the inbox is drained on every start.
const seenMemory = 7 * 24 * time.Hour

// prune forgets de-duplication marks older than seenMemory, while the
// inbox is empty (so no entry waiting to be replayed loses its mark), and
// returns when, the zero time if it failed.
func (b *Bot) prune() time.Time {
	now := b.cfg.Now()
	if err := b.cfg.Store.Update(func(tx bot.Tx) error { return tx.ForgetSeen(now.Add(-seenMemory)) }); err != nil {
		b.cfg.Log.Warn("zalo: forget old de-duplication marks", "err", err)
		return time.Time{}
	}
	return now
}

// drain hands on everything in the inbox, oldest first, and stops at the
// first update whose handling failed: it stays, to be tried again in its
// place. n is how many entries the inbox had.
func (b *Bot) drain(ctx context.Context) (n int, err error) {
	var list []stored
	err = b.cfg.Store.View(func(tx bot.Tx) error {
		list = nil
		return tx.Inbox(func(key string, data []byte, at time.Time) error {
			if !strings.HasPrefix(key, Platform+":") {
				return nil // another platform's, in the inbox they share
			}
			var e inboxEntry
			if err := json.Unmarshal(data, &e); err != nil || len(e.Update) == 0 {
				e = inboxEntry{Update: bytes.Clone(data)} // kept raw
			}
			list = append(list, stored{key: key, entry: e, at: at})
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("zalo: read the inbox: %w", err)
	}
	for _, s := range list {
		if err := ctx.Err(); err != nil {
			return len(list), err
		}
		if err := b.process(ctx, s); err != nil {
			return len(list), err
		}
	}
	return len(list), nil
}

// process hands one stored update on, or drops or answers it, and deletes
// it from the inbox once done. An error leaves it there.
func (b *Bot) process(ctx context.Context, s stored) error {
	u, _, _, err := b.identify(s.entry.Update)
	if err != nil {
		b.cfg.Log.Warn("zalo: update dropped", "update", s.key, "err", err)
		return b.forget(s.key)
	}
	switch what, why := b.dispose(u); what {
	case drop:
		b.cfg.Log.Debug("zalo: update ignored", "update", s.key, "why", why)
		return b.forget(s.key)
	case answer:
		return b.answerWithheld(s.key, u)
	}
	in, fileURL, kind := inbound(u, s.key)
	if fileURL != "" {
		file, err := b.fileFor(ctx, &s, fileURL, kind)
		if err != nil {
			return err
		}
		switch kind {
		case photoKind:
			// The flows keep a report's photos as one comma-separated
			// list: a URL handed on must not carry a comma of its own.
			in.Photo = strings.ReplaceAll(file, ",", "%2C")
		case voiceKind:
			in.Voice = file
		}
	}
	if in, err = b.joinCode(in); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // not handed on: it stays for the next start
	}
	if err := b.hand(ctx, in); err != nil {
		return err
	}
	return b.forget(s.key)
}

// fileFor returns what the update's photo or voice note goes on as: the
// stored file, or its URL when it cannot be downloaded (too large, not of
// its kind, gone) or nothing is downloaded. The outcome is recorded in the
// inbox entry, so a replay does not download again.
func (b *Bot) fileFor(ctx context.Context, s *stored, fileURL string, kind mediaKind) (string, error) {
	switch {
	case s.entry.Fetched && s.entry.File != "":
		return s.entry.File, nil
	case s.entry.Fetched, b.cfg.MediaDir == "":
		return fileURL, nil
	}
	file, err := b.fetch(ctx, fileURL, kind)
	if ctx.Err() != nil {
		return "", ctx.Err() // tried again on the next start
	}
	if err != nil {
		b.cfg.Log.Warn("zalo: a "+kind.String()+" could not be downloaded; its URL is handed on", "update", s.key, "err", err)
	}
	s.entry.Fetched, s.entry.File = true, file
	if err := b.cfg.Store.Update(func(tx bot.Tx) error { return putEntry(tx, *s) }); err != nil {
		b.cfg.Log.Warn("zalo: record a download in the inbox", "update", s.key, "err", err)
	}
	if file == "" {
		return fileURL, nil
	}
	return file, nil
}

// hand gives in to the handler. A panic is logged and the update dropped,
// so that no update, however malformed, stops the bot.
func (b *Bot) hand(ctx context.Context, in bot.Inbound) (err error) {
	defer func() {
		if p := recover(); p != nil {
			b.cfg.Log.Error("zalo: update dropped after a panic", "update", in.UpdateKey, "panic", p)
			err = nil
		}
	}()
	_, err = b.cfg.Handler.Handle(ctx, in)
	return err
}

func (b *Bot) forget(key string) error {
	if err := b.cfg.Store.Update(func(tx bot.Tx) error { return tx.DeleteInbox(key) }); err != nil {
		return fmt.Errorf("zalo: delete a handled update from the inbox: %w", err)
	}
	return nil
}

// answerWithheld answers a message whose content Zalo withheld (its
// sender belongs to a protected group): one polite text, at most one an
// hour per chat, queued with the update's mark and its removal from the
// inbox in one transaction, so that it is answered once.
func (b *Bot) answerWithheld(key string, u update) error {
	chat := addr(chatOf(u.Message))
	now := b.cfg.Now()
	queued := false
	err := b.cfg.Store.Update(func(tx bot.Tx) error {
		queued = false
		seen, err := tx.Seen(key)
		if err != nil {
			return err
		}
		if !seen {
			if err := tx.Unblock(chat); err != nil { // they write: they can be reached
				return err
			}
			out := bot.Outbound{Chat: chat, Reply: bot.Reply{Text: WithheldText},
				Key: Platform + ":withheld:" + chat.ID() + ":" + now.UTC().Format("2006010215")}
			if queued, err = tx.Enqueue(out); err != nil {
				return err
			}
			if err := tx.MarkSeen(key, now); err != nil {
				return err
			}
		}
		return tx.DeleteInbox(key)
	})
	if err != nil {
		return fmt.Errorf("zalo: answer a withheld message: %w", err)
	}
	if queued && b.cfg.Notify != nil {
		b.cfg.Notify()
	}
	return nil
}
