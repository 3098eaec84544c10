package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/i18n"
)

// cliCase is a command and what it says, in each language, on standard
// output, standard error or in its error.
type cliCase struct {
	name string
	args []string
	// want holds, by language, a text the command must say.
	want map[string]string
	// machine is set where standard output is for programs (the invite's
	// code and link): it is not read for the language.
	machine bool
}

// englishWords are words of English sentences; a Vietnamese text holds
// none of them but in flags (-to), keys (telegram.token) and paths.
var englishWords = regexp.MustCompile(`(?i)(^|[^-\w./<])(the|is|are|not|needs|takes|must|to|from|of|and|or|with|no|imported|written|checked|restored|revoked|queued|usage|unknown|nothing|done|note|flags|default|valid|until|use|uses)\b`)

// Ensure the command line speaks the configured language, as the chat
// does: results, notes, usage and refusals in Vietnamese with language:
// vi, in English with language: en, never a missing text, and no English
// sentence in the Vietnamese.
func TestCommandLineSpeaksTheConfiguredLanguage(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			e := newEnv(t)
			e.extra = "language: " + lang + "\n"
			e.writeConfig("debug")
			more := filepath.Join(e.dir, "more.csv")
			os.WriteFile(more, []byte("code,name,level,parent_code\nPT-TL-XB-T3,Tổ tự quản số 3 xóm Bãi,to,PT-TL-XB\n"), 0o600)
			bad := filepath.Join(e.dir, "bad.yaml")
			os.WriteFile(bad, []byte("language: "+lang+"\ntimezone: Mars/Olympus\n"), 0o600)
			code, _ := e.invite("-group", "PT-TL-XB-T2")
			for _, c := range []cliCase{
				{name: "import", args: []string{"areas", "import", "-config", e.cfgPath, more}, want: map[string]string{
					"vi": "Đã nhập 1 địa bàn (1 mới, 0 cập nhật) từ " + more,
					"en": "imported 1 area (1 new, 0 updated) from " + more}},
				{name: "invite", args: []string{"invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T1", "-uses", "2"}, machine: true, want: map[string]string{
					"vi": "Mã mời cho tổ trưởng của Tổ tự quản số 1 xóm Bãi (PT-TL-XB-T1): dùng được 2 lần, hết hạn lúc 20:00 02/12/2026.",
					"en": "Invite for the leader of Tổ tự quản số 1 xóm Bãi (PT-TL-XB-T1): 2 uses, valid until 20:00 02/12/2026."}},
				{name: "revoke", args: []string{"invite", "-config", e.cfgPath, "-revoke", code}, want: map[string]string{
					"vi": "Đã thu hồi mã mời " + code + ".",
					"en": "invite " + code + " revoked"}},
				{name: "export", args: []string{"export", "-config", e.cfgPath, "-o", filepath.Join(e.dir, "out.json")}, want: map[string]string{
					"vi": "Đã ghi 0 báo cáo vào " + filepath.Join(e.dir, "out.json"),
					"en": "0 reports written to " + filepath.Join(e.dir, "out.json")}},
				{name: "broadcast", args: []string{"broadcast", "-config", e.cfgPath, "-area", "PT-TL", "Họp", "giao", "ban"}, want: map[string]string{
					"vi": "Thông báo đang chờ gửi tới 0 tổ trưởng; thông báo sẽ được gửi đi khi bot chạy.",
					"en": "the notice is queued for 0 leaders; it goes out when the bot runs"}},
				{name: "backup", args: []string{"backup", "-config", e.cfgPath, "-o", filepath.Join(e.dir, "copy.db")}, want: map[string]string{
					"vi": "Đã sao lưu " + filepath.Join(e.dir, "bot.db") + " vào " + filepath.Join(e.dir, "copy.db"),
					"en": "backed up " + filepath.Join(e.dir, "bot.db") + " to " + filepath.Join(e.dir, "copy.db")}},
				{name: "restore", args: []string{"restore", "-config", e.cfgPath, filepath.Join(e.dir, "copy.db")}, want: map[string]string{
					"vi": "; tệp dữ liệu cũ được giữ lại ở " + filepath.Join(e.dir, "bot.db.before-restore-20261125-200000"),
					"en": "; the store it replaced is kept as " + filepath.Join(e.dir, "bot.db.before-restore-20261125-200000")}},
				{name: "needs area", args: []string{"summary", "-config", e.cfgPath}, want: map[string]string{
					"vi": "Lệnh summary cần -area MÃ (mã địa bàn).",
					"en": "summary needs -area CODE"}},
				{name: "flag help", args: []string{"stats", "-config", e.cfgPath, "-h"}, want: map[string]string{
					"vi": "Cách dùng: totuquan stats -area MÃ",
					"en": "Usage: totuquan stats -area CODE"}},
				{name: "bad day", args: []string{"audit", "-config", e.cfgPath, "-from", "25/11/2026"}, want: map[string]string{
					"vi": `-from "25/11/2026" không phải là ngày dạng YYYY-MM-DD`,
					"en": `-from "25/11/2026" is not a date YYYY-MM-DD`}},
				{name: "days apart", args: []string{"audit", "-config", e.cfgPath, "-from", "2026-11-20", "-to", "2026-11-10"}, want: map[string]string{
					"vi": "Ngày -from (20/11/2026) sau ngày -to (10/11/2026).",
					"en": "-from 2026-11-20 is after -to 2026-11-10"}},
				{name: "bad config", args: []string{"areas", "list", "-config", bad}, want: map[string]string{
					"vi": bad + `: timezone: "Mars/Olympus" không phải là tên múi giờ`,
					"en": bad + `: timezone: "Mars/Olympus" is not a time zone name`}},
				{name: "loadtest help", args: []string{"loadtest", "-config", e.cfgPath, "-h"}, want: map[string]string{
					"vi": "Cách dùng: totuquan loadtest [-leaders SỐ]",
					"en": "Usage: totuquan loadtest [-leaders N]"}},
				{name: "loadtest off this machine", args: []string{"loadtest", "-config", e.cfgPath, "-endpoint", "http://10.1.2.3:8081/bot%s/%s"}, want: map[string]string{
					"vi": `-endpoint "http://10.1.2.3:8081/bot%s/%s" không nằm trên máy này: chỉ nhận IP loopback`,
					"en": `-endpoint "http://10.1.2.3:8081/bot%s/%s" is not on this machine: only a loopback IP`}},
				{name: "unknown command", args: []string{"frobnicate", "-config", e.cfgPath}, want: map[string]string{
					"vi": `Không có lệnh "frobnicate".`,
					"en": `unknown command "frobnicate"`}},
			} {
				before := len(e.stderr.String())
				out, err := e.try(c.args...)
				said := e.stderr.String()[before:]
				if err != nil {
					said += "\n" + err.Error()
				}
				if !c.machine {
					said += "\n" + out
				}
				for l, w := range c.want {
					if got := strings.Contains(said, w); got != (l == lang) {
						t.Errorf("%s: says %q: %v, want %v:\n%s", c.name, w, got, l == lang, said)
					}
				}
				if strings.Contains(said+out, "⟦") {
					t.Errorf("%s: a text is missing from the catalogs:\n%s", c.name, said+out)
				}
				if lang == "vi" {
					if m := englishWords.FindString(said); m != "" {
						t.Errorf("%s: English (%q) in the Vietnamese:\n%s", c.name, m, said)
					}
				}
			}
		})
	}
}

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

// cliKey is a key of the command line's texts in a string literal.
var cliKey = regexp.MustCompile(`"(cli\.[a-z0-9_.]*)"`)

// Ensure every cli.* key the command line uses is in every catalog, no key
// is put together at run time (where this test could not see it), and no
// cli.* text in the catalogs is left unused.
func TestCommandLineKeys(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`"cli\.[a-z0-9_.]*"\s*\+`).Find(src); m != nil {
			t.Errorf("%s: a key put together at run time: %s", f, m)
		}
		for _, m := range cliKey.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d cli.* keys found in the sources", len(used))
	}
	var keys []string
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if _, ok := i18n.Lookup(lang, k); !ok {
				t.Errorf("key %q is used but missing in %s", k, lang)
			}
		}
	}
	for _, k := range i18n.Keys("vi") {
		if strings.HasPrefix(k, "cli.") && !used[strings.TrimSuffix(k, ".one")] {
			t.Errorf("key %q is in the catalogs but not used", k)
		}
	}
}
