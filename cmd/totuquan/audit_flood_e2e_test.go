package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Ensure refused commands cannot grow the store: a leader and a stranger
// each sending 300 admin commands with 3,000-character arguments leave one
// short audit entry each, and the store stays small.
func TestRefusalsDoNotGrowTheStore(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	stranger := e.user(777, "Khách")
	long := strings.Repeat("dài ", 750)
	for range 300 {
		e.fake.SendText(lan.u, "/moi to PT-TL-XB-T1 "+long)
		e.fake.SendText(stranger.u, "/khoa "+long)
		e.sent += 2
	}
	e.settle()
	e.stop()
	fi, err := os.Stat(filepath.Join(e.dir, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("store: %d bytes", fi.Size())
	if fi.Size() > 1<<20 {
		t.Errorf("the store grew to %d bytes", fi.Size())
	}
	var refused []string
	for _, line := range strings.Split(e.cli("audit", "-config", e.cfgPath), "\n") {
		if strings.Contains(line, "refused.admin") {
			refused = append(refused, line)
		}
	}
	if len(refused) != 2 {
		t.Fatalf("%d refusals in the audit log, want one each:\n%s", len(refused), strings.Join(refused, "\n"))
	}
	for _, line := range refused {
		f := strings.Split(line, "\t")
		if n := utf8.RuneCountInString(f[len(f)-1]); n > 200 {
			t.Errorf("an audit detail of %d characters", n)
		}
	}
}
