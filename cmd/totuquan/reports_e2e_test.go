package main

import (
	"strings"
	"testing"
)

// Ensure a meeting report works end to end: ticks on multi-choice steps
// redraw the same message, the group's size caps the households, a photo
// of the minutes is kept.
func TestMeetingReport(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Sinh hoạt tổ").expect("diễn ra ngày nào").
		say("23/11").say("19:30").say("Nhà văn hóa xóm Bãi").say("Ông Hùng").press("Bỏ qua").
		say("50").expect("lớn hơn số hộ của tổ (42)").say("38").say("4").expect("Khách mời")

	guests, _ := e.fake.LastWithButtons(lan.u.ID)
	lan.press("Công an").press("Mặt trận Tổ quốc")
	after := e.fake.Messages(lan.u.ID)
	var redrawn bool
	for _, m := range after {
		if m.ID == guests.ID {
			redrawn = m.Edits == 2 && strings.Contains(m.Buttons[0][0].Text, "✓ Công an") && strings.Contains(m.Buttons[0][1].Text, "✓ Mặt trận")
		}
	}
	if !redrawn || after[len(after)-1].ID != guests.ID {
		t.Fatalf("ticks were not drawn on the same message: %+v", after[len(after)-1])
	}
	lan.press("Xong").expect("Nội dung sinh hoạt").press("Đánh giá tình hình ANTT").press("Phân công tuần tra").press("Xong").
		say("Tăng cường tuần tra ban đêm dịp cuối năm").press("Đồng ý").say("Tổ bảo vệ: lập lịch tuần tra, trước 30/11").
		photo().expect("Đã nhận 1/10 ảnh").press("Xong").
		expect("• Ngày họp: 23/11/2026", "• Khách mời: Công an, Mặt trận Tổ quốc", "• Số hộ có mặt: 38", "• Ảnh biên bản: 1 ảnh").
		press("Gửi").expect("Đã nhận báo cáo Sinh hoạt tổ", "HP-2026-000001")
	e.stop()
	r := e.exportJSON()[0]
	ans := r["answers"].(map[string]any)
	if r["kind"] != "meeting" || ans["guests"] != "police,mttq" || ans["topics"] != "security,patrol" || ans["absent"] != "4" {
		t.Errorf("export = %v", r)
	}
}

// Ensure a mediation case works end to end and keeps its status.
func TestMediationReport(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai, ông Tâm").
		say("Nguyễn Văn A, 45, xóm Bãi\nTrần Văn B, 50, xóm Bãi").say("Tranh chấp lối đi chung").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").say("Hẹn hòa giải lần hai").
		expect("• Các bên: Nguyễn Văn A, 45, xóm Bãi\n   Trần Văn B, 50, xóm Bãi", "• Tình trạng khi báo cáo: Đang hòa giải").
		press("Gửi").expect("Đã nhận báo cáo Hòa giải", "HG-2026-000001")
	lan.say("/baocao").press("Hòa giải").press("Hôm qua").say("Bà Mai").say("Lê Văn C, 30, xóm Bãi").say("Đánh bạc ăn tiền tại nhà").
		press("Không thuộc phạm vi hòa giải").expect("không thuộc phạm vi hòa giải ở cơ sở").
		press("Chuyển cơ quan có thẩm quyền").press("Bỏ qua").press("Bỏ qua").press("Gửi").expect("HG-2026-000002")
	e.stop()
	recs := e.exportJSON()
	if len(recs) != 2 {
		t.Fatalf("%d reports", len(recs))
	}
	if recs[0]["status"] != "in_progress" || recs[1]["status"] != "referred" {
		t.Errorf("statuses = %v, %v", recs[0]["status"], recs[1]["status"])
	}
}

// Ensure a map pin answers an incident's place.
func TestIncidentLocation(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự").press("Cháy, nổ").press("Hôm nay").press("Bỏ qua")
	e.fake.SendLocation(lan.u, 21.02851, 105.85422)
	e.sent++
	e.settle()
	lan.expect("Chuyện gì đã xảy ra").say("Cháy bếp, đã dập").press("Bỏ qua").press("Đã xử lý tại chỗ").press("Không khẩn cấp").press("Xong").
		expect("• Nơi xảy ra: 📍 21.02851, 105.85422").press("Gửi")
	e.stop()
	ans := e.exportJSON()[0]["answers"].(map[string]any)
	if ans["location"] != "21.02851,105.85422" {
		t.Errorf("location = %v", ans["location"])
	}
}

// Ensure a meeting with every optional step skipped, a restart in the
// middle, back and a changed answer, and each validation error.
func TestMeetingSkipsRestartBackEdit(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Sinh hoạt tổ").
		say("30/11/2026").expect("Ngày này chưa tới").press("Hôm nay").
		say("tối").expect("Giờ chưa đúng").say("19:00").
		say("x").expect("ít nhất 2 ký tự").say("Sân nhà văn hóa").
		press("Bỏ qua").press("Bỏ qua").
		say("ba mươi").expect("gõ một số").say("43").expect("lớn hơn số hộ của tổ (42)").say("30")
	e.stop()
	e.start()
	lan.say("2").expect("Khách mời").press("Bỏ qua").
		press("Xong").expect("chọn ít nhất một").press("Vệ sinh môi trường").
		press("Quay lại").expect("Khách mời").press("Bỏ qua").
		expect("Nội dung sinh hoạt").press("Xong").
		say("   ").expect("Vui lòng trả lời bằng chữ").say("Tổng vệ sinh đường làng chủ nhật").
		press("Bỏ qua").press("Bỏ qua").press("Xong").
		expect("• Chủ trì: (bỏ qua)", "• Thư ký: (bỏ qua)", "• Khách mời: (bỏ qua)", "• Nội dung: Vệ sinh môi trường",
			"• Biểu quyết: (bỏ qua)", "• Việc tiếp theo: (bỏ qua)", "• Ảnh biên bản: (bỏ qua)")
	lan.press("Sửa").press("Số hộ vắng").say("3").expect("• Số hộ vắng: 3").press("Gửi").expect("HP-2026-000001")
	e.stop()
	ans := e.exportJSON()[0]["answers"].(map[string]any)
	for _, k := range []string{"chair", "secretary", "guests", "vote", "tasks", "photos"} {
		if _, ok := ans[k]; ok {
			t.Errorf("skipped %s stored as %v", k, ans[k])
		}
	}
	if ans["absent"] != "3" || ans["present"] != "30" || ans["topics"] != "sanitation" {
		t.Errorf("answers = %v", ans)
	}
}

// Ensure a mediation case with its optional steps skipped, a restart in
// the middle, back and a changed answer, and its validation errors.
func TestMediationSkipsRestartBackEdit(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Hòa giải").press("Hôm qua").say("Ông Tâm").
		say("An").expect("ít nhất 5 ký tự").say("Phạm Văn An, 60, xóm Bãi\nĐỗ Thị Bình, 58, xóm Bãi")
	e.stop()
	e.start()
	lan.say("Tiếng ồn karaoke đêm khuya").press("Mâu thuẫn, xích mích").
		press("Quay lại").expect("Loại vụ việc", "Câu trả lời trước: Mâu thuẫn, xích mích").press("Hôn nhân và gia đình").
		say("xong rồi").expect("Vui lòng bấm một nút").press("Mới tiếp nhận").
		press("Bỏ qua").press("Bỏ qua").
		expect("• Loại vụ việc: Hôn nhân và gia đình", "• Thỏa thuận / yêu cầu: (bỏ qua)", "• Ghi chú: (bỏ qua)")
	lan.press("Sửa").press("Nội dung").say("Karaoke sau 22 giờ").press("Gửi").expect("HG-2026-000001")
	e.stop()
	r := e.exportJSON()[0]
	ans := r["answers"].(map[string]any)
	if ans["substance"] != "Karaoke sau 22 giờ" || ans["case_type"] != "family" || r["status"] != "received" || ans["received"] != "2026-11-24" {
		t.Errorf("report = %v", r)
	}
}
