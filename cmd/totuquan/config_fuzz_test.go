package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// Ensure config.yaml, whatever it holds, is either refused with an error
// naming the file or gives a configuration whose every value is within
// what validate promises: a zone loaded, durations and rates in their
// ranges, a known language, mode, log level and format. The
// tokens are never in an error.
func FuzzLoadConfig(f *testing.F) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(example), "", "\n", "---\n", "~", "null", "[]", "telegram: yes\n", "store: [\n",
		"telegram:\n  token: \"123456:ABC-DEF\"\n  poll_timeout: 90s\n",
		"telegram:\n  messages_per_second: .nan\n", "zalo:\n  messages_per_second: .inf\n",
		"telegram:\n  messages_per_second: -.inf\n", "limits:\n  burst: 99999999999999999999\n",
		"session_timeout: 1m\ndraft_expiry: 24h\n", "session_timeout: 9223372036854775807ns\n",
		"timezone: Local\n", "timezone: \"\"\n", "timezone: ../../etc/passwd\n", "timezone: UTC\x00\n",
		"language: \"vi\\u202e\"\n", "quiet_hours: \"21:00-07:00\"\n", "quiet_hours: \"25:00-07:00\"\n",
		"schedules:\n  weekly_summary: \"*/0 * * * *\"\n", "schedules:\n  backup: \"60 24 32 13 8\"\n",
		"zalo:\n  mode: webhook\n  public_url: https://x.example\n  webhook:\n    listen: 127.0.0.1:8443\n    secret: \"12345678\"\n",
		"metrics:\n  listen: \"[::1]:9464\"\n", "metrics:\n  listen: \"localhost:\"\n",
		"a: &a [*a, *a]\nb: *a\n", "admins:\n  telegram: [1, 0x10, 1e3]\n  zalo: [\"\", \"a b\"]\n",
		"log:\n  health_every: 0\n", "log:\n  health_every: -1s\n", "store:\n  backup_keep: 1001\n",
		"\ufefftimezone: UTC\n", "timezone: UTC\r\nlanguage: en\r\n", strings.Repeat("- ", 10000),
		strings.Repeat("[", 10000), "x: " + strings.Repeat("a", 100000) + "\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := loadConfig(path, false, noenv)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			for _, tok := range []string{c.Telegram.Token, c.Zalo.Token, c.Zalo.Webhook.Secret} {
				if len(tok) >= 8 && strings.Contains(err.Error(), tok) {
					t.Fatalf("error %q gives a token or a secret", err)
				}
			}
			return
		}
		switch {
		case c.location == nil:
			t.Fatal("no time zone loaded")
		case !i18n.Supported(c.Language):
			t.Fatalf("language %q", c.Language)
		case c.sessionTimeout < time.Minute || c.draftExpiry < 24*time.Hour || c.draftExpiry <= c.sessionTimeout:
			t.Fatalf("session_timeout %v, draft_expiry %v", c.sessionTimeout, c.draftExpiry)
		case c.strangerEvery < time.Minute:
			t.Fatalf("stranger_answer_every %v", c.strangerEvery)
		case c.pollTimeout < time.Second || c.pollTimeout > 50*time.Second || c.zaloPollTimeout < time.Second || c.zaloPollTimeout > 50*time.Second:
			t.Fatalf("poll timeouts %v, %v", c.pollTimeout, c.zaloPollTimeout)
		case !inRate(c.Telegram.MessagesPerSecond) || !inRate(c.Zalo.MessagesPerSecond):
			t.Fatalf("messages per second %v, %v: not from 0 to 1000", c.Telegram.MessagesPerSecond, c.Zalo.MessagesPerSecond)
		case c.Store.BackupKeep < 1 || c.Store.BackupKeep > 1000 || c.Limits.Burst < 0 || c.Limits.Burst > 10000 ||
			c.Limits.PerMinute < 0 || c.Limits.PerMinute > 60000:
			t.Fatalf("limits %+v, backup_keep %d", c.Limits, c.Store.BackupKeep)
		case c.Zalo.Mode != "polling" && c.Zalo.Mode != "webhook":
			t.Fatalf("zalo.mode %q", c.Zalo.Mode)
		case c.healthEvery < 0 || (c.healthEvery > 0 && c.healthEvery < time.Second):
			t.Fatalf("log.health_every %v", c.healthEvery)
		case c.Store.Path == "" || c.Store.BackupDir == "":
			t.Fatalf("store %+v", c.Store)
		}
		for _, id := range c.Admins.Telegram {
			if id <= 0 {
				t.Fatalf("admin %d", id)
			}
		}
		if g := c.guard(time.Now); g != nil && (g.PerSender.Every <= 0 || g.PerChat.Every <= 0) {
			t.Fatalf("limits %+v give a guard with no pace: %+v", c.Limits, g)
		}
	})
}

// inRate reports whether v is a rate from 0 (no cap) to 1000 a second.
func inRate(v float64) bool { return v >= 0 && v <= 1000 }
