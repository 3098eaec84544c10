package main

import (
	"strings"
	"testing"
	"time"
)

// Ensure every choice outside a report's questions can be answered by
// typing its number or its label: the language, an alert's "received" and
// "handled", a reminder's button; that a number off the menu is explained;
// and that a number matching nothing on screen any more gets a short
// explanation.
func TestTypedPicksEverywhere(t *testing.T) {
	e := newEnv(t)
	e.schedules = "" // the defaults: the Friday reminder at 19:00
	e.writeConfig("debug")
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	police, _ := e.invite("-official", "PT-TL", "-agency", "police")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	cong := e.user(601, "Công").say("/start " + police)

	lan.say("/ngonngu").say("7").expect("từ 1 đến 2")
	lan.say("2").expect("Language set to English.")
	lan.say("/ngonngu").say("tieng viet").expect("Đã chuyển sang tiếng Việt.")
	lan.say("1").expect("không còn ứng với lựa chọn nào")

	lan.report().press("Gửi").expect("AN-2026-000001")
	cong.expect("BÁO CÁO KHẨN")
	cong.say("1").expect("Đã tiếp nhận")
	lan.expect("AN-2026-000001", "Đã tiếp nhận", "Công")
	if m, ok := e.fake.LastWithButtons(cong.u.ID); !ok || len(m.Buttons[0]) != 1 || m.Buttons[0][0].Text != "Đã xử lý" {
		t.Fatalf("after the typed pick the alert offers %+v, want only «Đã xử lý»", m.Buttons)
	}
	cong.say("da xu ly").expect("Đã xử lý")
	lan.expect("AN-2026-000001", "Đã xử lý")
	cong.say("1").expect("không còn ứng với lựa chọn nào")

	// Friday 27/11 19:00: Hoa's group sent nothing this week.
	e.setNow(time.Date(2026, 11, 27, 12, 0, 30, 0, time.UTC))
	waitFor(t, e, "the Friday reminder", func() bool { return strings.Contains(hoa.last(), "Nhắc việc tuần") })
	e.settle()
	hoa.say("1").expect("Anh/chị muốn báo cáo gì?")
}
