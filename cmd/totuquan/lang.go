package main

import (
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/totuquan/totuquan/i18n"
)

// The command line speaks the configured language, as the chat does: the
// config's language key. Its texts are the i18n catalogs' cli.* keys.
//
// Before the configuration is loaded (a usage error, an unknown command, a
// config file that does not parse) it speaks the language key of the file
// that -config names (config.yaml by default), read on its own, and
// Vietnamese when that file is missing, is not YAML or names no language
// the bot speaks: Vietnamese is the config's default, so a command without
// a config file speaks as one with the defaults would.

// fallbackLang is the language of a command line with no configured one.
var fallbackLang = i18n.Languages[0]

// configArg returns the file that -config names in args, as the flag
// package reads it ("-config F", "--config F", "-config=F"), or
// config.yaml.
func configArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, ok := strings.CutPrefix(a, "-")
		if !ok {
			continue
		}
		name = strings.TrimPrefix(name, "-")
		if name, value, eq := strings.Cut(name, "="); name == "config" {
			if eq {
				return value
			}
			if i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return "config.yaml"
}

// fileLanguage returns the language key of the config file at path, or
// the fallback.
func fileLanguage(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fallbackLang
	}
	return dataLanguage(data)
}

// dataLanguage returns the language key of a config file's contents, or
// the fallback when they are not YAML or name no language the bot speaks.
// The rest of the file is not checked here.
func dataLanguage(data []byte) string {
	var c struct {
		Language string `yaml:"language"`
	}
	if yaml.Unmarshal(data, &c) != nil || !i18n.Supported(c.Language) {
		return fallbackLang
	}
	return c.Language
}

// language is the language the command line speaks now.
func (m *Main) language() string {
	if m.lang == "" {
		return fallbackLang
	}
	return m.lang
}

// T is the command line's text of key, in its language.
func (m *Main) T(key string, args ...any) string { return i18n.T(m.language(), key, args...) }

// N is T for a text about n things.
func (m *Main) N(key string, n int, args ...any) string {
	return i18n.N(m.language(), key, n, args...)
}

// fail is the command line's sentence of key around err, which stays in
// the error's chain; args usually hold err for the text's %v.
func (m *Main) fail(err error, key string, args ...any) error {
	return wordedError{m.T(key, args...), err}
}

// day writes a day as people read it in lang: 25/11/2026 in Vietnamese,
// 2026-11-25 (as the flags take it) in English.
func day(lang string, t time.Time) string {
	if lang == "vi" {
		return t.Format("02/01/2006")
	}
	return t.Format(time.DateOnly)
}
