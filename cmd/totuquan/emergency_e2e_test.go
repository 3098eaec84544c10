package main

import (
	"strings"
	"testing"
)

// Ensure the gong: /khan asks what and where, and the police are alerted
// at once with the leader's name; the bot then asks the rest of the
// incident report, which survives a restart and is saved under the alert's
// reference number, its details forwarded to the police.
func TestEmergency(t *testing.T) {
	e := newEnv(t)
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	lan.say("/baocao")
	if m, ok := e.fake.LastWithButtons(lan.u.ID); !ok || m.Buttons[0][0].Text != "🚨 Khẩn cấp" {
		t.Fatalf("the report menu does not start with the emergency: %+v", m.Buttons)
	}
	lan.say("/huy")
	lan.say("/khan").expect("Chuyện gì đang xảy ra?")
	lan.press("Cháy, nổ").expect("Ở đâu?")
	lan.say("Nhà ông Hùng, ngõ 3").expect("Đã báo công an xã/phường ngay: báo cáo AN-2026-000001", "Chuyện gì đã xảy ra?")
	cong.expect("BÁO CÁO KHẨN", "AN-2026-000001", "Cháy, nổ", "Nhà ông Hùng, ngõ 3", "Người báo: Lan")

	e.stop()
	e.start()
	lan.say("Cháy bếp nhà ông Hùng, đã dập được một phần").expect("bao nhiêu người")
	lan.say("hai").press("Đã báo công an").expect("ảnh hiện trường")
	lan.photo().press("Xong").expect("Kiểm tra lại", "• Mức độ: Khẩn cấp", "• Nơi xảy ra: Nhà ông Hùng, ngõ 3")
	lan.press("Lưu").expect("Đã bổ sung chi tiết cho báo cáo AN-2026-000001")
	cong.expect("Chi tiết bổ sung", "Cháy bếp nhà ông Hùng", "Số người liên quan: 2")
	e.stop()
	recs := e.exportJSON()
	if len(recs) != 1 {
		t.Fatalf("%d reports, want the one", len(recs))
	}
	a := recs[0]["answers"].(map[string]any)
	if recs[0]["id"] != "AN-2026-000001" || a["category"] != "fire" || a["people"] != "2" || a["urgent"] != "yes" || !strings.HasPrefix(a["photos"].(string), "photo-") {
		t.Errorf("the report: %v", recs[0])
	}
}

// Ensure a voice message answers a free-text question (what happened), is
// shown as «🎤 0:42» to the leader and the police, and is kept in the
// report with its file; elsewhere it is refused with a fresh question.
func TestVoiceAnswer(t *testing.T) {
	e := newEnv(t)
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	voice := func(secs int) {
		e.fake.SendVoice(lan.u, secs)
		e.sent++
		e.settle()
	}
	lan.say("/baocao").press("An ninh trật tự")
	voice(5)
	lan.expect("chưa nhận tin nhắn thoại", "Loại vụ việc")
	lan.press("Trộm cắp tài sản").press("Hôm qua").say("21:30").say("Ngõ 3")
	voice(42)
	lan.expect("bao nhiêu người").say("1").press("Đã báo công an").press("Khẩn cấp").press("Xong").
		expect("• Nội dung: 🎤 0:42").press("Gửi").expect("AN-2026-000001")
	cong.expect("BÁO CÁO KHẨN", "🎤 0:42")
	e.stop()
	a := e.exportJSON()[0]["answers"].(map[string]any)
	if d, _ := a["description"].(string); !strings.HasPrefix(d, "voice:42:voice-") {
		t.Errorf("the description is kept as %q", d)
	}
	// The export people read names the voice message's file.
	if out := e.cli("export", "-config", e.cfgPath, "-format", "csv"); !strings.Contains(out, "🎤 0:42 (voice-") {
		t.Errorf("the CSV export does not name the voice message:\n%s", out)
	}
}
