package main

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Ensure an urgent incident reaches the officials of its area at once and
// no one else; an official's "received" and "handled" reach the leader;
// a forged press from outside the area is refused.
func TestUrgentIncidentReachesOfficials(t *testing.T) {
	e := newEnv(t)
	e.importAreas("PT-TS,Xã Tân Sơn,xa,PT\nPT-TS-T1,Tổ 1 Tân Sơn,to,PT-TS\n")
	leaderCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL", "-uses", "2")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	justice, _ := e.invite("-official", "PT-TL", "-agency", "justice")
	other, _ := e.invite("-official", "PT-TS")
	if _, err := e.try("invite", "-config", e.cfgPath, "-official", "PT-TL", "-agency", "army"); err == nil {
		t.Error("an unknown agency was accepted")
	}
	e.start()

	lan := e.user(501, "Lan").say("/start " + leaderCode)
	cong := e.user(601, "Công").say("/start "+commune).expect("cán bộ của Xã Tân Lạc", "Đã tiếp nhận")
	hai := e.user(602, "Hải").say("/start " + commune)
	son := e.user(603, "Sơn").say("/start " + other).expect("cán bộ của Xã Tân Sơn")
	an := e.user(604, "An").say("/start " + police)
	tu := e.user(605, "Tú").say("/start " + justice)

	// A report that is not urgent alerts no one.
	lan.say("/baocao").press("An ninh trật tự").press("Người lạ, khả nghi").press("Hôm nay").press("Bỏ qua").
		say("Đầu ngõ 5").say("Hai người lạ hỏi thăm nhà vắng chủ").press("Bỏ qua").press("Chưa xử lý").press("Không khẩn cấp").press("Xong").press("Gửi")
	if n := len(e.fake.BotMessages(cong.u.ID)); n != 1 { // the welcome
		t.Fatalf("an official got %d messages after a report that is not urgent", n)
	}

	lan.report().press("Gửi").expect("AN-2026-000002", "KHẨN CẤP")
	for _, o := range []*user{cong, hai} {
		msgs := e.fake.BotMessages(o.u.ID)
		alert := msgs[len(msgs)-1]
		if !strings.Contains(alert.Text, "🚨 BÁO CÁO KHẨN từ Tổ tự quản số 1 xóm Bãi") || !strings.Contains(alert.Text, "AN-2026-000002") ||
			!strings.Contains(alert.Text, "Người báo: Lan") || len(alert.Buttons) != 1 || len(alert.Buttons[0]) != 2 {
			t.Fatalf("alert to %s = %+v", o.u.FirstName, alert)
		}
	}
	if n := len(e.fake.BotMessages(son.u.ID)); n != 1 {
		t.Fatalf("the official of another commune got %d messages", n)
	}
	if n := len(e.fake.BotMessages(tu.u.ID)); n != 1 {
		t.Fatalf("the justice officer, who follows mediation, got %d messages", n)
	}
	if n, _ := count(e, an, "🚨 BÁO CÁO KHẨN", ""); n != 1 {
		t.Fatalf("the police got %d alerts", n)
	}
	// The official of the other commune forges a press on the alert.
	alert, _ := e.fake.LastWithButtons(cong.u.ID)
	e.fake.Press(son.u, alert.ID, alert.Buttons[0][1].CallbackData)
	e.sent++
	e.settle()
	answers := e.fake.CallbackAnswers()
	if got := answers[len(answers)-1].Text; got != "Anh/chị không có quyền với báo cáo này." {
		t.Errorf("forged press answered %q", got)
	}
	if !strings.Contains(e.stderr.String(), "refused an alert action") {
		t.Error("the forged press was not logged")
	}
	// So does the leader.
	e.fake.Press(lan.u, alert.ID, alert.Buttons[0][1].CallbackData)
	e.sent++
	e.settle()

	cong.press("Đã tiếp nhận")
	lan.expect("Báo cáo AN-2026-000002 của anh/chị: Đã tiếp nhận (cán bộ Công, Xã Tân Lạc, lúc 20:00 25/11/2026).")
	redrawn, _ := e.fake.LastWithButtons(cong.u.ID)
	if redrawn.ID != alert.ID || len(redrawn.Buttons[0]) != 1 || redrawn.Buttons[0][0].Text != "Đã xử lý" || !strings.Contains(redrawn.Text, "Tình trạng: Đã tiếp nhận") {
		t.Errorf("alert after the press = %+v", redrawn)
	}
	// A second official pressing "received" on their own copy changes nothing.
	hai.press("Đã tiếp nhận")
	answers = e.fake.CallbackAnswers()
	if got := answers[len(answers)-1].Text; got != "Báo cáo đã ở trạng thái: Đã tiếp nhận." {
		t.Errorf("second press answered %q", got)
	}
	hai.press("Đã xử lý")
	lan.expect("Đã xử lý (cán bộ Hải, Xã Tân Lạc")
	e.stop()

	r := e.exportJSON()[1]
	ups, _ := r["updates"].([]any)
	if r["status"] != "handled" || len(ups) != 2 || ups[0].(map[string]any)["by"] != "telegram:601" {
		t.Errorf("report = %v", r)
	}
}

// Ensure an official sees the open cases of their area only, may read
// the parties there, records a case's outcome, and the leader is told.
func TestOfficialClosesCase(t *testing.T) {
	e := newEnv(t)
	leaderCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL")
	e.importAreas("PT-TS,Xã Tân Sơn,xa,PT\n")
	other, _ := e.invite("-official", "PT-TS")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leaderCode)
	cong := e.user(601, "Công").say("/start " + commune)
	son := e.user(603, "Sơn").say("/start " + other)
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("Nguyễn Văn A, 45, xóm Bãi").
		say("Tranh chấp lối đi").press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi")

	son.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở")
	cong.say("/vuviec").press("HG-2026-000001 · Hòa giải · 25/11 · Đang hòa giải").
		expect("• Các bên: Nguyễn Văn A, 45, xóm Bãi")
	if m, _ := e.fake.LastWithButtons(cong.u.ID); m.Buttons[0][0].Text != "Cập nhật tình trạng" {
		t.Errorf("an official is offered %+v", m.Buttons)
	}
	cong.press("Cập nhật tình trạng").press("Hòa giải thành").say("Hai bên ký biên bản").press("Lưu").
		expect("Đã cập nhật vụ việc HG-2026-000001: Hòa giải thành.")
	lan.expect("Báo cáo HG-2026-000001 của anh/chị: Hòa giải thành (cán bộ Công, Xã Tân Lạc")
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở")
	e.stop()
	r := e.exportJSON()[0]
	ups := r["updates"].([]any)
	if r["status"] != "success" || ups[0].(map[string]any)["by"] != "telegram:601" {
		t.Errorf("report = %v", r)
	}
}

// Ensure /xuat gives an official the reports of their area as a CSV file,
// none of another commune's, and is audited.
func TestOfficialExport(t *testing.T) {
	e := newEnv(t)
	e.importAreas("PT-TS,Xã Tân Sơn,xa,PT\nPT-TS-T1,Tổ 1 Tân Sơn,to,PT-TS\n")
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	binhCode, _ := e.invite("-group", "PT-TS-T1")
	commune, _ := e.invite("-official", "PT-TL")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	binh := e.user(502, "Bình").say("/start " + binhCode)
	cong := e.user(601, "Công").say("/start " + commune)
	lan.report().press("Gửi")
	binh.report().press("Gửi")
	lan.say("/xuat").expect("chỉ dành cho cán bộ")
	cong.say("/xuat 1/11 30/11").expect("Gõ /xuat")
	cong.say("/xuat csv").expect("Báo cáo của Xã Tân Lạc từ 27/10/2026 đến 25/11/2026: 1 báo cáo")
	var data []byte
	for _, m := range e.fake.BotMessages(cong.u.ID) {
		if strings.HasPrefix(m.Document, "baocao-PT-TL-") {
			data = m.Data
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "AN-2026-000001" || rows[1][1] != "Tổ tự quản số 1 xóm Bãi" {
		t.Fatalf("the official's CSV: %q, %v", rows, err)
	}
	e.stop()
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "telegram:601\texport\tPT-TL\tcsv, 1 reports") {
		t.Errorf("audit:\n%s", out)
	}
}

// Ensure the Excel exports, from the chat and the command line, have one
// sheet per kind with Vietnamese headers and the values as people read
// them, only for the area and kind asked; read back with the same library.
func TestExcelExport(t *testing.T) {
	e := newEnv(t)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	cong := e.user(601, "Công").say("/start " + commune)
	lan.report().press("Gửi")
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("A, 40, xóm Bãi").say("Lối đi chung").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi")
	cong.say("/xuat").expect("2 báo cáo")
	var data []byte
	for _, m := range e.fake.BotMessages(cong.u.ID) {
		if strings.HasSuffix(m.Document, ".xlsx") {
			data = m.Data
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the chat's workbook: %v", err)
	}
	if got := strings.Join(f.GetSheetList(), "|"); got != "An ninh trật tự|Hòa giải" {
		t.Errorf("sheets = %s", got)
	}
	rows, _ := f.GetRows("An ninh trật tự")
	if len(rows) != 2 || rows[0][0] != "Số tham chiếu" || rows[0][7] != "Loại vụ việc" || rows[1][0] != "AN-2026-000001" ||
		rows[1][1] != "Tổ tự quản số 1 xóm Bãi" || rows[1][7] != "Trộm cắp tài sản" || rows[1][8] != "24/11/2026" || rows[1][5] != "Có" {
		t.Errorf("incident sheet = %q", rows)
	}
	rows, _ = f.GetRows("Hòa giải")
	if len(rows) != 2 || rows[1][4] != "Đang hòa giải" || !strings.Contains(strings.Join(rows[0], "|"), "Các bên") {
		t.Errorf("mediation sheet = %q", rows)
	}
	f.Close()

	cong.say("/xuat HG csv").expect("1 báo cáo")
	e.stop()
	out := filepath.Join(e.dir, "hg.xlsx")
	e.cli("export", "-config", e.cfgPath, "-format", "xlsx", "-area", "PT-TL", "-kind", "mediation", "-o", out)
	g, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := strings.Join(g.GetSheetList(), "|"); got != "Hòa giải" {
		t.Errorf("-kind mediation sheets = %s", got)
	}
	if _, err := e.try("export", "-config", e.cfgPath, "-area", "NOPE"); err == nil {
		t.Error("an unknown area was accepted")
	}
}
