package zalo

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// SecretHeader is the header Zalo carries the webhook's secret token in.
const SecretHeader = "X-Bot-Api-Secret-Token"

// MaxWebhookBody caps a webhook delivery; an update is a few hundred bytes.
const MaxWebhookBody = 1 << 20

// WebhookHandler receives Zalo's webhook deliveries, to mount on the
// public HTTPS address given to SetWebhook. A delivery must carry the
// secret token (compared in constant time): without it the answer is 401,
// with a wrong one 403, and nothing is stored. A body over MaxWebhookBody
// is refused with 413. The body may be the bare update or wrapped in
// {"ok":true,"result":...}. An empty probe (an empty body, or a GET) is
// answered 200 and stores nothing.
//
// A delivery is answered 200 as soon as it is in the store's inbox, and
// handed on by Run, one at a time in order, as polled updates are: Zalo
// wants a fast answer, and handling may take seconds (a photo to download,
// a commit); the inbox makes it durable before the 200, so a crash after
// answering loses nothing. A duplicate delivery of an update already
// applied is answered 200 and dropped; one still waiting replaces itself.
// A store that fails is answered 500, for Zalo to deliver again.
func (b *Bot) WebhookHandler() http.Handler { return http.HandlerFunc(b.serveWebhook) }

func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		w.WriteHeader(http.StatusOK) // a probe of the address
		return
	default:
		w.Header().Set("Allow", "POST, GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength == 0 {
		w.WriteHeader(http.StatusOK) // an empty probe: nothing to keep
		return
	}
	if status := b.checkSecret(r.Header.Get(SecretHeader)); status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "body cut", http.StatusBadRequest)
		return
	}
	if err := b.accept(body); errors.Is(err, errNotUpdates) {
		b.cfg.Log.Warn("zalo: a webhook delivery dropped", "err", err)
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	} else if err != nil {
		b.cfg.Log.Error("zalo: storing a webhook delivery failed; Zalo may deliver it again", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// checkSecret returns 0 when got is the configured secret, else the status
// to refuse with: 401 when it is missing, 403 when it is wrong (or none is
// configured, when nothing is accepted). Both sides are hashed first, so
// that the comparison takes as long whatever their lengths.
func (b *Bot) checkSecret(got string) int {
	switch {
	case b.cfg.WebhookSecret == "":
		return http.StatusForbidden
	case got == "":
		return http.StatusUnauthorized
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(b.cfg.WebhookSecret))
	if subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		return http.StatusForbidden
	}
	return 0
}

// SetWebhook registers url (https) as the bot's webhook, with the
// configured secret token, and switches a running Run to it: Zalo then
// refuses getUpdates.
func (b *Bot) SetWebhook(ctx context.Context, url string) error {
	if n := len(b.cfg.WebhookSecret); n < 8 || n > 256 {
		return errors.New("zalo: a webhook needs a webhook secret of 8 to 256 characters")
	}
	if _, err := b.call(ctx, b.api, "setWebhook", map[string]string{"url": url, "secret_token": b.cfg.WebhookSecret}); err != nil {
		return err
	}
	b.webhook.Store(true)
	b.mu.Lock()
	if b.pollCancel != nil {
		b.pollCancel()
	}
	b.mu.Unlock()
	b.signal()
	return nil
}

// DeleteWebhook deletes the bot's webhook, if any, and switches a running
// Run to polling.
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	_, err := b.call(ctx, b.api, "deleteWebhook", nil)
	if ae := asAPIError(err); err != nil && (ae == nil || ae.Code != http.StatusNotFound) {
		return err
	}
	b.webhook.Store(false)
	b.signal()
	return nil
}

// WebhookInfo returns the URL of the bot's webhook, "" when none is set.
func (b *Bot) WebhookInfo(ctx context.Context) (string, error) {
	raw, err := b.call(ctx, b.api, "getWebhookInfo", nil)
	if ae := asAPIError(err); ae != nil && ae.Code == http.StatusNotFound {
		return "", nil
	} else if err != nil {
		return "", err
	}
	var info struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return "", errors.New("zalo: getWebhookInfo: the result cannot be read")
	}
	return info.URL, nil
}
