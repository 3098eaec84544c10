package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files: transcripts in testdata/ and docs/training-room.png")

// Ensure the scripted demo plays the whole conversation; the transcripts
// in testdata/ are the Vietnamese and English conversations for people to
// read, regenerated with -update.
func TestDemoScript(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			var out, errb syncBuffer
			m := &Main{Stdout: &out, Stderr: &errb, Getenv: noenv, Now: func() time.Time { return testNow }}
			if err := m.Run(context.Background(), []string{"demo", "-script", "-lang", lang}); err != nil {
				t.Fatalf("%v\n%s", err, errb.String())
			}
			golden := filepath.Join("testdata", "demo_"+lang+".golden")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("transcript differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}
