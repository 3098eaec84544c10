package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Ensure the QR code of an invite, which holds the code that lets anyone
// join, is written readable by its owner only, like the store, also over
// a file that was readable by everyone.
func TestInviteQRFileMode(t *testing.T) {
	e := newEnv(t)
	png := filepath.Join(e.dir, "moi.png")
	e.invite("-group", "PT-TL-XB-T1", "-qr", png)
	if fi, err := os.Stat(png); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("QR file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	old := filepath.Join(e.dir, "old.png")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(old, 0o644) // whatever the umask
	e.invite("-group", "PT-TL-XB-T1", "-qr", old)
	fi, err := os.Stat(old)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("QR file written over a 0644 one: %v, %v; want mode 0600", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(old); !bytes.HasPrefix(data, []byte("\x89PNG")) {
		t.Errorf("QR file starts %q, want a PNG", data[:min(8, len(data))])
	}
	if leftovers, _ := filepath.Glob(filepath.Join(e.dir, ".old.png*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %q", leftovers)
	}
}
