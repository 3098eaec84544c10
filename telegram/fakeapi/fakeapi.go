// Package fakeapi is an in-process fake of the Telegram Bot API on
// 127.0.0.1, for tests, benchmarks and the offline demo. It speaks the wire
// format the real client library sends (form-encoded requests, JSON
// replies), keeps updates until a getUpdates offset confirms them as
// Telegram does, long-polls, and lets a test inject user messages, button
// presses, in private chats and groups, rate limiting (429 with
// retry_after), server errors, dropped connections, garbage replies and
// hangs, and read what the bot sent.
//
// It does not import the client library, so it checks the library too.
package fakeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/totuquan/totuquan/internal/fakefault"
	"io"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// User is a Telegram user as the fake knows it.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
	Language  string `json:"language_code,omitempty"`
}

// Button is an inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// Chat is a chat as the fake knows it: a user's private chat, or a group
// (negative id; Type "group", "supergroup" or "channel") that users write
// in and the bot sends to.
type Chat struct {
	ID    int64
	Type  string // default "private"
	Title string // a group's name
}

// Private is u's private chat with the bot.
func Private(u User) Chat { return Chat{ID: u.ID, Type: "private"} }

func (c Chat) json(u User) map[string]any {
	typ := c.Type
	if typ == "" {
		typ = "private"
	}
	if typ == "private" {
		return map[string]any{"id": c.ID, "type": typ, "first_name": u.FirstName}
	}
	return map[string]any{"id": c.ID, "type": typ, "title": c.Title}
}

// Message is a message in a chat, sent by a user or by the bot.
type Message struct {
	ID       int        `json:"message_id"`
	ChatID   int64      `json:"-"`
	Text     string     `json:"text"`
	Buttons  [][]Button `json:"-"`
	FromBot  bool       `json:"-"`
	Edits    int        `json:"-"` // how many times the bot edited it
	SentAt   time.Time  `json:"-"`
	Document string     `json:"-"` // file name of an uploaded document
	Data     []byte     `json:"-"` // its contents
	FileID   string     `json:"-"` // a user's document's file id
}

// Options configure a Server.
type Options struct {
	Token       string // default "123456:TEST"
	BotUsername string // default "totuquan_test_bot"
	// EmptyAtOnce makes getUpdates answer an empty poll at once, ignoring
	// its timeout, as some proxies and test servers do.
	EmptyAtOnce bool
	// Limits, if set, are enforced on sends as Telegram does: over them a
	// send is refused with 429 and retry_after.
	Limits *Limits
	// RecordRequests makes the server keep every call it gets, for
	// Requests.
	RecordRequests bool
	// Addr is the loopback address to listen on (default "127.0.0.1:0",
	// a free port).
	Addr string
	// OnCall, if set, is told of every send and edit the bot makes
	// (sendMessage, sendDocument, editMessageText, editMessageReplyMarkup)
	// that the server accepts, refuses over the limits, or (an edit) finds
	// no message for, once it has decided and before the answer goes
	// back. It runs on the request's goroutine, without the server's
	// lock: it may call the server, and should be quick.
	OnCall func(Call)
	// History, if above zero, is how many messages the server remembers
	// per chat, the latest; older ones are forgotten, so that a long load
	// test does not grow without end. Counts (BotCount, Calls) still count
	// them all.
	History int
}

// Call is a send or an edit the bot made, as the server answered it.
type Call struct {
	Method    string
	Chat      int64
	MessageID int // the message sent or edited; 0 when refused
	// Status is the HTTP status of the answer: 200, 429 over the limits,
	// or 400 for an edit of a message the server does not know.
	Status int
	// Limit, with a 429, is the limit the call went over: LimitOverall,
	// LimitChat or LimitGroup.
	Limit   string
	Text    string     // the text or caption sent, or the edit's new text
	Buttons [][]Button // the keyboard sent with it
	At      time.Time  // when the server took it
}

// Request is a call the bot made, as the server received it: the method
// and its parameters (form values, and for an uploaded file the file's
// name under its field).
type Request struct {
	Method string
	Params map[string]string
}

// Limits are Telegram's limits on sends (sendMessage, sendDocument):
// token buckets overall and per chat, and for groups a cap a minute.
type Limits struct {
	PerSecond float64       // overall rate; the burst is one second's worth
	ChatBurst int           // sends to one chat at once
	ChatEvery time.Duration // then one per this
	// GroupPerMinute, if above zero, is how many sends one group (a chat
	// with a negative id) takes in any minute, as Telegram's "20 messages
	// a minute in the same group": a window, not a bucket, so no burst
	// goes beyond it.
	GroupPerMinute int
	// Edits makes edits (editMessageText, editMessageReplyMarkup) count as
	// sends, overall, per chat and per group: Telegram does not say that
	// they are free, and refuses bots that edit too fast.
	Edits bool
}

// limiter is a token bucket on the server's side.
type limiter struct {
	tokens float64
	last   time.Time
	burst  float64
	every  time.Duration
}

func (l *limiter) allow(now time.Time) bool {
	if l.last.IsZero() {
		l.tokens, l.last = l.burst, now
	}
	l.tokens = min(l.burst, l.tokens+float64(now.Sub(l.last))/float64(l.every))
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	opts Options
	ln   net.Listener
	srv  *http.Server

	closing   chan struct{} // closed by Close: hanging replies end
	closeOnce sync.Once

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever state changes
	nextID   int64         // next update id
	pending  []json.RawMessage
	pendIDs  []int64
	msgID    map[int64]int // last message id per chat
	messages map[int64][]*Message
	botSent  map[int64]int // messages the bot sent, per chat
	answers  []CallbackAnswer
	failures map[string][]failure
	calls    map[string]int
	offsets  []int64 // the offset of every getUpdates call, 0 when absent
	cbSeq    int
	global   *limiter
	perChat  map[int64]*limiter
	perGroup map[int64][]time.Time // a group's sends within the last minute
	refused  int                   // sends refused for going over the limits
	conns    int                   // connections opened by clients
	faults   *fakefault.Dealer     // random failures, if injected
	files    map[string][]byte     // by file id, sent by users
	chats    map[int64]Chat        // groups users wrote in, for the bot's replies
	requests []Request             // with Options.RecordRequests
}

// CallbackAnswer is a recorded answerCallbackQuery.
type CallbackAnswer struct {
	ID   string
	Text string
}

type failure struct {
	status      int
	retryAfter  int
	description string // instead of the status text
	how         breakage
}

// breakage is how a failing call fails other than with an API error.
type breakage int

const (
	answerError  breakage = iota // an API error reply
	dropConn                     // the connection closes without a reply
	garbageReply                 // 200 with a body that is not JSON
	hangReply                    // no reply until the client gives up
)

// New starts a fake on a free loopback port.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = "123456:TEST"
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "totuquan_test_bot"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("fake bot api: listen: %w", err)
	}
	s := &Server{
		opts: opts, ln: ln, changed: make(chan struct{}), closing: make(chan struct{}), nextID: 1000,
		msgID: map[int64]int{}, messages: map[int64][]*Message{}, botSent: map[int64]int{}, files: map[string][]byte{}, chats: map[int64]Chat{}, failures: map[string][]failure{}, calls: map[string]int{},
	}
	if l := opts.Limits; l != nil {
		s.global = &limiter{burst: max(1, l.PerSecond), every: time.Duration(float64(time.Second) / l.PerSecond)}
		s.perChat = map[int64]*limiter{}
		s.perGroup = map[int64][]time.Time{}
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.mu.Lock()
				s.conns++
				s.mu.Unlock()
			}
		}}
	go s.srv.Serve(ln)
	return s, nil
}

// Conns returns how many connections clients have opened to the server.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Close stops the server; pending long polls return.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Shutdown(ctx)
}

// Endpoint is the API endpoint format string for the client library.
func (s *Server) Endpoint() string { return "http://" + s.ln.Addr().String() + "/bot%s/%s" }

// Token is the token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername is the bot's @username.
func (s *Server) BotUsername() string { return s.opts.BotUsername }

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// SetNextUpdateID makes the next injected update carry id, as Telegram does
// when it restarts ids from a random value after a quiet week.
func (s *Server) SetNextUpdateID(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID = id
}

func (s *Server) pushLocked(build func(id int64) any) int64 {
	id := s.nextID
	s.nextID++
	raw, _ := json.Marshal(build(id))
	s.pending = append(s.pending, raw)
	s.pendIDs = append(s.pendIDs, id)
	s.notifyLocked()
	return id
}

func (s *Server) newMessageLocked(chat int64, text string, fromBot bool) *Message {
	s.msgID[chat]++
	m := &Message{ID: s.msgID[chat], ChatID: chat, Text: text, FromBot: fromBot, SentAt: time.Now()}
	msgs := append(s.messages[chat], m)
	if h := s.opts.History; h > 0 && len(msgs) >= 2*h {
		msgs = append(msgs[:0:0], msgs[len(msgs)-h:]...) // a copy: older ones are freed
	}
	s.messages[chat] = msgs
	if fromBot {
		s.botSent[chat]++
	}
	return m
}

func chatJSON(u User) map[string]any { return Private(u).json(u) }

// chatLocked is the chat with id as users see it: a group that was
// written in, or else a private chat.
func (s *Server) chatLocked(id int64) Chat {
	if c, ok := s.chats[id]; ok {
		return c
	}
	return Chat{ID: id, Type: "private"}
}

// SendText injects a text message from u in its private chat and returns
// the update id.
func (s *Server) SendText(u User, text string) int64 { return s.SendGroupText(Private(u), u, text) }

// SendGroupText injects a text message from u in chat c, a group, a
// supergroup or a private chat, and returns the update id.
func (s *Server) SendGroupText(c Chat, u User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Type != "" && c.Type != "private" {
		s.chats[c.ID] = c
	}
	m := s.newMessageLocked(c.ID, text, false)
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": c.json(u), "date": time.Now().Unix(), "text": text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": utf16Len(cmd)}}
	}
	return s.pushLocked(func(id int64) any { return map[string]any{"update_id": id, "message": msg} })
}

// SendFromBot injects a text message from another bot (from.is_bot) in
// chat c, as bots in a group see each other's messages.
func (s *Server) SendFromBot(c Chat, from User, text string) int64 {
	from.IsBot = true
	return s.SendGroupText(c, from, text)
}

// SendService injects a service message in chat c: one with no text whose
// field (new_chat_members, left_chat_member, new_chat_title,
// pinned_message, group_chat_created, migrate_to_chat_id, ...) says what
// happened, from u.
func (s *Server) SendService(c Chat, u User, field string, value any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Type != "" && c.Type != "private" {
		s.chats[c.ID] = c
	}
	m := s.newMessageLocked(c.ID, "", false)
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": c.json(u), "date": time.Now().Unix(), field: value}
	return s.pushLocked(func(id int64) any { return map[string]any{"update_id": id, "message": msg} })
}

// InjectRaw injects an update given as raw JSON, to test how the bot
// copes with what it does not expect. Its update_id, if any, is replaced
// by the server's next one.
func (s *Server) InjectRaw(update string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(func(id int64) any {
		// Each field kept as sent (ids beyond a float's precision, 1 not
		// 1.0), and cheaply: hostile tests send texts of 100,000 characters.
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(update), &m) != nil || m == nil {
			m = map[string]json.RawMessage{}
		}
		m["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
		return m
	})
}

// SendDocument injects a file from u, with a caption, and keeps its bytes
// for getFile and the download.
func (s *Server) SendDocument(u User, name string, data []byte, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(u.ID, caption, false)
	id := "doc-" + strconv.Itoa(m.ID) + "-" + strconv.FormatInt(u.ID, 10)
	s.files[id], m.FileID = data, id
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": chatJSON(u), "date": time.Now().Unix(), "caption": caption,
		"document": map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_name": name, "file_size": len(data)}}
	return s.pushLocked(func(uid int64) any { return map[string]any{"update_id": uid, "message": msg} })
}

// SendLocation injects a map pin from u.
func (s *Server) SendLocation(u User, lat, lon float64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(u.ID, "", false)
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": chatJSON(u), "date": time.Now().Unix(),
		"location": map[string]any{"latitude": lat, "longitude": lon}}
	return s.pushLocked(func(id int64) any { return map[string]any{"update_id": id, "message": msg} })
}

// SendPhoto injects a photo without text from u.
func (s *Server) SendPhoto(u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(u.ID, "", false)
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": chatJSON(u), "date": time.Now().Unix(),
		"photo": []map[string]any{{"file_id": "photo-" + strconv.Itoa(m.ID), "file_unique_id": "u" + strconv.Itoa(m.ID), "width": 90, "height": 90}}}
	return s.pushLocked(func(id int64) any { return map[string]any{"update_id": id, "message": msg} })
}

// SendVoice injects a voice message of seconds from u and returns the
// update id; its file id is "voice-<message id>".
func (s *Server) SendVoice(u User, seconds int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(u.ID, "", false)
	msg := map[string]any{"message_id": m.ID, "from": u, "chat": chatJSON(u), "date": time.Now().Unix(),
		"voice": map[string]any{"file_id": "voice-" + strconv.Itoa(m.ID), "file_unique_id": "v" + strconv.Itoa(m.ID), "duration": seconds, "mime_type": "audio/ogg"}}
	return s.pushLocked(func(id int64) any { return map[string]any{"update_id": id, "message": msg} })
}

// Press injects a press by u on the button with callback data under the
// bot's message messageID, and returns the update id and the callback id.
func (s *Server) Press(u User, messageID int, data string) (int64, string) {
	return s.PressIn(Private(u), u, messageID, data)
}

// PressIn injects a press by u on a button under the bot's message
// messageID in chat c (a group, a channel or u's private chat).
func (s *Server) PressIn(c Chat, u User, messageID int, data string) (int64, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Type != "" && c.Type != "private" {
		s.chats[c.ID] = c
	}
	s.cbSeq++
	cbID := "cb" + strconv.Itoa(s.cbSeq)
	var text string
	for _, m := range s.messages[c.ID] {
		if m.ID == messageID {
			text = m.Text
		}
	}
	msg := map[string]any{"message_id": messageID, "chat": c.json(u), "date": time.Now().Unix(), "text": text,
		"from": User{ID: 1, IsBot: true, FirstName: "bot", Username: s.opts.BotUsername}}
	id := s.pushLocked(func(id int64) any {
		return map[string]any{"update_id": id, "callback_query": map[string]any{
			"id": cbID, "from": u, "message": msg, "chat_instance": "ci" + strconv.FormatInt(u.ID, 10), "data": data}}
	})
	return id, cbID
}

// PressLabel presses the button labelled label on the bot's latest message
// to u that has buttons. It fails if there is none.
func (s *Server) PressLabel(u User, label string) (int64, error) {
	m, ok := s.LastWithButtons(u.ID)
	if !ok {
		return 0, fmt.Errorf("no message with buttons in chat %d", u.ID)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				id, _ := s.Press(u, m.ID, b.CallbackData)
				return id, nil
			}
		}
	}
	return 0, fmt.Errorf("no button %q on message %d (%q)", label, m.ID, m.Text)
}

// FailNext makes the next call of method fail with status; for 429,
// retryAfter seconds are given in the reply's parameters.
func (s *Server) FailNext(method string, status, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{status: status, retryAfter: retryAfter})
}

// FailNextWith makes the next call of method fail with status and the
// description given, as Telegram's own text.
func (s *Server) FailNextWith(method string, status int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{status: status, description: description})
}

// DropNext makes the server close the connection of the next call of
// method without replying, as a proxy or a network cut does. The method
// "download" is a file download.
func (s *Server) DropNext(method string) { s.breakNext(method, dropConn) }

// GarbageNext makes the next call of method get 200 with a body that is
// not JSON, as from a proxy's error page.
func (s *Server) GarbageNext(method string) { s.breakNext(method, garbageReply) }

// HangNext makes the next call of method get no reply at all until the
// client gives up or the server closes.
func (s *Server) HangNext(method string) { s.breakNext(method, hangReply) }

func (s *Server) breakNext(method string, how breakage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{how: how})
}

// takeFailure counts a call of method and returns the failure queued for
// it, if any.
func (s *Server) takeFailure(method string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	fs := s.failures[method]
	if len(fs) == 0 {
		return failure{}, false
	}
	s.failures[method] = fs[1:]
	return fs[0], true
}

// breakReply fails a call as f says.
func (s *Server) breakReply(w http.ResponseWriter, r *http.Request, f failure) {
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
	case hangReply:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	default:
		rep := apiReply{ErrorCode: f.status, Description: http.StatusText(f.status)}
		if f.status == http.StatusTooManyRequests {
			rep.Description = "Too Many Requests: retry after " + strconv.Itoa(f.retryAfter)
			rep.Parameters = map[string]int{"retry_after": f.retryAfter}
		}
		if f.description != "" {
			rep.Description = f.description
		}
		write(w, f.status, rep)
	}
}

func (s *Server) record(method string, r *http.Request) {
	req := Request{Method: method, Params: map[string]string{}}
	for k, v := range r.Form {
		if len(v) > 0 {
			req.Params[k] = v[0]
		}
	}
	if r.MultipartForm != nil {
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) > 0 {
				req.Params[k] = fhs[0].Filename
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.notifyLocked()
}

// Requests returns the calls the server got, in order, when it was started
// with Options.RecordRequests; failed calls included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Params: maps.Clone(r.Params)}
	}
	return out
}

// Messages returns copies of every message in chat, both ways, in order.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chat]))
	for _, m := range s.messages[chat] {
		out = append(out, *m)
	}
	return out
}

// BotMessages returns copies of the messages the bot sent to chat.
func (s *Server) BotMessages(chat int64) []Message {
	var out []Message
	for _, m := range s.Messages(chat) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// LastWithButtons returns the bot's latest message to chat that still has
// buttons.
func (s *Server) LastWithButtons(chat int64) (Message, bool) {
	msgs := s.BotMessages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) > 0 {
			return msgs[i], true
		}
	}
	return Message{}, false
}

// CallbackAnswers returns the answered callback queries.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// CallCounts returns how many times each method was called.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Calls returns how many times method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Offsets returns the offset sent with each getUpdates call so far, 0 where
// none was sent.
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.offsets...)
}

// Refused returns how many sends went over the limits and got a 429.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// overLimitLocked returns the limit a send to chat now goes over
// (LimitOverall, LimitChat or LimitGroup) and how many seconds to wait
// (Telegram's retry_after), or takes its place and returns "".
func (s *Server) overLimitLocked(chat int64) (retryAfter int, over string) {
	if s.global == nil {
		return 0, ""
	}
	now := time.Now()
	c := s.perChat[chat]
	if c == nil {
		c = &limiter{burst: float64(max(1, s.opts.Limits.ChatBurst)), every: s.opts.Limits.ChatEvery}
		s.perChat[chat] = c
	}
	var window []time.Time
	if n := s.opts.Limits.GroupPerMinute; n > 0 && chat < 0 {
		window = s.perGroup[chat]
		for len(window) > 0 && now.Sub(window[0]) >= time.Minute {
			window = window[1:]
		}
		s.perGroup[chat] = window
		if len(window) >= n {
			s.refused++
			return seconds(window[0].Add(time.Minute).Sub(now)), LimitGroup
		}
	}
	// Check both before taking from either.
	g, cc := *s.global, *c
	if !g.allow(now) {
		s.refused++
		return seconds(g.wait()), LimitOverall
	}
	if c.every > 0 && !cc.allow(now) {
		s.refused++
		return seconds(cc.wait()), LimitChat
	}
	*s.global, *c = g, cc
	if s.opts.Limits.GroupPerMinute > 0 && chat < 0 {
		s.perGroup[chat] = append(window, now)
	}
	return 0, ""
}

// The limits a call can go over, as Call.Limit names them.
const (
	LimitOverall = "overall"
	LimitChat    = "chat"
	LimitGroup   = "group"
)

// wait is how long until the bucket has a token again.
func (l *limiter) wait() time.Duration {
	return time.Duration((1 - l.tokens) * float64(l.every))
}

// seconds is d as Telegram's retry_after: whole seconds, at least one.
func seconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// tooMany answers a send refused for going over the limits.
func tooMany(w http.ResponseWriter, retryAfter int) {
	write(w, http.StatusTooManyRequests, apiReply{ErrorCode: 429, Description: "Too Many Requests: retry after " + strconv.Itoa(retryAfter), Parameters: map[string]int{"retry_after": retryAfter}})
}

// Unconfirmed returns how many updates getUpdates has not had confirmed.
func (s *Server) Unconfirmed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// WaitFor blocks until cond holds (checked after every change) or ctx ends.
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

// BotCount returns how many messages the bot has sent to chat.
func (s *Server) BotCount(chat int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botSent[chat]
}

// WaitBotMessages waits until the bot has sent at least n messages to chat
// and returns them.
func (s *Server) WaitBotMessages(ctx context.Context, chat int64, n int) ([]Message, error) {
	if err := s.WaitFor(ctx, func() bool { return s.BotCount(chat) >= n }); err != nil {
		return nil, fmt.Errorf("waiting for %d bot messages in chat %d, have %d: %w", n, chat, s.BotCount(chat), err)
	}
	return s.BotMessages(chat), nil
}

type apiReply struct {
	OK          bool           `json:"ok"`
	Result      any            `json:"result,omitempty"`
	ErrorCode   int            `json:"error_code,omitempty"`
	Description string         `json:"description,omitempty"`
	Parameters  map[string]int `json:"parameters,omitempty"`
}

func write(w http.ResponseWriter, status int, r apiReply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(r)
}

func fail(w http.ResponseWriter, status int, desc string) {
	write(w, status, apiReply{ErrorCode: status, Description: desc})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		if f, failed := s.takeFailure("download"); failed {
			s.breakReply(w, r, f)
			return
		}
		token, id, _ := strings.Cut(rest, "/")
		s.mu.Lock()
		data, found := s.files[strings.TrimPrefix(id, "documents/")]
		s.mu.Unlock()
		if token != s.opts.Token || !found {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if token != s.opts.Token {
		fail(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			fail(w, http.StatusBadRequest, "Bad Request: "+err.Error())
			return
		}
	} else if err := r.ParseForm(); err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}

	if s.opts.RecordRequests {
		s.record(method, r)
	}
	if f, failed := s.takeFailure(method); failed {
		s.breakReply(w, r, f)
		return
	}
	if f, failed := s.randomFault(); failed && method != "getMe" { // the bot must start
		s.breakReply(w, r, f)
		return
	}

	switch method {
	case "getMe":
		write(w, http.StatusOK, apiReply{OK: true, Result: User{ID: 1, IsBot: true, FirstName: "Tổ tự quản", Username: s.opts.BotUsername}})
	case "getUpdates":
		s.getUpdates(w, r)
	case "sendMessage", "sendDocument":
		s.sendMessage(w, r, method)
	case "editMessageText", "editMessageReplyMarkup":
		s.editMessage(w, r, method)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answers = append(s.answers, CallbackAnswer{ID: r.FormValue("callback_query_id"), Text: r.FormValue("text")})
		s.notifyLocked()
		s.mu.Unlock()
		write(w, http.StatusOK, apiReply{OK: true, Result: true})
	case "getFile":
		id := r.FormValue("file_id")
		s.mu.Lock()
		data, found := s.files[id]
		s.mu.Unlock()
		if !found {
			fail(w, http.StatusBadRequest, "Bad Request: invalid file_id")
			return
		}
		write(w, http.StatusOK, apiReply{OK: true, Result: map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(data), "file_path": "documents/" + id}})
	case "setMyCommands", "deleteWebhook":
		write(w, http.StatusOK, apiReply{OK: true, Result: true})
	default:
		fail(w, http.StatusNotFound, "Not Found: method "+method)
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.ParseInt(r.FormValue("offset"), 10, 64)
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.FormValue("timeout"))
	s.mu.Lock()
	s.offsets = append(s.offsets, offset)
	s.notifyLocked()
	s.mu.Unlock()
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if offset != 0 {
			// Telegram forgets every update below the offset: confirmed.
			keep, keepIDs := s.pending[:0], s.pendIDs[:0]
			for i, id := range s.pendIDs {
				if id >= offset {
					keep, keepIDs = append(keep, s.pending[i]), append(keepIDs, id)
				}
			}
			s.pending, s.pendIDs = keep, keepIDs
		}
		n := min(limit, len(s.pending))
		batch := append([]json.RawMessage{}, s.pending[:n]...)
		ch := s.changed
		s.mu.Unlock()
		if n > 0 || timeout == 0 || s.opts.EmptyAtOnce {
			write(w, http.StatusOK, apiReply{OK: true, Result: batch})
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

func parseKeyboard(raw string) ([][]Button, error) {
	if raw == "" {
		return nil, nil
	}
	var kb struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, err
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if n := len(b.CallbackData); n == 0 || n > 64 {
				return nil, errors.New("BUTTON_DATA_INVALID")
			}
		}
	}
	return kb.InlineKeyboard, nil
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, method string) {
	chat, err := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: chat not found")
		return
	}
	text := r.FormValue("text")
	doc := ""
	var docData []byte
	if method == "sendDocument" {
		text = r.FormValue("caption")
		var data []byte
		if r.MultipartForm != nil {
			for _, fh := range r.MultipartForm.File["document"] {
				doc = fh.Filename
				if f, err := fh.Open(); err == nil {
					data, _ = io.ReadAll(f)
					f.Close()
				}
			}
		}
		docData = data
		if doc == "" {
			fail(w, http.StatusBadRequest, "Bad Request: there is no document in the request")
			return
		}
		if utf16Len(text) > MaxCaption {
			fail(w, http.StatusBadRequest, "Bad Request: message caption is too long")
			return
		}
	} else if desc := checkText(text); desc != "" {
		fail(w, http.StatusBadRequest, desc)
		return
	}
	kb, err := parseKeyboard(r.FormValue("reply_markup"))
	if err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	s.mu.Lock()
	if after, over := s.overLimitLocked(chat); over != "" {
		s.mu.Unlock()
		s.told(Call{Method: method, Chat: chat, Status: http.StatusTooManyRequests, Limit: over, Text: text, Buttons: kb, At: time.Now()})
		tooMany(w, after)
		return
	}
	m := s.newMessageLocked(chat, text, true)
	m.Buttons, m.Document, m.Data = kb, doc, docData
	s.notifyLocked()
	res := map[string]any{"message_id": m.ID, "date": m.SentAt.Unix(), "chat": s.chatLocked(chat).json(User{}), "text": text}
	s.mu.Unlock()
	s.told(Call{Method: method, Chat: chat, MessageID: m.ID, Status: http.StatusOK, Text: text, Buttons: kb, At: m.SentAt})
	write(w, http.StatusOK, apiReply{OK: true, Result: res})
}

// told tells Options.OnCall of c.
func (s *Server) told(c Call) {
	if s.opts.OnCall != nil {
		s.opts.OnCall(c)
	}
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request, method string) {
	chat, _ := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	id, _ := strconv.Atoi(r.FormValue("message_id"))
	kb, err := parseKeyboard(r.FormValue("reply_markup"))
	if err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	if method == "editMessageText" {
		if desc := checkText(r.FormValue("text")); desc != "" {
			fail(w, http.StatusBadRequest, desc)
			return
		}
	}
	call := Call{Method: method, Chat: chat, Text: r.FormValue("text"), Buttons: kb}
	s.mu.Lock()
	var m *Message
	for _, msg := range s.messages[chat] {
		if msg.ID == id && msg.FromBot {
			m = msg
		}
	}
	if m == nil {
		s.mu.Unlock()
		call.Status, call.At = http.StatusBadRequest, time.Now()
		s.told(call)
		fail(w, http.StatusBadRequest, "Bad Request: message to edit not found")
		return
	}
	if s.opts.Limits != nil && s.opts.Limits.Edits {
		if after, over := s.overLimitLocked(chat); over != "" {
			s.mu.Unlock()
			call.Status, call.Limit, call.At = http.StatusTooManyRequests, over, time.Now()
			s.told(call)
			tooMany(w, after)
			return
		}
	}
	if method == "editMessageText" {
		m.Text = call.Text
	}
	m.Buttons = kb
	m.Edits++
	s.notifyLocked()
	res := map[string]any{"message_id": m.ID, "date": m.SentAt.Unix(), "chat": s.chatLocked(chat).json(User{}), "text": m.Text}
	s.mu.Unlock()
	call.MessageID, call.Status, call.Text, call.At = m.ID, http.StatusOK, res["text"].(string), time.Now()
	s.told(call)
	write(w, http.StatusOK, apiReply{OK: true, Result: res})
}

// MaxText and MaxCaption are Telegram's limits on a message's text and a
// caption, in UTF-16 code units, as the server enforces them.
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// checkText returns Telegram's refusal of text as a message's text, or "".
func checkText(text string) string {
	switch n := utf16Len(text); {
	case strings.TrimSpace(text) == "":
		return "Bad Request: message text is empty"
	case n > MaxText:
		return "Bad Request: message is too long"
	}
	return ""
}

// utf16Len is the length of s as Telegram counts it: in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}
