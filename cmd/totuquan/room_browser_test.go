package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The training room in a real headless Chromium, clicked and typed into as
// a trainee would. CI installs Debian's chromium (.ci/run) and sets CI, so
// there a missing browser fails the suite; elsewhere these tests are
// skipped with a note.

// browserPath finds Chromium: $TOTUQUAN_BROWSER, else the usual names.
func browserPath() string {
	if p := os.Getenv("TOTUQUAN_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium for the test, on a profile of its
// own and with every background connection off: the tests reach only
// 127.0.0.1.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := browserPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found: CI must install Debian's chromium package (.ci/run does)")
		}
		t.Skip("no Chromium found (apt-get install chromium, or set TOTUQUAN_BROWSER): the browser tests are skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1920, 1200),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// roomPage is the room's page open in the browser.
type roomPage struct {
	t   *testing.T
	ctx context.Context
	e   *roomEnv
}

func openRoom(t *testing.T) *roomPage {
	t.Helper()
	ctx := newBrowser(t)
	e := startRoom(t)
	p := &roomPage{t: t, ctx: ctx, e: e}
	p.run(chromedp.Navigate(e.url+"/?phones=lan,minh,hai,hoa"), chromedp.WaitVisible(chromedp.ID("phone-lan")))
	return p
}

func (p *roomPage) run(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression on the page.
func eval[T any](p *roomPage, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// until waits until the JavaScript condition holds on the page.
func (p *roomPage) until(what, js string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if eval[bool](p, js) {
			return
		}
		if time.Now().After(deadline) {
			phones := eval[string](p, `[...document.querySelectorAll(".phone:not([hidden])")].map(e => e.id + ":\n" + e.innerText).join("\n\n")`)
			p.t.Fatalf("waiting for %s: not in 20s; the page shows:\n%s", what, phones)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (p *roomPage) botCount(phone string) int {
	return eval[int](p, fmt.Sprintf(`document.querySelectorAll("#phone-%s .msg.bot").length`, phone))
}

// waitReply waits until the phone shows more than n of the bot's messages.
func (p *roomPage) waitReply(phone string, n int) {
	p.t.Helper()
	p.until(fmt.Sprintf("a reply on %s's phone", phone), fmt.Sprintf(`document.querySelectorAll("#phone-%s .msg.bot").length > %d`, phone, n))
}

// typeLine types text into the phone's box, presses Send and waits for the
// bot's answer.
func (p *roomPage) typeLine(phone, text string) {
	p.t.Helper()
	n := p.botCount(phone)
	input := fmt.Sprintf("#phone-%s .compose input", phone)
	p.run(chromedp.SendKeys(chromedp.CSS(input), text), chromedp.Click(chromedp.CSS(fmt.Sprintf("#phone-%s .compose .send", phone))))
	p.waitReply(phone, n)
}

// press clicks, with the mouse, the button labelled label under the bot's
// newest message on the phone, and waits for the bot's answer.
func (p *roomPage) press(phone, label string) {
	p.t.Helper()
	n := p.botCount(phone)
	p.click(phone, label)
	p.waitReply(phone, n)
}

// click clicks the button labelled label under the bot's newest message on
// the phone.
func (p *roomPage) click(phone, label string) {
	p.t.Helper()
	mark := fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-target]").forEach(e => e.removeAttribute("data-target"));
		const ms = document.querySelectorAll("#phone-%s .msg.bot");
		if (!ms.length) return false;
		const b = [...ms[ms.length - 1].querySelectorAll(".kb button")].find(b => b.textContent === %q);
		if (!b) return false;
		b.setAttribute("data-target", "press");
		return true;
	})()`, phone, label)
	p.until(fmt.Sprintf("the button %q on %s's phone", label, phone), mark)
	target := chromedp.CSS(`[data-target="press"]`)
	p.run(chromedp.ScrollIntoView(target), chromedp.Click(target))
}

// shows reports whether the phone's messages contain text.
func (p *roomPage) shows(phone, text string) string {
	return fmt.Sprintf(`document.querySelector("#phone-%s .msgs").innerText.includes(%q)`, phone, text)
}

func (p *roomPage) reset() {
	p.t.Helper()
	session := eval[int](p, `state.session`)
	p.run(chromedp.Click(chromedp.ID("reset")), chromedp.Click(chromedp.ID("reset")))
	p.until("a fresh session", fmt.Sprintf(`state.session !== %d && document.querySelectorAll(".msg").length === 0`, session))
}

func TestRoomInBrowser(t *testing.T) {
	p := openRoom(t)

	t.Run("a leader reports an incident by buttons and the police phone shows the alert", func(t *testing.T) {
		p.t = t
		p.typeLine("lan", "/baocao")
		p.press("lan", "An ninh trật tự")
		p.press("lan", "Trộm cắp tài sản")
		p.press("lan", "Hôm qua")
		p.typeLine("lan", "21:30")
		p.typeLine("lan", "Ngõ 3, xóm Bãi")
		p.typeLine("lan", "Mất trộm một xe máy đỗ trước cổng nhà văn hóa.")
		p.press("lan", "Bỏ qua")
		p.press("lan", "Đã báo công an")
		p.press("lan", "Khẩn cấp")
		p.press("lan", "Xong")
		p.press("lan", "Gửi")
		p.until("the alert on the police phone", p.shows("hai", "BÁO CÁO KHẨN")+" && "+p.shows("hai", "Trộm cắp tài sản"))
		p.until("the theft exercise ticked", `document.querySelector("#ex-theft").classList.contains("done")`)
		if eval[int](p, `document.querySelectorAll("#phone-hai .kb button").length`) == 0 {
			t.Error("the alert has no buttons on Telegram")
		}
	})

	t.Run("a Zalo leader records a meeting by typing numbers", func(t *testing.T) {
		p.t = t
		p.reset()
		if !eval[bool](p, `!document.querySelector("#phone-minh .hint").hidden && document.querySelector("#phone-minh").classList.contains("zalo")`) {
			t.Error("Minh's phone does not look like Zalo")
		}
		for _, line := range []string{"/baocao", "3", "2", "19:30", "Nhà văn hóa xóm Bãi", "Ông Minh", "2", "30", "4", "1, 2", "1, 4", "Tăng cường tuần tra ban đêm.", "1", "2", "1"} {
			p.typeLine("minh", line)
		}
		p.until("the confirmation question", p.shows("minh", "Gửi báo cáo này?"))
		p.typeLine("minh", "1")
		p.until("the meeting exercise ticked", `document.querySelector("#ex-meeting").classList.contains("done")`)
		if buttons := eval[int](p, `document.querySelectorAll("#phone-minh .kb button").length`); buttons != 0 {
			t.Errorf("a Zalo phone shows %d buttons", buttons)
		}
	})

	t.Run("the clock jump brings the weekly summary to the official", func(t *testing.T) {
		p.t = t
		p.run(chromedp.Click(chromedp.ID("jump-monday")))
		p.until("Monday on the clock", `document.querySelector("#clock").textContent.startsWith("Thứ Hai")`)
		p.until("the summary with its chart on the police phone", `document.querySelector("#phone-hai .msgs img") !== null && document.querySelector("#phone-hai .msgs a.file") !== null`)
		p.until("the chart loaded", `(() => { const i = document.querySelector("#phone-hai .msgs img"); return i.complete && i.naturalWidth > 100 })()`)
		if !eval[bool](p, `document.querySelector("#phone-hai .msgs").innerText.includes("TỔNG HỢP TUẦN")`) {
			t.Error("no weekly summary on the police phone")
		}
	})

	t.Run("on a phone's own browser, one phone at a time", func(t *testing.T) {
		p.t = t
		p.run(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(p.e.url+"/?phones=hai"),
			chromedp.WaitVisible(chromedp.ID("phone-hai")))
		defer p.run(chromedp.EmulateReset(), chromedp.Navigate(p.e.url+"/?phones=lan,minh,hai,hoa"), chromedp.WaitVisible(chromedp.ID("phone-lan")))
		p.until("one phone shown, as wide as the screen", `[...document.querySelectorAll(".phone")].filter(e => !e.hidden).length === 1 && document.querySelector("#phone-hai").getBoundingClientRect().width >= 350`)
		p.run(chromedp.Click(chromedp.ID("chip-lan")))
		p.until("the chip switches to Lan's phone", `!document.querySelector("#phone-lan").hidden && document.querySelector("#phone-hai").hidden`)
		if w := eval[int](p, `document.documentElement.scrollWidth`); w > 400 {
			t.Errorf("the page is %d px wide on a 390 px screen", w)
		}
		p.typeLine("lan", "/trogiup")
	})

	t.Run("reset clears the data", func(t *testing.T) {
		p.t = t
		p.reset()
		if done := eval[int](p, `document.querySelectorAll("#exercises li.done").length`); done != 0 {
			t.Errorf("%d exercises still done", done)
		}
		if n := len(p.e.state().Phones[0].Messages); n != 0 {
			t.Errorf("the room still holds %d messages for Lan", n)
		}
	})
}

// TestRoomScreenshot makes the picture of the room in the README; with
// -update it rewrites docs/training-room.png.
func TestRoomScreenshot(t *testing.T) {
	p := openRoom(t)
	p.typeLine("minh", "/khan")
	p.typeLine("minh", "1")
	p.typeLine("minh", "Nhà ông Tư, ngõ 5 xóm Bãi")
	p.until("the alert on the police phone", p.shows("hai", "BÁO CÁO KHẨN"))
	p.click("hai", "Đã tiếp nhận")
	p.until("the police's answer on the leader's phone", p.shows("minh", "Đã tiếp nhận"))
	p.typeLine("lan", "/baocao")
	p.press("lan", "An ninh trật tự")
	p.until("the fire exercise ticked", `document.querySelector("#ex-fire").classList.contains("done")`)
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1200 || b.Dy() < 700 {
		t.Errorf("screenshot is %v", b)
	}
	out := filepath.Join(t.TempDir(), "training-room.png")
	if *update {
		out = filepath.Join("..", "..", "docs", "training-room.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
