package flows_test

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
)

func (c *convo) photo(id string) *convo {
	c.t.Helper()
	c.take(c.e.Handle(c.s, bot.Inbound{Photo: id}, c.now))
	return c
}

func (c *convo) labels() []string {
	var out []string
	for _, ch := range c.question().Flat() {
		out = append(out, ch.Label)
	}
	return out
}

func TestMeeting(t *testing.T) {
	c := newConvo(t, "vi")
	c.s.Limits = map[string]int{"group_size": 40}
	c.press("Sinh hoạt tổ").expect("diễn ra ngày nào").press("Hôm qua").
		expect("mấy giờ").say("19h30").
		expect("Họp ở đâu").say("Nhà văn hóa xóm Bãi").
		expect("chủ trì").say("Ông Nguyễn Văn Hùng").
		expect("thư ký").press("Bỏ qua").
		expect("có mặt").say("41").expect("lớn hơn số hộ của tổ (40)").say("35").
		expect("vắng mặt").say("5").
		expect("Khách mời").press("Công an").press("✓ Công an").press("Mặt trận Tổ quốc").press("Công an")
	// Toggles redraw the same message and keep its buttons valid.
	if !c.last.Replace {
		t.Error("a toggle does not ask to redraw the message")
	}
	if got := strings.Join(c.labels(), "|"); got != "✓ Công an|✓ Mặt trận Tổ quốc|UBND xã/phường|Khác|Xong|Quay lại|Bỏ qua" {
		t.Errorf("guest buttons = %s", got)
	}
	c.press("Xong").expect("Nội dung sinh hoạt").
		press("Xong").expect("chọn ít nhất một").
		say("1, 4,6").expect("Kết luận").
		say("Tăng cường tuần tra ban đêm").
		expect("biểu quyết").press("Đồng ý").
		expect("Việc cần làm").press("Bỏ qua").
		expect("biên bản").photo("ph1").expect("Đã nhận 1/10 ảnh").photo("ph2").expect("Đã nhận 2/10 ảnh").
		press("Xong").
		expect("• Khách mời: Công an, Mặt trận Tổ quốc", "• Nội dung: Đánh giá tình hình ANTT, Phân công tuần tra, Vệ sinh môi trường",
			"• Thư ký: (bỏ qua)", "• Ảnh biên bản: 2 ảnh", "• Ngày họp: 24/11/2026")
	c.press("Gửi")
	sub := c.last.Submit
	if sub == nil || sub.Kind != bot.KindMeeting {
		t.Fatalf("submission = %+v", sub)
	}
	for k, want := range map[string]string{"guests": "police,mttq", "topics": "security,patrol,sanitation", "present": "35", "absent": "5", "photos": "ph1,ph2", "vote": "agree"} {
		if sub.Answers[k] != want {
			t.Errorf("%s = %q, want %q", k, sub.Answers[k], want)
		}
	}
	if _, ok := sub.Answers["secretary"]; ok {
		t.Error("skipped secretary stored")
	}
}

// Ensure a multi-choice step works by numbers alone, as on a platform
// without buttons, and rejects numbers outside the list.
func TestMultiByNumbers(t *testing.T) {
	c := newConvo(t, "vi")
	c.say("3").say("hom nay").say("8:00").say("Sân đình").say("bo qua").say("bo qua").say("20").say("0")
	c.expect("Khách mời").say("1,9").expect("Không có mục số 9: chỉ từ 1 đến 4")
	c.say("1 3").expect("Nội dung sinh hoạt").say("2").expect("Nội dung sinh hoạt") // one number toggles
	c.say("xong").expect("Kết luận")
	if c.s.Answers["guests"] != "police,ubnd" || c.s.Answers["topics"] != "mediation" {
		t.Errorf("answers = %v", c.s.Answers)
	}
}

func TestMediation(t *testing.T) {
	c := newConvo(t, "vi")
	c.press("Hòa giải").expect("Ngày nhận vụ việc").press("Hôm nay").
		say("Bà Lò Thị Mai, ông Đinh Văn Tâm").
		expect("Các bên", "Thông tin cá nhân").say("Nguyễn Văn A, 45, xóm Bãi\nTrần Văn B, 50, xóm Bãi").
		say("Tranh chấp lối đi chung giữa hai nhà").
		expect("Loại vụ việc").press("Dân sự (kể cả đất đai)").
		expect("Tình trạng hiện nay").press("Đang hòa giải").
		expect("Thỏa thuận").press("Bỏ qua").
		expect("Ghi chú").press("Bỏ qua").
		expect("• Loại vụ việc: Dân sự (kể cả đất đai)", "• Tình trạng khi báo cáo: Đang hòa giải")
	if strings.Contains(c.question().Text, "Chuyển cơ quan:") {
		t.Error("the referral line shows for a mediable case")
	}
	// Changing the type to one that cannot be mediated asks the referral
	// and drops the status.
	c.press("Sửa").press("Loại vụ việc").press("Không thuộc phạm vi hòa giải").
		expect("không thuộc phạm vi hòa giải ở cơ sở").press("Chuyển cơ quan có thẩm quyền").
		expect("• Chuyển cơ quan: Chuyển cơ quan có thẩm quyền")
	if strings.Contains(c.question().Text, "• Tình trạng") {
		t.Error("status still shown for a referred case")
	}
	c.press("Gửi")
	sub := c.last.Submit
	if sub.Status != "referred" || sub.Answers["status"] != "" || sub.Answers["refer"] != "yes" {
		t.Errorf("submission = %+v", sub)
	}
}

func TestMediationStatus(t *testing.T) {
	c := newConvo(t, "en")
	c.press("Mediation").press("Today").say("Mr Tâm").say("A, 40, village").say("Noise at night").
		press("Neighbour friction").press("Agreement reached").say("Music off by 22:00").press("Skip").press("Send")
	if c.last.Submit.Status != "success" {
		t.Errorf("status = %q", c.last.Submit.Status)
	}
}

func TestIncidentPinAndPhotos(t *testing.T) {
	c := newConvo(t, "vi")
	c.press("An ninh trật tự").press("Cháy, nổ").press("Hôm nay").press("Bỏ qua")
	c.photo("early").expect("Bước này chưa nhận ảnh", "ở đâu")
	c.take(c.e.Handle(c.s, bot.Inbound{Location: "21.0285,105.8542"}, c.now))
	c.expect("Chuyện gì").say("Cháy bếp nhà dân").press("Bỏ qua").press("Đã xử lý tại chỗ").press("Khẩn cấp")
	for i := range 10 {
		c.photo("p" + string(rune('a'+i)))
	}
	c.photo("eleventh").expect("tối đa 10 ảnh")
	c.press("Xong").expect("• Nơi xảy ra: 📍 21.0285, 105.8542", "• Ảnh: 10 ảnh").press("Gửi")
	a := c.last.Submit.Answers
	if a["location"] != "21.0285,105.8542" || len(strings.Split(a["photos"], ",")) != 10 {
		t.Errorf("answers = %v", a)
	}
}
