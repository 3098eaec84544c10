package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedFortnight makes two weeks of reports in Xã Tân Lạc: one incident in
// week 47; in week 48 an urgent theft (handled by an official), a meeting
// and two mediation cases, while a third group sends nothing.
func seedFortnight(t *testing.T, e *env) (official *user) {
	t.Helper()
	csv := filepath.Join(e.dir, "t3.csv")
	os.WriteFile(csv, []byte("code,name,level,parent_code\nPT-TL-XB-T3,Tổ tự quản số 3 xóm Bãi,to,PT-TL-XB\n"), 0o600)
	e.cli("areas", "import", "-config", e.cfgPath, csv)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	offCode, _ := e.invite("-official", "PT-TL", "-uses", "2")
	week47 := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC) // Wednesday 18/11, 09:00 in Hà Nội
	e.setNow(week47)
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	official = e.user(601, "Công").say("/start " + offCode)
	lan.say("/baocao").press("An ninh trật tự").press("Đánh nhau, gây rối").press("Hôm nay").press("Bỏ qua").
		say("Sân bóng").say("Hai nhóm thanh niên xô xát").say("6").press("Đã xử lý tại chỗ").press("Không khẩn cấp").press("Xong").press("Gửi")

	now := testNow // Wednesday 25/11, 20:00
	e.setNow(now)
	lan.report().press("Gửi")
	official.press("Đã xử lý")
	lan.say("/cuatoi").press("AN-2026-000002 · An ninh trật tự · 25/11 · Đã xử lý").press("Sửa").
		press("Số người liên quan").say("3").press("Lưu").expect("Đã lưu sửa đổi")
	lan.say("/baocao").press("Sinh hoạt tổ").press("Hôm nay").say("19:00").say("Nhà văn hóa").press("Bỏ qua").press("Bỏ qua").
		say("30").say("2").press("Công an").press("Xong").press("Đánh giá tình hình ANTT").press("Xong").say("Tăng cường tuần tra").
		press("Đồng ý").press("Bỏ qua").press("Xong").press("Gửi")
	hoa.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("A, 40, xóm Bãi").say("Tranh chấp đất vườn").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi")
	e.advance(20 * time.Hour) // Thursday
	hoa.say("/baocao").press("Hòa giải").press("Hôm nay").say("Ông Tâm").say("B, 35, xóm Bãi").say("Vợ chồng mâu thuẫn").
		press("Hôn nhân và gia đình").press("Hòa giải thành").say("Hai bên làm lành").press("Bỏ qua").press("Gửi")
	return official
}

// Ensure the weekly summary counts what it should, reads well, and is
// the same on the command line and in the chat. The golden files are for
// people to read; go test -update rewrites them.
func TestWeeklySummary(t *testing.T) {
	e := newEnv(t)
	official := seedFortnight(t, e)
	e.advance(time.Minute)
	official.say("/tonghop").expect("📊 TỔNG HỢP TUẦN 48 (23/11–26/11/2026)", "Báo cáo: 4 (tuần trước 1, +3)")
	e.user(501, "Lan").say("/tonghop").expect("chỉ dành cho cán bộ")
	e.stop()

	for _, lang := range []string{"vi", "en"} {
		out := e.cli("summary", "-config", e.cfgPath, "-area", "PT-TL", "-week", "2026-W48", "-lang", lang)
		golden := filepath.Join("testdata", "summary_"+lang+".golden")
		if *update {
			os.WriteFile(golden, []byte(out), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test -update creates it)", err)
		}
		if out != string(want) {
			t.Errorf("summary differs from %s:\n%s", golden, out)
		}
	}
	out := e.cli("summary", "-config", e.cfgPath, "-area", "PT-TL", "-week", "2026-W48")
	for _, want := range []string{
		"Báo cáo: 4 (tuần trước 1, +3)", "• An ninh trật tự: 1 (0)", "• Hòa giải: 2 (+2)", "• Sinh hoạt tổ: 1 (+1)",
		"🚨 Vụ việc khẩn (1):\n• AN-2026-000002 · 25/11 · Tổ tự quản số 1 xóm Bãi · Trộm cắp tài sản · Đã xử lý · ✎ đã sửa",
		"Hòa giải theo lĩnh vực: Dân sự 1 · Hôn nhân gia đình 1 · Khác 0",
		"Hòa giải theo kết quả: Thành 1 · Không thành 0 · Đang giải quyết 1 · Chưa giải quyết 0",
		"Sinh hoạt tổ: 1/3 tổ đã họp",
		"Tổ chưa gửi báo cáo nào (1):\nTổ tự quản số 3 xóm Bãi",
		"Vụ việc hòa giải còn mở (1):\n• HG-2026-000001",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The week before, for one group's area.
	out = e.cli("summary", "-config", e.cfgPath, "-area", "PT-TL-XB-T1", "-week", "2026-W47")
	if !strings.Contains(out, "Báo cáo: 1 (tuần trước 0, +1)") || !strings.Contains(out, "• Đánh nhau, gây rối: 1") {
		t.Errorf("week 47:\n%s", out)
	}
	if _, err := e.try("summary", "-config", e.cfgPath, "-area", "PT-TL", "-week", "2026-W60"); err == nil {
		t.Error("week 60 accepted")
	}
	for _, cmd := range []string{"summary", "stats"} {
		if _, err := e.try(cmd, "-config", e.cfgPath, "-area", "PT-TL", "-lang", "fr"); err == nil || !strings.Contains(err.Error(), "-lang") {
			t.Errorf("%s -lang fr: %v", cmd, err)
		}
	}
}

// Ensure the mediation statistics count the period's cases in the
// periodic report's buckets, per group and in total, in the chat and on
// the command line.
func TestMediationStats(t *testing.T) {
	e := newEnv(t)
	official := seedFortnight(t, e)
	e.advance(time.Minute)
	official.say("/thongke").expect("📈 THỐNG KÊ HÒA GIẢI Ở CƠ SỞ\nXã Tân Lạc, 27/05/2026–26/11/2026",
		"Tổng số vụ việc nhận: 2",
		"Hòa giải theo lĩnh vực: Dân sự 1 · Hôn nhân gia đình 1 · Khác 0",
		"Hòa giải theo kết quả: Thành 1 · Không thành 0 · Đang giải quyết 1 · Chưa giải quyết 0",
		"Tổ tự quản số 2 xóm Bãi: 2 vụ việc")
	official.say("/thongke abc").expect("Gõ /thongke")
	official.say("/thongke 26/11/2026 26/11/2026").expect("Tổng số vụ việc nhận: 1", "Hôn nhân gia đình 1")
	e.stop()
	out := e.cli("stats", "-config", e.cfgPath, "-area", "PT-TL-XB", "-from", "2026-11-01", "-to", "2026-11-30", "-lang", "en")
	for _, want := range []string{"GRASSROOTS MEDIATION STATISTICS\nXóm Bãi, 01/11/2026–30/11/2026", "Cases received: 2", "Tổ tự quản số 2 xóm Bãi: 2 cases"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
}
