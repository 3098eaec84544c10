package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	"github.com/totuquan/totuquan/zalo"
	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// The training room: the real bot, its dispatcher, flows and store, run
// against the in-process fake Telegram and Zalo servers, with a page that
// shows the phones of a sample commune side by side. Trainers use it at the
// commune hall before any token exists.

//go:embed room
var roomFiles embed.FS

//go:embed room_areas.csv
var roomAreas []byte

// roomListen is where the room is served unless -listen says otherwise.
const roomListen = "127.0.0.1:8088"

// A persona is one phone of the room: a person of the sample commune with
// an account on both platforms, so that the phone can switch between them.
type persona struct {
	ID       string
	Name     string
	Role     bot.Role // "" for the admin (named by the configuration) and the newcomer
	Area     string   // a leader's group, an official's area
	Agency   string
	TG       int64
	Zalo     string
	Platform string // the platform the phone starts on
	Admin    bool
	// Newcomer has no account yet: the phone opens the newest invite.
	Newcomer bool
}

var personas = []persona{
	{ID: "lan", Name: "Lan", Role: bot.RoleLeader, Area: "PT-TL-XB-T1", TG: 1001, Zalo: "5001001", Platform: telegram.Platform},
	{ID: "minh", Name: "Minh", Role: bot.RoleLeader, Area: "PT-TL-XB-T2", TG: 1002, Zalo: "5001002", Platform: zalo.Platform},
	{ID: "hai", Name: "Hải", Role: bot.RoleOfficial, Area: "PT-TL", Agency: "police", TG: 2001, Zalo: "5002001", Platform: telegram.Platform},
	{ID: "hoa", Name: "Hoa", Role: bot.RoleOfficial, Area: "PT-TL", Agency: "justice", TG: 2002, Zalo: "5002002", Platform: zalo.Platform},
	{ID: "tuan", Name: "Tuấn", TG: 3001, Zalo: "5003001", Platform: telegram.Platform, Admin: true},
	{ID: "mai", Name: "Mai", TG: 4001, Zalo: "5004001", Platform: telegram.Platform, Newcomer: true},
}

func personaByID(id string) (persona, bool) {
	for _, p := range personas {
		if p.ID == id {
			return p, true
		}
	}
	return persona{}, false
}

func (p persona) address(platform string) bot.Address {
	if platform == zalo.Platform {
		return bot.NewAddress(zalo.Platform, p.Zalo)
	}
	return bot.NewAddress(telegram.Platform, fmt.Sprint(p.TG))
}

// Room is the training room: one session of the sample commune at a time,
// replaced by a fresh one on reset.
type Room struct {
	m     *Main
	base  Config
	url   string // where the page is served; Zalo's file links point here
	log   *slog.Logger
	clock *roomClock

	mu   sync.Mutex
	s    *roomSession
	seq  int
	lang string
	// ctx is the room's life; sessions run under it.
	ctx context.Context
}

// roomSession is one sample commune: its own fake servers, store and bot.
type roomSession struct {
	id       int
	dir      string
	cfg      Config
	tg       *fakeapi.Server
	zf       *zfakeapi.Server
	st       *store.Store
	cancel   context.CancelFunc
	done     chan error
	platform map[string]string // persona → the platform its phone shows
	photos   int
}

// newRoom opens the room's first session. url is where the page is served.
func newRoom(ctx context.Context, m *Main, base Config, url string, log *slog.Logger) (*Room, error) {
	r := &Room{m: m, base: base, url: url, log: log, clock: newRoomClock(), lang: base.Language, ctx: ctx}
	if !supportedLang(r.lang) {
		r.lang = "vi"
	}
	s, err := r.open()
	if err != nil {
		return nil, err
	}
	r.s = s
	return r, nil
}

func supportedLang(l string) bool { return l == "vi" || l == "en" }

// open makes a fresh session: fake servers, a temporary store seeded with
// the sample commune, and the bot running on both platforms.
func (r *Room) open() (*roomSession, error) {
	r.seq++
	s := &roomSession{id: r.seq, platform: map[string]string{}}
	for _, p := range personas {
		s.platform[p.ID] = p.Platform
	}
	var err error
	if s.tg, err = fakeapi.New(fakeapi.Options{BotUsername: "totuquan_taphuan_bot"}); err != nil {
		return nil, err
	}
	if s.zf, err = zfakeapi.New(zfakeapi.Options{AccountName: "totuquan.taphuan"}); err != nil {
		s.tg.Close()
		return nil, err
	}
	if s.dir, err = os.MkdirTemp("", "totuquan-room-"); err != nil {
		s.closeFakes()
		return nil, err
	}
	if err := r.boot(s); err != nil {
		s.closeFakes()
		os.RemoveAll(s.dir)
		return nil, err
	}
	return s, nil
}

// boot configures, seeds (on first boot) and starts the bot of s.
func (r *Room) boot(s *roomSession) error {
	cfg := r.base
	cfg.Store.Path = filepath.Join(s.dir, "room.db")
	cfg.Store.BackupDir = filepath.Join(s.dir, "backups")
	cfg.Telegram.Token, cfg.Telegram.APIEndpoint = s.tg.Token(), s.tg.Endpoint()
	cfg.Telegram.BotUsername = s.tg.BotUsername()
	cfg.Telegram.PollTimeout = "10s"
	cfg.Zalo.Token, cfg.Zalo.APIBase, cfg.Zalo.Mode = s.zf.Token(), s.zf.APIBase(), zalo.ModePolling
	cfg.Zalo.PollTimeout = "10s"
	cfg.Zalo.Webhook.Listen, cfg.Zalo.MediaDir, cfg.Zalo.PublicURL = "", "media", ""
	// Nothing to pace against: the fakes set no limits.
	cfg.Telegram.MessagesPerSecond, cfg.Zalo.MessagesPerSecond = 0, 0
	cfg.Metrics.Listen, cfg.Log.HealthEvery = "", "0"
	cfg.Admins.Telegram, cfg.Admins.Zalo = nil, nil
	for _, p := range personas {
		if p.Admin {
			cfg.Admins.Telegram = append(cfg.Admins.Telegram, p.TG)
			cfg.Admins.Zalo = append(cfg.Admins.Zalo, p.Zalo)
		}
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	// Files for Zalo are linked on the room's own page, which serves them:
	// no listener of the bot's own is needed.
	cfg.Zalo.PublicURL = r.url
	s.cfg = cfg
	_, statErr := os.Stat(cfg.Store.Path)
	st, err := store.Open(cfg.Store.Path, cfg.storeOptions())
	if err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := r.seed(st); err != nil {
			st.Close()
			return err
		}
	}
	sub := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: r.m.Stderr, Getenv: r.m.Getenv, Now: r.clock.Now, clock: r.clock}
	ready := make(chan struct{})
	sub.ready = func(*store.Store) { close(ready) }
	ctx, cancel := context.WithCancel(r.ctx)
	s.st, s.cancel, s.done = st, cancel, make(chan error, 1)
	go func() { s.done <- sub.runBot(ctx, cfg, st, r.log) }()
	select {
	case <-ready:
		return nil
	case err := <-s.done:
		cancel()
		st.Close()
		return err
	}
}

// seed writes the sample commune: its areas and its people, each with an
// address on both platforms.
func (r *Room) seed(st *store.Store) error {
	areas, err := bot.ParseAreas(bytes.NewReader(roomAreas), nil)
	if err != nil {
		return err
	}
	now := r.clock.Now().UTC()
	return st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		for _, p := range personas {
			if p.Role == "" {
				continue
			}
			tg, z := p.address(telegram.Platform), p.address(zalo.Platform)
			u := bot.User{Address: tg, Addresses: []bot.Address{tg, z}, Notify: p.address(p.Platform), Name: p.Name,
				Role: p.Role, Group: p.Area, Agency: p.Agency, Lang: r.lang, CreatedAt: now}
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
}

// stop stops the bot of s and closes its store.
func (s *roomSession) stop() error {
	s.cancel()
	err := <-s.done
	if cerr := s.st.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func (s *roomSession) closeFakes() {
	s.tg.Close()
	s.zf.Close()
}

// close stops s and deletes everything it kept.
func (s *roomSession) close() error {
	err := s.stop()
	s.closeFakes()
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}

// Close stops the room and deletes its store.
func (r *Room) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return nil
	}
	err := r.s.close()
	r.s = nil
	return err
}

// Reset replaces the session with a fresh sample commune, the clock back
// at the present.
func (r *Room) Reset() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s != nil {
		if err := r.s.close(); err != nil {
			r.log.Warn("closing the old training session", "err", err)
		}
		r.s = nil
	}
	r.clock.Set(time.Now())
	s, err := r.open()
	if err != nil {
		return err
	}
	r.s = s
	return nil
}

// Restart stops the bot and starts it again on the same store, as a power
// cut would: drafts and the outbox survive.
func (r *Room) Restart() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.s.stop(); err != nil {
		r.log.Warn("stopping the training bot", "err", err)
	}
	return r.boot(r.s)
}

// session returns the current session; nil after Close.
func (r *Room) session() *roomSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.s
}

// roomClock is the room's time: the present plus an offset that the clock
// control moves forward. Moving it wakes the scheduler.
type roomClock struct {
	mu     sync.Mutex
	offset time.Duration
	moved  chan struct{}
}

func newRoomClock() *roomClock { return &roomClock{moved: make(chan struct{})} }

func (c *roomClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock to t.
func (c *roomClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
	close(c.moved)
	c.moved = make(chan struct{})
}

func (c *roomClock) Sleep(ctx context.Context, t time.Time) error {
	for {
		c.mu.Lock()
		wait, moved := t.Sub(time.Now().Add(c.offset)), c.moved
		c.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-moved:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
}

// next returns the first time after now on weekday at hh:mm, in loc.
func next(now time.Time, loc *time.Location, day time.Weekday, hh, mm int) time.Time {
	now = now.In(loc)
	t := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, loc)
	for t.Weekday() != day || !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// Jump moves the room's clock: to the next Friday 19:00 ("friday", when the
// weekly reminder goes), to the next Monday 07:30 ("monday", the weekly
// summary), or forward by hours. It returns the new time.
func (r *Room) Jump(to string, hours int) (time.Time, error) {
	s := r.session()
	if s == nil {
		return time.Time{}, errors.New("the room is closed")
	}
	loc, now := s.cfg.location, r.clock.Now()
	var t time.Time
	switch to {
	case "friday":
		t = next(now, loc, time.Friday, 19, 0)
	case "monday":
		t = next(now, loc, time.Monday, 7, 30)
	case "hours":
		if hours < 1 || hours > 24*31 {
			return time.Time{}, fmt.Errorf("hours must be 1 to %d", 24*31)
		}
		t = now.Add(time.Duration(hours) * time.Hour)
	default:
		return time.Time{}, fmt.Errorf("unknown jump %q", to)
	}
	r.clock.Set(t)
	return t, nil
}

// SetLang switches the page's language and the bot's language for every
// person of the commune.
func (r *Room) SetLang(lang string) error {
	if !supportedLang(lang) {
		return fmt.Errorf("unknown language %q", lang)
	}
	r.mu.Lock()
	r.lang = lang
	s := r.s
	r.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.st.Update(func(tx bot.Tx) error {
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			u.Lang = lang
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
}

// Lang is the page's language.
func (r *Room) Lang() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lang
}

// errUnknownPhone is returned for a phone the room does not have.
var errUnknownPhone = errors.New("no such phone")

// Send writes text from the phone, on the platform it shows.
func (r *Room) Send(phone, text string) error {
	p, s, platform, err := r.phone(phone)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return errors.New("empty message")
	}
	if platform == zalo.Platform {
		s.zf.SendText(zfakeapi.User{ID: p.Zalo, Name: p.Name}, text)
	} else {
		s.tg.SendText(fakeapi.User{ID: p.TG, FirstName: p.Name, Language: r.Lang()}, text)
	}
	return nil
}

// Press presses a button under one of the bot's messages (Telegram only:
// Zalo has none).
func (r *Room) Press(phone string, message int, data string) error {
	p, s, platform, err := r.phone(phone)
	if err != nil {
		return err
	}
	if platform != telegram.Platform {
		return errors.New("Zalo has no buttons: type the number")
	}
	s.tg.Press(fakeapi.User{ID: p.TG, FirstName: p.Name, Language: r.Lang()}, message, data)
	return nil
}

// Photo sends a sample photo from the phone.
func (r *Room) Photo(phone string) error {
	p, s, platform, err := r.phone(phone)
	if err != nil {
		return err
	}
	if platform == zalo.Platform {
		r.mu.Lock()
		s.photos++
		name := fmt.Sprintf("anh-%d.png", s.photos)
		r.mu.Unlock()
		s.zf.SendImage(zfakeapi.User{ID: p.Zalo, Name: p.Name}, s.zf.ServeFile(name, "image/png", samplePhoto), "")
	} else {
		s.tg.SendPhoto(fakeapi.User{ID: p.TG, FirstName: p.Name, Language: r.Lang()})
	}
	return nil
}

// OpenInvite opens the newest unused invite from the newcomer's phone, as
// if they had scanned its QR code: /start CODE on Telegram, the code as the
// first message on Zalo.
func (r *Room) OpenInvite(phone string) error {
	p, s, platform, err := r.phone(phone)
	if err != nil {
		return err
	}
	if !p.Newcomer {
		return errors.New("only a newcomer opens invites")
	}
	code, err := newestInvite(s.st, r.clock.Now())
	if err != nil {
		return err
	}
	if platform == zalo.Platform {
		return r.Send(phone, code)
	}
	return r.Send(phone, "/start "+code)
}

// errNoInvite says there is no invite to open yet.
var errNoInvite = errors.New("no invite yet: the admin makes one with /moi")

func newestInvite(st *store.Store, now time.Time) (string, error) {
	var best bot.Invite
	err := st.View(func(tx bot.Tx) error {
		invites, err := tx.Invites()
		for _, inv := range invites {
			if inv.Usable(now) == nil && inv.Role != bot.RoleLink && inv.CreatedAt.After(best.CreatedAt) {
				best = inv
			}
		}
		return err
	})
	if err == nil && best.Code == "" {
		err = errNoInvite
	}
	return best.Code, err
}

// SetPlatform switches the phone between Telegram and Zalo; summaries and
// alerts follow it there.
func (r *Room) SetPlatform(phone, platform string) error {
	p, s, _, err := r.phone(phone)
	if err != nil {
		return err
	}
	if platform != telegram.Platform && platform != zalo.Platform {
		return fmt.Errorf("unknown platform %q", platform)
	}
	r.mu.Lock()
	s.platform[p.ID] = platform
	r.mu.Unlock()
	if p.Role == "" {
		return nil
	}
	return s.st.Update(func(tx bot.Tx) error {
		u, err := tx.User(p.address(platform))
		if err != nil {
			return err
		}
		u.Notify = p.address(platform)
		return tx.PutUser(u)
	})
}

// phone resolves a phone's persona, the current session and the platform
// the phone shows.
func (r *Room) phone(id string) (persona, *roomSession, string, error) {
	p, ok := personaByID(id)
	if !ok {
		return p, nil, "", errUnknownPhone
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return p, nil, "", errors.New("the room is closed")
	}
	return p, r.s, r.s.platform[id], nil
}

// serveRoom serves the room on ln until ctx ends.
func serveRoom(ctx context.Context, r *Room, ln net.Listener) error {
	srv := &http.Server{Handler: r.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (m *Main) cmdRoom(ctx context.Context, args []string) error {
	fs, path := m.flags("room", m.T("cli.synopsis.room"))
	listen := fs.String("listen", roomListen, m.T("cli.flag.room.listen"))
	lang := fs.String("lang", "", m.T("cli.flag.room.lang"))
	verbose := fs.Bool("v", false, m.T("cli.flag.room.v"))
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, m.T("cli.room.usage", m.T("cli.synopsis.room")))
		m.printFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := m.offlineConfig(fs, *path, *lang)
	if err != nil {
		return err
	}
	m.demoLog = *verbose
	return m.room(ctx, cfg, *listen)
}

// room serves the training room at listen until ctx ends, then deletes its
// store.
func (m *Main) room(ctx context.Context, cfg Config, listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return usageError{fmt.Sprintf("-listen %s: %v", listen, err)}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("-listen %s: %w", listen, err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	if exposed(host) {
		fmt.Fprintln(m.Stderr, i18n.T(cfg.Language, "room.cli.exposed", ln.Addr().String()))
	}
	log := slog.New(slog.DiscardHandler)
	if m.demoLog {
		log = m.logger("debug", "text")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := newRoom(ctx, m, cfg, url, log)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintln(m.Stdout, i18n.T(cfg.Language, "room.cli.serving", url))
	if m.roomReady != nil {
		m.roomReady(url, r)
	}
	return serveRoom(ctx, r, ln)
}

// exposed reports whether a room listening on host can be reached from
// other machines.
func exposed(host string) bool {
	ip := net.ParseIP(host)
	return host != "localhost" && (ip == nil || !ip.IsLoopback())
}
