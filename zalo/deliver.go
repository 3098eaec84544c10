package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/vntext"
)

// MaxText is Zalo's limit on one message, counted here in UTF-16 code
// units (see Split).
const MaxText = 2000

// defaultRetryAfter is the pause after a 429 that names none: Zalo
// publishes no rate limit.
const defaultRetryAfter = time.Second

// unauthorizedPause is how long sends pause after Zalo refused the token:
// nothing can go until an operator gives the bot a new one, and the
// messages wait for it in the outbox rather than being dropped.
const unauthorizedPause = time.Minute

// Deliver implements bot.Transport. Zalo has no buttons, edits or files:
// every message goes as text, its choices as numbered lines under it
// (bot.Reply.NumberedText); an edit goes as a new message; clearing
// buttons has nothing to clear; a document goes as its caption and a note
// that the file cannot be sent on Zalo. A text longer than MaxText goes as
// several messages, the numbered choices with the last. When a later part
// fails, a retry of the same message sends only the parts still missing.
func (b *Bot) Deliver(ctx context.Context, m bot.Outbound) error {
	chat := m.Chat.ID()
	if m.Chat.Platform() != Platform || chat == "" {
		return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("zalo: not a Zalo chat: %q", m.Chat)}
	}
	switch m.Op {
	case bot.OpClearButtons:
		return nil
	case bot.OpSend, bot.OpEdit:
	default:
		return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("zalo: unknown operation %q", m.Op)}
	}
	text := m.Text
	if m.Document != nil {
		note, err := b.fileNote(m)
		if err != nil {
			return err
		}
		text = strings.TrimSpace(text + "\n\n" + note)
	}
	menu := strings.TrimLeft(strings.TrimPrefix(m.NumberedText(), m.Text), "\n")
	parts := layout(text, menu, MaxText)
	if len(parts) == 0 {
		return nil // nothing to say
	}
	return b.sendParts(ctx, chat, parts)
}

// layout cuts text into messages of at most limit units with menu, the
// numbered choices, under the last; the last part is cut shorter when that
// keeps the menu with it.
func layout(text, menu string, limit int) []string {
	text = strings.TrimSpace(text)
	if menu == "" {
		if text == "" {
			return nil
		}
		return Split(text, limit)
	}
	if text == "" {
		return Split(menu, limit)
	}
	out := Split(text, limit)
	need := vntext.UTF16Len(menu) + 2 // the blank line between
	last := out[len(out)-1]
	if vntext.UTF16Len(last)+need > limit && need <= limit/2 {
		out = append(out[:len(out)-1], Split(last, limit-need)...)
		last = out[len(out)-1]
	}
	if vntext.UTF16Len(last)+need <= limit {
		out[len(out)-1] = last + "\n\n" + menu
		return out
	}
	return append(out, Split(menu, limit)...)
}

// sendParts sends each part as a message, skipping those a failed try of
// the same message already sent.
func (b *Bot) sendParts(ctx context.Context, chat string, parts []string) error {
	h := sha256.New()
	h.Write([]byte(chat))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	key := hex.EncodeToString(h.Sum(nil))
	b.mu.Lock()
	done := b.progress[key]
	b.mu.Unlock()
	for i := done; i < len(parts); i++ {
		_, err := b.call(ctx, b.api, "sendMessage", map[string]string{"chat_id": chat, "text": parts[i]})
		if err != nil {
			derr := b.deliveryError(err)
			b.mu.Lock()
			var de *bot.DeliveryError
			if i > 0 && !(errors.As(derr, &de) && de.Permanent) {
				if len(b.progress) > 1000 { // only failed messages stay: forget them all
					clear(b.progress)
				}
				b.progress[key] = i
			} else {
				delete(b.progress, key)
			}
			b.mu.Unlock()
			return derr
		}
	}
	b.mu.Lock()
	delete(b.progress, key)
	b.mu.Unlock()
	return nil
}

// deliveryError classifies a failed send, already redacted: 429 waits for
// Zalo's pause (or a second); 400, 403 and 404 are permanent (403: the
// person blocked the bot, or it may not write to them); 401 pauses every
// send rather than dropping the outbox; anything else (5xx, a dropped
// connection, a reply that is not the API's) is tried again.
func (b *Bot) deliveryError(err error) error {
	ae := asAPIError(err)
	if ae == nil {
		return &bot.DeliveryError{Err: err}
	}
	switch ae.Code {
	case http.StatusTooManyRequests:
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = defaultRetryAfter
		}
		return &bot.DeliveryError{RetryAfter: wait, Err: err}
	case http.StatusForbidden:
		return &bot.DeliveryError{Permanent: true, Blocked: true, Err: err}
	case http.StatusBadRequest, http.StatusNotFound:
		return &bot.DeliveryError{Permanent: true, Err: err}
	case http.StatusUnauthorized:
		b.cfg.Log.Error("zalo: the token was refused: messages wait in the outbox until zalo.token is fixed", "err", err)
		return &bot.DeliveryError{RetryAfter: unauthorizedPause, Err: err}
	}
	return &bot.DeliveryError{Err: err}
}

// fileNote is what stands for a document on Zalo: a link to fetch it where
// the bot publishes files, else how to get it some other way.
func (b *Bot) fileNote(m bot.Outbound) (string, error) {
	lang := m.Lang
	if lang == "" {
		lang = "vi"
	}
	if b.cfg.Publish == nil {
		return i18n.T(lang, "file.elsewhere", m.Document.Name), nil
	}
	link, err := b.cfg.Publish(*m.Document, m.Chat)
	if err != nil {
		return "", &bot.DeliveryError{Err: fmt.Errorf("zalo: keep %s for its link: %w", m.Document.Name, err)}
	}
	return i18n.T(lang, "file.link", m.Document.Name, link, int(bot.FileValidity.Hours()/24)), nil
}
