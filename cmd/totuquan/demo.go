package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

//go:embed demo_areas.csv
var demoAreas []byte

// demoScript is the conversation -script plays: a leader joins, reports an
// incident (with two mistakes and one changed answer), a meeting and a
// mediation case, updates the case and corrects the incident. Numbers pick
// the numbered buttons, as on a platform without buttons, so the script
// reads the same in every language.
var demoScript = []string{
	"/trogiup",
	"/baocao",
	"2",     // An ninh trật tự (after «🚨 Khẩn cấp»)
	"1",     // Trộm cắp tài sản
	"2",     // Hôm qua
	"25:00", // not a time
	"21h30",
	"Ngõ 3, xóm Bãi",
	"Mất trộm một xe máy Honda Wave đỗ trước cổng nhà ông Hùng.",
	"vài người", // not a number
	"một",       // people involved, in words
	"2",         // Đã báo công an
	"1",         // Khẩn cấp
	"1",         // Xong: no photos
	"2",         // Sửa
	"4",         // Nơi xảy ra
	"Ngõ 3, cạnh nhà văn hóa xóm Bãi",
	"1", // Gửi

	"/baocao",
	"3", // Sinh hoạt tổ
	"23/11",
	"19:30",
	"Nhà văn hóa xóm Bãi",
	"Ông Nguyễn Văn Hùng",
	"2",  // no secretary: Bỏ qua
	"45", // more than the group's 42 households
	"38",
	"4",
	"1,2",     // guests: police and the Front, done
	"1, 4, 5", // topics
	"Tăng cường tuần tra ban đêm dịp cuối năm; kiểm tra bình chữa cháy.",
	"1", // Đồng ý
	"Tổ bảo vệ lập lịch tuần tra trước 30/11",
	"1", // Xong: no photos
	"1", // Gửi

	"/baocao",
	"4", // Hòa giải
	"1", // Hôm nay
	"Bà Lò Thị Mai",
	"Nguyễn Văn A, 45, xóm Bãi\nTrần Văn B, 50, xóm Bãi",
	"Tranh chấp lối đi chung giữa hai nhà",
	"2", // Dân sự
	"2", // Đang hòa giải
	"2", // no agreement yet: Bỏ qua
	"2", // no notes: Bỏ qua
	"1", // Gửi

	"/vuviec",
	"1", // the case
	"2", // Cập nhật tình trạng
	"2", // Hòa giải thành
	"Hai bên thống nhất mở lối đi rộng 1,5 m",
	"1", // Lưu

	"/cuatoi",
	"3", // the incident, the oldest of three
	"1", // Sửa
	"6", // Số người liên quan
	"2",
	"1", // Lưu
}

const demoInvite = "demo"

func (m *Main) cmdDemo(ctx context.Context, args []string) error {
	fs, path := m.flags("demo", m.T("cli.synopsis.demo"))
	script := fs.Bool("script", false, m.T("cli.flag.demo.script"))
	terminal := fs.Bool("terminal", false, m.T("cli.flag.demo.terminal"))
	listen := fs.String("listen", roomListen, m.T("cli.flag.demo.listen"))
	lang := fs.String("lang", "", m.T("cli.flag.demo.lang"))
	verbose := fs.Bool("v", false, m.T("cli.flag.demo.v"))
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, m.T("cli.demo.usage", m.T("cli.synopsis.demo")))
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
	if !*script && !*terminal {
		return m.room(ctx, cfg, *listen)
	}
	return m.demo(ctx, *script, cfg)
}

// offlineConfig loads the config of the room or the demo, whose store is
// temporary, in lang when one is given: the person at the keyboard chose
// it, and the command's own words follow it too.
func (m *Main) offlineConfig(fs *flag.FlagSet, path, lang string) (Config, error) {
	m.offline = true
	cfg, err := m.config(fs, path)
	if err != nil || lang == "" {
		return cfg, err
	}
	if !i18n.Supported(lang) {
		return cfg, usageError{m.T("cli.lang.bad", lang, strings.Join(i18n.Languages, ", "))}
	}
	cfg.Language, m.lang = lang, lang
	return cfg, nil
}

// demo runs the real bot against the in-process fake Telegram server with a
// fresh store, and lets the person at the terminal (or the script) chat as
// a leader who has just received an invite.
func (m *Main) demo(ctx context.Context, script bool, base Config) error {
	fake, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		return err
	}
	defer fake.Close()
	dir, err := os.MkdirTemp("", "totuquan-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	cfg := base
	cfg.Store.Path = filepath.Join(dir, "demo.db")
	lang := cfg.Language
	cfg.Telegram.Token = fake.Token()
	cfg.Telegram.APIEndpoint = fake.Endpoint()
	cfg.Telegram.MessagesPerSecond = 0
	cfg.Limits.PerMinute = 0 // the script answers faster than any person
	if err := cfg.validate(); err != nil {
		return err
	}
	st, err := store.Open(cfg.Store.Path, cfg.storeOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.Update(func(tx bot.Tx) error {
		areas, err := bot.ParseAreas(bytes.NewReader(demoAreas), nil)
		if err != nil {
			return err
		}
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		return tx.PutInvite(bot.Invite{Code: demoInvite, Group: "PT-TL-XB-T1", Role: bot.RoleLeader, MaxUses: 1, CreatedAt: m.Now()})
	})
	if err != nil {
		return err
	}

	log := slog.New(slog.DiscardHandler)
	if m.demoLog {
		log = m.logger("debug", "text")
	}
	handled := make(chan struct{}, 1)
	inner := m.wrap
	m.wrap = func(h bot.Handler) bot.Handler {
		if inner != nil {
			h = inner(h)
		}
		return handlerFunc(func(ctx context.Context, in bot.Inbound) (bot.Ack, error) {
			ack, err := h.Handle(ctx, in)
			select {
			case handled <- struct{}{}:
			default:
			}
			return ack, err
		})
	}
	defer func() { m.wrap = inner }()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	m.ready = func(*store.Store) { close(ready) }
	defer func() { m.ready = nil }()
	errc := make(chan error, 1)
	go func() { errc <- m.runBot(ctx, cfg, st, log) }()
	select {
	case <-ready:
	case err := <-errc:
		return err
	}

	d := &demoChat{m: m, fake: fake, st: st, handled: handled, user: fakeapi.User{ID: 1001, FirstName: "Lan", Language: lang}}
	if !script {
		fmt.Fprint(m.Stdout, i18n.T(lang, "cli.demo.intro"))
	}
	err = d.turn(ctx, "/start "+demoInvite)
	if script {
		for _, line := range demoScript {
			if err != nil {
				break
			}
			err = d.turn(ctx, line)
		}
	} else {
		sc := bufio.NewScanner(m.Stdin)
		for err == nil && sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				err = d.turn(ctx, line)
			}
		}
	}
	cancel()
	if rerr := <-errc; err == nil && rerr != nil && !errors.Is(rerr, context.Canceled) {
		err = rerr
	}
	return err
}

type handlerFunc func(context.Context, bot.Inbound) (bot.Ack, error)

func (f handlerFunc) Handle(ctx context.Context, in bot.Inbound) (bot.Ack, error) { return f(ctx, in) }

// demoChat prints the conversation as a transcript.
type demoChat struct {
	m       *Main
	fake    *fakeapi.Server
	st      *store.Store
	handled chan struct{}
	user    fakeapi.User
	printed int
	mu      sync.Mutex
}

// turn sends one line as the user, waits until the bot has handled it and
// sent every reply, and prints both sides.
func (d *demoChat) turn(ctx context.Context, line string) error {
	fmt.Fprintf(d.m.Stdout, "👤 %s: %s\n", d.user.FirstName, strings.ReplaceAll(line, "\n", "\n   "))
	d.fake.SendText(d.user, line)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	select {
	case <-d.handled:
	case <-ctx.Done():
		return d.m.fail(ctx.Err(), "cli.demo.no_answer", line, ctx.Err())
	}
	if err := waitDelivered(ctx, d.st); err != nil {
		return d.m.fail(err, "cli.demo.undelivered", line, err)
	}
	d.print(d.m.Stdout)
	return nil
}

func (d *demoChat) print(w io.Writer) {
	msgs := d.fake.BotMessages(d.user.ID)
	for _, msg := range msgs[d.printed:] {
		for i, line := range strings.Split(msg.Text, "\n") {
			switch {
			case i == 0:
				fmt.Fprintf(w, "🤖 %s\n", line)
			case line == "":
				fmt.Fprintln(w)
			default:
				fmt.Fprintf(w, "   %s\n", line)
			}
		}
		n := 0
		for _, row := range msg.Buttons {
			var cells []string
			for _, b := range row {
				n++
				cells = append(cells, fmt.Sprintf("[%d] %s", n, b.Text))
			}
			fmt.Fprintf(w, "     %s\n", strings.Join(cells, "   "))
		}
	}
	fmt.Fprintln(w)
	d.printed = len(msgs)
}

// waitDelivered waits until the outbox of st is empty.
func waitDelivered(ctx context.Context, st *store.Store) error {
	for {
		var pending int
		err := st.View(func(tx bot.Tx) error {
			items, err := tx.Pending(1, 1)
			pending = len(items)
			return err
		})
		if err != nil || pending == 0 {
			return err
		}
		select {
		case <-time.After(2 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
