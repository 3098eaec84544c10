package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/store"
)

// Ensure an admin backs up the live store from the chat without stopping
// the bot, others cannot, the copy passes the consistency check, and
// restore checks a backup before putting it in place.
func TestBackupAndRestore(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.report().press("Gửi").expect("AN-2026-000001")
	lan.say("/saoluu").expect("Chỉ quản trị viên")
	if _, err := e.try("backup", "-config", e.cfgPath, "-o", filepath.Join(e.dir, "x.db")); err == nil || !strings.Contains(err.Error(), "/saoluu") {
		t.Errorf("backup from the command line while the bot runs: %v", err)
	}

	admin := e.user(900, "Admin")
	admin.say("/saoluu").expect("Đã sao lưu dữ liệu:", "Bot vẫn chạy bình thường")
	m := regexp.MustCompile(`Đã sao lưu dữ liệu: (\S+\.db)`).FindStringSubmatch(admin.last())
	if m == nil {
		t.Fatalf("no path in %q", admin.last())
	}
	backup := m[1]
	if err := store.Check(backup); err != nil {
		t.Fatal(err)
	}
	// The bot goes on: a second report after the backup.
	lan.report().press("Gửi").expect("AN-2026-000002")
	e.stop()

	out := e.cli("backup", "-config", e.cfgPath, "-o", filepath.Join(e.dir, "cli.db"))
	if !strings.Contains(out, "và đã kiểm tra bản sao") {
		t.Errorf("backup said %q", out)
	}
	junk := filepath.Join(e.dir, "junk.db")
	os.WriteFile(junk, []byte("not a store"), 0o600)
	if _, err := e.try("restore", "-config", e.cfgPath, junk); err == nil || !strings.Contains(err.Error(), "chưa khôi phục gì") {
		t.Errorf("restore of a junk file: %v", err)
	}
	if n := len(e.exportJSON()); n != 2 {
		t.Fatalf("a refused restore changed the store: %d reports", n)
	}
	out = e.cli("restore", "-config", e.cfgPath, backup)
	if !strings.Contains(out, "tệp dữ liệu cũ được giữ lại ở") {
		t.Errorf("restore said %q", out)
	}
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("after restoring the first backup: %d reports, want 1", n)
	}
}
