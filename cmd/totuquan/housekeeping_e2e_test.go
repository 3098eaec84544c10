package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// Ensure an abandoned draft (which may hold parties' details) is deleted
// after draft_expiry, its leader told three days before and when it goes;
// and that scheduled backups are checked, private and rotated.
func TestHousekeeping(t *testing.T) {
	e := newEnv(t)
	e.schedules = `schedules:
  weekly_summary: "0 3 1 1 *"
  weekly_reminder: "0 3 1 1 *"
  meeting_reminder: "0 3 1 1 *"
  housekeeping: "0 3 * * *"
  backup: "0 2 * * *"
`
	e.backupKeep = 2
	e.writeConfig("debug")
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("Nguyễn Văn Bình, 47 tuổi")

	// Each jump wakes the scheduler once; a jump over several due times
	// runs each job once, as after downtime.
	jump := func(at time.Time, what string, cond func() bool) {
		t.Helper()
		e.setNow(at)
		waitFor(t, e, what, cond)
		e.settle()
	}
	says := func(text string) func() bool {
		return func() bool { return strings.Contains(received(e, lan), text) }
	}
	backups := func() []string {
		names, _ := filepath.Glob(filepath.Join(e.dir, "backups", "totuquan-*.db"))
		return names
	}
	// 26 days idle: nothing yet, but the night's backup.
	jump(time.Date(2026, 12, 21, 20, 0, 30, 0, time.UTC), "a backup", func() bool { return len(backups()) == 1 })
	if says("sẽ được xóa")() {
		t.Fatal("warned 26 days after the last change, want 27")
	}
	// 27 days and 7 hours idle: the warning, naming the day it goes.
	jump(time.Date(2026, 12, 22, 20, 0, 30, 0, time.UTC), "the warning", says("sẽ được xóa ngày 25/12/2026"))
	jump(time.Date(2026, 12, 23, 20, 0, 30, 0, time.UTC), "the next backup", func() bool { return len(backups()) == 2 })
	// 30 days and 7 hours idle: gone, and the leader told.
	jump(time.Date(2026, 12, 25, 20, 0, 30, 0, time.UTC), "the deletion", says("đã được xóa sau 30 ngày"))
	if n := strings.Count(received(e, lan), "sẽ được xóa"); n != 1 {
		t.Errorf("warned %d times, want once", n)
	}
	var sessions int
	e.st.View(func(tx bot.Tx) error {
		return tx.Sessions(func(bot.Session) error { sessions++; return nil })
	})
	if sessions != 0 {
		t.Errorf("%d sessions left after the draft expired", sessions)
	}
	lan.say("/baocao").expect("Anh/chị muốn báo cáo gì?")

	names := backups()
	if len(names) != 2 || !strings.Contains(names[1], "totuquan-20261226-") {
		t.Errorf("backups kept: %v, want the two newest", names)
	}
	for _, n := range names {
		if fi, err := os.Stat(n); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("backup %s: %v, mode %v, want 0600", n, err, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(filepath.Join(e.dir, "backups")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("backup directory mode %v, want 0700", fi.Mode().Perm())
	}
}
