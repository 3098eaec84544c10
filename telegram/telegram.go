// Package telegram is the Telegram adapter: it turns Bot API updates into
// bot.Inbound messages and delivers bot.Outbound messages. It is the only
// package that imports the Telegram client library.
//
// It runs its own getUpdates loop instead of the library's channel, because
// the channel confirms updates before they are handled and spins or sleeps
// blindly on errors. Here an update is confirmed to Telegram only after its
// effects are committed, and the handler's de-duplication marks make a
// batch that comes back after a crash harmless.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
)

// Platform is the address prefix of Telegram chats and users.
const Platform = "telegram"

// DefaultEndpoint is Telegram's own Bot API.
const DefaultEndpoint = tgbotapi.APIEndpoint

// offsetKey is where the adapter keeps its offset, as JSON, with the
// store's Meta. It is the key and the shape earlier versions had the store
// keep it under, so a store from before the adapter kept its own offset
// resumes where it was.
const offsetKey = "offset:" + Platform

// offset is where the long poll resumes: Next is the first update id not
// yet confirmed; LastUpdate is when an update last arrived, because
// Telegram may restart ids from a random value after a quiet week.
type offset struct {
	Next       int64     `json:"next"`
	LastUpdate time.Time `json:"last_update"`
}

// readOffset returns the stored offset, the zero one when there is none.
// One that cannot be decoded is logged and replaced by the zero one: a
// fresh start only makes Telegram offer the unconfirmed updates again,
// which the handler's de-duplication marks skip.
func (b *Bot) readOffset(tx bot.Tx) (offset, error) {
	var off offset
	v, err := tx.Meta(offsetKey)
	if bot.IsNotFound(err) {
		return off, nil
	} else if err != nil {
		return off, err
	}
	if err := json.Unmarshal([]byte(v), &off); err != nil {
		b.cfg.Log.Error("telegram: the stored offset cannot be decoded; polling from the unconfirmed updates", "err", err)
		return offset{}, nil
	}
	return off, nil
}

func putOffset(tx bot.Tx, off offset) error {
	v, err := json.Marshal(off)
	if err != nil {
		return err
	}
	return tx.PutMeta(offsetKey, string(v))
}

// quietReset is how long without updates after which the stored offset is
// not trusted: Telegram may then restart update ids from a random value,
// possibly below it, and polling from it would confirm the new updates
// unseen.
const quietReset = 6 * 24 * time.Hour

// Config configures a Bot.
type Config struct {
	Token string
	// Endpoint is a format string taking the token and the method,
	// default DefaultEndpoint.
	Endpoint string
	// PollTimeout is the long-poll timeout (default 30s).
	PollTimeout time.Duration
	Handler     bot.Handler
	Store       bot.Store
	Log         *slog.Logger
	// Workers is how many chats are handled at once (default 8).
	Workers int
	// MinBackoff and MaxBackoff bound the wait after errors (default 1s, 1m).
	MinBackoff, MaxBackoff time.Duration
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Commands, if set, are published as the bot's command menu.
	Commands []bot.MenuCommand
	// ChatLimit and GroupLimit are how fast the bot may send to one private
	// chat and to one group (default: a burst of 3 then one a second; 20 a
	// minute), after Telegram's published limits. NoChatLimits turns them
	// off, for tests and the offline demo.
	ChatLimit, GroupLimit bot.RateLimit
	NoChatLimits          bool
	// PerSecond is how many messages a second the bot may send overall
	// (default DefaultPerSecond, or no cap with NoChatLimits); negative
	// means no cap.
	PerSecond float64
	// OnPoll, if set, is called after each poll that Telegram answered,
	// with updates or without: the adapter is alive and reaches it.
	OnPoll func()
	// Conns is how many connections to keep alive for sending (default
	// 16): at least as many as the sender's lanes.
	Conns int
}

// DefaultPerSecond is Telegram's published overall limit on a bot's sends,
// about 30 messages a second.
const DefaultPerSecond = 30

// api is the part of the client library the adapter uses.
type api interface {
	Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
	Send(c tgbotapi.Chattable) (tgbotapi.Message, error)
	GetFile(config tgbotapi.FileConfig) (tgbotapi.File, error)
}

// Bot is a running Telegram adapter. It implements bot.Transport and
// bot.Joiner.
type Bot struct {
	cfg Config
	// poll is bound to the context given to New, so that shutting down ends
	// a long poll at once; send is not, so that a message in flight at
	// shutdown is finished and recorded rather than cut and sent again.
	poll, send api
	username   string

	lanes lanes
	sem   chan struct{} // Workers: updates handled at once
}

var (
	_ bot.Transport = (*Bot)(nil)
	_ bot.Joiner    = (*Bot)(nil)
)

// ctxClient attaches a context to every request, because the library sends
// none: cancelling it ends a long poll at once on shutdown.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

// New connects (getMe) and returns the adapter. Requests are cancelled when
// ctx ends. Errors never contain the token.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = bot.Sleep
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ChatLimit.Every == 0 {
		cfg.ChatLimit = bot.RateLimit{Burst: 3, Every: time.Second}
	}
	if cfg.GroupLimit.Every == 0 {
		cfg.GroupLimit = bot.RateLimit{Burst: 20, Every: 3 * time.Second}
	}
	if cfg.Conns <= 0 {
		cfg.Conns = 16
	}
	switch {
	case cfg.PerSecond < 0:
		cfg.PerSecond = 0
	case cfg.PerSecond == 0 && !cfg.NoChatLimits:
		cfg.PerSecond = DefaultPerSecond
	}
	client := ctxClient{ctx: ctx, c: &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}}
	b := &Bot{cfg: cfg, sem: make(chan struct{}, cfg.Workers)}
	lib, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, client)
	if err != nil {
		return nil, fmt.Errorf("telegram: connect: %w", b.redact(err))
	}
	sendLib := *lib
	// Kept-alive connections for as many sends as the sender's lanes make
	// at once: the default two a host would have the lanes dial again and
	// again, each a TLS handshake of several round trips from Vietnam.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost, tr.MaxIdleConns = cfg.Conns, 2*cfg.Conns
	sendLib.Client = &http.Client{Timeout: 60 * time.Second, Transport: tr} // uploads included
	b.poll, b.send, b.username = lib, &sendLib, lib.Self.UserName
	if len(cfg.Commands) > 0 {
		cmds := make([]tgbotapi.BotCommand, 0, len(cfg.Commands))
		for _, c := range cfg.Commands {
			cmds = append(cmds, tgbotapi.BotCommand{Command: c.Name, Description: c.Description})
		}
		if _, err := b.send.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
			cfg.Log.Warn("telegram: set command menu", "err", b.redact(err))
		}
	}
	return b, nil
}

// Username is the bot's @username, from getMe.
func (b *Bot) Username() string { return b.username }

// Run polls for updates and hands them to the handler until ctx ends; it
// then returns nil. Updates of one chat are handled in order, chats in
// parallel. A batch is confirmed (the offset stored and sent to Telegram
// with the next poll) only when every update in it was handled.
func (b *Bot) Run(ctx context.Context) error {
	p := polling{confirmed: true}
	if err := b.cfg.Store.View(func(tx bot.Tx) (err error) { p.off, err = b.readOffset(tx); return }); err != nil {
		return fmt.Errorf("telegram: read offset: %w", err)
	}
	defer b.lanes.wg.Wait() // what is in hand is finished, or kept for the next start
	if err := b.replay(ctx); err != nil {
		return err
	}
	for ctx.Err() == nil {
		if !b.pollOnce(ctx, &p) {
			break
		}
	}
	return nil
}

// polling is what Run carries from one poll to the next.
type polling struct {
	off                       offset
	failBackoff, emptyBackoff time.Duration
	pruned                    time.Time // when old delivery marks were last forgotten
	// confirmed is false between handling a batch and the poll that
	// confirms it: that poll must carry the offset, however old.
	confirmed bool
}

// pollOnce polls, handles the batch and confirms it, or waits after a
// failure or an early empty answer. It returns false when Run must stop.
func (b *Bot) pollOnce(ctx context.Context, p *polling) bool {
	req := tgbotapi.UpdateConfig{Limit: 100, Timeout: int(b.cfg.PollTimeout / time.Second)}
	if p.off.Next != 0 && (!p.confirmed || b.cfg.Now().Sub(p.off.LastUpdate) < quietReset) {
		req.Offset = int(p.off.Next)
	}
	start := time.Now()
	updates, raws, ids, err := b.getUpdates(req)
	switch {
	case ctx.Err() != nil:
		return false
	case err != nil:
		return b.pollFailed(ctx, p, err)
	}
	p.failBackoff = 0
	if b.cfg.OnPoll != nil {
		b.cfg.OnPoll()
	}
	p.confirmed = p.confirmed || req.Offset != 0
	if len(ids) == 0 {
		return b.emptyPoll(ctx, p, start)
	}
	p.emptyBackoff = 0
	if err := b.handleBatch(ctx, updates, raws); err != nil {
		return b.batchFailed(ctx, p, err)
	}
	if ctx.Err() != nil {
		// Stopped after the batch was committed: it stays unconfirmed,
		// comes back on the next start and is skipped by its marks.
		return false
	}
	b.confirm(p, req.Offset, ids)
	return true
}

// pollFailed waits after a failed poll: as long as Telegram asks, else
// the growing backoff.
func (b *Bot) pollFailed(ctx context.Context, p *polling, err error) bool {
	p.failBackoff = grow(p.failBackoff, b.cfg.MinBackoff, b.cfg.MaxBackoff)
	wait := p.failBackoff
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.RetryAfter > 0 {
		wait = time.Duration(te.RetryAfter) * time.Second
	}
	b.cfg.Log.Warn("telegram: getUpdates failed", "err", b.redact(err), "retry_in", wait)
	return b.cfg.Sleep(ctx, wait) == nil
}

// emptyPoll follows a poll that brought nothing, begun at start.
func (b *Bot) emptyPoll(ctx context.Context, p *polling, start time.Time) bool {
	// A server that answers an empty poll long before the timeout does
	// not long-poll; wait rather than spin against it.
	if time.Since(start) >= b.cfg.PollTimeout/2 {
		p.emptyBackoff = 0
		return true
	}
	p.emptyBackoff = grow(p.emptyBackoff, b.cfg.MinBackoff/4, b.cfg.MaxBackoff/4)
	return b.cfg.Sleep(ctx, p.emptyBackoff) == nil
}

// batchFailed waits after a batch that was not all handled: it is left
// unconfirmed, to be offered again.
func (b *Bot) batchFailed(ctx context.Context, p *polling, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	p.failBackoff = grow(p.failBackoff, b.cfg.MinBackoff, b.cfg.MaxBackoff)
	b.cfg.Log.Error("telegram: handling a batch failed; it will be offered again", "err", err, "retry_in", p.failBackoff)
	return b.cfg.Sleep(ctx, p.failBackoff) == nil
}

// confirm stores the offset past the batch of ids just handled, for the
// next poll to send (polled is the offset the batch was asked from, 0 for
// none); at most once an hour it also forgets the delivery marks too old
// to match again.
func (b *Bot) confirm(p *polling, polled int, ids []int64) {
	next := p.off.Next
	for _, id := range ids {
		next = max(next, id+1)
	}
	if polled == 0 {
		// Ids may have restarted lower: confirm exactly this batch.
		next = ids[len(ids)-1] + 1
	}
	now := b.cfg.Now()
	p.off, p.confirmed = offset{Next: next, LastUpdate: now}, false
	prune := now.Sub(p.pruned) > time.Hour
	// A batch of the store's: the offset shares the handlers' commit. It
	// may run twice, writing the same.
	err := b.cfg.Store.Batch(func(tx bot.Tx) error {
		if err := putOffset(tx, p.off); err != nil {
			return err
		}
		if !prune {
			return nil
		}
		// Telegram keeps an unconfirmed update for 24 hours; marks
		// older than that can never match again.
		return tx.ForgetSeen(now.Add(-72 * time.Hour))
	})
	if err == nil && prune {
		p.pruned = now
	}
	if err != nil {
		b.cfg.Log.Error("telegram: store offset", "err", err)
	}
}

// getUpdates polls once. It decodes each update on its own, rather than
// the batch at once as the library does, so that one it cannot decode (a
// field whose type Telegram changed, say) is skipped and confirmed instead
// of failing the batch on every poll. ids are the update ids of the whole
// batch, in order, skipped ones included.
func (b *Bot) getUpdates(req tgbotapi.UpdateConfig) (updates []tgbotapi.Update, decoded []json.RawMessage, ids []int64, err error) {
	resp, err := b.poll.Request(req)
	if err != nil {
		return nil, nil, nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, nil, nil, fmt.Errorf("telegram: getUpdates: the result is not a list of updates: %w", err)
	}
	for _, raw := range raws {
		// One pass for the update and whether it has its id: the ids of the
		// outer struct win over the embedded update's.
		var probe struct {
			ID *int64 `json:"update_id"`
			tgbotapi.Update
		}
		err := json.Unmarshal(raw, &probe)
		if err == nil && probe.ID != nil {
			u := probe.Update
			u.UpdateID = int(*probe.ID)
			updates, decoded, ids = append(updates, u), append(decoded, raw), append(ids, *probe.ID)
			continue
		}
		// Undecodable: a second look, for the log and the id.
		var fields map[string]json.RawMessage
		var id int64
		idErr := errors.New("no update_id")
		if json.Unmarshal(raw, &fields) == nil {
			if v, ok := fields["update_id"]; ok {
				idErr = json.Unmarshal(v, &id)
			}
		}
		if err == nil && idErr != nil {
			err = idErr
		}
		// Log where decoding failed, never the update's content.
		kinds := make([]string, 0, len(fields))
		for k := range fields {
			if k != "update_id" {
				kinds = append(kinds, k)
			}
		}
		sort.Strings(kinds)
		attrs := []any{"kind", strings.Join(kinds, ",")}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			attrs = append(attrs, "field", te.Field, "want", te.Type.String())
		}
		if idErr != nil {
			// Without its id it cannot be confirmed by itself; the next
			// update's id confirms it.
			b.cfg.Log.Error("telegram: update skipped: no update id", attrs...)
			continue
		}
		ids = append(ids, id)
		b.cfg.Log.Warn("telegram: update skipped: it cannot be decoded", append([]any{"update", id}, attrs...)...)
	}
	return updates, decoded, ids, nil
}

func grow(d, lo, hi time.Duration) time.Duration {
	return min(max(2*d, lo), hi)
}

// convert turns u into an Inbound; ok is false when the bot does not use
// it. Nothing in an update, however malformed, stops the bot.
func (b *Bot) convert(u tgbotapi.Update) (in bot.Inbound, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			b.cfg.Log.Error("telegram: update dropped after a panic", "update", u.UpdateID, "panic", p)
			in, ok = bot.Inbound{}, false
		}
	}()
	in, why := inbound(u, b.username)
	if why != "" {
		b.cfg.Log.Debug("telegram: update ignored", "update", u.UpdateID, "why", why)
		return bot.Inbound{}, false
	}
	return in, true
}

func (b *Bot) handleOne(ctx context.Context, in bot.Inbound) (err error) {
	defer func() {
		// The dispatcher contains its own panics; this guards the edge, so
		// that no update, however malformed, stops the bot.
		if p := recover(); p != nil {
			b.cfg.Log.Error("telegram: update dropped after a panic", "update", in.UpdateKey, "panic", p)
			err = nil
		}
	}()
	ack, err := b.cfg.Handler.Handle(ctx, in)
	if in.IsCallback() {
		// Always answer, or the button keeps spinning on the phone.
		if _, aerr := b.send.Request(tgbotapi.NewCallback(in.CallbackID, ack.Text)); aerr != nil {
			b.cfg.Log.Warn("telegram: answer callback", "err", b.redact(aerr))
		}
	}
	return err
}

func addr(id int64) bot.Address { return bot.NewAddress(Platform, strconv.FormatInt(id, 10)) }

// inbound converts an update into the neutral message, for the bot whose
// username is me. "/start CODE" (from a t.me link carrying an invite)
// becomes the JoinCode CODE with no text; a bare "/start" becomes the help,
// "/trogiup". why, when not empty, says why the bot does not use the
// update: a kind it has no use for (edits, channel posts, member changes),
// a sender that is a bot or missing, a service message (a join, a pin, a
// new title), a command addressed to another bot.
func inbound(u tgbotapi.Update, me string) (in bot.Inbound, why string) {
	switch {
	case u.Message != nil:
		m := u.Message
		switch {
		case m.Chat == nil:
			return in, "no chat"
		case m.From == nil:
			return in, "no sender"
		case m.From.IsBot:
			return in, "sent by a bot"
		case !hasContent(m):
			return in, "service message"
		}
		in = bot.Inbound{
			// Message ids never restart within a chat, unlike update ids.
			UpdateKey: fmt.Sprintf("%s:m:%d:%d", Platform, m.Chat.ID, m.MessageID),
			Chat:      addr(m.Chat.ID),
			From:      addr(m.From.ID),
			GroupChat: shared(m.Chat),
			Name:      strings.TrimSpace(vntext.NFC(m.From.FirstName + " " + m.From.LastName)),
			LangHint:  m.From.LanguageCode,
			Text:      vntext.NFC(capText(m.Text)),
			Photo:     largestPhoto(m.Photo),
			Location:  pin(m.Location),
		}
		if m.Document != nil {
			in.Document, in.DocumentName = m.Document.FileID, m.Document.FileName
			in.Text = vntext.NFC(capText(m.Caption))
		}
		if m.Voice != nil {
			in.Voice, in.Seconds = m.Voice.FileID, m.Voice.Duration
		}
		text, mine := addressed(in.Text, me)
		if !mine {
			return bot.Inbound{}, "a command for another bot"
		}
		in.Text = text
		if code, ok := startParameter(text); ok && m.Text != "" {
			// The start parameter of a t.me link is how a person presents an
			// invite on Telegram; a bare /start, sent when someone first
			// opens the bot, asks what it does.
			in.JoinCode, in.Text = code, ""
			if code == "" {
				in.Text = "/trogiup"
			}
		}
		return in, ""
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		switch {
		case q.From == nil:
			return in, "no sender"
		case q.From.IsBot:
			return in, "pressed by a bot"
		}
		in = bot.Inbound{
			UpdateKey:  fmt.Sprintf("%s:cb:%s", Platform, q.ID),
			Chat:       addr(q.From.ID),
			From:       addr(q.From.ID),
			Name:       strings.TrimSpace(vntext.NFC(q.From.FirstName + " " + q.From.LastName)),
			LangHint:   q.From.LanguageCode,
			Callback:   q.Data,
			CallbackID: q.ID,
		}
		if q.Message != nil && q.Message.Chat != nil {
			in.Chat = addr(q.Message.Chat.ID)
			in.GroupChat = shared(q.Message.Chat)
			in.MessageID = strconv.Itoa(q.Message.MessageID)
		}
		return in, ""
	}
	return in, "a kind of update the bot does not use"
}

// hasContent reports whether m is something a person sent, rather than a
// service message (a join or a leave, a new title or photo, a pin, a
// group's migration, a video chat, and kinds Telegram adds later). Content
// the bot cannot read (a sticker, a voice note) still counts, so that the
// person hears that the bot wants text.
func hasContent(m *tgbotapi.Message) bool {
	return m.Text != "" || m.Caption != "" || len(m.Photo) > 0 || m.Document != nil || m.Location != nil ||
		m.Sticker != nil || m.Voice != nil || m.Audio != nil || m.Video != nil || m.VideoNote != nil ||
		m.Animation != nil || m.Contact != nil
}

// addressed returns text with a command's "@username" removed when it
// names the bot whose username is me (in any case), as "/cmd@me arg"
// becomes "/cmd arg"; mine is false when it names another bot, as
// "/cmd@otherbot" in a group does. Text that is no command is kept.
func addressed(text, me string) (_ string, mine bool) {
	if !strings.HasPrefix(text, "/") {
		return text, true
	}
	head, rest := text, ""
	if i := strings.IndexAny(text, " \t\n"); i >= 0 {
		head, rest = text[:i], text[i:]
	}
	cmd, name, found := strings.Cut(head, "@")
	switch {
	case !found:
		return text, true
	case me == "" || !strings.EqualFold(name, me):
		return "", false
	}
	return cmd + rest, true
}

// startParameter reports whether text is a /start command (its
// "@username" already removed) and returns what follows it: the start
// parameter of a t.me/<bot>?start=<code> link, or "" for a bare /start.
func startParameter(text string) (code string, ok bool) {
	head, rest := text, ""
	if i := strings.IndexAny(text, " \t\n"); i >= 0 {
		head, rest = text[:i], text[i:]
	}
	if !strings.EqualFold(head, "/start") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// JoinLink is the link that opens a chat with the bot whose username is
// username and presents code, as /start code: an invite to print or send.
// The command line uses it to print invites while the bot is stopped.
func JoinLink(username, code string) string {
	return "https://t.me/" + username + "?start=" + url.QueryEscape(code)
}

// JoinLink implements bot.Joiner.
func (b *Bot) JoinLink(code string) string { return JoinLink(b.username, code) }

// shared reports whether several people are in the chat: a group, a
// supergroup or a channel.
func shared(c *tgbotapi.Chat) bool {
	switch c.Type {
	case "group", "supergroup", "channel":
		return true
	}
	return false
}

// maxDownload is the largest file the bot fetches (an area file is small).
const maxDownload = 1 << 20

// Download fetches a file a user sent, by its file id: getFile, then the
// file from the same server (the endpoint's "bot" part becomes "file/bot").
func (b *Bot) Download(ctx context.Context, fileID string) ([]byte, error) {
	f, err := b.send.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("telegram: get file: %w", b.redact(err))
	}
	if f.FileSize > maxDownload {
		return nil, fmt.Errorf("telegram: the file is %d bytes, more than %d", f.FileSize, maxDownload)
	}
	url := fmt.Sprintf(strings.Replace(b.cfg.Endpoint, "/bot%s/", "/file/bot%s/", 1), b.cfg.Token, f.FilePath)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", b.redact(err))
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", b.redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", b.redact(err))
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("telegram: the file is more than %d bytes", maxDownload)
	}
	return data, nil
}

// largestPhoto returns the file id of the largest size of a photo.
func largestPhoto(sizes []tgbotapi.PhotoSize) string {
	best := -1
	for i, p := range sizes {
		if best < 0 || p.Width*p.Height > sizes[best].Width*sizes[best].Height {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return sizes[best].FileID
}

func pin(l *tgbotapi.Location) string {
	if l == nil {
		return ""
	}
	return strconv.FormatFloat(l.Latitude, 'f', 5, 64) + "," + strconv.FormatFloat(l.Longitude, 'f', 5, 64)
}

// PerSecond is how many messages a second the sender must stay under,
// overall, for this bot on Telegram; 0 means no overall cap.
func (b *Bot) PerSecond() float64 { return b.cfg.PerSecond }

// ChatLimit implements bot.Transport: groups (negative ids) are slower.
func (b *Bot) ChatLimit(chat bot.Address) bot.RateLimit {
	if b.cfg.NoChatLimits {
		return bot.RateLimit{}
	}
	if strings.HasPrefix(chat.ID(), "-") {
		return b.cfg.GroupLimit
	}
	return b.cfg.ChatLimit
}

// maxCaption is Telegram's limit on a document's caption, in UTF-16 code
// units.
const maxCaption = 1024

// maxText is Telegram's limit on one message, in UTF-16 code units.
const maxText = 4096

// Deliver implements bot.Transport. A text longer than one message goes as
// several, the buttons under the last; a caption longer than Telegram takes
// goes on in messages after the document; an edit longer than one message
// becomes new messages, and the edited one loses its buttons.
func (b *Bot) Deliver(ctx context.Context, m bot.Outbound) error {
	chat, err := strconv.ParseInt(m.Chat.ID(), 10, 64)
	if err != nil {
		return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("telegram: bad chat id %q", m.Chat)}
	}
	switch m.Op {
	case bot.OpClearButtons:
		id, err := strconv.Atoi(m.MessageID)
		if err != nil {
			return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("telegram: bad message id %q", m.MessageID)}
		}
		return b.clearButtons(chat, id)
	case bot.OpEdit:
		id, err := strconv.Atoi(m.MessageID)
		if err != nil {
			return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("telegram: bad message id %q", m.MessageID)}
		}
		if vntext.UTF16Len(m.Text) <= maxText {
			edit := tgbotapi.NewEditMessageTextAndMarkup(chat, id, m.Text, keyboard(m.Choices))
			_, err = b.send.Request(edit)
			return b.classify(err)
		}
		// Too long for one message: the text goes as new messages, and
		// the old one keeps no buttons to press.
		if err := b.clearButtons(chat, id); err != nil {
			var de *bot.DeliveryError
			if errors.As(err, &de) && de.RetryAfter > 0 {
				return err
			}
			b.cfg.Log.Debug("telegram: clear the buttons of a message too long to edit", "chat", chat, "err", err)
		}
		return b.sendText(chat, m.Text, m.Choices)
	case bot.OpSend:
		if m.Document != nil {
			caption, rest := vntext.SplitFirst(m.Text, maxCaption)
			doc := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: m.Document.Name, Bytes: m.Document.Data})
			doc.Caption = caption
			if _, err := b.send.Send(doc); err != nil || rest == "" {
				return b.classify(err)
			}
			return b.sendText(chat, rest, nil)
		}
		return b.sendText(chat, m.Text, m.Choices)
	}
	return &bot.DeliveryError{Permanent: true, Err: fmt.Errorf("telegram: unknown operation %q", m.Op)}
}

// sendText sends text as one message or more, with the choices under the
// last. Earlier questions keep their buttons: clearing them would cost a
// call from the chat's budget for every answer, and a press on one is
// refused by the dispatcher anyway.
func (b *Bot) sendText(chat int64, text string, choices [][]bot.Choice) error {
	parts := Split(text, maxText)
	for i, part := range parts {
		msg := tgbotapi.NewMessage(chat, part)
		last := i == len(parts)-1
		if last && len(choices) > 0 {
			msg.ReplyMarkup = keyboard(choices)
		}
		if _, err := b.send.Send(msg); err != nil {
			return b.classify(err)
		}
	}
	return nil
}

func (b *Bot) clearButtons(chat int64, id int) error {
	edit := tgbotapi.NewEditMessageReplyMarkup(chat, id, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	_, err := b.send.Request(edit)
	return b.classify(err)
}

func keyboard(choices [][]bot.Choice) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(choices))
	for _, row := range choices {
		var r []tgbotapi.InlineKeyboardButton
		for _, c := range row {
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(c.Label, c.Value))
		}
		rows = append(rows, r)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// classify turns a library error into a *bot.DeliveryError, without the
// token.
func (b *Bot) classify(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch {
		case te.Code == http.StatusTooManyRequests:
			return &bot.DeliveryError{RetryAfter: time.Duration(max(te.RetryAfter, 1)) * time.Second, Err: b.redact(err)}
		case te.Code == http.StatusBadRequest && strings.Contains(te.Message, "message is not modified"):
			return nil
		case te.Code == http.StatusForbidden:
			// The user blocked the bot or deleted the chat.
			return &bot.DeliveryError{Permanent: true, Blocked: true, Err: b.redact(err)}
		case te.Code == http.StatusBadRequest || te.Code == http.StatusUnauthorized:
			// A request Telegram will never accept: retrying cannot help.
			return &bot.DeliveryError{Permanent: te.Code != http.StatusUnauthorized, Err: b.redact(err)}
		}
	}
	return &bot.DeliveryError{Err: b.redact(err)}
}

// redacted is an error whose text has the token removed. It does not unwrap
// to the original, whose text (a *url.Error, a *net.OpError) contains the
// token; it answers errors.Is for its chain, and errors.As only for
// *tgbotapi.Error, with a copy scrubbed of the token like the rest.
type redacted struct {
	msg string
	err error
	api *tgbotapi.Error // scrubbed; nil when err holds none
}

func (r *redacted) Error() string        { return r.msg }
func (r *redacted) Is(target error) bool { return errors.Is(r.err, target) }

// GoString keeps %#v from printing the original.
func (r *redacted) GoString() string { return fmt.Sprintf("&telegram.redacted{msg:%q}", r.msg) }

func (r *redacted) As(target any) bool {
	p, ok := target.(**tgbotapi.Error)
	if !ok || r.api == nil {
		return false
	}
	c := *r.api
	*p = &c
	return true
}

func (b *Bot) redact(err error) error {
	if err == nil {
		return nil
	}
	r := &redacted{msg: b.scrub(err.Error()), err: err}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		c := *te
		c.Message = b.scrub(c.Message)
		r.api = &c
	}
	return r
}

// scrub removes the token from s, also as it appears escaped in a URL.
func (b *Bot) scrub(s string) string {
	t := b.cfg.Token
	if t == "" {
		return s
	}
	for _, form := range []string{t, url.PathEscape(t), url.QueryEscape(t)} {
		s = strings.ReplaceAll(s, form, "<token>")
	}
	return s
}

// capText cuts a text far over anything Telegram sends (4,096 UTF-16
// units a message) before it is normalised, so that a forged update of a
// hundred thousand characters costs no more than a long message; what is
// kept is still refused as too long wherever a limit applies.
func capText(s string) string {
	const most = 4 * maxText // bytes: a full message of any script fits
	if len(s) <= most {
		return s
	}
	i := most
	for i > 0 && !utf8.RuneStart(s[i]) {
		i-- // back to the start of the character cut through
	}
	return s[:i]
}
