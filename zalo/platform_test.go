package zalo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/vntext"
	"github.com/totuquan/totuquan/zalo"
	"github.com/totuquan/totuquan/zalo/fakeapi"
)

// secretToken is the webhook secret the tests configure.
const secretToken = "s3cret-webhook-token"

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFake(t testing.TB, opts fakeapi.Options) *fakeapi.Server {
	t.Helper()
	fake, err := fakeapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake
}

func config(fake *fakeapi.Server, h bot.Handler, st bot.Store) zalo.Config {
	return zalo.Config{Token: fake.Token(), APIBase: fake.APIBase(), PollTimeout: 2 * time.Second,
		Handler: h, Store: st, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
}

// start runs an adapter until the test ends (or stop is called) and
// returns it, with a channel that gets Run's result.
func start(t *testing.T, cfg zalo.Config) (b *zalo.Bot, stop func(), done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := zalo.New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() { ch <- b.Run(ctx) })
	stop = func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	return b, stop, ch
}

// serveWebhook mounts b's webhook handler on 127.0.0.1 and registers it
// with the fake.
func serveWebhook(t *testing.T, b *zalo.Bot) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(b.WebhookHandler())
	t.Cleanup(srv.Close)
	if err := b.SetWebhook(context.Background(), srv.URL+"/zalo"); err != nil {
		t.Fatal(err)
	}
	return srv
}

// userOf is the fake's user for a name of the shared table ("u1").
func userOf(name string) fakeapi.User {
	return fakeapi.User{ID: "6ede9afa" + hex.EncodeToString([]byte(name)), Name: name}
}

// Media the platform serves for the wire cases, and where the adapter
// keeps them: the handler sees $MEDIA for the media directory and $FAKE
// for the fake's address, which differ in every case.
var (
	jpeg     = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte("ảnh hiện trường "), 40)...)
	aac      = append([]byte("\xff\xf1\x50\x80"), bytes.Repeat([]byte{0x21, 0x1b}, 300)...)
	jpegPath = stored(jpeg, ".jpg")
	aacPath  = stored(aac, ".aac")
)

func stored(data []byte, ext string) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	return "$MEDIA/" + h[:2] + "/" + h + ext
}

// platform runs the adapter against the fake for the shared transport
// table and the wire cases, polling or, with webhook set, through its
// webhook handler.
type platform struct {
	webhook bool
	fake    *fakeapi.Server
	media   string
}

// registered is the wire cases' user the store knows (a leader).
const registered = "7b1c0de5a1f2e3d4c5b6"

// rewrite puts placeholders for what differs between runs in what the
// handler gets.
type rewrite struct {
	h     bot.Handler
	media string
	fake  string
}

func (r rewrite) Handle(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
	for _, f := range []*string{&in.Photo, &in.Document, &in.Voice} {
		*f = strings.Replace(*f, r.media, "$MEDIA", 1)
		*f = strings.Replace(*f, r.fake, "$FAKE", 1)
	}
	return r.h.Handle(ctx, in)
}

func (p *platform) Start(t *testing.T, h bot.Handler) bot.Transport {
	p.fake = newFake(t, fakeapi.Options{RecordRequests: true})
	p.fake.ServeFile("anh.jpg", "image/jpeg", jpeg)
	p.fake.ServeFile("giong.aac", "audio/aac", aac)
	st := openStore(t)
	st.Update(func(tx bot.Tx) error {
		return tx.PutUser(bot.User{Address: bot.NewAddress(zalo.Platform, registered), Name: "Hoa", Role: bot.RoleLeader, Group: "G1", CreatedAt: time.Now()})
	})
	p.media = filepath.Join(t.TempDir(), "media")
	cfg := config(p.fake, rewrite{h: h, media: p.media, fake: p.fake.APIBase()}, st)
	cfg.MediaDir = p.media
	if p.webhook {
		cfg.Mode, cfg.WebhookSecret = zalo.ModeWebhook, secretToken
	}
	b, _, _ := start(t, cfg)
	if p.webhook {
		serveWebhook(t, b)
	}
	return b
}

func (p *platform) Address(user string) bot.Address {
	return bot.NewAddress(zalo.Platform, userOf(user).ID)
}

func (p *platform) UserText(t *testing.T, user, text string) { p.fake.SendText(userOf(user), text) }

// UserJoins types the code: Zalo's links carry no parameter.
func (p *platform) UserJoins(t *testing.T, user, code string) { p.fake.SendText(userOf(user), code) }

// UserPicks types the choice's number: there are no buttons to press.
func (p *platform) UserPicks(t *testing.T, user string, n int) {
	p.fake.SendText(userOf(user), strconv.Itoa(n))
}

var numbered = regexp.MustCompile(`^(\d+)\. (.*)$`)

// Received reads each message as the user does: the numbered lines at its
// end, after a blank line, are the choices.
func (p *platform) Received(user string) []transporttest.Received {
	var out []transporttest.Received
	for _, m := range p.fake.BotMessages(userOf(user).ID) {
		out = append(out, readMenu(m.Text))
	}
	return out
}

func readMenu(text string) transporttest.Received {
	r := transporttest.Received{Text: text}
	i := strings.LastIndex(text, "\n\n")
	if i < 0 {
		return r
	}
	var labels []string
	for n, line := range strings.Split(text[i+2:], "\n") {
		m := numbered.FindStringSubmatch(line)
		if m == nil || m[1] != strconv.Itoa(n+1) {
			return r
		}
		labels = append(labels, m[2])
	}
	r.Text, r.Choices = text[:i], labels
	return r
}

func (p *platform) FailNextSend(kind string) {
	status := map[string]int{"rate": 429, "server": 500, "blocked": 403}[kind]
	p.fake.FailNext("sendMessage", status)
}

func (p *platform) TextLimit() int { return fakeapi.MaxText }

// TextLength counts UTF-16 code units, the stricter reading of Zalo's
// limit, which the fake enforces.
func (p *platform) TextLength(text string) int { return vntext.UTF16Len(text) }

// InjectRaw implements transporttest.Wire: the update waits on the fake
// with $FAKE and $BOT filled in, and the adapter has it once the fake
// gave it away (read by a poll, or delivered to the webhook). The adapter
// handles updates one at a time in order, so the table's next message
// comes after it.
func (p *platform) InjectRaw(t *testing.T, raw string) {
	t.Helper()
	raw = strings.NewReplacer("$FAKE", p.fake.APIBase(), "$BOT", p.fake.BotID()).Replace(raw)
	before, _ := p.fake.Delivered()
	p.fake.InjectRaw(raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.fake.WaitFor(ctx, func() bool {
		ok, failed := p.fake.Delivered()
		return p.fake.Pending() == 0 && (!p.webhook || ok+failed > before)
	})
	if err != nil {
		t.Fatalf("the update was never taken: %d pending", p.fake.Pending())
	}
}

// Requests implements transporttest.Wire: the calls the fake recorded,
// without those the adapter makes on its own (getMe, polling, the
// webhook's).
func (p *platform) Requests() []transporttest.Request {
	var out []transporttest.Request
	for _, r := range p.fake.Requests() {
		switch r.Method {
		case "getMe", "getUpdates", "deleteWebhook", "setWebhook", "getWebhookInfo":
			continue
		}
		out = append(out, transporttest.Request{Method: r.Method, Params: r.Params})
	}
	return out
}

// Ensure the adapter passes the shared transport table, polling.
func TestTransport(t *testing.T) {
	transporttest.Run(t, &platform{})
}

// Ensure it passes the table with updates arriving through its webhook.
func TestTransportWebhook(t *testing.T) {
	transporttest.Run(t, &platform{webhook: true})
}

func fakeapiOptions() fakeapi.Options { return fakeapi.Options{RecordRequests: true} }
