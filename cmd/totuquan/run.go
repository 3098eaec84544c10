package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/schedule"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/zalo"
)

// cmdRun runs the bot. Named ("totuquan run"), it is the server's command:
// with no token it stops with an error rather than silently running a demo
// under a service manager; bare ("totuquan") it runs the demo then.
func (m *Main) cmdRun(ctx context.Context, args []string, named bool) error {
	fs, path := m.flags("run", m.T("cli.synopsis.run"))
	listen := fs.String("listen", roomListen, m.T("cli.flag.run.listen"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	m.offline = !named
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	noToken := cfg.Telegram.Token == "" && cfg.Zalo.Token == ""
	if noToken && named {
		return errors.New(m.T("cli.run.no_token", cfg.sourceName()))
	}
	if noToken {
		fmt.Fprintln(m.Stderr, m.T("cli.run.demo"))
		return m.room(ctx, cfg, *listen)
	}
	log := m.logger(cfg.Log.Level, cfg.Log.Format)
	st, err := m.openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return m.runBot(ctx, cfg, st, log)
}

// runBot wires the dispatcher, the flows, the outbox sender and the
// platform adapters configured (Telegram, Zalo, or both on one store) over
// st, and runs until ctx ends or an adapter stops for good (a refused
// token).
func (m *Main) runBot(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	engine := flows.New(cfg.location, cfg.sessionTimeout)
	o := newOps(st)
	sender := &bot.Sender{Store: st, Log: log, Transports: map[string]bot.Transport{}, OnThrottle: o.throttle}
	d := &bot.Dispatcher{
		Store: st, Flows: engine, Admins: configAdmins(cfg), Lang: cfg.Language,
		Location: cfg.location, Now: m.Now, Log: log, Notify: sender.Notify, Guard: cfg.guard(m.Now),
		DraftExpiry: cfg.draftExpiry, Observe: o.observe,
		Backup:    func() (string, int64, error) { return backupInto(st, cfg, m.Now()) },
		Joiners:   map[string]bot.Joiner{},
		Downloads: map[string]func(context.Context, string) ([]byte, error){},
	}
	d.InviteQR, d.XLSX, d.Chart = inviteQR, workbook, weeklyChart
	var h bot.Handler = d
	if m.wrap != nil {
		h = m.wrap(h)
	}
	var runs []func(context.Context) error
	add := func(platform string, tr bot.Transport, j bot.Joiner, download func(context.Context, string) ([]byte, error), run func(context.Context) error) {
		d.Platforms = append(d.Platforms, platform)
		sender.Transports[platform], d.Joiners[platform], d.Downloads[platform] = tr, j, download
		runs = append(runs, run)
	}
	if cfg.Telegram.Token != "" {
		tg, err := m.telegram(ctx, cfg, st, h, log, o.poller(telegram.Platform, cfg.pollTimeout))
		if err != nil {
			return err
		}
		add(telegram.Platform, tg, tg, tg.Download, tg.Run)
	}
	var z *zalo.Bot
	if cfg.Zalo.Token != "" {
		var err error
		var onPoll func() // a webhook is not polled: nothing to watch
		if cfg.Zalo.Mode == zalo.ModePolling {
			onPoll = o.poller(zalo.Platform, cfg.zaloPollTimeout)
		}
		if z, err = m.zalo(ctx, cfg, st, h, log, sender.Notify, onPoll); err != nil {
			return err
		}
		add(zalo.Platform, z, z, z.Download, z.Run)
	}
	srv, err := m.serve(ctx, cfg, st, z, log)
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
	}
	msrv, err := serveMetrics(cfg, o, log, m.metricsAddr)
	if err != nil {
		return err
	}
	if msrv != nil {
		defer msrv.Close()
	}
	log.Info("totuquan is running", "platforms", strings.Join(d.Platforms, ", "), "store", cfg.Store.Path)

	sched := &schedule.Scheduler{
		Location: cfg.location, Quiet: cfg.quiet, Store: st, Log: log, Clock: m.clock,
		Jobs: []*schedule.Job{
			{Name: "weekly_summary", Spec: cfg.Schedules.WeeklySummary, Run: d.WeeklySummaries},
			{Name: "weekly_reminder", Spec: cfg.Schedules.WeeklyReminder, Quiet: true, Run: d.WeeklyReminders},
			{Name: "meeting_reminder", Spec: cfg.Schedules.MeetingReminder, Quiet: true, Run: d.MeetingReminders},
			{Name: "housekeeping", Spec: cfg.Schedules.Housekeeping, Run: d.Housekeeping},
			{Name: "backup", Spec: cfg.Schedules.Backup, Run: func(context.Context, time.Time) error {
				path, size, err := backupInto(st, cfg, m.Now())
				if err == nil {
					log.Info("scheduled backup written", "path", path, "bytes", size)
				}
				return err
			}},
		},
	}
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(ctx) })
	if cfg.healthEvery > 0 {
		wg.Go(func() { o.logHealth(ctx, log, cfg.healthEvery) })
	}
	wg.Go(func() {
		if err := sched.Run(ctx); err != nil {
			log.Error("scheduler stopped", "err", err)
		}
	})
	if m.ready != nil {
		m.ready(st)
	}
	errs := make(chan error, len(runs))
	for _, run := range runs {
		wg.Go(func() {
			err := run(ctx)
			if err != nil && ctx.Err() == nil {
				cancel() // one platform stopping for good stops the bot, said plainly
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	log.Info("totuquan stopped")
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// telegram connects the Telegram adapter.
func (m *Main) telegram(ctx context.Context, cfg Config, st *store.Store, h bot.Handler, log *slog.Logger, onPoll func()) (*telegram.Bot, error) {
	tg, err := telegram.New(ctx, telegram.Config{
		Token:       cfg.Telegram.Token,
		Endpoint:    cfg.Telegram.APIEndpoint,
		PollTimeout: cfg.pollTimeout,
		Handler:     h,
		Store:       st,
		Log:         log,
		Now:         m.Now,
		// A zero overall cap means no limits at all: tests and the demo.
		NoChatLimits: cfg.Telegram.MessagesPerSecond == 0,
		PerSecond:    cfg.Telegram.MessagesPerSecond,
		Commands:     bot.CommandMenu(cfg.Language),
		OnPoll:       onPoll,
	})
	if err != nil {
		return nil, err
	}
	return tg, st.Update(func(tx bot.Tx) error { return tx.PutMeta("telegram.username", tg.Username()) })
}

// zalo connects the Zalo adapter. Photos and voice notes are kept in
// zalo.media_dir beside the store; documents become links where
// zalo.public_url is set.
func (m *Main) zalo(ctx context.Context, cfg Config, st *store.Store, h bot.Handler, log *slog.Logger, notify, onPoll func()) (*zalo.Bot, error) {
	zc := zalo.Config{
		Token: cfg.Zalo.Token, APIBase: cfg.Zalo.APIBase, Mode: cfg.Zalo.Mode, PollTimeout: cfg.zaloPollTimeout,
		WebhookSecret: cfg.Zalo.Webhook.Secret, Handler: h, Store: st, Log: log, PerSecond: cfg.Zalo.MessagesPerSecond,
		MediaDir: mediaDir(cfg), Notify: notify, Now: m.Now, OnPoll: onPoll,
		// A zero overall cap means no limits at all: tests and the demo.
		NoChatLimits: cfg.Zalo.MessagesPerSecond == 0,
	}
	if base := strings.TrimSuffix(cfg.Zalo.PublicURL, "/"); base != "" {
		zc.Publish = func(doc bot.Document, chat bot.Address) (string, error) {
			var token string
			err := st.Update(func(tx bot.Tx) (err error) { token, err = bot.PublishFile(tx, doc, chat, m.Now()); return })
			return base + filePath + token, err
		}
	}
	z, err := zalo.New(ctx, zc)
	if err != nil {
		return nil, err
	}
	return z, st.Update(func(tx bot.Tx) error { return tx.PutMeta("zalo.account_name", z.AccountName()) })
}

// webhookPath is where Zalo posts updates in webhook mode.
const webhookPath = "/zalo/webhook"

// serve starts, where zalo.webhook.listen is set, the HTTP server for
// Zalo's webhook and the file links; in webhook mode it then registers the
// webhook with Zalo.
func (m *Main) serve(ctx context.Context, cfg Config, st *store.Store, z *zalo.Bot, log *slog.Logger) (*http.Server, error) {
	if cfg.Zalo.Webhook.Listen == "" {
		return nil, nil
	}
	mux := http.NewServeMux()
	mux.Handle(filePath, fileHandler(st, m.Now))
	if z != nil && cfg.Zalo.Mode == "webhook" {
		mux.Handle(webhookPath, z.WebhookHandler())
	}
	ln, err := net.Listen("tcp", cfg.Zalo.Webhook.Listen)
	if err != nil {
		return nil, m.fail(err, "cli.listen_failed", "zalo.webhook.listen", cfg.Zalo.Webhook.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("file and webhook server stopped", "err", err)
		}
	}()
	if z != nil && cfg.Zalo.Mode == "webhook" {
		if err := z.SetWebhook(ctx, strings.TrimSuffix(cfg.Zalo.PublicURL, "/")+webhookPath); err != nil {
			srv.Close()
			return nil, err
		}
	}
	return srv, nil
}

// mediaDir is where Zalo's photos and voice notes are kept: zalo.media_dir,
// beside the store when relative.
func mediaDir(cfg Config) string {
	if filepath.IsAbs(cfg.Zalo.MediaDir) {
		return cfg.Zalo.MediaDir
	}
	return filepath.Join(filepath.Dir(cfg.Store.Path), cfg.Zalo.MediaDir)
}

// backupInto writes a checked copy of the live store into the backup
// directory, named by at, and then keeps only the newest store.backup_keep
// copies there. The directory is 0700 and the copies 0600: they hold
// personal data.
func backupInto(st *store.Store, cfg Config, at time.Time) (string, int64, error) {
	if err := os.MkdirAll(cfg.Store.BackupDir, 0o700); err != nil {
		return "", 0, err
	}
	path := filepath.Join(cfg.Store.BackupDir, "totuquan-"+at.In(cfg.location).Format("20060102-150405")+".db")
	size, err := st.Backup(path)
	if err != nil {
		return path, size, err
	}
	if err := store.Check(path); err != nil {
		os.Remove(path)
		return path, size, err
	}
	if err := mirrorMedia(mediaDir(cfg), filepath.Join(cfg.Store.BackupDir, "media")); err != nil {
		return path, size, err
	}
	return path, size, rotateBackups(cfg.Store.BackupDir, cfg.Store.BackupKeep)
}

// mirrorMedia copies into dst the photos and voice notes of src that it
// lacks. They are named by their content's hash and never change, so one
// copy serves every backup.
func mirrorMedia(src, dst string) error {
	err := filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if _, err := os.Stat(to); err == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o600)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no media yet
	}
	return err
}

// rotateBackups deletes all but the newest keep backups in dir; their
// names sort by time.
func rotateBackups(dir string, keep int) error {
	names, err := filepath.Glob(filepath.Join(dir, "totuquan-*.db"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	for len(names) > keep {
		if err := os.Remove(names[0]); err != nil {
			return err
		}
		names = names[1:]
	}
	return nil
}
