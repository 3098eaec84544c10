package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
)

// Ensure invites that work on paper: no QR code before the bot's name is
// known, a QR file checked before the invite is made, days for -valid, a
// leader's invite only for a group, and the Zalo link beside the code
// once the Zalo bot is known.
func TestInvitesOnPaper(t *testing.T) {
	e := newEnv(t)
	// No name known: the code alone, and no QR code.
	cfg, _ := os.ReadFile(e.cfgPath)
	os.WriteFile(e.cfgPath, []byte(strings.Replace(string(cfg), "  bot_username: totuquan_test_bot\n", "", 1)), 0o600)
	out, err := e.try("invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T1")
	if err != nil || len(strings.Fields(out)) != 1 || !strings.Contains(e.stderr.String(), "chưa có link vì chưa biết tên bot") {
		t.Errorf("an invite before the name is known printed %q, %v", out, err)
	}
	if _, err := e.try("invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T1", "-qr", filepath.Join(e.dir, "moi.png")); err == nil || !strings.Contains(err.Error(), "Chưa tạo được mã QR vì chưa biết tên bot") {
		t.Errorf("a QR code before the name is known: %v", err)
	}
	e.writeConfig("debug")

	before := countInvites(t, e)
	if _, err := e.try("invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T1", "-qr", filepath.Join(e.dir, "no", "such", "dir", "moi.png")); err == nil {
		t.Error("a QR code into a missing folder was accepted")
	}
	if n := countInvites(t, e); n != before {
		t.Errorf("%d invites made for a QR code that could not be written", n-before)
	}
	code, _ := e.invite("-group", "PT-TL-XB-T1", "-valid", "7d")
	if code == "" {
		t.Fatal("no invite with -valid 7d")
	}
	if _, err := e.try("invite", "-config", e.cfgPath, "-group", "PT-TL", "-valid", "3d"); err == nil || !strings.Contains(err.Error(), "not a group") {
		t.Errorf("a leader's invite for a commune: %v", err)
	}
	e.start()
	e.user(900, "Admin").say("/moi to PT-TL-XB").expect("không phải là tổ")
	e.stop()

	st, err := store.Open(filepath.Join(e.dir, "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Update(func(tx bot.Tx) error { return tx.PutMeta("zalo.account_name", "bot.VDKyGxQvc") })
	st.Close()
	out = e.cli("invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "https://t.me/") || lines[2] != "zalo: https://zalo.me/bot.VDKyGxQvc (mở link, rồi nhắn mã mời)" {
		t.Errorf("invite with both platforms known printed:\n%s", out)
	}
}

func countInvites(t *testing.T, e *env) int {
	t.Helper()
	return strings.Count(e.cli("audit", "-config", e.cfgPath), "\tinvite\t")
}
