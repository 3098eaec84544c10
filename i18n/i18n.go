// Package i18n holds every text the bot sends, in Vietnamese (the default)
// and English. Keys are the same in both catalogs; a test fails otherwise.
package i18n

import (
	"fmt"
	"sort"
)

// Languages the bot speaks; the first is the default.
var Languages = []string{"vi", "en"}

// Supported reports whether lang has a catalog.
func Supported(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// T returns the text of key in lang, formatted with args. An unknown
// language falls back to Vietnamese; an unknown key renders as ⟦key⟧ so that
// a missing text is visible in transcripts and caught by tests.
func T(lang, key string, args ...any) string {
	cat, ok := catalogs[lang]
	if !ok {
		cat = catalogs["vi"]
	}
	s, ok := cat[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Keys returns the sorted keys of lang's catalog.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var catalogs = map[string]map[string]string{"vi": vi, "en": en}

// Lookup returns the text of key in lang (Vietnamese for an unknown
// language), and whether the catalog has it.
func Lookup(lang, key string) (string, bool) {
	cat, ok := catalogs[lang]
	if !ok {
		cat = catalogs["vi"]
	}
	s, ok := cat[key]
	return s, ok
}

// N is T for a text about n things, n among args: where the catalog has
// key+".one" it is used when n is 1 ("1 case", not "1 cases").
func N(lang, key string, n int, args ...any) string {
	if n == 1 {
		if _, ok := Lookup(lang, key+".one"); ok {
			key += ".one"
		}
	}
	return T(lang, key, args...)
}
