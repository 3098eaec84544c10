package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/schedule"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
)

// cmdRun runs the bot. Named ("totuquan run"), it is the server's command:
// with no token it stops with an error rather than silently running a demo
// under a service manager; bare ("totuquan") it runs the demo then.
func (m *Main) cmdRun(ctx context.Context, args []string, named bool) error {
	fs, path := m.flags("run [-config FILE]", "run [-config FILE]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	if cfg.Telegram.Token == "" && named {
		return errors.New("no token: set TELEGRAM_BOT_TOKEN or telegram.token (in " + cfg.source + "); `totuquan` alone runs the offline demo")
	}
	if cfg.Telegram.Token == "" {
		fmt.Fprintln(m.Stderr, "No Telegram token (telegram.token in the config, or TELEGRAM_BOT_TOKEN): starting the offline demo.")
		return m.demo(ctx, false, cfg)
	}
	log := m.logger(cfg.Log.Level)
	st, err := m.openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return m.runBot(ctx, cfg, st, log)
}

// runBot wires the dispatcher, the flows, the outbox sender and the
// Telegram adapter over st, and runs until ctx ends.
func (m *Main) runBot(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger) error {
	engine := flows.New(cfg.location, cfg.sessionTimeout)
	sender := &bot.Sender{Store: st, Log: log}
	d := &bot.Dispatcher{
		Store: st, Flows: engine, Admins: configAdmins(cfg), Lang: cfg.Language,
		Location: cfg.location, Now: m.Now, Log: log, Notify: sender.Notify, Guard: cfg.guard(m.Now),
		DraftExpiry: cfg.draftExpiry, Platforms: []string{telegram.Platform},
		Backup: func() (string, int64, error) { return backupInto(st, cfg, m.Now()) },
	}
	var h bot.Handler = d
	if m.wrap != nil {
		h = m.wrap(h)
	}
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
	})
	if err != nil {
		return err
	}
	if err := st.Update(func(tx bot.Tx) error { return tx.PutMeta("telegram.username", tg.Username()) }); err != nil {
		return err
	}
	sender.Transports = map[string]bot.Transport{telegram.Platform: tg}
	d.Joiners = map[string]bot.Joiner{telegram.Platform: tg}
	d.InviteQR, d.XLSX, d.Chart = inviteQR, workbook, weeklyChart
	d.Downloads = map[string]func(context.Context, string) ([]byte, error){telegram.Platform: tg.Download}
	log.Info("totuquan is running", "bot", "@"+tg.Username(), "store", cfg.Store.Path)

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
	wg.Go(func() {
		if err := sched.Run(ctx); err != nil {
			log.Error("scheduler stopped", "err", err)
		}
	})
	if m.ready != nil {
		m.ready(st)
	}
	err = tg.Run(ctx)
	wg.Wait()
	log.Info("totuquan stopped")
	return err
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
	return path, size, rotateBackups(cfg.Store.BackupDir, cfg.Store.BackupKeep)
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
