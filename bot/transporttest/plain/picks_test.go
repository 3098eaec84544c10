package plain_test

import (
	"context"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest/plain"
)

// Ensure the language is chosen by typing its number, and chosen back by
// typing its label without diacritics; a draft in hand follows, and its
// "continue" is answered by number in either language; a list in hand is
// shown again, not offered back as a draft.
func TestLanguageByNumber(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("/ngonngu").expect("Chọn ngôn ngữ").offers("Tiếng Việt", "English")
	lan.say("2").expect("Language set to English.", "You are the leader of Tổ tự quản số 1 xóm Bãi.")
	lan.say("/baocao").expect("What would you like to report?").say("2").expect("What kind of incident")

	lan.say("/ngonngu").expect("Choose a language").offers("Tiếng Việt", "English")
	lan.say("tieng viet").expect("Đã chuyển sang tiếng Việt.", "Anh/chị có báo cáo An ninh trật tự đang làm dở").
		offers("Tiếp tục", "Làm lại", "Hủy")
	lan.say("1").expect("Loại vụ việc là gì?")
	var u bot.User
	w.st.View(func(tx bot.Tx) (err error) { u, err = tx.User(lanAddress); return })
	if u.Lang != "vi" {
		t.Errorf("Lan's language is %q", u.Lang)
	}

	lan.say("/huy").say("/ngonngu").say("2").expect("Language set to English.")
	lan.say("1").expect("That number matches nothing on the screen any more.")

	// Browsing is no draft: after the change, the list is shown again and
	// answered by number in the new language.
	lan.say("/ngonngu").say("1").expect("Đã chuyển sang tiếng Việt.")
	sendIncident(lan, false)
	lan.say("/cuatoi").say("/ngonngu").say("2").expect("Language set to English.").expectNot("unfinished")
	if c := lan.choices(); len(c) != 2 || c[1] != "Close" {
		t.Fatalf("after the change the list offers %q", c)
	}
	lan.say("1").expect("📄 AN-2026-000001 · Security and public order").offers("Correct", "Close")
}

// Ensure an official acknowledges an urgent incident's alert by typing 1
// and marks it handled by the number then offered, the leader told each
// time with the official's name; a number off the alert's menu is asked
// again with it, and once nothing is left to do a number is explained.
func TestAlertByNumbers(t *testing.T) {
	w := newWorld(t)
	lan, cong, tu := w.person("lan"), w.person("cong"), w.person("tu")
	sendIncident(lan, true).expect("AN-2026-000001", "Báo cáo đã được đánh dấu KHẨN CẤP.")

	cong.expect("🚨 BÁO CÁO KHẨN từ Tổ tự quản số 1 xóm Bãi", "📄 AN-2026-000001", "Người báo: Lan").offers("Đã tiếp nhận", "Đã xử lý")
	tu.expectNot("BÁO CÁO KHẨN") // the justice officer follows mediation only

	cong.say("3").expect("Xin trả lời bằng một số từ 1 đến 2.").offers("Đã tiếp nhận", "Đã xử lý")
	if st := w.report("AN-2026-000001").Status; st != bot.StatusNew {
		t.Fatalf("a number off the menu changed the status to %q", st)
	}
	cong.say("1").expect("Đã tiếp nhận", "🚨 BÁO CÁO KHẨN", "Tình trạng: Đã tiếp nhận").offers("Đã xử lý")
	lan.expect("Báo cáo AN-2026-000001 của anh/chị: Đã tiếp nhận (cán bộ Công, Xã Tân Lạc, lúc 20:00 25/11/2026).")

	w.advance(90 * time.Minute)
	cong.say("1").expect("Đã xử lý", "Tình trạng: Đã xử lý").offers()
	lan.expect("Báo cáo AN-2026-000001 của anh/chị: Đã xử lý (cán bộ Công, Xã Tân Lạc, lúc 21:30 25/11/2026).")
	cong.say("1").expect("Số này không còn ứng với lựa chọn nào đang có.")

	rep := w.report("AN-2026-000001")
	if rep.Status != bot.StatusHandled || len(rep.Updates) != 2 || rep.Updates[0].Status != bot.StatusAcknowledged || rep.Updates[1].By != plain.Address("cong") {
		t.Errorf("status %q, updates %+v", rep.Status, rep.Updates)
	}
}

// Ensure a reminder's choice starts a report when its number is typed:
// the monthly one straight to a meeting report, the weekly one to the
// report menu, or to the draft in hand when there is one.
func TestReminderByNumber(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	lan, hoa := w.person("lan"), w.person("hoa")
	lan.say("/baocao").choose("Sinh hoạt tổ").choose("Hôm nay").say("19:00").say("Nhà văn hóa").choose("Bỏ qua").choose("Bỏ qua").
		say("30").say("2").choose("Bỏ qua").say("1").choose("Xong").say("Thống nhất lịch trực").choose("Bỏ qua").choose("Bỏ qua").
		choose("Xong").choose("Gửi").expect("HP-2026-000001")
	lan.read()

	// The 25th: Hoa's group has no meeting report this month.
	if err := w.d.MeetingReminders(ctx, w.now()); err != nil {
		t.Fatal(err)
	}
	w.settle()
	lan.expectNot("Nhắc việc")
	hoa.expect("Nhắc việc tháng 11/2026, Tổ tự quản số 2 xóm Bãi chưa gửi báo cáo sinh hoạt tổ.").offers("Sinh hoạt tổ")
	hoa.say("1").expect("Buổi sinh hoạt tổ diễn ra ngày nào?")
	hoa.choose("Hôm qua").expect("Bắt đầu lúc mấy giờ?")

	// Friday 19:00: Hoa's group has still sent nothing this week.
	w.setNow(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	if err := w.d.WeeklyReminders(ctx, w.now()); err != nil {
		t.Fatal(err)
	}
	w.settle()
	lan.expectNot("Nhắc việc tuần")
	hoa.expect("Nhắc việc tuần 48, Tổ tự quản số 2 xóm Bãi chưa gửi báo cáo nào.").offers("Gửi báo cáo")
	hoa.say("1").expect("Anh/chị có báo cáo Sinh hoạt tổ đang làm dở").offers("Tiếp tục", "Làm lại", "Hủy")
	hoa.say("3").expect("Đã hủy.")

	// The same reminder without a draft: the report menu.
	hoa.read()
	w.setNow(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	if err := w.d.WeeklyReminders(ctx, w.now()); err != nil {
		t.Fatal(err)
	}
	w.settle()
	hoa.expect("Nhắc việc tuần 49").offers("Gửi báo cáo")
	hoa.say("1").expect("Anh/chị muốn báo cáo gì?").say("2").expect("Loại vụ việc là gì?")
}

// Ensure a number off a menu outside a report's questions is asked again
// with the same menu, and a number when no menu is on screen any more is
// explained rather than ignored or taken for something else.
func TestNumbersOffTheMenuAndStale(t *testing.T) {
	w := newWorld(t)
	lan := w.person("lan")

	lan.say("1").expect("Số này không còn ứng với lựa chọn nào đang có. Gõ /trogiup để xem hướng dẫn.")
	lan.say("/ngonngu").say("7").expect("Xin trả lời bằng một số từ 1 đến 2.").offers("Tiếng Việt", "English")
	lan.say("0").expect("Xin trả lời bằng một số từ 1 đến 2.").offers("Tiếng Việt", "English")
	lan.say("1").expect("Đã chuyển sang tiếng Việt.")
	lan.say("2").expect("Số này không còn ứng với lựa chọn nào đang có.")

	// Inside a report, a number off the question's menu is asked again.
	lan.say("/baocao").say("6").expect("Vui lòng bấm một nút bên dưới hoặc gõ số thứ tự.", "Anh/chị muốn báo cáo gì?").
		offers("🚨 Khẩn cấp", "An ninh trật tự", "Sinh hoạt tổ", "Hòa giải", "Hủy")
	lan.say("5").expect("Đã hủy.")
	lan.say("3").expect("Số này không còn ứng với lựa chọn nào đang có.")

	// Someone not registered is told how to join, whatever they type.
	w.person("la").say("1").expect("Bot này dành cho tổ trưởng")
}
