// Package zalo is the Zalo adapter: it turns Zalo Bot Platform updates
// into bot.Inbound messages and delivers bot.Outbound messages as text. It
// speaks the HTTP API with net/http alone; no client library is needed.
//
// Zalo's platform differs from Telegram's in what matters here. Reading an
// update removes it from Zalo's queue (there is no offset to confirm with),
// so the adapter stores every update in the store's inbox before it does
// anything slow, hands it on, and deletes it once handled: a crash in
// between replays it on the next start, and the handler's de-duplication
// marks make the replay harmless. There are no buttons, edits or files:
// choices go out as numbered lines (bot.Reply.NumberedText), an edit as a
// new message, and a file as its caption with a note. Inbound photos and
// voice notes are public URLs that may expire, so they are downloaded as
// they arrive and handed on as files under Config.MediaDir.
package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// Platform is the address prefix of Zalo chats and users ("zalo:6ede9afa").
const Platform = "zalo"

// DefaultAPIBase is Zalo's own Bot API.
const DefaultAPIBase = "https://bot-api.zaloplatforms.com"

// DefaultMaxDownload is the largest photo or voice note downloaded.
const DefaultMaxDownload = 10 << 20

// The modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// maxReply caps what is read of one API reply.
const maxReply = 4 << 20

// Config configures a Bot.
type Config struct {
	Token string
	// APIBase is where requests go, as <APIBase>/bot<token>/<method>
	// (default DefaultAPIBase).
	APIBase string
	// Mode is how updates arrive: ModePolling (the default: getUpdates,
	// no public address needed) or ModeWebhook (Zalo POSTs them to
	// WebhookHandler, once SetWebhook has registered its URL).
	Mode string
	// PollTimeout is the long poll's timeout (default 30s).
	PollTimeout time.Duration
	// WebhookSecret is the secret token Zalo sends with every webhook
	// delivery, 8 to 256 characters; required in webhook mode.
	WebhookSecret string
	Handler       bot.Handler
	Store         bot.Store
	Log           *slog.Logger
	// PerSecond is how many messages a second the bot may send overall; 0
	// means no cap. Zalo publishes no figure.
	PerSecond float64
	// ChatLimit is how fast the bot sends to one chat (default a burst of
	// 3, then one a second). NoChatLimits turns it off, for tests and the
	// offline demo.
	ChatLimit    bot.RateLimit
	NoChatLimits bool
	// Conns is how many connections to keep alive for sending (default
	// 16, the sender's lanes).
	Conns int
	// MaxDownload caps a downloaded photo or voice note (default
	// DefaultMaxDownload).
	MaxDownload int64
	// MediaDir is where downloaded photos and voice notes are kept, by
	// content hash. Empty: nothing is downloaded and Zalo's URLs, which
	// may expire, are handed on.
	MediaDir string
	// Notify, if set, is called after the adapter queued an answer of its
	// own in the outbox (to a message Zalo withheld), to wake the sender.
	Notify func()
	// Publish, if set, keeps a document (an export, a summary's CSV or
	// chart) for chat and returns the link to fetch it: Zalo cannot send
	// files. Without it the document's caption says how to get the file.
	Publish func(doc bot.Document, chat bot.Address) (string, error)
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// MinBackoff and MaxBackoff bound the wait after errors (default 1s, 1m).
	MinBackoff, MaxBackoff time.Duration
	// OnPoll, if set, is called after each poll that Zalo answered, with
	// updates or idle (408): the adapter is alive and reaches it. Webhook
	// mode does not poll and never calls it.
	OnPoll func()
}

// Bot is a Zalo adapter. It implements bot.Transport and bot.Joiner.
type Bot struct {
	cfg     Config
	id      string // the bot's own user id, from getMe
	account string // its account_name, for its link

	api   *http.Client // sends and small calls
	poll  *http.Client // long polls
	media *http.Client // downloads

	webhook atomic.Bool   // updates arrive through WebhookHandler
	wake    chan struct{} // something was put in the inbox, or the mode changed

	mu         sync.Mutex
	pollCancel context.CancelFunc // ends the long poll in flight
	progress   map[string]int     // parts of a split message already sent
}

var (
	_ bot.Transport = (*Bot)(nil)
	_ bot.Joiner    = (*Bot)(nil)
)

// ErrUnauthorized is what an error answers errors.Is for when Zalo refused
// the token (401).
var ErrUnauthorized = errors.New("zalo: the token was refused (401): check zalo.token")

// APIError is an error Zalo answered with: the method, Zalo's error_code
// and its description, the token removed.
type APIError struct {
	Method      string
	Code        int
	Description string
	// RetryAfter is the pause Zalo asked for, if it gave one.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("zalo: %s: error %d: %s", e.Method, e.Code, e.Description)
}

// New checks cfg, connects (getMe) and returns the adapter; Run then
// receives updates. A refused token (401) stops it with an error that says
// so and names zalo.token. Errors never contain the token.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if err := defaults(&cfg); err != nil {
		return nil, err
	}
	// The sender's lanes call at once: keep a connection alive for each,
	// rather than the default two a host, and spare the handshakes.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost, tr.MaxIdleConns = cfg.Conns, 2*cfg.Conns
	b := &Bot{
		cfg:      cfg,
		api:      &http.Client{Timeout: 30 * time.Second, Transport: tr},
		poll:     &http.Client{Timeout: cfg.PollTimeout + 15*time.Second},
		media:    &http.Client{Timeout: time.Minute},
		wake:     make(chan struct{}, 1),
		progress: map[string]int{},
	}
	b.webhook.Store(cfg.Mode == ModeWebhook)
	raw, err := b.call(ctx, b.api, "getMe", nil)
	if err != nil {
		return nil, b.connectError(err)
	}
	var me struct {
		ID          flexString `json:"id"`
		AccountName string     `json:"account_name"`
	}
	if err := json.Unmarshal(raw, &me); err != nil || me.ID == "" {
		return nil, errors.New("zalo: getMe: the reply has no bot id")
	}
	b.id, b.account = string(me.ID), me.AccountName
	if cfg.MediaDir == "" {
		cfg.Log.Warn("zalo: no media directory: photos and voice notes are kept as Zalo's URLs, which may expire")
	}
	return b, nil
}

func defaults(cfg *Config) error {
	switch {
	case cfg.Token == "":
		return errors.New("zalo: no token (zalo.token)")
	case cfg.Handler == nil || cfg.Store == nil:
		return errors.New("zalo: a handler and a store are needed")
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModePolling
	case ModePolling:
	case ModeWebhook:
		if n := len(cfg.WebhookSecret); n < 8 || n > 256 {
			return errors.New("zalo: webhook mode needs a webhook secret of 8 to 256 characters")
		}
	default:
		return fmt.Errorf("zalo: mode %q is neither %q nor %q", cfg.Mode, ModePolling, ModeWebhook)
	}
	if cfg.Conns <= 0 {
		cfg.Conns = 16
	}
	cfg.APIBase = strings.TrimRight(cfg.APIBase, "/")
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.MaxDownload <= 0 {
		cfg.MaxDownload = DefaultMaxDownload
	}
	if cfg.ChatLimit.Every <= 0 {
		cfg.ChatLimit = bot.RateLimit{Burst: 3, Every: time.Second}
	}
	cfg.PerSecond = max(cfg.PerSecond, 0)
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(time.Minute, cfg.MinBackoff)
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
	return nil
}

// connectError is what New returns for a failed getMe.
func (b *Bot) connectError(err error) error {
	if errors.Is(err, ErrUnauthorized) {
		return err
	}
	return fmt.Errorf("zalo: connect: %w", err)
}

// ID is the bot's own Zalo user id, from getMe.
func (b *Bot) ID() string { return b.id }

// AccountName is the bot's account_name, from getMe ("bot.VDKyGxQvc").
func (b *Bot) AccountName() string { return b.account }

// ChatLink is the link that opens a chat with the bot, for printed
// invites (its QR code is the same link): https://zalo.me/<account_name>.
func (b *Bot) ChatLink() string { return ChatLink(b.account) }

// ChatLink is the link that opens a chat with the bot named accountName,
// "" when it is not known. The command line uses it while the bot is
// stopped.
func ChatLink(accountName string) string {
	if accountName == "" {
		return ""
	}
	return "https://zalo.me/" + url.PathEscape(accountName)
}

// JoinLink implements bot.Joiner: Zalo's links carry no parameter, so an
// invite code is typed as the first message.
func (b *Bot) JoinLink(string) string { return "" }

// PerSecond implements bot.Transport: Config.PerSecond.
func (b *Bot) PerSecond() float64 { return b.cfg.PerSecond }

// ChatLimit implements bot.Transport: Config.ChatLimit, modest, as Zalo
// publishes no figure.
func (b *Bot) ChatLimit(bot.Address) bot.RateLimit {
	if b.cfg.NoChatLimits {
		return bot.RateLimit{}
	}
	return b.cfg.ChatLimit
}

func addr(id string) bot.Address { return bot.NewAddress(Platform, id) }

// call makes one API call, a POST with a JSON body, and returns the
// result of a successful reply. The reply's envelope is read whatever the
// HTTP status, since Zalo answers errors with 200 as well as with the
// error's own status. Errors are redacted: a transport error, a reply that
// is not the API's, or an *APIError, which 401 also makes answer
// errors.Is(err, ErrUnauthorized).
func (b *Bot) call(ctx context.Context, c *http.Client, method string, params any) (json.RawMessage, error) {
	body := []byte("{}")
	if params != nil {
		var err error
		if body, err = json.Marshal(params); err != nil {
			return nil, fmt.Errorf("zalo: %s: %w", method, err)
		}
	}
	endpoint := b.cfg.APIBase + "/bot" + url.PathEscape(b.cfg.Token) + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, b.redact(fmt.Errorf("zalo: %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, b.redact(fmt.Errorf("zalo: %s: %w", method, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if err != nil {
		return nil, b.redact(fmt.Errorf("zalo: %s: read the reply: %w", method, err))
	}
	return b.parseReply(method, resp.StatusCode, data)
}

// envelope is the API's reply.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   flexInt         `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter flexInt `json:"retry_after"`
	} `json:"parameters"`
}

func (b *Bot) parseReply(method string, status int, data []byte) (json.RawMessage, error) {
	var env envelope
	decodeErr := json.Unmarshal(data, &env)
	if len(data) > maxReply {
		decodeErr = errors.New("too long")
	}
	if decodeErr != nil || (!env.OK && env.ErrorCode == 0 && env.Description == "") {
		// Not the API's envelope: a proxy's error page, a cut reply. The
		// decoding error is not kept: it quotes the body.
		if status >= 400 {
			return nil, b.apiError(&APIError{Method: method, Code: status, Description: "HTTP " + strconv.Itoa(status) + " without the API's reply"})
		}
		return nil, fmt.Errorf("zalo: %s: the reply (HTTP %d, %d bytes) is not the API's", method, status, len(data))
	}
	if env.OK {
		return env.Result, nil
	}
	code := int(env.ErrorCode)
	if code == 0 {
		code = status
	}
	ae := &APIError{Method: method, Code: code, Description: env.Description, RetryAfter: time.Duration(env.Parameters.RetryAfter) * time.Second}
	return nil, b.apiError(ae)
}

// apiError redacts ae; a 401 also answers errors.Is for ErrUnauthorized.
func (b *Bot) apiError(ae *APIError) error {
	ae.Description = b.scrub(ae.Description)
	if ae.Code != http.StatusUnauthorized {
		return b.redact(ae)
	}
	return b.redact(unauthorized{ae})
}

// unauthorized is a 401: the token is wrong, or was reset in Zalo Bot
// Creator.
type unauthorized struct{ ae *APIError }

func (u unauthorized) Error() string {
	return fmt.Sprintf("zalo: %s: the token was refused (error %d: %s): check zalo.token", u.ae.Method, u.ae.Code, u.ae.Description)
}

func (u unauthorized) Is(target error) bool { return target == ErrUnauthorized }
func (u unauthorized) Unwrap() error        { return u.ae }

// asAPIError returns the *APIError in err, nil if there is none.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// redacted is an error whose text has the token removed. It does not
// unwrap to the original, whose text (a *url.Error, a *net.OpError)
// contains the token; it answers errors.Is for its chain, and errors.As
// only for *APIError, with a copy scrubbed of the token like the rest.
type redacted struct {
	msg string
	err error
	api *APIError // scrubbed; nil when err holds none
}

func (r *redacted) Error() string        { return r.msg }
func (r *redacted) Is(target error) bool { return errors.Is(r.err, target) }

// GoString keeps %#v from printing the original.
func (r *redacted) GoString() string { return fmt.Sprintf("&zalo.redacted{msg:%q}", r.msg) }

func (r *redacted) As(target any) bool {
	p, ok := target.(**APIError)
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
	if r, ok := err.(*redacted); ok {
		return r
	}
	r := &redacted{msg: b.scrub(err.Error()), err: err}
	var ae *APIError
	if errors.As(err, &ae) {
		c := *ae
		c.Description = b.scrub(c.Description)
		r.api = &c
	}
	return r
}

// scrub removes the token from s, also as it appears escaped in a URL,
// and its secret half on its own.
func (b *Bot) scrub(s string) string {
	t := b.cfg.Token
	if t == "" {
		return s
	}
	forms := []string{t, url.PathEscape(t), url.QueryEscape(t)}
	if _, secret, found := strings.Cut(t, ":"); found && len(secret) >= 8 {
		forms = append(forms, secret, url.PathEscape(secret), url.QueryEscape(secret))
	}
	for _, form := range forms {
		s = strings.ReplaceAll(s, form, "<token>")
	}
	return s
}

// flexString is an id Zalo sends as a string, read from a number too.
type flexString string

func (f *flexString) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("not a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// flexInt is a number Zalo sends as a number or as a string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(data []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(data); err != nil {
		if string(data) == "null" {
			return nil
		}
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil {
		return fmt.Errorf("not a number")
	}
	*f = flexInt(n)
	return nil
}

// flexBool is a flag Zalo sends as a boolean, read from a string too.
type flexBool bool

func (f *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(strings.ToLower(string(data)), `"`) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}
