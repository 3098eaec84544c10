package main

import (
	"strings"
	"testing"
	"time"
)

// mediation files an open mediation case with a party whose details are
// personal data.
func (u *user) mediation(party string) *user {
	u.e.t.Helper()
	return u.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say(party).say("Lối đi chung").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi").
		expect("HG-2026-")
}

// received returns every text and document the bot sent u, joined.
func received(e *env, u *user) string {
	var b strings.Builder
	for _, m := range e.fake.BotMessages(u.u.ID) {
		b.WriteString(m.Text + "\n" + m.Document + "\n" + string(m.Data) + "\n")
	}
	return b.String()
}

// Ensure a deactivated official gets neither urgent alerts nor the weekly
// summary with its CSV, while an active one of the same area gets both.
func TestDeactivatedOfficialGetsNothing(t *testing.T) {
	e := newEnv(t)
	e.schedules = "" // the defaults: the summary on Monday at 07:30
	e.writeConfig("debug")
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	ubnd, _ := e.invite("-official", "PT-TL", "-agency", "ubnd")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	hai := e.user(602, "Hải").say("/start " + ubnd)
	e.user(900, "Admin").say("/khoa 601").expect("Đã cập nhật Công")
	before := len(e.fake.BotMessages(cong.u.ID))

	lan.report().press("Gửi").expect("AN-2026-000001")
	hai.expect("BÁO CÁO KHẨN", "AN-2026-000001")

	e.setNow(time.Date(2026, 11, 30, 0, 30, 30, 0, time.UTC)) // Monday 07:30:30 in Hà Nội
	waitFor(t, e, "the weekly summary to the active official", func() bool {
		_, docs := count(e, hai, "", "tonghop-PT-TL-2026-W48.csv")
		return docs == 1
	})
	e.settle()
	if got := e.fake.BotMessages(cong.u.ID)[before:]; len(got) != 0 {
		t.Errorf("the deactivated official received %d messages, first %q", len(got), got[0].Text)
	}
}

// Ensure the agency rule holds for every read and action: the police see
// incidents but not mediation cases (in /xuat, /vuviec, /thongke), and the
// justice officer the cases but cannot act on an incident.
func TestAgencyRule(t *testing.T) {
	e := newEnv(t)
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	justice, _ := e.invite("-official", "PT-TL", "-agency", "justice")
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + police)
	tu := e.user(603, "Tư").say("/start " + justice)
	lan.report().press("Gửi").expect("AN-2026-000001")
	const party = "Nguyễn Văn Bình, 47 tuổi, số 12 ngõ 5"
	lan.mediation(party).expect("HG-2026-000001")

	cong.say("/xuat csv")
	csv := e.fake.BotMessages(cong.u.ID)
	data := string(csv[len(csv)-1].Data)
	if !strings.Contains(data, "AN-2026-000001") || strings.Contains(data, "HG-2026-000001") || strings.Contains(data, "Nguyễn Văn Bình") {
		t.Errorf("the police's export holds the wrong kinds:\n%s", data)
	}
	cong.say("/vuviec").expect("không thuộc lĩnh vực")
	cong.say("/thongke").expect("không thuộc lĩnh vực")
	if strings.Contains(received(e, cong), "Nguyễn Văn Bình") {
		t.Error("the police were shown a mediation case's parties")
	}

	tu.say("/xuat csv")
	got := e.fake.BotMessages(tu.u.ID)
	data = string(got[len(got)-1].Data)
	if strings.Contains(data, "AN-2026-000001") || !strings.Contains(data, "Nguyễn Văn Bình") {
		t.Errorf("the justice officer's export holds the wrong kinds:\n%s", data)
	}
	tu.say("/vuviec")
	if m, _ := e.fake.LastWithButtons(tu.u.ID); len(m.Buttons) == 0 || !strings.Contains(m.Buttons[0][0].Text, "HG-2026-000001") {
		t.Errorf("the justice officer's /vuviec does not list the case: %+v", m)
	}

	// The justice officer forges the incident alert's button.
	lanBefore := len(e.fake.BotMessages(lan.u.ID))
	e.fake.Press(tu.u, 1, "a:ack:AN-2026-000001")
	e.sent++
	e.settle()
	if got := e.fake.BotMessages(lan.u.ID)[lanBefore:]; len(got) != 0 {
		t.Errorf("the leader was told of the justice officer's press: %q", got[0].Text)
	}
	e.stop()
	for _, r := range e.exportJSON("-kind", "incident") {
		if r["status"] != "new" {
			t.Errorf("the incident's status is %v after the justice officer's press, want new", r["status"])
		}
	}
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "telegram:603\trefused.alert") {
		t.Errorf("the refused press is not in the audit log:\n%s", out)
	}
}

// Ensure a leader moved to another group no longer reads or updates the old
// group's cases, and a leader whose group was retired cannot send a report,
// neither from a reminder's button nor by finishing a draft begun before.
func TestMovedLeaderAndRetiredGroup(t *testing.T) {
	e := newEnv(t)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	lan.mediation("Trần Thị Cúc, 52 tuổi")
	admin := e.user(900, "Admin")
	admin.say("/chuyen 501 PT-TL-XB-T2").expect("Đã cập nhật Lan")
	lan.say("/vuviec").expect("Không có vụ việc hòa giải nào đang mở.")
	lan.say("/cuatoi").expect("Anh/chị chưa gửi báo cáo nào.")

	// Hoa's group is retired while her draft is open.
	hoa.say("/baocao").press("An ninh trật tự").press("Trộm cắp tài sản").press("Hôm qua").say("21:30").
		say("Ngõ 3").say("Mất trộm xe đạp.").say("0").press("Đã báo công an").press("Không khẩn cấp").
		press("Xong").expect("Kiểm tra lại báo cáo")
	e.fake.SendDocument(admin.u, "diaban.csv", []byte("code,name,level,parent_code,households,retired\n"+
		"PT-TL-XB-T2,Tổ tự quản số 2 xóm Bãi,to,PT-TL-XB,,yes\n"), "")
	e.sent++
	e.settle()
	admin.expect("Đã nhập 1 địa bàn")
	hoa.press("Gửi").expect("ngừng hoạt động")
	// A reminder's button, pressed now.
	e.fake.Press(hoa.u, 1, "start:incident")
	e.sent++
	e.settle()
	hoa.expect("ngừng hoạt động")
	e.stop()
	for _, r := range e.exportJSON() {
		if r["group"] == "PT-TL-XB-T2" {
			t.Errorf("a report was stored for the retired group: %v", r["id"])
		}
	}
}
