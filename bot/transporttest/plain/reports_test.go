package plain_test

import (
	"maps"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// wantAnswers checks a sent report's stored answers, exactly.
func wantAnswers(t *testing.T, rep bot.Report, want map[string]string) {
	t.Helper()
	if !maps.Equal(rep.Answers, want) {
		t.Errorf("%s's answers are\n%v\nwant\n%v", rep.ID, rep.Answers, want)
	}
}

// Ensure a whole incident report can be made by typing numbers, and text
// where a question asks for it: a number off the menu is asked again,
// "Quay lại" goes back (from the first question to the report menu),
// one answer is changed from the confirmation, the photos step is
// finished by its number, and the receipt comes with the reference
// number.
func TestIncidentByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("/baocao").expect("Anh/chị muốn báo cáo gì?").offers("🚨 Khẩn cấp", "An ninh trật tự", "Sinh hoạt tổ", "Hòa giải", "Hủy")
	lan.say("2").expect("Loại vụ việc là gì?")
	if n := len(lan.choices()); n != 17 {
		t.Fatalf("the categories menu has %d lines, want 16 categories and «Quay lại»", n)
	}
	lan.say("30").expect("Vui lòng bấm một nút bên dưới hoặc gõ số thứ tự.", "Loại vụ việc là gì?", "\n17. Quay lại")
	lan.say("0").expect("Vui lòng bấm một nút bên dưới hoặc gõ số thứ tự.", "Loại vụ việc là gì?")
	lan.say("17").expect("Anh/chị muốn báo cáo gì?")
	lan.choose("An ninh trật tự").choose("Ma túy").expect("Vụ việc xảy ra ngày nào?").offers("Hôm nay", "Hôm qua", "Quay lại")
	lan.say("3").expect("Loại vụ việc là gì?", "Câu trả lời trước: Ma túy")
	lan.choose("Trộm cắp tài sản").expect("ngày nào")
	lan.choose("Hôm qua").expect("Vào khoảng mấy giờ?")
	lan.say("21:30").expect("Xảy ra ở đâu?")
	lan.say("Ngõ 3, xóm Bãi").expect("Chuyện gì đã xảy ra?")
	lan.say("Mất trộm một xe máy Honda Wave.").expect("Có bao nhiêu người liên quan?")
	lan.say("2").expect("Đã xử lý thế nào?")
	lan.choose("Đã báo công an").expect("Có cần công an xã/phường biết ngay không?")
	lan.choose("Không khẩn cấp").expect("Có ảnh hiện trường không?").offers("Xong", "Quay lại")
	lan.say("1").expect("Kiểm tra lại báo cáo an ninh trật tự:",
		"• Loại vụ việc: Trộm cắp tài sản", "• Ngày: 24/11/2026", "• Giờ: 21:30", "• Nơi xảy ra: Ngõ 3, xóm Bãi",
		"• Số người liên quan: 2", "• Cách xử lý: Đã báo công an", "• Mức độ: Không khẩn cấp", "• Ảnh: (bỏ qua)").
		offers("Gửi", "Sửa", "Quay lại", "Hủy")

	// Change the place from the confirmation.
	lan.choose("Sửa").expect("Anh/chị muốn sửa mục nào?")
	lan.choose("Nơi xảy ra").expect("Xảy ra ở đâu?", "Câu trả lời trước: Ngõ 3, xóm Bãi")
	lan.say("Ngõ 5, xóm Bãi").expect("Kiểm tra lại báo cáo", "• Nơi xảy ra: Ngõ 5, xóm Bãi").expectNot("Ngõ 3")
	// Back from the confirmation is the last question, and on again.
	lan.choose("Quay lại").expect("Có ảnh hiện trường không?")
	lan.choose("Xong").expect("Kiểm tra lại báo cáo")

	lan.choose("Gửi").expect("✅ Đã nhận báo cáo An ninh trật tự.", "Số tham chiếu: AN-2026-000001", "Thời gian nhận: 20:00 25/11/2026").
		expectNot("KHẨN CẤP")
	rep := w.report("AN-2026-000001")
	wantAnswers(t, rep, map[string]string{"category": "theft", "date": "2026-11-24", "time": "21:30", "place": "Ngõ 5, xóm Bãi",
		"description": "Mất trộm một xe máy Honda Wave.", "people": "2", "handling": "police", "urgent": "no"})
	if rep.Status != bot.StatusNew || rep.Urgent || rep.Group != group1 {
		t.Errorf("report status %q, urgent %v, group %s", rep.Status, rep.Urgent, rep.Group)
	}
	if w.hasSession("lan") {
		t.Error("a session is left after the receipt")
	}
	// Nothing on screen is numbered any more.
	lan.say("1").expect("Số này không còn ứng với lựa chọn nào đang có.")
	w.person("cong").expectNot("BÁO CÁO KHẨN") // not urgent: no alert
}

// Ensure a whole meeting report can be made by typing numbers: /huy
// keeps nothing, an optional question is skipped by its number, a multi-choice step answered
// "1, 3" at once and another ticked one number at a time then finished
// by the number of "Xong", back to change a choice, one answer changed
// from the confirmation.
func TestMeetingByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	// Begun, cancelled with /huy: nothing kept, and begun again.
	lan.say("/baocao").say("3").choose("Hôm qua").say("19:00").expect("Họp ở đâu?")
	lan.say("/huy").expect("Đã hủy. Không có gì được lưu.")
	if w.hasSession("lan") {
		t.Fatal("a session is left after /huy")
	}

	lan.say("/baocao").say("3").expect("Buổi sinh hoạt tổ diễn ra ngày nào?").expectNot("Câu trả lời trước")
	lan.choose("Hôm nay").expect("Bắt đầu lúc mấy giờ?")
	lan.say("19:30").expect("Họp ở đâu?")
	lan.say("Nhà văn hóa xóm Bãi").expect("Ai chủ trì?").offers("Quay lại", "Bỏ qua")
	lan.say("2").expect("Ai làm thư ký?")
	lan.say("Bà Hà").expect("Có bao nhiêu hộ (thành viên) có mặt?")
	lan.say("30").expect("Bao nhiêu hộ (thành viên) vắng mặt?")
	lan.say("50").expect("Số này lớn hơn số hộ của tổ (42).") // the group's size
	lan.say("12").expect("Khách mời dự họp").
		offers("Công an", "Mặt trận Tổ quốc", "UBND xã/phường", "Khác", "Xong", "Quay lại", "Bỏ qua")
	lan.say("1, 3").expect("Nội dung sinh hoạt")
	// One at a time: a number ticks, the same number again unticks.
	lan.choose("Đánh giá tình hình ANTT").expect("1. ✓ Đánh giá tình hình ANTT")
	lan.choose("Phòng cháy chữa cháy").expect("1. ✓ Đánh giá tình hình ANTT", "5. ✓ Phòng cháy chữa cháy")
	lan.say("1").expect("1. Đánh giá tình hình ANTT", "5. ✓ Phòng cháy chữa cháy")
	lan.choose("Xong").expect("Kết luận của buổi họp là gì?")
	lan.say("Thống nhất lịch tuần tra tháng 12.").expect("Kết quả biểu quyết").offers("Đồng ý", "Không đồng ý", "Ý kiến khác", "Quay lại", "Bỏ qua")
	lan.choose("Đồng ý").expect("Việc cần làm tiếp")
	lan.choose("Quay lại").expect("Kết quả biểu quyết", "Câu trả lời trước: Đồng ý")
	lan.choose("Ý kiến khác").expect("Việc cần làm tiếp")
	lan.choose("Bỏ qua").expect("Gửi ảnh biên bản đã ký").offers("Xong", "Quay lại")
	lan.choose("Xong").expect("Kiểm tra lại báo cáo sinh hoạt tổ:", "• Ngày họp: 25/11/2026", "• Chủ trì: (bỏ qua)", "• Thư ký: Bà Hà",
		"• Số hộ vắng: 12", "• Khách mời: Công an, UBND xã/phường", "• Nội dung: Phòng cháy chữa cháy", "• Biểu quyết: Ý kiến khác",
		"• Việc tiếp theo: (bỏ qua)")

	lan.choose("Sửa").choose("Số hộ vắng").expect("Bao nhiêu hộ (thành viên) vắng mặt?", "Câu trả lời trước: 12")
	lan.say("10").expect("Kiểm tra lại báo cáo", "• Số hộ vắng: 10")
	lan.choose("Gửi").expect("✅ Đã nhận báo cáo Sinh hoạt tổ.", "Số tham chiếu: HP-2026-000001")
	wantAnswers(t, w.report("HP-2026-000001"), map[string]string{"date": "2026-11-25", "time": "19:30", "venue": "Nhà văn hóa xóm Bãi",
		"secretary": "Bà Hà", "present": "30", "absent": "10", "guests": "police,ubnd", "topics": "fire",
		"conclusions": "Thống nhất lịch tuần tra tháng 12.", "vote": "other"})
}

// Ensure a whole mediation case can be recorded by typing numbers: /huy
// keeps nothing, a case type outside grassroots mediation and back from
// its referral, skip, one answer changed from the confirmation; the case
// is open, and one outside mediation is recorded as referred.
func TestMediationByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("/baocao").choose("Hòa giải").choose("Hôm nay").say("Bà Mai").expect("Các bên")
	lan.say("/huy").expect("Đã hủy. Không có gì được lưu.")

	lan.say("/baocao").choose("Hòa giải").expect("Ngày nhận vụ việc?")
	lan.say("20/11").expect("Hòa giải viên").expectNot("Câu trả lời trước")
	lan.say("Bà Mai, ông Tâm").expect("Các bên")
	lan.say("Ông A, 40 tuổi, xóm Bãi\nBà B, 42 tuổi, xóm Bãi").expect("Nội dung chủ yếu của vụ việc?")
	lan.say("Tranh chấp lối đi chung").expect("Loại vụ việc?").
		offers("Mâu thuẫn, xích mích", "Dân sự (kể cả đất đai)", "Hôn nhân và gia đình", "Vi phạm pháp luật nhẹ", "Khác", "Không thuộc phạm vi hòa giải", "Quay lại")
	lan.say("6").expect("không thuộc phạm vi hòa giải ở cơ sở").offers("Chuyển cơ quan có thẩm quyền", "Quay lại")
	lan.say("2").expect("Loại vụ việc?", "Câu trả lời trước: Không thuộc phạm vi hòa giải")
	lan.say("2").expect("Tình trạng hiện nay?")
	lan.choose("Mới tiếp nhận").expect("Thỏa thuận đạt được")
	lan.choose("Bỏ qua").expect("Ghi chú")
	lan.say("Hẹn hòa giải tối thứ Bảy").expect("Kiểm tra lại báo cáo hòa giải:", "• Ngày nhận: 20/11/2026",
		"• Các bên: Ông A, 40 tuổi, xóm Bãi\n   Bà B, 42 tuổi, xóm Bãi", "• Loại vụ việc: Dân sự (kể cả đất đai)",
		"• Tình trạng khi báo cáo: Mới tiếp nhận", "• Thỏa thuận / yêu cầu: (bỏ qua)").expectNot("Chuyển cơ quan")

	lan.choose("Sửa").choose("Tình trạng khi báo cáo").expect("Tình trạng hiện nay?", "Câu trả lời trước: Mới tiếp nhận")
	lan.choose("Đang hòa giải").expect("• Tình trạng khi báo cáo: Đang hòa giải")
	lan.choose("Gửi").expect("✅ Đã nhận báo cáo Hòa giải.", "Số tham chiếu: HG-2026-000001")
	rep := w.report("HG-2026-000001")
	wantAnswers(t, rep, map[string]string{"received": "2026-11-20", "mediators": "Bà Mai, ông Tâm",
		"parties": "Ông A, 40 tuổi, xóm Bãi\nBà B, 42 tuổi, xóm Bãi", "substance": "Tranh chấp lối đi chung",
		"case_type": "civil", "status": "in_progress", "notes": "Hẹn hòa giải tối thứ Bảy"})
	if rep.Status != bot.StatusInProgress {
		t.Errorf("the case's status is %q", rep.Status)
	}

	// A case outside grassroots mediation is recorded as referred.
	lan.say("/baocao").choose("Hòa giải").choose("Hôm nay").say("Bà Mai").say("Ông C, xóm Bãi").say("Đánh nhau gây thương tích").
		choose("Không thuộc phạm vi hòa giải").choose("Chuyển cơ quan có thẩm quyền").choose("Bỏ qua").choose("Bỏ qua").
		expect("• Chuyển cơ quan: Chuyển cơ quan có thẩm quyền").choose("Gửi").expect("HG-2026-000002")
	if rep := w.report("HG-2026-000002"); rep.Status != bot.StatusReferred {
		t.Errorf("a case outside mediation has status %q", rep.Status)
	}
}

// Ensure a report is cancelled by /huy, by the number of «Hủy» on the
// report menu and by its number on the confirmation, keeping nothing.
func TestCancelByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("/baocao").choose("An ninh trật tự").choose("Cháy, nổ").expect("ngày nào")
	lan.say("/huy").expect("Đã hủy. Không có gì được lưu.")
	if w.hasSession("lan") {
		t.Fatal("a session is left after /huy")
	}
	lan.say("1").expect("Số này không còn ứng với lựa chọn nào đang có.")
	lan.say("/huy").expect("Không có báo cáo nào đang làm.")

	lan.say("/baocao").say("5").expect("Đã hủy. Không có gì được lưu.")

	lan.say("/baocao").choose("Hòa giải").choose("Hôm nay").say("Bà Mai").say("Ông A, xóm Bãi").say("Mâu thuẫn tiếng ồn").
		choose("Mâu thuẫn, xích mích").choose("Hòa giải thành").say("Hai bên thống nhất giờ giữ yên lặng").choose("Bỏ qua").
		expect("Kiểm tra lại báo cáo hòa giải:")
	lan.choose("Hủy").expect("Đã hủy. Không có gì được lưu.")
	if w.hasSession("lan") {
		t.Fatal("a session is left after «Hủy»")
	}
	lan.say("/cuatoi").expect("Anh/chị chưa gửi báo cáo nào.")
}

// Ensure a draft left longer than the flows' timeout is met with
// "continue or start again?" whatever is typed, and both are answered by
// number: continue goes on where it was, start again goes back to the
// report menu with nothing kept.
func TestResumeAfterTimeoutByNumbers(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("/baocao").choose("An ninh trật tự").choose("Ma túy").expect("ngày nào")
	w.advance(2*time.Hour + time.Minute)
	lan.say("2").expect("Anh/chị có báo cáo An ninh trật tự đang làm dở (bắt đầu lúc 20:00 25/11/2026). Tiếp tục hay làm lại từ đầu?").
		offers("Tiếp tục", "Làm lại", "Hủy").expectNot("Vào khoảng mấy giờ?")
	lan.say("1").expect("Vụ việc xảy ra ngày nào?")
	lan.choose("Hôm qua").expect("Vào khoảng mấy giờ?")
	lan.say("21:00").expect("Xảy ra ở đâu?")

	w.advance(3 * time.Hour)
	lan.say("Chợ xóm Bãi").expect("đang làm dở").expectNot("Chuyện gì đã xảy ra?")
	lan.say("2").expect("Anh/chị muốn báo cáo gì?")
	lan.choose("An ninh trật tự").expect("Loại vụ việc là gì?").expectNot("Câu trả lời trước")
	lan.choose("Trộm cắp tài sản").expect("ngày nào")

	// Well within the timeout, an answer is an answer.
	w.advance(time.Hour)
	lan.choose("Hôm nay").expect("Vào khoảng mấy giờ?")
	// /baocao over a draft offers the same choice, at any time.
	lan.say("/baocao").expect("đang làm dở").say("1").expect("Vào khoảng mấy giờ?")
}

// Ensure a numeric question (a count, a time of day) numbers none of its
// choices, so that a typed number is always the answer it asks for, and
// «Quay lại» and «Bỏ qua» are typed as words, as the menu says.
func TestNumericQuestionTakesNavigationByWord(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")
	lan.say("/baocao").choose("An ninh trật tự").choose("Ma túy").choose("Hôm qua").
		expect("Vào khoảng mấy giờ?", "• Quay lại\n• Bỏ qua", "gõ «Quay lại» hoặc «Bỏ qua»").offers()
	lan.say("bo qua").expect("Xảy ra ở đâu?")
	lan.say("Bãi sông").say("Nhóm thanh niên tụ tập").expect("Có bao nhiêu người liên quan?", "• Bỏ qua").offers()
	lan.say("2").expect("Đã xử lý thế nào?") // two people: no number means «Bỏ qua»
	lan.choose("Quay lại").expect("Có bao nhiêu người liên quan?", "Câu trả lời trước: 2")
	lan.say("bo qua").expect("Đã xử lý thế nào?")
	lan.choose("Chưa xử lý").choose("Không khẩn cấp").choose("Xong").
		expect("• Giờ: (bỏ qua)", "• Số người liên quan: (bỏ qua)")
}
