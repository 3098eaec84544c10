package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/schedule"
	"github.com/totuquan/totuquan/store"
)

// Config is config.yaml. Every key, its default and its meaning are in
// config.example.yaml, which a test keeps equal to defaultConfig.
type Config struct {
	Store struct {
		Path string `yaml:"path"`
		// BackupDir is where /saoluu writes its copies.
		BackupDir  string `yaml:"backup_dir"`
		BackupKeep int    `yaml:"backup_keep"`
	} `yaml:"store"`
	Timezone       string `yaml:"timezone"`
	Language       string `yaml:"language"`
	SessionTimeout string `yaml:"session_timeout"`
	DraftExpiry    string `yaml:"draft_expiry"`
	Telegram       struct {
		Token             string  `yaml:"token"`
		APIEndpoint       string  `yaml:"api_endpoint"`
		PollTimeout       string  `yaml:"poll_timeout"`
		BotUsername       string  `yaml:"bot_username"`
		MessagesPerSecond float64 `yaml:"messages_per_second"`
	} `yaml:"telegram"`
	Zalo struct {
		Token       string `yaml:"token"`
		APIBase     string `yaml:"api_base"`
		Mode        string `yaml:"mode"`
		PollTimeout string `yaml:"poll_timeout"`
		Webhook     struct {
			Listen string `yaml:"listen"`
			Secret string `yaml:"secret"`
		} `yaml:"webhook"`
		PublicURL         string  `yaml:"public_url"`
		MessagesPerSecond float64 `yaml:"messages_per_second"`
		MediaDir          string  `yaml:"media_dir"`
	} `yaml:"zalo"`
	Admins struct {
		Telegram []int64  `yaml:"telegram"`
		Zalo     []string `yaml:"zalo"`
	} `yaml:"admins"`
	Limits struct {
		Burst               int    `yaml:"burst"`
		PerMinute           int    `yaml:"per_minute"`
		StrangerAnswerEvery string `yaml:"stranger_answer_every"`
	} `yaml:"limits"`
	Schedules struct {
		WeeklySummary   string `yaml:"weekly_summary"`
		WeeklyReminder  string `yaml:"weekly_reminder"`
		MeetingReminder string `yaml:"meeting_reminder"`
		Housekeeping    string `yaml:"housekeeping"`
		Backup          string `yaml:"backup"`
	} `yaml:"schedules"`
	QuietHours string `yaml:"quiet_hours"`
	Log        struct {
		Level       string `yaml:"level"`
		Format      string `yaml:"format"`
		HealthEvery string `yaml:"health_every"`
	} `yaml:"log"`
	Metrics struct {
		Listen string `yaml:"listen"`
		Public bool   `yaml:"public"`
	} `yaml:"metrics"`

	// Parsed values, filled by validate.
	location       *time.Location
	sessionTimeout time.Duration
	draftExpiry    time.Duration
	strangerEvery  time.Duration
	pollTimeout    time.Duration
	// zaloPollTimeout is zalo.poll_timeout, parsed.
	zaloPollTimeout time.Duration
	quiet           schedule.QuietHours
	healthEvery     time.Duration // log.health_every, parsed; 0 is off
	source          string        // the file read, or "built-in defaults"
}

// defaultSource is the source of a configuration read from no file.
const defaultSource = "built-in defaults"

func defaultConfig() Config {
	var c Config
	c.Store.Path = "totuquan.db"
	c.Store.BackupDir = "backups"
	c.Timezone = "Asia/Ho_Chi_Minh"
	c.Language = "vi"
	c.SessionTimeout = "2h"
	c.DraftExpiry = "720h"
	c.Store.BackupKeep = 14
	c.Limits.Burst = 30
	c.Limits.PerMinute = 60
	c.Limits.StrangerAnswerEvery = "1h"
	c.Schedules.Housekeeping = "0 3 * * *"
	c.Schedules.Backup = "0 2 * * *"
	c.Telegram.APIEndpoint = "https://api.telegram.org/bot%s/%s"
	c.Telegram.PollTimeout = "30s"
	c.Telegram.MessagesPerSecond = 30
	c.Zalo.APIBase = "https://bot-api.zaloplatforms.com"
	c.Zalo.Mode = "polling"
	c.Zalo.PollTimeout = "30s"
	c.Zalo.MessagesPerSecond = 10
	c.Zalo.MediaDir = "media"
	c.Admins.Telegram = []int64{}
	c.Admins.Zalo = []string{}
	c.Schedules.WeeklySummary = "30 7 * * 1"
	c.Schedules.WeeklyReminder = "0 19 * * 5"
	c.Schedules.MeetingReminder = "0 19 25 * *"
	c.QuietHours = "21:00-07:00"
	c.Log.Level = "info"
	c.Log.Format = "text"
	c.Log.HealthEvery = "15m"
	return c
}

// loadConfig reads path over the defaults. A missing file is an error
// unless optional is set (the default path), when the defaults are used.
// The environment variable TELEGRAM_BOT_TOKEN overrides telegram.token.
func loadConfig(path string, optional bool, getenv func(string) string) (Config, error) {
	c := defaultConfig()
	c.source = defaultSource
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && optional:
	case err != nil:
		return c, wordedError{i18n.T(fallbackLang, "cli.config.read", err), err}
	default:
		c.source = path
		if err := decodeConfig(path, data, &c); err != nil {
			return c, err
		}
	}
	if tok := getenv("ZALO_BOT_TOKEN"); tok != "" {
		c.Zalo.Token = tok
	}
	if s := getenv("ZALO_WEBHOOK_SECRET"); s != "" {
		c.Zalo.Webhook.Secret = s
	}
	if tok := getenv("TELEGRAM_BOT_TOKEN"); tok != "" {
		c.Telegram.Token = tok
	}
	return c, c.validate()
}

// decodeConfig reads data, the file at path, into c; its errors are in
// the file's language, or the fallback's if it names none.
func decodeConfig(path string, data []byte, c *Config) error {
	lang := dataLanguage(data)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return errors.New(i18n.T(lang, "cli.config.yaml", path, strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if len(root.Content) == 0 {
		return nil // an empty file keeps the defaults
	}
	if err := checkKeys(lang, path, root.Content[0], reflect.TypeFor[Config](), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(i18n.T(lang, "cli.config.types", path, strings.Join(te.Errors, "; ")))
		}
		return errors.New(i18n.T(lang, "cli.config.yaml", path, err))
	}
	return nil
}

// checkKeys walks the YAML mapping against the struct's yaml tags so that
// an unknown or misspelt key is named with its full path and line, in
// lang.
func checkKeys(lang, path string, n *yaml.Node, t reflect.Type, prefix string) error {
	if t.Kind() != reflect.Struct {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		return errors.New(i18n.T(lang, "cli.config.not_mapping", path, n.Line, strings.TrimSuffix(prefix, ".")))
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = f.Type
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			return errors.New(i18n.T(lang, "cli.config.unknown_key", path, k.Line, prefix+k.Value))
		}
		if err := checkKeys(lang, path, v, ft, prefix+k.Value+"."); err != nil {
			return err
		}
	}
	return nil
}

// validate checks every value and names the key of the first bad one, in
// the order of the checks below.
func (c *Config) validate() error {
	for _, check := range []func() error{
		c.checkFiles, c.checkLocale, c.checkDurations, c.checkLimits,
		c.checkTelegram, c.checkZalo, c.checkAdmins, c.checkSchedules, c.checkLog, c.checkMetrics,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// bad is the error for the value of key, naming the file it came from;
// text is the key of what is wrong with it, which takes args.
func (c *Config) bad(key, text string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", c.sourceName(), key, i18n.T(c.lang(), text, args...))
}

// lang is the language of the configuration's errors: its language key,
// or the fallback while that is not one the bot speaks.
func (c *Config) lang() string {
	if i18n.Supported(c.Language) {
		return c.Language
	}
	return fallbackLang
}

// sourceName names where the configuration came from, for people.
func (c *Config) sourceName() string {
	if c.source == defaultSource {
		return i18n.T(c.lang(), "cli.config.builtin")
	}
	return c.source
}

// checkFiles checks where the store and its backups go.
func (c *Config) checkFiles() error {
	if c.Store.Path == "" {
		return c.bad("store.path", "cli.config.empty")
	}
	if c.Store.BackupDir == "" {
		return c.bad("store.backup_dir", "cli.config.empty")
	}
	return nil
}

// checkLocale checks the time zone, which it loads, and the language.
func (c *Config) checkLocale() error {
	var err error
	if c.location, err = time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		return c.bad("timezone", "cli.config.timezone", c.Timezone)
	}
	if !i18n.Supported(c.Language) {
		return c.bad("language", "cli.config.language", c.Language, strings.Join(i18n.Languages, ", "))
	}
	return nil
}

// checkDurations parses how long a draft waits before "continue?" and
// before it is deleted.
func (c *Config) checkDurations() error {
	var err error
	if c.sessionTimeout, err = time.ParseDuration(c.SessionTimeout); err != nil || c.sessionTimeout < time.Minute {
		return c.bad("session_timeout", "cli.config.duration_min", c.SessionTimeout, "1m", "2h")
	}
	if c.draftExpiry, err = time.ParseDuration(c.DraftExpiry); err != nil || c.draftExpiry < 24*time.Hour {
		return c.bad("draft_expiry", "cli.config.draft_expiry", c.DraftExpiry)
	}
	if c.draftExpiry <= c.sessionTimeout {
		return c.bad("draft_expiry", "cli.config.draft_longer", c.DraftExpiry, c.SessionTimeout)
	}
	return nil
}

// checkLimits checks the backups kept and the limits on senders and
// strangers, parsing how often a stranger is answered.
func (c *Config) checkLimits() error {
	var err error
	if c.Store.BackupKeep < 1 || c.Store.BackupKeep > 1000 {
		return c.bad("store.backup_keep", "cli.config.range", c.Store.BackupKeep, 1, 1000)
	}
	if c.Limits.Burst < 0 || c.Limits.Burst > 10000 {
		return c.bad("limits.burst", "cli.config.range", c.Limits.Burst, 0, 10000)
	}
	if c.Limits.PerMinute < 0 || c.Limits.PerMinute > 60000 {
		return c.bad("limits.per_minute", "cli.config.per_minute", c.Limits.PerMinute)
	}
	if c.strangerEvery, err = time.ParseDuration(c.Limits.StrangerAnswerEvery); err != nil || c.strangerEvery < time.Minute {
		return c.bad("limits.stranger_answer_every", "cli.config.duration_min", c.Limits.StrangerAnswerEvery, "1m", "1h")
	}
	return nil
}

// checkTelegram checks the telegram block, parsing its poll timeout. The
// token itself is never printed.
func (c *Config) checkTelegram() error {
	var err error
	tg := &c.Telegram
	if c.pollTimeout, err = time.ParseDuration(tg.PollTimeout); err != nil || c.pollTimeout < time.Second || c.pollTimeout > 50*time.Second {
		return c.bad("telegram.poll_timeout", "cli.config.poll_timeout", tg.PollTimeout)
	}
	if strings.Count(tg.APIEndpoint, "%s") != 2 || !(strings.HasPrefix(tg.APIEndpoint, "https://") || strings.HasPrefix(tg.APIEndpoint, "http://")) {
		return c.bad("telegram.api_endpoint", "cli.config.api_endpoint", tg.APIEndpoint)
	}
	if !(tg.MessagesPerSecond >= 0 && tg.MessagesPerSecond <= 1000) { // NaN too
		return c.bad("telegram.messages_per_second", "cli.config.per_second", tg.MessagesPerSecond)
	}
	if tok := tg.Token; tok != "" && (!strings.Contains(tok, ":") || strings.ContainsAny(tok, " /\t")) {
		return c.bad("telegram.token", "cli.config.telegram_token")
	}
	if u := tg.BotUsername; strings.ContainsAny(u, " /@") {
		return c.bad("telegram.bot_username", "cli.config.bot_username", u)
	}
	return nil
}

// checkZalo checks the zalo block, parsing its poll timeout. The token and
// the secret are never printed.
func (c *Config) checkZalo() error {
	z := &c.Zalo
	var err error
	if c.zaloPollTimeout, err = time.ParseDuration(z.PollTimeout); err != nil || c.zaloPollTimeout < time.Second || c.zaloPollTimeout > 50*time.Second {
		return c.bad("zalo.poll_timeout", "cli.config.poll_timeout", z.PollTimeout)
	}
	if !strings.HasPrefix(z.APIBase, "https://") && !strings.HasPrefix(z.APIBase, "http://") {
		return c.bad("zalo.api_base", "cli.config.api_base", z.APIBase)
	}
	if tok := z.Token; tok != "" && (!strings.Contains(tok, ":") || strings.ContainsAny(tok, " /\t")) {
		return c.bad("zalo.token", "cli.config.zalo_token")
	}
	switch z.Mode {
	case "polling":
	case "webhook":
		if z.PublicURL == "" {
			return c.bad("zalo.public_url", "cli.config.public_url_needed")
		}
		if n := len(z.Webhook.Secret); n < 8 || n > 256 {
			return c.bad("zalo.webhook.secret", "cli.config.webhook_secret")
		}
	default:
		return c.bad("zalo.mode", "cli.config.zalo_mode", z.Mode)
	}
	if u := z.PublicURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://127.0.0.1") && !strings.HasPrefix(u, "http://localhost") {
		return c.bad("zalo.public_url", "cli.config.public_url", u)
	}
	if (z.PublicURL != "" || z.Mode == "webhook") && z.Webhook.Listen == "" {
		return c.bad("zalo.webhook.listen", "cli.config.webhook_listen")
	}
	if !(z.MessagesPerSecond >= 0 && z.MessagesPerSecond <= 1000) { // NaN too
		return c.bad("zalo.messages_per_second", "cli.config.per_second", z.MessagesPerSecond)
	}
	return nil
}

// checkAdmins checks the admins' user ids, platform by platform.
func (c *Config) checkAdmins() error {
	for i, id := range c.Admins.Telegram {
		if id <= 0 {
			return c.bad("admins.telegram["+strconv.Itoa(i)+"]", "cli.config.telegram_id", id)
		}
	}
	for i, id := range c.Admins.Zalo {
		if id == "" || strings.ContainsAny(id, " :/\t") {
			return c.bad("admins.zalo["+strconv.Itoa(i)+"]", "cli.config.zalo_id", id)
		}
	}
	return nil
}

// checkSchedules checks the jobs' cron expressions and parses the quiet
// hours.
func (c *Config) checkSchedules() error {
	for key, spec := range map[string]string{
		"schedules.weekly_summary":   c.Schedules.WeeklySummary,
		"schedules.weekly_reminder":  c.Schedules.WeeklyReminder,
		"schedules.meeting_reminder": c.Schedules.MeetingReminder,
		"schedules.housekeeping":     c.Schedules.Housekeeping,
		"schedules.backup":           c.Schedules.Backup,
	} {
		if _, err := schedule.Parse(spec); err != nil {
			return c.bad(key, "cli.config.cron", spec, err)
		}
	}
	var err error
	if c.quiet, err = schedule.ParseQuiet(c.QuietHours); err != nil {
		return c.bad("quiet_hours", "cli.config.quiet_hours", c.QuietHours)
	}
	return nil
}

// checkLog checks the log's level and format and parses how often the
// health line is written.
func (c *Config) checkLog() error {
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return c.bad("log.level", "cli.config.log_level", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return c.bad("log.format", "cli.config.log_format", c.Log.Format)
	}
	var err error
	if c.healthEvery, err = time.ParseDuration(c.Log.HealthEvery); err != nil || (c.healthEvery != 0 && c.healthEvery < time.Second) {
		return c.bad("log.health_every", "cli.config.health_every", c.Log.HealthEvery)
	}
	return nil
}

// checkMetrics checks where /metrics and /healthz are served: a loopback
// address only, unless metrics.public says otherwise.
func (c *Config) checkMetrics() error {
	addr := c.Metrics.Listen
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return c.bad("metrics.listen", "cli.config.metrics_address", addr)
	}
	if !c.Metrics.Public && !loopback(host) {
		return c.bad("metrics.listen", "cli.config.metrics_loopback", addr)
	}
	return nil
}

// loopback reports whether host names this machine only; an empty host
// is every interface.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// storeOptions opens the store with the migrations that bring an older
// file forward, counting weeks in the configured zone.
func (c *Config) storeOptions() store.Options {
	return store.Options{Migrations: bot.Migrations(c.location)}
}

// guard is the dispatcher's limits on senders, chats and strangers, on
// the clock now; nil when limits.per_minute turns them off.
func (c *Config) guard(now func() time.Time) *bot.Guard {
	if c.Limits.PerMinute == 0 {
		return nil
	}
	every := time.Minute / time.Duration(c.Limits.PerMinute)
	return &bot.Guard{
		PerSender:     bot.RateLimit{Burst: c.Limits.Burst, Every: every},
		PerChat:       bot.RateLimit{Burst: 2 * c.Limits.Burst, Every: every / 2},
		StrangerEvery: c.strangerEvery,
		Now:           now,
	}
}
