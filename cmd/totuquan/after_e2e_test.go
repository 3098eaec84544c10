package main

import (
	"strings"
	"testing"
	"time"
)

// Ensure a leader can list their reports, open one, correct it within 48
// hours with the earlier answers kept, and not after.
func TestCorrectionWithHistory(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1", "-uses", "2")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.report().press("Gửi").expect("AN-2026-000001")

	lan.say("/cuatoi").expect("Báo cáo gần đây").press("AN-2026-000001 · An ninh trật tự · 25/11 · Mới").
		expect("📄 AN-2026-000001 · An ninh trật tự", "Gửi lúc 20:00 25/11/2026", "• Nơi xảy ra: Ngõ 3, xóm Bãi")
	lan.press("Sửa").expect("sửa mục nào").press("Nơi xảy ra").say("Ngõ 5, xóm Bãi").
		expect("Lưu thay đổi?", "• Nơi xảy ra: Ngõ 5, xóm Bãi").press("Lưu").
		expect("Đã lưu sửa đổi báo cáo AN-2026-000001 (số mục thay đổi: 1)", "Bản trước vẫn được lưu lại")

	// The report now shows it was corrected.
	lan.say("/cuatoi").press("AN-2026-000001 · An ninh trật tự · 25/11 · Mới").
		expect("Đã sửa 1 lần, lần cuối lúc 20:00 25/11/2026", "• Nơi xảy ra: Ngõ 5, xóm Bãi")
	lan.press("Sửa").press("Quay lại").expect("📄 AN-2026-000001").press("Đóng").expect("Đã đóng.")

	// Another leader cannot open it, even by forging the button.
	hoa := e.user(502, "Hoa").say("/start " + code)
	hoa.say("/cuatoi").expect("chưa gửi báo cáo nào")
	lanList := func() {
		lan.say("/cuatoi")
	}
	lanList()
	msg, _ := e.fake.LastWithButtons(lan.u.ID)
	e.fake.Press(hoa.u, msg.ID, msg.Buttons[0][0].CallbackData)
	e.sent++
	e.settle()
	hoa.expect("Câu hỏi này đã qua")
	if strings.Contains(strings.Join(textsOf(e, hoa), "\n"), "Ngõ 5") {
		t.Fatal("another leader saw the report")
	}
	lan.press("Đóng")

	// After 48 hours the report can be seen but not corrected.
	e.advance(49 * time.Hour)
	lan.say("/cuatoi").press("AN-2026-000001 · An ninh trật tự · 25/11 · Mới")
	if m, _ := e.fake.LastWithButtons(lan.u.ID); len(m.Buttons) != 1 || m.Buttons[0][0].Text != "Đóng" {
		t.Errorf("after 48 hours the buttons are %+v, want only Đóng", m.Buttons)
	}
	e.stop()

	r := e.exportJSON()[0]
	revs, _ := r["revisions"].([]any)
	if len(revs) != 1 {
		t.Fatalf("export revisions = %v", r["revisions"])
	}
	ch := revs[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	if ch["key"] != "place" || ch["old"] != "Ngõ 3, xóm Bãi" || ch["new"] != "Ngõ 5, xóm Bãi" || revs[0].(map[string]any)["by"] != "telegram:501" {
		t.Errorf("revision = %v", revs[0])
	}
	if r["answers"].(map[string]any)["place"] != "Ngõ 5, xóm Bãi" {
		t.Errorf("answers = %v", r["answers"])
	}
}

func textsOf(e *env, u *user) []string {
	var out []string
	for _, m := range e.fake.BotMessages(u.u.ID) {
		out = append(out, m.Text)
	}
	return out
}

// Ensure an open mediation case is listed by /vuviec, updated with each
// update kept with its time, and leaves the list once closed.
func TestCaseUpdates(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở")
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("A, 40, xóm Bãi\nB, 42, xóm Bãi").
		say("Tranh chấp lối đi").press("Dân sự (kể cả đất đai)").press("Mới tiếp nhận").press("Bỏ qua").press("Bỏ qua").press("Gửi")

	e.advance(24 * time.Hour)
	lan.say("/vuviec").expect("Vụ việc hòa giải đang mở").press("HG-2026-000001 · Hòa giải · 25/11 · Mới tiếp nhận").
		expect("Tình trạng: Mới tiếp nhận").press("Cập nhật tình trạng").expect("Tình trạng mới của vụ việc").
		press("Đang hòa giải").say("Hẹn gặp hai bên tối thứ Bảy").press("Lưu").expect("Đã cập nhật vụ việc HG-2026-000001: Đang hòa giải.")
	e.advance(72 * time.Hour)
	lan.say("/vuviec").press("HG-2026-000001 · Hòa giải · 25/11 · Đang hòa giải").
		expect("Diễn biến:", "• 20:00 26/11/2026: Đang hòa giải — Hẹn gặp hai bên tối thứ Bảy").
		press("Cập nhật tình trạng").press("Hòa giải thành").press("Bỏ qua").press("Lưu").
		expect("Hòa giải thành", "Vụ việc đã kết thúc.")
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở")
	e.stop()

	r := e.exportJSON()[0]
	ups, _ := r["updates"].([]any)
	if r["status"] != "success" || len(ups) != 2 {
		t.Fatalf("status %v, updates %v", r["status"], r["updates"])
	}
	if at := ups[0].(map[string]any)["at"]; at != "2026-11-26T13:00:00Z" {
		t.Errorf("first update at %v", at)
	}
}

// Ensure a draft is never overwritten by browsing.
func TestDraftKeptWhenBrowsing(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự").press("Ma túy")
	lan.say("/cuatoi").expect("báo cáo làm dở", "đang làm dở").press("Tiếp tục").expect("ngày nào")
}

// Ensure /ngonngu switches a leader's language, by button and by argument,
// and an open question follows.
func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự")
	lan.say("/ngonngu").expect("Chọn ngôn ngữ").press("English").
		expect("Language set to English.", "unfinished Security and public order report").
		press("Continue").expect("What kind of incident").press("Theft")
	lan.say("/trogiup").expect("You are the leader of")
	lan.say("/ngonngu vi").expect("Đã chuyển sang tiếng Việt.", "đang làm dở").press("Tiếp tục").expect("ngày nào")
	e.stop()
	e.start()
	lan.say("/trogiup").expect("Anh/chị là tổ trưởng")
}
