package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure the language before a configuration is loaded: the -config
// file's language key, Vietnamese when there is no file or it does not
// parse; and that the top-level usage is in it.
func TestLanguageBeforeTheConfig(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "config.yaml"},
		{[]string{"summary", "-area", "X"}, "config.yaml"},
		{[]string{"summary", "-config", "a.yaml"}, "a.yaml"},
		{[]string{"summary", "--config", "a.yaml"}, "a.yaml"},
		{[]string{"summary", "-config=a.yaml", "-area", "X"}, "a.yaml"},
		{[]string{"summary", "--config=a.yaml"}, "a.yaml"},
		{[]string{"broadcast", "--", "-config", "a.yaml"}, "config.yaml"},
		{[]string{"summary", "-config"}, "config.yaml"},
	} {
		if got := configArg(tc.args); got != tc.want {
			t.Errorf("configArg(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
	dir := t.TempDir()
	for body, want := range map[string]string{
		"language: en\n":                "en",
		"language: en\nnot_a_key: 1\n":  "en", // the rest is checked when loaded
		"language: vi\n":                "vi",
		"timezone: Asia/Ho_Chi_Minh\n":  "vi", // the default
		"language: fr\n":                "vi",
		"language: [en\n":               "vi", // not YAML
		"- language: en\n":              "vi", // not a mapping
		"language: en\nstore: [x, y]\n": "en",
		"language:\n  nested: en\n":     "vi",
		"\ufefflanguage: en\n":          "en",
		"language: \"en\"  # English\n": "en",
	} {
		path := filepath.Join(dir, "c.yaml")
		os.WriteFile(path, []byte(body), 0o600)
		if got := fileLanguage(path); got != want {
			t.Errorf("fileLanguage(%q) = %q, want %q", body, got, want)
		}
	}
	if got := fileLanguage(filepath.Join(dir, "none.yaml")); got != "vi" {
		t.Errorf("no file: %q, want vi", got)
	}

	// The top-level usage and an unknown command, in the language of
	// config.yaml where the command runs, or Vietnamese without it.
	t.Chdir(dir)
	for _, tc := range []struct{ config, want, not string }{
		{"", "Cách dùng:", "Usage:"},
		{"language: en\n", "Usage:", "Cách dùng:"},
		{"language: [en\n", "Cách dùng:", "Usage:"},
	} {
		os.Remove("config.yaml")
		if tc.config != "" {
			os.WriteFile("config.yaml", []byte(tc.config), 0o600)
		}
		var out, errb syncBuffer
		m := &Main{Stdout: &out, Stderr: &errb, Getenv: noenv}
		if err := m.Run(t.Context(), []string{"-h"}); err != nil || !strings.Contains(out.String(), tc.want) || strings.Contains(out.String(), tc.not) {
			t.Errorf("config %q: -h said %v\n%s", tc.config, err, out.String())
		}
		err := m.Run(t.Context(), []string{"nosuch"})
		if err == nil || !strings.Contains(errb.String(), tc.want) || strings.Contains(errb.String(), tc.not) {
			t.Errorf("config %q: an unknown command said %v\n%s", tc.config, err, errb.String())
		}
	}
}

// Ensure the configuration's errors are in its language, still naming
// the key and the file, and in Vietnamese while the language is not known.
func TestConfigErrorsInTheirLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"UnknownKey", "language: en\ntelegram:\n  tokn: x\n", []string{"config.yaml:3", "unknown key telegram.tokn"}},
		{"BadPollTimeout", "language: en\ntelegram:\n  poll_timeout: 90s\n", []string{"telegram.poll_timeout", `"90s" is not a duration from 1s to 50s`}},
		{"NotAMapping", "language: en\ntelegram: yes\n", []string{"config.yaml:2", "telegram must be a mapping"}},
		{"BadLanguage", "language: fr\n", []string{"language", `"fr" không phải là một trong vi, en`}},
		{"BadYAML", "language: en\nstore: [\n", []string{"config.yaml", "tệp cấu hình sai cú pháp YAML"}},
		{"VietnameseKey", "language: vi\nlog:\n  level: loud\n", []string{"log.level", `"loud" không phải là một trong debug, info, warn, error`}},
		{"BadTokenFromTheEnvironment", "language: en\n", []string{"telegram.token", "does not look like a bot token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.body)
			_, err := loadConfig(path, false, func(k string) string {
				if k == "TELEGRAM_BOT_TOKEN" && tc.name == "BadTokenFromTheEnvironment" {
					return "not a token"
				}
				return ""
			})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// With no file, the defaults are named in the language.
	_, err := loadConfig(filepath.Join(t.TempDir(), "none.yaml"), true, func(k string) string {
		return map[string]string{"TELEGRAM_BOT_TOKEN": "bad token"}[k]
	})
	if err == nil || !strings.HasPrefix(err.Error(), "cấu hình mặc định: telegram.token: không giống token bot") {
		t.Errorf("a bad token over the defaults: %v", err)
	}
}
