// Package fakeapi is an in-process fake of the Zalo Bot Platform API on
// 127.0.0.1, for tests and the offline demo. It speaks the wire format of
// docs.zaloplatforms.com: POST <base>/bot<token>/<method> with a JSON body
// (query and form parameters are read too), and replies in the envelope
// {"ok":true,"result":...} or {"ok":false,"error_code":N,"description":...}.
//
// It keeps Zalo's semantics where they differ from Telegram's: getUpdates
// returns ONE update and removes it from the queue as it is read (there is
// no offset to confirm with), long-polls up to its timeout (seconds, a
// number or a string) and then answers error 408 with HTTP status 408 or
// 200; a webhook excludes polling, and with one set every update is POSTed
// to it with the X-Bot-Api-Secret-Token header; a text is refused beyond
// 2,000 units. Inbound photos and voice notes are public URLs, which the
// fake serves itself (ServeFile).
//
// A test injects what users send (text, image, voice, sticker, the
// "unsupported" event of a protected account, group messages, raw JSON),
// failures (an error status, a dropped connection, a garbage body, a
// throttled method), and reads what the bot sent, per chat.
package fakeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/totuquan/totuquan/internal/fakefault"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// MaxText is the longest text sendMessage accepts. The docs say 2,000
// characters; the fake counts UTF-16 code units, the stricter reading (an
// emoji outside the Basic Multilingual Plane counts 2).
const MaxText = 2000

// SecretHeader is the header that carries the webhook's secret token.
const SecretHeader = "X-Bot-Api-Secret-Token"

// The events a user's message arrives as.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventVoice       = "message.voice.received"
	EventUnsupported = "message.unsupported.received"
)

// User is a Zalo user as the fake knows it. IDs are strings.
type User struct {
	ID    string
	Name  string // display_name
	IsBot bool
}

// Message is a message in a chat, sent by a user or by the bot.
type Message struct {
	ID      string
	Chat    string
	From    string // the sender's id; the bot's for FromBot
	FromBot bool
	Event   string // for a user's message: its event name; for the bot's: the method
	Text    string // a text, or a photo's caption
	Photo   string // the URL of a photo (sendPhoto, or a user's image)
	Voice   string // the URL of a user's voice note
	SentAt  time.Time
}

// Request is a call the bot made, as the server received it: the method
// and its parameters, each as its JSON text for a number, a boolean or an
// object, and unquoted for a string.
type Request struct {
	Method string
	Params map[string]string
	Body   []byte
}

// Options configure a Server.
type Options struct {
	// Token is the token the fake accepts, "<bot id>:<secret>"; default
	// "2718281828459045235:fakeSECRETfor-tests".
	Token string
	// AccountName is the bot's account_name; default "bot.TotuQuanTest".
	AccountName string
	// IdleStatus is the HTTP status of an idle long poll's 408 error:
	// http.StatusRequestTimeout (the default) or http.StatusOK, both seen.
	IdleStatus int
	// ErrorsAsOK makes every error envelope go with HTTP status 200, as
	// some of Zalo's replies do: a client must read the body.
	ErrorsAsOK bool
	// WrapWebhook makes webhook deliveries {"ok":true,"result":update}
	// instead of the bare update; both are seen.
	WrapWebhook bool
	// RecordRequests makes the server keep every call, for Requests.
	RecordRequests bool
	// Latency delays every API reply, as the network to Zalo's servers
	// does, so that calls overlap as they would.
	Latency time.Duration
}

type failure struct {
	status      int
	description string
	how         breakage
	match       func(params map[string]string) bool // nil: any call
}

type breakage int

const (
	answerError  breakage = iota // an error envelope
	dropConn                     // the connection closes without a reply
	garbageReply                 // 200 with a body that is not JSON
)

type file struct {
	contentType string
	data        []byte
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	opts  Options
	botID string
	ln    net.Listener
	srv   *http.Server
	hooks *http.Client // for webhook deliveries

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever state changes
	seq        int
	pending    []json.RawMessage
	messages   map[string][]*Message
	failures   map[string][]failure
	throttled  map[string]time.Time // method -> refused with 429 until
	calls      map[string]int
	requests   []Request
	files      map[string]file
	fetches    map[string]int
	webhook    string // URL, "" when none
	secret     string
	hookSetAt  time.Time
	delivered  int               // webhook deliveries answered 2xx
	hookFailed int               // webhook deliveries that failed
	duplicate  int               // next deliveries to post twice
	conns      int               // connections opened by clients
	open       int               // connections of clients open now
	faults     *fakefault.Dealer // random failures, if injected
}

// New starts a fake on a free loopback port.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = "2718281828459045235:fakeSECRETfor-tests"
	}
	if opts.AccountName == "" {
		opts.AccountName = "bot.TotuQuanTest"
	}
	if opts.IdleStatus == 0 {
		opts.IdleStatus = http.StatusRequestTimeout
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake zalo api: listen: %w", err)
	}
	botID, _, _ := strings.Cut(opts.Token, ":")
	s := &Server{
		opts: opts, botID: botID, ln: ln, closing: make(chan struct{}), changed: make(chan struct{}),
		hooks:    &http.Client{Timeout: 5 * time.Second},
		messages: map[string][]*Message{}, failures: map[string][]failure{}, throttled: map[string]time.Time{},
		calls: map[string]int{}, files: map[string]file{}, fetches: map[string]int{},
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			s.mu.Lock()
			switch st {
			case http.StateNew:
				s.conns++
				s.open++
			case http.StateClosed, http.StateHijacked:
				s.open--
			}
			s.notifyLocked()
			s.mu.Unlock()
		}}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.srv.Serve(ln) }()
	go func() { defer s.wg.Done(); s.deliverWebhooks() }()
	return s, nil
}

// Conns returns how many connections clients have opened to the server.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// OpenConns returns how many connections of clients are open. Once a
// client has died, it drops to zero when the server has seen each of its
// connections close, and with it any request the client had sent has been
// answered: a long poll it left open no longer takes updates from the
// queue.
func (s *Server) OpenConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// Close stops the server; pending long polls return.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		// A connection a client opened but sent nothing on yet keeps
		// Shutdown waiting: after a moment, close whatever is left.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			s.srv.Close()
		}
		s.wg.Wait()
	})
}

// APIBase is the base URL to configure the adapter with: requests go to
// APIBase()/bot<token>/<method>.
func (s *Server) APIBase() string { return "http://" + s.ln.Addr().String() }

// Token is the token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotID is the bot's id, as getMe gives it.
func (s *Server) BotID() string { return s.botID }

// AccountName is the bot's account_name, as getMe gives it.
func (s *Server) AccountName() string { return s.opts.AccountName }

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor blocks until cond holds (checked now and after every change) or
// ctx ends.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ServeFile makes the fake serve data under name with contentType, as
// Zalo serves the photos and voice notes users send, and returns its URL.
func (s *Server) ServeFile(name, contentType string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[name] = file{contentType: contentType, data: data}
	return s.FileURL(name)
}

// FileURL is the URL name is (or would be) served at.
func (s *Server) FileURL(name string) string {
	return s.APIBase() + "/media/" + url.PathEscape(name)
}

// Fetches returns how many times the file name was downloaded.
func (s *Server) Fetches(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[name]
}

func (s *Server) nextIDLocked() string {
	s.seq++
	return fmt.Sprintf("2d758cb5e222%08x", s.seq)
}

// push queues a user's message in chat (a private chat's id is the
// user's) as event, with the extra fields, and returns its message_id.
func (s *Server) push(chat, chatType, event string, u User, m Message, extra map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextIDLocked()
	now := time.Now()
	from := map[string]any{"id": u.ID, "display_name": u.Name, "is_bot": u.IsBot}
	msg := map[string]any{"message_id": id, "date": now.UnixMilli(), "from": from,
		"chat": map[string]any{"id": chat, "chat_type": chatType}}
	maps.Copy(msg, extra)
	raw, _ := json.Marshal(map[string]any{"event_name": event, "message": msg})
	m.ID, m.Chat, m.From, m.Event, m.SentAt = id, chat, u.ID, event, now
	s.messages[chat] = append(s.messages[chat], &m)
	s.pending = append(s.pending, raw)
	s.notifyLocked()
	return id
}

// SendText injects a text message from u in its private chat and returns
// its message_id.
func (s *Server) SendText(u User, text string) string {
	return s.push(u.ID, "PRIVATE", EventText, u, Message{Text: text}, map[string]any{"text": text})
}

// SendGroupText injects a text message from u in the group chat group.
func (s *Server) SendGroupText(group string, u User, text string) string {
	return s.push(group, "GROUP", EventText, u, Message{Text: text}, map[string]any{"text": text})
}

// SendImage injects an image from u: its public URL (see ServeFile) in
// photo_url, and a caption if not empty.
func (s *Server) SendImage(u User, photoURL, caption string) string {
	extra := map[string]any{"photo_url": photoURL}
	if caption != "" {
		extra["caption"] = caption
	}
	return s.push(u.ID, "PRIVATE", EventImage, u, Message{Text: caption, Photo: photoURL}, extra)
}

// SendVoice injects a voice note from u: its public URL, an .aac file.
func (s *Server) SendVoice(u User, voiceURL string) string {
	return s.push(u.ID, "PRIVATE", EventVoice, u, Message{Voice: voiceURL}, map[string]any{"voice_url": voiceURL})
}

// SendSticker injects a sticker from u.
func (s *Server) SendSticker(u User) string {
	return s.push(u.ID, "PRIVATE", EventSticker, u, Message{}, map[string]any{"sticker": "bfe458bf64fa8da4d4eb", "url": s.FileURL("sticker.webp")})
}

// SendUnsupported injects what Zalo sends for a message whose content it
// withholds (the sender belongs to a protected group): no content at all.
func (s *Server) SendUnsupported(u User) string {
	return s.push(u.ID, "PRIVATE", EventUnsupported, u, Message{}, nil)
}

// InjectRaw queues an update given as raw JSON, exactly as it will be
// returned or delivered, to test how the bot copes with what it does not
// expect.
func (s *Server) InjectRaw(update string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, json.RawMessage(update))
	s.notifyLocked()
}

// Pending returns how many updates are queued: not yet read by getUpdates
// nor delivered to the webhook.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Messages returns copies of every message in chat, both ways, in order.
func (s *Server) Messages(chat string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chat]))
	for _, m := range s.messages[chat] {
		out = append(out, *m)
	}
	return out
}

// BotMessages returns copies of the messages the bot sent to chat.
func (s *Server) BotMessages(chat string) []Message {
	var out []Message
	for _, m := range s.Messages(chat) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// Requests returns the calls the server got, in order, when it was started
// with Options.RecordRequests; failed calls included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Params: maps.Clone(r.Params), Body: bytes.Clone(r.Body)}
	}
	return out
}

// Calls returns how many times method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Webhook returns the webhook's URL and secret token, "" when none is set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Delivered returns how many webhook deliveries were answered with 2xx,
// and how many failed for good.
func (s *Server) Delivered() (ok, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered, s.hookFailed
}

// DuplicateNext makes the next webhook delivery go out twice, as Zalo may
// deliver an update again.
func (s *Server) DuplicateNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.duplicate++
}

// FailNext makes the next call of method fail with an error envelope of
// status (also its HTTP status, unless Options.ErrorsAsOK).
func (s *Server) FailNext(method string, status int) {
	s.FailNextWith(method, status, http.StatusText(status))
}

// FailNextWith makes the next call of method fail with status and the
// description given, as Zalo's own text.
func (s *Server) FailNextWith(method string, status int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{status: status, description: description})
}

// DropNext makes the server close the connection of the next call of
// method without replying. The method "media" is a file download.
func (s *Server) DropNext(method string) { s.breakNext(method, dropConn) }

// GarbageNext makes the next call of method get 200 with a body that is
// not JSON, as from a proxy's error page.
func (s *Server) GarbageNext(method string) { s.breakNext(method, garbageReply) }

// FailNextIf makes the next call of method whose parameters match fail
// with status (a later part of a split message, say); other calls go
// through.
func (s *Server) FailNextIf(method string, status int, match func(params map[string]string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{status: status, description: http.StatusText(status), match: match})
}

func (s *Server) breakNext(method string, how breakage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{how: how})
}

// Throttle makes every call of method for d from now fail with 429, as a
// quota that is used up and comes back after a pause.
func (s *Server) Throttle(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled[method] = time.Now().Add(d)
}

// takeFailure counts a call of method with params and returns the first
// failure queued for it that matches, if any.
func (s *Server) takeFailure(method string, params map[string]string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	if until, on := s.throttled[method]; on && time.Now().Before(until) {
		return failure{status: http.StatusTooManyRequests, description: "Quota exceeded"}, true
	}
	fs := s.failures[method]
	for i, f := range fs {
		if f.match == nil || f.match(params) {
			s.failures[method] = append(fs[:i:i], fs[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

func (s *Server) breakReply(w http.ResponseWriter, f failure) {
	switch f.how {
	case dropConn:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case garbageReply:
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	default:
		s.fail(w, f.status, f.description)
	}
}

type envelope struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result,omitempty"`
	ErrorCode   int    `json:"error_code,omitempty"`
	Description string `json:"description,omitempty"`
}

func write(w http.ResponseWriter, status int, e envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}

func (s *Server) fail(w http.ResponseWriter, code int, desc string) {
	status := code
	if s.opts.ErrorsAsOK {
		status = http.StatusOK
	}
	write(w, status, envelope{ErrorCode: code, Description: desc})
}

func ok(w http.ResponseWriter, result any) {
	write(w, http.StatusOK, envelope{OK: true, Result: result})
}

// params reads a call's parameters: a JSON body, or query and form values.
func params(r *http.Request, body []byte) map[string]string {
	out := map[string]string{}
	var fields map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &fields) == nil {
		for k, v := range fields {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
		return out
	}
	values := r.URL.Query()
	if form, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range form {
			values[k] = v
		}
	}
	for k, v := range values {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if name, found := strings.CutPrefix(r.URL.Path, "/media/"); found {
		s.serveFile(w, r, name)
		return
	}
	rest, found := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, found2 := strings.Cut(rest, "/")
	if !found || !found2 {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if token != s.opts.Token {
		s.fail(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	var body bytes.Buffer
	body.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20))
	p := params(r, body.Bytes())
	if s.opts.RecordRequests {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: method, Params: p, Body: body.Bytes()})
		s.notifyLocked()
		s.mu.Unlock()
	}
	if f, failed := s.takeFailure(method, p); failed {
		s.breakReply(w, f)
		return
	}
	if s.opts.Latency > 0 {
		time.Sleep(s.opts.Latency)
	}
	if f, failed := s.randomFault(); failed && method != "getMe" { // the bot must start
		s.breakReply(w, f)
		return
	}
	switch method {
	case "getMe":
		ok(w, map[string]any{"id": s.botID, "account_name": s.opts.AccountName, "account_type": "BASIC", "can_join_groups": true})
	case "getUpdates":
		s.getUpdates(w, r, p)
	case "setWebhook":
		s.setWebhook(w, p)
	case "deleteWebhook", "getWebhookInfo":
		s.webhookInfo(w, method == "deleteWebhook")
	case "sendMessage", "sendPhoto", "sendSticker", "sendVoice":
		s.send(w, method, p)
	case "sendChatAction":
		if p["chat_id"] == "" {
			s.fail(w, http.StatusBadRequest, "Bad Request: chat_id is required")
			return
		}
		ok(w, true)
	default:
		s.fail(w, http.StatusNotFound, "Not Found: method "+method)
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if f, failed := s.takeFailure("media", map[string]string{"name": name}); failed {
		s.breakReply(w, f)
		return
	}
	s.mu.Lock()
	f, found := s.files[name]
	s.fetches[name]++
	s.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Write(f.data)
}

// pollTimeout reads getUpdates' timeout: seconds, as a number or a string.
func pollTimeout(v string) time.Duration {
	secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(min(secs, 60) * float64(time.Second))
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p map[string]string) {
	deadline := time.NewTimer(pollTimeout(p["timeout"]))
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.webhook != "" {
			s.mu.Unlock()
			s.fail(w, http.StatusConflict, "Conflict: webhook is active, getUpdates is not available")
			return
		}
		if len(s.pending) > 0 {
			// Reading removes it: there is nothing to confirm.
			u := s.pending[0]
			s.pending = s.pending[1:]
			s.notifyLocked()
			s.mu.Unlock()
			ok(w, u)
			return
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			write(w, s.opts.IdleStatus, envelope{ErrorCode: http.StatusRequestTimeout, Description: "Request timeout"})
			return
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

func (s *Server) setWebhook(w http.ResponseWriter, p map[string]string) {
	u, err := url.Parse(p["url"])
	switch {
	case err != nil || u.Host == "":
		s.fail(w, http.StatusBadRequest, "Bad Request: url is invalid")
		return
	case u.Scheme != "https" && u.Hostname() != "127.0.0.1":
		// Zalo takes https only; the fake also takes its own loopback.
		s.fail(w, http.StatusBadRequest, "Bad Request: url must be https")
		return
	case len(p["secret_token"]) < 8 || len(p["secret_token"]) > 256:
		s.fail(w, http.StatusBadRequest, "Bad Request: secret_token must be 8 to 256 characters")
		return
	}
	s.mu.Lock()
	s.webhook, s.secret, s.hookSetAt = u.String(), p["secret_token"], time.Now()
	s.notifyLocked()
	at := s.hookSetAt.UnixMilli()
	s.mu.Unlock()
	ok(w, map[string]any{"url": u.String(), "updated_at": at})
}

func (s *Server) webhookInfo(w http.ResponseWriter, remove bool) {
	s.mu.Lock()
	hook, at := s.webhook, s.hookSetAt.UnixMilli()
	if remove && hook != "" {
		s.webhook, s.secret = "", ""
		s.notifyLocked()
	}
	s.mu.Unlock()
	if hook == "" {
		s.fail(w, http.StatusNotFound, "Not Found: webhook is not set")
		return
	}
	ok(w, map[string]any{"url": hook, "updated_at": at})
}

// checkText returns Zalo's refusal of text as a message's text, or "".
func checkText(text string) string {
	switch n := utf16Len(text); {
	case strings.TrimSpace(text) == "":
		return "Bad Request: text is empty"
	case n > MaxText:
		return fmt.Sprintf("Bad Request: text is too long (%d, at most %d)", n, MaxText)
	}
	return ""
}

func (s *Server) send(w http.ResponseWriter, method string, p map[string]string) {
	chat := p["chat_id"]
	if chat == "" {
		s.fail(w, http.StatusBadRequest, "Bad Request: chat_id is required")
		return
	}
	m := Message{Chat: chat, FromBot: true, Event: method}
	switch method {
	case "sendMessage":
		if desc := checkText(p["text"]); desc != "" {
			s.fail(w, http.StatusBadRequest, desc)
			return
		}
		m.Text = p["text"]
	case "sendPhoto":
		if !strings.HasPrefix(p["photo"], "https://") && !strings.HasPrefix(p["photo"], s.APIBase()) {
			s.fail(w, http.StatusBadRequest, "Bad Request: photo must be a public https URL")
			return
		}
		m.Photo, m.Text = p["photo"], p["caption"]
	case "sendVoice":
		m.Voice = p["voice_url"]
	}
	s.mu.Lock()
	m.ID, m.From, m.SentAt = s.nextIDLocked(), s.botID, time.Now()
	s.messages[chat] = append(s.messages[chat], &m)
	s.notifyLocked()
	s.mu.Unlock()
	ok(w, map[string]any{"message_id": m.ID, "date": m.SentAt.UnixMilli()})
}

// deliverWebhooks posts queued updates to the webhook while one is set,
// in order, each until it is answered with 2xx or has failed three times.
func (s *Server) deliverWebhooks() {
	for {
		s.mu.Lock()
		hook, secret := s.webhook, s.secret
		var raw json.RawMessage
		twice := false
		if hook != "" && len(s.pending) > 0 {
			raw, s.pending = s.pending[0], s.pending[1:]
			if s.duplicate > 0 {
				s.duplicate, twice = s.duplicate-1, true
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if raw == nil {
			select {
			case <-ch:
				continue
			case <-s.closing:
				return
			}
		}
		body := []byte(raw)
		if s.opts.WrapWebhook {
			body, _ = json.Marshal(envelope{OK: true, Result: raw})
		}
		times := 1
		if twice {
			times = 2
		}
		for range times {
			delivered := s.post(hook, secret, body)
			s.mu.Lock()
			if delivered {
				s.delivered++
			} else {
				s.hookFailed++
			}
			s.notifyLocked()
			s.mu.Unlock()
		}
	}
}

func (s *Server) post(hook, secret string, body []byte) bool {
	for try := range 3 {
		if try > 0 {
			select {
			case <-time.After(20 * time.Millisecond):
			case <-s.closing:
				return false
			}
		}
		req, err := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SecretHeader, secret)
		resp, err := s.hooks.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return true
		}
	}
	return false
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}
