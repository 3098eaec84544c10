package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func noenv(string) string { return "" }

// Ensure config.example.yaml documents exactly the built-in defaults.
func TestExampleConfigIsTheDefaults(t *testing.T) {
	got, err := loadConfig("../../config.example.yaml", false, noenv)
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	want.validate()
	got.source, want.source = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.yaml:\n%+v\ndefaults:\n%+v", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"UnknownKey", "telegram:\n  tokn: x\n", []string{"config.yaml:2", "không có khóa telegram.tokn"}},
		{"UnknownTopKey", "stor:\n  path: x\n", []string{"không có khóa stor "}},
		{"BadTimezone", "timezone: Mars/Olympus\n", []string{"timezone", "Mars/Olympus"}},
		{"BadLanguage", "language: fr\n", []string{"language", "vi, en"}},
		{"BadPollTimeout", "telegram:\n  poll_timeout: 90s\n", []string{"telegram.poll_timeout", "từ 1s đến 50s"}},
		{"BadDuration", "session_timeout: soon\n", []string{"session_timeout"}},
		{"BadEndpoint", "telegram:\n  api_endpoint: https://example.invalid/bot\n", []string{"telegram.api_endpoint"}},
		{"BadAdmin", "admins:\n  telegram: [12, -5]\n", []string{"admins.telegram[1]"}},
		{"WrongType", "admins:\n  telegram: alice\n", []string{"config.yaml", "cannot unmarshal"}},
		{"NotAMapping", "telegram: yes\n", []string{"telegram phải là một nhóm khóa"}},
		{"BadYAML", "store: [\n", []string{"config.yaml"}},
		{"BadLogLevel", "log:\n  level: loud\n", []string{"log.level"}},
		{"BadRate", "telegram:\n  messages_per_second: -1\n", []string{"telegram.messages_per_second"}},
		{"BadSchedule", "schedules:\n  weekly_summary: \"monday morning\"\n", []string{"schedules.weekly_summary", "biểu thức cron"}},
		{"UnknownSchedule", "schedules:\n  daily: \"0 7 * * *\"\n", []string{"không có khóa schedules.daily"}},
		{"BadQuietHours", "quiet_hours: \"9pm-7am\"\n", []string{"quiet_hours"}},
		{"BadLogFormat", "log:\n  format: xml\n", []string{"log.format", "text hay json"}},
		{"BadHealthEvery", "log:\n  health_every: often\n", []string{"log.health_every"}},
		{"PublicMetrics", "metrics:\n  listen: \"0.0.0.0:9464\"\n", []string{"metrics.listen", "loopback", "metrics.public"}},
		{"AllInterfacesMetrics", "metrics:\n  listen: \":9464\"\n", []string{"metrics.listen", "metrics.public"}},
		{"BadMetricsAddress", "metrics:\n  listen: \"9464\"\n", []string{"metrics.listen", "host:port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.body)
			_, err := loadConfig(path, false, noenv)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// Ensure a bad token is reported without printing it, and the environment
// overrides the file.
func TestConfigToken(t *testing.T) {
	path := writeFile(t, "telegram:\n  token: \"secret value\"\n")
	_, err := loadConfig(path, false, noenv)
	if err == nil || !strings.Contains(err.Error(), "telegram.token") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error = %v", err)
	}
	cfg, err := loadConfig(path, false, func(k string) string {
		if k == "TELEGRAM_BOT_TOKEN" {
			return "42:from-env"
		}
		return ""
	})
	if err != nil || cfg.Telegram.Token != "42:from-env" {
		t.Errorf("token = %q, %v", cfg.Telegram.Token, err)
	}
}

// Ensure only the default config file may be missing.
func TestConfigMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := loadConfig(missing, false, noenv); err == nil {
		t.Error("an explicit missing file was accepted")
	}
	cfg, err := loadConfig(missing, true, noenv)
	if err != nil || cfg.Store.Path != "totuquan.db" {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

// Ensure metrics.listen takes a loopback address as it is, and another
// only with metrics.public.
func TestConfigMetricsListen(t *testing.T) {
	for _, body := range []string{
		"metrics:\n  listen: \"127.0.0.1:9464\"\n",
		"metrics:\n  listen: \"[::1]:9464\"\n",
		"metrics:\n  listen: \"localhost:9464\"\n",
		"metrics:\n  listen: \"0.0.0.0:9464\"\n  public: true\n",
	} {
		if _, err := loadConfig(writeFile(t, body), false, noenv); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}
