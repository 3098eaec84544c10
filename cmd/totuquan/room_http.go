package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/zalo"
)

// The room's page talks to the room through a small JSON API: it reads the
// whole state (long-polled: the answer comes when something changed) and
// posts what a person does on a phone.

type roomState struct {
	V         string            `json:"v"`
	Session   int               `json:"session"`
	Lang      string            `json:"lang"`
	Clock     string            `json:"clock"`
	Texts     map[string]string `json:"texts"`
	Exercises []exerciseView    `json:"exercises"`
	Phones    []phoneView       `json:"phones"`
}

type exerciseView struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Phone string   `json:"phone"`
	Steps []string `json:"steps"`
	Done  bool     `json:"done"`
}

type phoneView struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Who      string        `json:"who"`
	Platform string        `json:"platform"`
	Newcomer bool          `json:"newcomer,omitempty"`
	Messages []messageView `json:"messages"`
}

type messageView struct {
	ID      string         `json:"id"`
	Mine    bool           `json:"mine,omitempty"`
	Text    string         `json:"text"`
	Buttons [][]buttonView `json:"buttons,omitempty"`
	Image   string         `json:"image,omitempty"`
	File    string         `json:"file,omitempty"`
	Href    string         `json:"href,omitempty"`
}

type buttonView struct {
	Text string `json:"text"`
	Data string `json:"data"`
}

// roomTextKeys are the page's own texts, sent with the state in its
// language.
var roomTextKeys = []string{
	"room.title", "room.subtitle", "room.clock", "room.friday", "room.monday", "room.hours", "room.plus_hours",
	"room.reset", "room.reset_confirm", "room.restart", "room.exercises", "room.done", "room.send", "room.placeholder",
	"room.photo", "room.open_invite", "room.telegram", "room.zalo", "room.phones", "room.lang", "room.restarted",
	"room.hint_zalo", "room.file",
}

// State returns what the page shows.
func (r *Room) State() (roomState, error) {
	r.mu.Lock()
	s, lang := r.s, r.lang
	platforms := map[string]string{}
	if s != nil {
		for k, v := range s.platform {
			platforms[k] = v
		}
	}
	r.mu.Unlock()
	if s == nil {
		return roomState{}, errors.New("the room is closed")
	}
	now := r.clock.Now().In(s.cfg.location)
	st := roomState{Session: s.id, Lang: lang, Texts: map[string]string{},
		Clock: i18n.T(lang, "room.day."+strconv.Itoa(int(now.Weekday()))) + ", " + now.Format("02/01/2006 15:04")}
	for _, k := range roomTextKeys {
		st.Texts[strings.TrimPrefix(k, "room.")] = i18n.T(lang, k)
	}
	var reports []bot.Report
	err := s.st.View(func(tx bot.Tx) error {
		return tx.Reports(time.Time{}, now.AddDate(1, 0, 0), func(rep bot.Report) error {
			reports = append(reports, rep)
			return nil
		})
	})
	if err != nil {
		return st, err
	}
	for _, ex := range exercises {
		v := exerciseView{ID: ex.ID, Phone: ex.Phone, Title: i18n.T(lang, "room.ex."+ex.ID), Done: ex.Done(reports)}
		for i := 1; ; i++ {
			step, ok := i18n.Lookup(lang, fmt.Sprintf("room.ex.%s.%d", ex.ID, i))
			if !ok {
				break
			}
			v.Steps = append(v.Steps, step)
		}
		st.Exercises = append(st.Exercises, v)
	}
	for _, p := range personas {
		v := phoneView{ID: p.ID, Name: p.Name, Who: i18n.T(lang, "room.who."+p.ID), Platform: platforms[p.ID], Newcomer: p.Newcomer}
		v.Messages = s.messages(p, v.Platform)
		st.Phones = append(st.Phones, v)
	}
	h := fnv.New64a()
	json.NewEncoder(h).Encode(st)
	st.V = strconv.FormatUint(h.Sum64(), 36)
	return st, nil
}

// messages is the conversation the phone shows, on its platform.
func (s *roomSession) messages(p persona, platform string) []messageView {
	out := []messageView{}
	if platform == zalo.Platform {
		for _, m := range s.zf.Messages(p.Zalo) {
			v := messageView{ID: m.ID, Mine: !m.FromBot, Text: m.Text}
			switch {
			case m.Photo != "" && v.Mine:
				v.Text = strings.TrimSpace("📷 " + v.Text)
			case m.Photo != "":
				v.Image = localPath(m.Photo)
			}
			out = append(out, v)
		}
		return out
	}
	for _, m := range s.tg.Messages(p.TG) {
		v := messageView{ID: strconv.Itoa(m.ID), Mine: !m.FromBot, Text: m.Text}
		if v.Mine && v.Text == "" {
			v.Text = "📷"
		}
		for _, row := range m.Buttons {
			var bs []buttonView
			for _, b := range row {
				bs = append(bs, buttonView{Text: b.Text, Data: b.CallbackData})
			}
			v.Buttons = append(v.Buttons, bs)
		}
		if m.Document != "" {
			v.File = m.Document
			v.Href = fmt.Sprintf("/api/file?s=%d&phone=%s&id=%d", s.id, p.ID, m.ID)
			if strings.HasSuffix(m.Document, ".png") {
				v.Image = v.Href
			}
		}
		out = append(out, v)
	}
	return out
}

// localPath turns one of the room's own links into a path, so that it
// works from whatever address the page was opened at.
func localPath(u string) string {
	if i := strings.Index(u, filePath); i >= 0 {
		return u[i:]
	}
	return u
}

// roomAction is what the page posts.
type roomAction struct {
	Phone    string `json:"phone"`
	Text     string `json:"text"`
	Message  int    `json:"message"`
	Data     string `json:"data"`
	Platform string `json:"platform"`
	To       string `json:"to"`
	Hours    int    `json:"hours"`
	Lang     string `json:"lang"`
}

func (r *Room) handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(roomFiles, "room")
	mux.Handle("GET /", http.FileServerFS(assets))
	mux.HandleFunc("GET /api/state", r.serveState)
	mux.HandleFunc("GET /api/file", r.serveDocument)
	mux.HandleFunc("GET "+filePath, func(w http.ResponseWriter, req *http.Request) {
		s := r.session()
		if s == nil {
			http.NotFound(w, req)
			return
		}
		fileHandler(s.st, r.clock.Now).ServeHTTP(w, req)
	})
	actions := map[string]func(roomAction) error{
		"send":     func(a roomAction) error { return r.Send(a.Phone, a.Text) },
		"press":    func(a roomAction) error { return r.Press(a.Phone, a.Message, a.Data) },
		"photo":    func(a roomAction) error { return r.Photo(a.Phone) },
		"invite":   func(a roomAction) error { return r.OpenInvite(a.Phone) },
		"platform": func(a roomAction) error { return r.SetPlatform(a.Phone, a.Platform) },
		"clock":    func(a roomAction) error { _, err := r.Jump(a.To, a.Hours); return err },
		"lang":     func(a roomAction) error { return r.SetLang(a.Lang) },
		"reset":    func(roomAction) error { return r.Reset() },
		"restart":  func(roomAction) error { return r.Restart() },
	}
	for name, act := range actions {
		mux.HandleFunc("POST /api/"+name, func(w http.ResponseWriter, req *http.Request) {
			r.serveAction(w, req, act)
		})
	}
	return mux
}

func (r *Room) serveState(w http.ResponseWriter, req *http.Request) {
	seen := req.URL.Query().Get("v")
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := r.State()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if st.V != seen || time.Now().After(deadline) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			json.NewEncoder(w).Encode(st)
			return
		}
		select {
		case <-req.Context().Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serveAction runs one thing done on the page. Only JSON is taken, from the
// page itself: another site cannot post to the room from a visitor's
// browser without a preflight it would fail.
func (r *Room) serveAction(w http.ResponseWriter, req *http.Request, act func(roomAction) error) {
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" {
		http.Error(w, "JSON only", http.StatusUnsupportedMediaType)
		return
	}
	if o := req.Header.Get("Origin"); o != "" && o != "http://"+req.Host {
		http.Error(w, "not from this page", http.StatusForbidden)
		return
	}
	var a roomAction
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 64<<10)).Decode(&a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := act(a); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": r.explain(err)})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// explain says what went wrong in the page's language.
func (r *Room) explain(err error) string {
	lang := r.Lang()
	switch {
	case errors.Is(err, errNoInvite):
		return i18n.T(lang, "room.err.no_invite")
	case errors.Is(err, errUnknownPhone):
		return i18n.T(lang, "room.err.phone")
	}
	return i18n.T(lang, "room.err.other", err.Error())
}

// serveDocument serves a file the bot sent to a Telegram phone (a summary's
// CSV, a chart, an invite's QR code).
func (r *Room) serveDocument(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	s := r.session()
	p, ok := personaByID(q.Get("phone"))
	id, _ := strconv.Atoi(q.Get("id"))
	if s == nil || !ok || q.Get("s") != strconv.Itoa(s.id) {
		http.NotFound(w, req)
		return
	}
	for _, m := range s.tg.Messages(p.TG) {
		if m.ID == id && m.Document != "" {
			ctype := mime.TypeByExtension(path.Ext(m.Document))
			if ctype == "" {
				ctype = "application/octet-stream"
			}
			w.Header().Set("Content-Type", ctype)
			if !strings.HasPrefix(ctype, "image/") {
				w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.Document}))
			}
			w.Write(m.Data)
			return
		}
	}
	http.NotFound(w, req)
}

// samplePhoto is the photo a phone sends: a small picture, enough for the
// bot to keep.
var samplePhoto = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(120 + x), G: uint8(80 + 2*y), B: 60, A: 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}()
