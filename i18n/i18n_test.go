package i18n_test

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/i18n"
)

// Ensure every key exists in every language, so no user ever sees a key.
func TestCatalogsHaveSameKeys(t *testing.T) {
	base := i18n.Keys(i18n.Languages[0])
	for _, lang := range i18n.Languages[1:] {
		have := map[string]bool{}
		for _, k := range i18n.Keys(lang) {
			have[k] = true
		}
		for _, k := range base {
			if !have[k] {
				t.Errorf("key %q missing in %s", k, lang)
			}
			delete(have, k)
		}
		for k := range have {
			t.Errorf("key %q in %s but not in %s", k, lang, i18n.Languages[0])
		}
	}
}

// Ensure placeholders agree between languages, so a text never prints
// %!(EXTRA) or %!d(MISSING) in one of them.
func TestPlaceholdersAgree(t *testing.T) {
	for _, k := range i18n.Keys("vi") {
		vi, en := i18n.T("vi", k), i18n.T("en", k)
		if a, b := strings.Count(vi, "%"), strings.Count(en, "%"); a != b {
			t.Errorf("key %q: %d placeholders in vi, %d in en", k, a, b)
		}
	}
}

func TestFallbacks(t *testing.T) {
	if got := i18n.T("fr", "nav.back"); got != "Quay lại" {
		t.Errorf("unknown language: got %q, want Vietnamese", got)
	}
	if got := i18n.T("vi", "no.such.key"); got != "⟦no.such.key⟧" {
		t.Errorf("missing key: got %q", got)
	}
}
