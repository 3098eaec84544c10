package plain_test

import (
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// sendIncident has p report a theft by numbers, urgent or not.
func sendIncident(p *person, urgent bool) *person {
	p.w.t.Helper()
	level := "Không khẩn cấp"
	if urgent {
		level = "Khẩn cấp"
	}
	return p.say("/baocao").choose("An ninh trật tự").choose("Trộm cắp tài sản").choose("Hôm qua").say("21:30").
		say("Ngõ 3, xóm Bãi").say("Mất trộm một xe máy Honda Wave.").say("2").choose("Đã báo công an").
		choose(level).choose("Xong").choose("Gửi").expect("Số tham chiếu:")
}

// sendCase has p record a new mediation case by numbers.
func sendCase(p *person) *person {
	p.w.t.Helper()
	return p.say("/baocao").choose("Hòa giải").choose("Hôm nay").say("Bà Mai").say("Ông A, 40 tuổi, xóm Bãi\nBà B, 42 tuổi, xóm Bãi").
		say("Tranh chấp lối đi chung").choose("Dân sự (kể cả đất đai)").choose("Mới tiếp nhận").choose("Bỏ qua").choose("Bỏ qua").
		choose("Gửi").expect("Số tham chiếu:")
}

// Ensure a leader lists their reports with /cuatoi, opens one by its
// number and corrects it by numbers within 48 hours, the earlier answer
// kept; after 48 hours the report opens with nothing to do but close it.
func TestCorrectionByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")
	sendIncident(lan, false).expect("AN-2026-000001")

	w.advance(47 * time.Hour)
	lan.say("/cuatoi").expect("Báo cáo gần đây của anh/chị").offers("AN-2026-000001 · An ninh trật tự · 25/11 · Mới", "Đóng")
	lan.say("1").expect("📄 AN-2026-000001 · An ninh trật tự", "Gửi lúc 20:00 25/11/2026", "• Loại vụ việc: Trộm cắp tài sản").
		offers("Sửa", "Đóng")
	lan.say("1").expect("Anh/chị muốn sửa mục nào?")
	lan.choose("Loại vụ việc").expect("Loại vụ việc là gì?", "Câu trả lời trước: Trộm cắp tài sản")
	lan.choose("Đánh nhau, gây rối").expect("Kiểm tra lại báo cáo an ninh trật tự AN-2026-000001:", "• Loại vụ việc: Đánh nhau, gây rối", "Lưu thay đổi?").
		offers("Lưu", "Sửa", "Quay lại", "Hủy")
	lan.choose("Lưu").expect("Đã lưu sửa đổi báo cáo AN-2026-000001 (số mục thay đổi: 1). Bản trước vẫn được lưu lại.")
	rep := w.report("AN-2026-000001")
	if rep.Answers["category"] != "fight" || len(rep.Revisions) != 1 {
		t.Fatalf("after the correction: %v, revisions %+v", rep.Answers, rep.Revisions)
	}
	if ch := rep.Revisions[0].Changes; len(ch) != 1 || ch[0] != (bot.Change{Key: "category", Old: "theft", New: "fight"}) || rep.Revisions[0].By != lanAddress {
		t.Errorf("the revision is %+v", rep.Revisions[0])
	}

	// A correction left unsaved: back from the choice of answer returns to
	// the report, closed by number.
	lan.say("/cuatoi").say("1").expect("Đã sửa 1 lần").choose("Sửa").choose("Quay lại").expect("📄 AN-2026-000001")
	lan.choose("Đóng").expect("Đã đóng.")
	lan.say("1").expect("Số này không còn ứng với lựa chọn nào đang có.")

	w.advance(2 * time.Hour) // 49 hours after sending
	lan.say("/cuatoi").say("1").expect("📄 AN-2026-000001").offers("Đóng")
	lan.say("2").expect("Vui lòng bấm một nút bên dưới hoặc gõ số thứ tự.", "📄 AN-2026-000001")
	lan.say("1").expect("Đã đóng.")
	if n := len(w.report("AN-2026-000001").Revisions); n != 1 {
		t.Errorf("%d revisions after 49 hours, want 1", n)
	}
}

// Ensure a leader records each step of an open mediation case with
// /vuviec by numbers, until its outcome closes it; the justice officer
// records an outcome the same way, and the leader is told.
func TestCaseUpdateByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở.")
	sendCase(lan).expect("HG-2026-000001")

	w.advance(24 * time.Hour)
	lan.say("/vuviec").expect("Vụ việc hòa giải đang mở").offers("HG-2026-000001 · Hòa giải · 25/11 · Mới tiếp nhận", "Đóng")
	lan.say("1").expect("📄 HG-2026-000001", "Tình trạng: Mới tiếp nhận").offers("Sửa", "Cập nhật tình trạng", "Đóng")
	lan.say("2").expect("Tình trạng mới của vụ việc?").
		offers("Đang hòa giải", "Hòa giải thành", "Hòa giải không thành", "Chuyển cơ quan có thẩm quyền", "Quay lại")
	lan.say("1").expect("Ghi chú (kết quả, hẹn lần sau…)")
	lan.say("Hẹn gặp hai bên tối thứ Bảy").expect("Kiểm tra lại báo cáo cập nhật vụ việc HG-2026-000001", "• Ghi chú: Hẹn gặp hai bên tối thứ Bảy")
	lan.choose("Lưu").expect("Đã cập nhật vụ việc HG-2026-000001: Đang hòa giải.")

	// The justice officer of the commune sees it, and records the outcome.
	tu := w.person("tu")
	w.advance(48 * time.Hour)
	tu.say("/vuviec").offers("HG-2026-000001 · Hòa giải · 25/11 · Đang hòa giải", "Đóng")
	tu.say("1").expect("Diễn biến:", "• 20:00 26/11/2026: Đang hòa giải — Hẹn gặp hai bên tối thứ Bảy", "Bà B, 42 tuổi").
		offers("Cập nhật tình trạng", "Đóng")
	tu.say("1").choose("Hòa giải thành").choose("Bỏ qua").choose("Lưu").
		expect("Đã cập nhật vụ việc HG-2026-000001: Hòa giải thành.", "Vụ việc đã kết thúc.")
	lan.expect("Báo cáo HG-2026-000001 của anh/chị: Hòa giải thành (cán bộ Tư, Xã Tân Lạc, lúc 20:00 28/11/2026).")
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở.")

	rep := w.report("HG-2026-000001")
	if rep.Status != bot.StatusSuccess || len(rep.Updates) != 2 {
		t.Fatalf("status %q, updates %+v", rep.Status, rep.Updates)
	}
	if u := rep.Updates[0]; u.Status != bot.StatusInProgress || u.Note != "Hẹn gặp hai bên tối thứ Bảy" || u.By != lanAddress {
		t.Errorf("the first update is %+v", u)
	}
}
