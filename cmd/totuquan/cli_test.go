package main

import (
	"context"
	"errors"
	"flag"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
)

// Ensure a bad area file is reported by line and nothing of it is imported.
func TestAreasImport(t *testing.T) {
	e := newEnv(t)
	bad := filepath.Join(e.dir, "bad.csv")
	os.WriteFile(bad, []byte("code,name,level,parent_code\n"+
		"PT-TL-NEW,Xóm Mới,thon,PT-TL\n"+
		"PT-TL-X,,thon,PT-TL\n"+
		"PT-TL-Y,Xóm Y,thon,NOWHERE\n"+
		"PT-TL-NEW,Xóm Trùng,thon,PT-TL\n"), 0o600)
	_, err := e.try("areas", "import", "-config", e.cfgPath, bad)
	for _, want := range []string{"line 3: missing name", "line 4: unknown parent NOWHERE", "line 5: duplicate code PT-TL-NEW (first on line 2)", "chưa nhập gì"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
	// A good file adds to and updates the tree; parents may be stored ones.
	good := filepath.Join(e.dir, "good.csv")
	os.WriteFile(good, []byte("\ufeffcode,name,level,parent_code\nPT-TL-XB,Xóm Bãi Trên,thon,PT-TL\nPT-TL-NEW,Xóm Mới,thon,PT-TL\n"), 0o600)
	out := e.cli("areas", "import", "-config", e.cfgPath, good)
	if !strings.Contains(out, "Đã nhập 2 địa bàn (1 mới, 1 cập nhật) từ "+good) {
		t.Errorf("output = %q", out)
	}
	st, err := store.Open(filepath.Join(e.dir, "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.View(func(tx bot.Tx) error {
		areas, _ := tx.Areas()
		if len(areas) != 6 {
			t.Errorf("%d areas, want 6", len(areas))
		}
		if a, _ := tx.Area("PT-TL-XB"); a.Name != "Xóm Bãi Trên" {
			t.Errorf("renamed area = %+v", a)
		}
		if _, err := tx.Area("PT-TL-Y"); !bot.IsNotFound(err) {
			t.Error("a row of the bad file was imported")
		}
		return nil
	})
}

func TestParseAreasLoop(t *testing.T) {
	_, err := bot.ParseAreas(strings.NewReader("code,name,level,parent_code\nA,A,x,B\nB,B,x,A\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "parent loop") {
		t.Errorf("err = %v", err)
	}
	_, err = bot.ParseAreas(strings.NewReader("code;name\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "line 1: header") {
		t.Errorf("err = %v", err)
	}
}

func TestInvite(t *testing.T) {
	e := newEnv(t)
	t.Run("UnknownGroup", func(t *testing.T) {
		_, err := e.try("invite", "-config", e.cfgPath, "-group", "NOPE")
		if err == nil || !strings.Contains(err.Error(), "no area with code NOPE") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		_, err := e.try("invite", "-config", e.cfgPath)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("err = %v, want a usage error", err)
		}
	})
	t.Run("LinkUsesKnownUsername", func(t *testing.T) {
		// The bot learns its username from Telegram on its first start.
		e.start()
		e.stop()
		png := filepath.Join(e.dir, "moi.png")
		code, link := e.invite("-group", "PT-TL-XB-T2", "-uses", "3", "-qr", png)
		if link != "https://t.me/"+e.fake.BotUsername()+"?start="+code || len(code) != 12 {
			t.Errorf("code %q, link %q", code, link)
		}
		f, err := os.Open(png)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if cfg, format, err := image.DecodeConfig(f); err != nil || format != "png" || cfg.Width < 256 {
			t.Errorf("QR code: %v %s %v", cfg, format, err)
		}
	})
}

func TestUsage(t *testing.T) {
	e := newEnv(t)
	if _, err := e.try("frobnicate"); err == nil || !strings.Contains(err.Error(), `Không có lệnh "frobnicate"`) {
		t.Errorf("err = %v", err)
	}
	if out, err := e.try("-h"); err != nil || !strings.Contains(out, "totuquan summary -area") {
		t.Errorf("-h: %v\n%s", err, out)
	}
	if _, err := e.try("export", "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if _, err := e.try("export", "-config", e.cfgPath, "-format", "xml"); err == nil {
		t.Error("export -format xml accepted")
	}
	if _, err := e.try("export", "-config", e.cfgPath, "-from", "25/11/2026"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad -from: %v", err)
	}
	out := filepath.Join(e.dir, "out.json")
	e.cli("export", "-config", e.cfgPath, "-o", out)
	if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("empty export = %q", b)
	}
}

// Ensure the server's command says what it does: "totuquan run" with no
// token stops with the keys to set, rather than running a demo under a
// service manager; a store in a folder that does not exist is named; with
// no config file, the defaults and the store's place are said.
func TestRunSaysWhatItDoes(t *testing.T) {
	m := &Main{Stdin: strings.NewReader(""), Getenv: noenv, Now: func() time.Time { return testNow }}
	var out, errb syncBuffer
	m.Stdout, m.Stderr = &out, &errb
	dir := t.TempDir()
	t.Chdir(dir)
	err := m.Run(context.Background(), []string{"run"})
	if err == nil || !strings.Contains(err.Error(), "Chưa có token: hãy đặt TELEGRAM_BOT_TOKEN hoặc telegram.token") {
		t.Fatalf("run with no token = %v", err)
	}
	if !strings.Contains(errb.String(), "Không có config.yaml ở đây: dùng cấu hình mặc định") || !strings.Contains(errb.String(), filepath.Join(dir, "totuquan.db")) {
		t.Errorf("no word on the defaults:\n%s", errb.String())
	}
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("store:\n  path: "+filepath.Join(dir, "nofolder", "bot.db")+"\n"), 0o600)
	err = m.Run(context.Background(), []string{"areas", "list", "-config", cfg})
	if err == nil || !strings.Contains(err.Error(), "thư mục "+filepath.Join(dir, "nofolder")+" không tồn tại") || strings.Contains(err.Error(), "hãy dừng bot") {
		t.Errorf("a store in a missing folder = %v", err)
	}
}
