package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	zfakeapi "github.com/totuquan/totuquan/zalo/fakeapi"
)

// freeAddr is a loopback address with a port free to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Ensure the same bot serves Zalo with typed numbers only, beside Telegram
// on one store: a leader joins by typing the invite code, reports an
// incident with a photo and a voice note, sees it in /cuatoi; the police
// officer on Zalo gets the alert, acknowledges it by typing 1, and the
// leader is told; the officer's export arrives as a link that serves the
// file.
func TestZaloEndToEnd(t *testing.T) {
	e := newEnv(t)
	public := "http://" + freeAddr(t)
	e.withZalo(public)
	e.zfake.ServeFile("cong.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 a photo of the gate"))
	e.zfake.ServeFile("ghi-am.aac", "audio/aac", []byte("\xff\xf1 a voice note"))
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()

	hoa := e.zuser("7b1c0de5a1f2e3d4c5b6", "Hoa")
	hoa.say("xin chào").expect("dành cho tổ trưởng")
	hoa.say(strings.ToUpper(leader[:4])+" "+leader[4:]).expect("Chào Hoa", "/baocao")
	cong := e.zuser("5a5a5a5a5a5a5a5a5a5a", "Công").say(police).expect("cán bộ của Xã Tân Lạc")

	hoa.say("/baocao").expect("1. 🚨 Khẩn cấp", "2. An ninh trật tự", "Trả lời 1, 2, 3, 4 hoặc 5.")
	hoa.say("2").expect("Loại vụ việc").say("trom cap").expect("ngày nào").say("hom qua").expect("mấy giờ")
	hoa.say("9h tối").expect("ở đâu").say("Cổng nhà văn hóa")
	hoa.send(func(u zfakeapi.User) { e.zfake.SendVoice(u, e.zfake.FileURL("ghi-am.aac")) }).expect("bao nhiêu người")
	hoa.say("bỏ qua").expect("xử lý").say("2").expect("biết ngay").say("1").expect("ảnh hiện trường")
	hoa.send(func(u zfakeapi.User) { e.zfake.SendImage(u, e.zfake.FileURL("cong.jpg"), "") }).expect("1/10")
	hoa.say("xong").expect("Kiểm tra lại báo cáo an ninh trật tự", "• Nội dung: 🎤 0:00", "• Ảnh: 1 ảnh", "1. Gửi")
	hoa.say("1").expect("AN-2026-000001")

	cong.expect("BÁO CÁO KHẨN", "AN-2026-000001", "Người báo: Hoa", "1. Đã tiếp nhận")
	cong.say("1").expect("Đã tiếp nhận", "1. Đã xử lý")
	if !strings.Contains(hoa.received(), "Báo cáo AN-2026-000001 của anh/chị: Đã tiếp nhận") {
		t.Errorf("the leader was not told on Zalo:\n%s", hoa.received())
	}
	hoa.say("/cuatoi").expect("1. AN-2026-000001").say("1").expect("AN-2026-000001", "Cổng nhà văn hóa")

	// The police officer's export: a link on Zalo, fetched over loopback.
	cong.say("/xuat csv").expect("📎 Tải tệp baocao-PT-TL-")
	link := regexp.MustCompile(`http://\S+/f/\S+`).FindString(cong.received())
	link = strings.TrimSuffix(link, ",")
	resp, err := http.Get(strings.TrimRight(link, ").,"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "AN-2026-000001") {
		t.Errorf("the export link %s gave %d:\n%s", link, resp.StatusCode, body)
	}

	e.stop()
	recs := e.exportJSON()
	a := recs[0]["answers"].(map[string]any)
	if len(recs) != 1 || recs[0]["reporter"] != "zalo:7b1c0de5a1f2e3d4c5b6" || !strings.HasPrefix(fmt.Sprint(a["description"]), "voice:0:") || !strings.Contains(fmt.Sprint(a["photos"]), "media") {
		t.Errorf("the stored report: %v", recs)
	}
}

// Ensure a leader linked on Telegram and Zalo is one person: a report sent
// from Telegram is listed on Zalo, and the alert's acknowledgement reaches
// them where they last wrote.
func TestLinkedOnBothPlatforms(t *testing.T) {
	e := newEnv(t)
	e.withZalo("")
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	lan.say("/lienket").expect("Mã liên kết")
	code := regexp.MustCompile(`Mã liên kết: (\S+)`).FindStringSubmatch(lan.last())[1]
	lanZ := e.zuser("9f9f9f9f9f9f9f9f9f9f", "Lan Zalo").say(code).expect("Đã liên kết", "Lan")
	lan.report().press("Gửi").expect("AN-2026-000001")
	lanZ.say("/cuatoi").expect("1. AN-2026-000001")
	cong.press("Đã tiếp nhận")
	if !strings.Contains(lanZ.received(), "Báo cáo AN-2026-000001 của anh/chị: Đã tiếp nhận") {
		t.Errorf("the acknowledgement did not follow the leader to Zalo:\n%s", lanZ.received())
	}
	e.stop()
	if recs := e.exportJSON(); len(recs) != 1 {
		t.Errorf("%d reports, want one", len(recs))
	}
	out := e.cli("users", "list", "-config", e.cfgPath)
	if !strings.Contains(out, "zalo:9f9f9f9f9f9f9f9f9f9f") || strings.Count(out, "Lan") != 1 {
		t.Errorf("users list:\n%s", out)
	}
}

// Ensure on Zalo, typing numbers and words only: a meeting with its
// minutes' photo and one answer changed from the confirmation; a cancelled
// report; a mediation case with back, skip and its substance as a voice
// note; then a correction from /cuatoi and a case update from /vuviec.
func TestZaloReportsByNumbers(t *testing.T) {
	e := newEnv(t)
	e.withZalo("")
	e.zfake.ServeFile("bien-ban.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 the signed minutes"))
	e.zfake.ServeFile("noi-dung.aac", "audio/aac", []byte("\xff\xf1 what the parties said"))
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	hoa := e.zuser("7b1c0de5a1f2e3d4c5b6", "Hoa").say(code)

	hoa.say("/baocao").say("3").expect("ngày nào").say("1").expect("mấy giờ").say("19:00").expect("Họp ở đâu").
		say("Nhà văn hóa").expect("chủ trì").say("bỏ qua").say("bỏ qua").say("30").say("5").expect("Khách mời").
		say("1, 3").say("xong").expect("Nội dung").say("2").say("xong").expect("Kết luận").
		say("Thống nhất lịch trực đêm").say("1").say("bỏ qua").expect("ảnh")
	hoa.send(func(u zfakeapi.User) { e.zfake.SendImage(u, e.zfake.FileURL("bien-ban.jpg"), "") }).expect("1/10")
	hoa.say("xong").expect("Kiểm tra lại báo cáo sinh hoạt tổ", "• Địa điểm: Nhà văn hóa", "2. Sửa")
	hoa.say("2").expect("Anh/chị muốn sửa mục nào?").say("3").expect("Câu trả lời trước: Nhà văn hóa").
		say("Hội trường thôn").expect("• Địa điểm: Hội trường thôn").say("1").expect("HP-2026-000001")

	hoa.say("/baocao").say("2").expect("Loại vụ việc").say("/huy").expect("Đã hủy. Không có gì được lưu.")

	hoa.say("/baocao").say("4").expect("Ngày nhận vụ việc").say("1").say("Bà Mai").expect("Các bên").
		say("quay lại").expect("Hòa giải viên").say("Bà Mai, ông Tâm").say("Ông A, 45, xóm Bãi").expect("Nội dung")
	hoa.send(func(u zfakeapi.User) { e.zfake.SendVoice(u, e.zfake.FileURL("noi-dung.aac")) }).expect("Loại vụ việc")
	hoa.say("dan su").expect("Tình trạng").say("2").say("bỏ qua").say("bỏ qua").
		expect("• Nội dung: 🎤", "• Hòa giải viên: Bà Mai, ông Tâm").say("1").expect("HG-2026-000001")

	hoa.say("/cuatoi").expect("2. HG-2026-000001").say("2").expect("📄 HG-2026-000001", "1. Sửa").say("1").
		expect("Anh/chị muốn sửa mục nào?").say("ghi chu").expect("Ghi chú").say("Hẹn lần hai vào thứ Bảy").
		say("luu").expect("Đã lưu sửa đổi báo cáo HG-2026-000001")
	hoa.say("/vuviec").expect("1. HG-2026-000001").say("1").expect("Cập nhật tình trạng").say("2").
		expect("Tình trạng mới").say("hoa giai thanh").say("bỏ qua").say("luu").expect("Đã cập nhật vụ việc HG-2026-000001: Hòa giải thành.")

	e.stop()
	byID := map[string]map[string]any{}
	for _, r := range e.exportJSON() {
		byID[r["id"].(string)] = r
	}
	meeting, mediation := byID["HP-2026-000001"], byID["HG-2026-000001"]
	if len(byID) != 2 || meeting == nil || mediation == nil {
		t.Fatalf("stored: %v", byID)
	}
	if a := meeting["answers"].(map[string]any); a["venue"] != "Hội trường thôn" || a["guests"] != "police,ubnd" || !strings.Contains(fmt.Sprint(a["photos"]), "media") {
		t.Errorf("the meeting: %v", a)
	}
	if a := mediation["answers"].(map[string]any); !strings.HasPrefix(fmt.Sprint(a["substance"]), "voice:") || a["notes"] != "Hẹn lần hai vào thứ Bảy" || mediation["status"] != "success" {
		t.Errorf("the mediation case: %v", mediation)
	}
}
