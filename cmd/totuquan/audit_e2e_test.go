package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Ensure the audit log records admin actions, exports, views of personal
// data and refused attempts, with who, when and which area.
func TestAuditLog(t *testing.T) {
	e := newEnv(t)
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL", "-agency", "ubnd") // follows incidents and mediation
	e.start()
	lan := e.user(501, "Lan").say("/start " + leader)
	cong := e.user(601, "Công").say("/start " + commune)
	lan.report().press("Gửi")
	cong.press("Đã tiếp nhận")
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("A, 40, xóm Bãi").say("Lối đi chung").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi")
	cong.say("/vuviec").press("HG-2026-000001 · Hòa giải · 25/11 · Đang hòa giải")
	// A leader forging an official's button.
	e.fake.Press(lan.u, 1, "a:done:AN-2026-000001")
	e.sent++
	e.settle()
	e.user(900, "Admin").say("/saoluu")
	e.stop()
	e.exportJSON()

	out := e.cli("audit", "-config", e.cfgPath)
	for _, want := range []string{
		"\tcli:", "\tareas.import\t", "\tinvite\tPT-TL-XB-T1\tleader", "\tinvite\tPT-TL\tofficial ubnd",
		"\ttelegram:501\tjoin\tPT-TL-XB-T1\tleader by invite", "\ttelegram:601\tjoin\tPT-TL\tofficial",
		"\tsystem\talert\tPT-TL-XB-T1\tAN-2026-000001 to telegram:601",
		"\ttelegram:601\tincident.acknowledged\tPT-TL-XB-T1\tAN-2026-000001",
		"\ttelegram:601\tview\tPT-TL-XB-T1\tHG-2026-000001",
		"\ttelegram:501\trefused.alert\t\tAN-2026-000001 done: not an official",
		"\ttelegram:900\tbackup\t", "\texport\t\tjson, 2 reports",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if got := e.cli("audit", "-config", e.cfgPath, "-from", "2026-11-26"); got != "" {
		t.Errorf("audit from the next day:\n%s", got)
	}
}

// Ensure an admin lists people by area, moves a leader to another group,
// and deactivates one, who can then no longer report and whose reports
// stay.
func TestUsers(t *testing.T) {
	e := newEnv(t)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	lan.report().press("Gửi")
	hoa.say("/baocao").press("An ninh trật tự")
	e.stop()

	out := e.cli("users", "list", "-config", e.cfgPath, "-area", "PT-TL-XB-T2")
	if !strings.Contains(out, "telegram:502\tleader\tPT-TL-XB-T2") || strings.Contains(out, "telegram:501") {
		t.Errorf("users list -area:\n%s", out)
	}
	e.cli("users", "move", "-config", e.cfgPath, "-group", "PT-TL-XB-T2", "telegram:501")
	e.cli("users", "deactivate", "-config", e.cfgPath, "telegram:502")
	if _, err := e.try("users", "deactivate", "-config", e.cfgPath, "telegram:999"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("deactivating no one: %v", err)
	}
	e.start()
	lan.say("/trogiup").expect("tổ trưởng của Tổ tự quản số 2 xóm Bãi")
	hoa.say("/baocao").expect("đã ngừng hoạt động")
	hoa.say("/start " + hoaCode).expect("đã ngừng hoạt động")
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports after deactivating, want the one sent before", n)
	}
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "users.deactivate") || !strings.Contains(out, "users.move") {
		t.Errorf("audit:\n%s", out)
	}
}

// Ensure the tree is listed with its people, and a revoked invite fails
// with a clear message.
func TestAreasListAndRevoke(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	gone, _ := e.invite("-group", "PT-TL-XB-T2")
	e.invite("-official", "PT-TL")
	e.cli("invite", "-config", e.cfgPath, "-revoke", gone)
	e.start()
	e.user(501, "Lan").say("/start " + code)
	e.user(502, "Hoa").say("/start " + gone).expect("đã bị thu hồi")
	e.stop()
	out := e.cli("areas", "list", "-config", e.cfgPath)
	for _, want := range []string{
		"PT  Tỉnh Phú Thọ (tinh): 2 tổ, 1 tổ trưởng, 0 cán bộ",
		"  PT-TL  Xã Tân Lạc (xa): 2 tổ, 1 tổ trưởng, 0 cán bộ",
		"      PT-TL-XB-T1  Tổ tự quản số 1 xóm Bãi (to): 1 tổ, 1 tổ trưởng, 0 cán bộ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("areas list lacks %q:\n%s", want, out)
		}
	}
}

// Ensure an admin's notice reaches every active leader of the area, and
// only them, once.
func TestBroadcast(t *testing.T) {
	e := newEnv(t)
	e.importAreas("PT-TS,Xã Tân Sơn,xa,PT\nPT-TS-T1,Tổ 1 Tân Sơn,to,PT-TS\n")
	c1, _ := e.invite("-group", "PT-TL-XB-T1")
	c2, _ := e.invite("-group", "PT-TL-XB-T2")
	c3, _ := e.invite("-group", "PT-TS-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + c1)
	hoa := e.user(502, "Hoa").say("/start " + c2)
	binh := e.user(503, "Bình").say("/start " + c3)
	lan.say("/thongbao PT-TL Họp").expect("Chỉ quản trị viên")
	admin := e.user(900, "Admin")
	admin.say("/thongbao").expect("Gõ /thongbao")
	admin.say("/thongbao XX Họp").expect("Không có địa bàn mã XX")
	admin.say("/thongbao PT-TL Họp giao ban tổ trưởng 8 giờ thứ Hai tại UBND xã.").expect("tới 2 tổ trưởng của Xã Tân Lạc")
	for _, u := range []*user{lan, hoa} {
		if n, _ := count(e, u, "📢 Thông báo tới các tổ trưởng Xã Tân Lạc:\n\nHọp giao ban tổ trưởng 8 giờ thứ Hai tại UBND xã.", ""); n != 1 {
			t.Errorf("%s got the notice %d times", u.u.FirstName, n)
		}
	}
	if n, _ := count(e, binh, "📢", ""); n != 0 {
		t.Error("a leader of another commune got the notice")
	}
	e.stop()
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "telegram:900\tbroadcast\tPT-TL\t2 leaders") {
		t.Errorf("audit:\n%s", out)
	}
}

// Ensure admins run the admin actions from the chat, others cannot, and
// the admins named in the configuration cannot be demoted there.
func TestAdminChatCommands(t *testing.T) {
	e := newEnv(t)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	lan.say("/moi to PT-TL-XB-T2").expect("Chỉ quản trị viên")
	lan.say("/quantri them 501").expect("Chỉ quản trị viên")

	admin := e.user(900, "Admin")
	admin.say("/diaban").expect("PT-TL  Xã Tân Lạc (xa): 2 tổ, 1 tổ trưởng, 0 cán bộ")
	admin.say("/moi").expect("Gõ /moi to")
	admin.say("/moi to PT-TL-XB-T2").expect("Mã mời cho Tổ tự quản số 2 xóm Bãi:", "https://t.me/totuquan_test_bot?start=", "Mã QR")
	var code string
	for _, m := range e.fake.BotMessages(admin.u.ID) {
		if c := regexp.MustCompile(`start=(\w+)`).FindStringSubmatch(m.Text); c != nil {
			code = c[1]
		}
	}
	qr := e.fake.BotMessages(admin.u.ID)
	if last := qr[len(qr)-1]; !strings.HasPrefix(last.Document, "moi-PT-TL-XB-T2-") || !strings.HasPrefix(string(last.Data), "\x89PNG") {
		t.Errorf("no QR code after the invite: %+v", last.Document)
	}
	hoa := e.user(502, "Hoa").say("/start " + code).expect("tổ trưởng của Tổ tự quản số 2 xóm Bãi")
	admin.say("/moi to PT-TL-XB-T1 3 30").expect("Dùng được 3 lần, hết hạn lúc 20:00 25/12/2026", "https://t.me/totuquan_test_bot?start=")
	admin.say("/moi to PT-TL-XB-T1 ba").expect("Gõ /moi to")
	admin.say("/moi canbo PT-TL police").expect("Mã mời cho Xã Tân Lạc", "Dùng được 1 lần, hết hạn lúc 20:00 02/12/2026")
	var gone string
	for _, m := range e.fake.BotMessages(admin.u.ID) {
		if c := regexp.MustCompile(`start=(\w+)`).FindStringSubmatch(m.Text); c != nil {
			gone = c[1]
		}
	}
	admin.say("/thuhoi " + gone).expect("Đã thu hồi")
	e.user(601, "Công").say("/start " + gone).expect("đã bị thu hồi")

	admin.say("/nguoidung PT-TL-XB-T2").expect("• telegram:502 · Hoa · tổ trưởng · Tổ tự quản số 2 xóm Bãi")
	admin.say("/khoa 502").expect("Đã cập nhật Hoa")
	hoa.say("/baocao").expect("đã ngừng hoạt động")
	admin.say("/mokhoa 502")
	hoa.say("/baocao").expect("muốn báo cáo gì")
	hoa.say("/huy")

	// A promoted leader may use admin commands, and can be demoted.
	admin.say("/quantri them 501").expect("Đã cập nhật Lan")
	lan.say("/diaban").expect("Xã Tân Lạc")
	lan.say("/quantri bo 900").expect("có trong tệp cấu hình")
	admin.say("/quantri bo 501")
	lan.say("/diaban").expect("Chỉ quản trị viên")
	e.stop()
	out := e.cli("audit", "-config", e.cfgPath)
	for _, want := range []string{"telegram:900\tinvite\tPT-TL-XB-T2\tleader, 1 uses", "telegram:900\tinvite.revoke", "telegram:900\tusers.deactivate\tPT-TL-XB-T2\ttelegram:502",
		"telegram:900\tusers.admin\tPT-TL-XB-T1\ttelegram:501", "telegram:501\trefused.admin\t\t/moi to PT-TL-XB-T2"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
}

// Ensure a retired group takes no invite or report, is not counted as
// silent, and keeps its reports.
func TestRetiredArea(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T2")
	other, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	hoa := e.user(502, "Hoa").say("/start " + code)
	hoa.report().press("Gửi")
	e.stop()
	csv := filepath.Join(e.dir, "retire.csv")
	os.WriteFile(csv, []byte("code,name,level,parent_code,households,retired\nPT-TL-XB-T2,Tổ tự quản số 2 xóm Bãi,to,PT-TL-XB,,yes\n"), 0o600)
	e.cli("areas", "import", "-config", e.cfgPath, csv)
	if _, err := e.try("invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T2"); err == nil || !strings.Contains(err.Error(), "retired") {
		t.Errorf("invite to a retired group: %v", err)
	}
	e.start()
	hoa.say("/baocao").expect("đã ngừng hoạt động trong danh sách địa bàn")
	e.user(503, "Tâm").say("/start " + other).expect("không còn trong danh sách địa bàn")
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports, want the retired group's report kept", n)
	}
	out := e.cli("summary", "-config", e.cfgPath, "-area", "PT-TL", "-week", "2026-W48")
	if strings.Contains(out, "Tổ tự quản số 2") && strings.Contains(out, "Tổ chưa gửi báo cáo nào") && !strings.Contains(out, "AN-2026-000001") {
		t.Errorf("summary:\n%s", out)
	}
	if !strings.Contains(out, "Tổ chưa gửi báo cáo nào (1):\nTổ tự quản số 1 xóm Bãi\n") {
		t.Errorf("the retired group is counted among those that sent nothing, or the other is not:\n%s", out)
	}
}

// Ensure a group is handed to a new leader in one step and a leader moved
// to another group, from the chat and the command line; admins promoted
// on the command line; a notice queued there goes out when the bot runs.
func TestHandOverMoveAndNotice(t *testing.T) {
	e := newEnv(t)
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	hoa := e.user(502, "Hoa").say("/start " + hoaCode)
	lan.report().press("Gửi")
	admin := e.user(900, "Admin")
	admin.say("/bangiao PT-TL-XB-T1").expect("Đã giao Tổ tự quản số 1 xóm Bãi cho tổ trưởng mới. Ngừng hoạt động: Lan.")
	newCode := regexp.MustCompile(`start=(\w+)`).FindStringSubmatch(admin.last())[1]
	lan.say("/baocao").expect("đã ngừng hoạt động")
	e.user(503, "Tâm").say("/start " + newCode).expect("tổ trưởng của Tổ tự quản số 1 xóm Bãi")
	admin.say("/chuyen 502 PT-TL-XB-T1").expect("Đã cập nhật Hoa")
	hoa.say("/trogiup").expect("tổ trưởng của Tổ tự quản số 1 xóm Bãi")
	e.stop()

	// Group 2 has no leader since Hoa moved: a handover just makes an invite.
	out := e.cli("users", "handover", "-config", e.cfgPath, "-group", "PT-TL-XB-T2")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "?start="+lines[0]) {
		t.Errorf("handover printed %q", out)
	}
	e.cli("users", "admin", "-config", e.cfgPath, "telegram:503")
	if out := e.cli("broadcast", "-config", e.cfgPath, "-area", "PT-TL", "Họp", "giao", "ban"); !strings.Contains(out, "Thông báo đang chờ gửi tới 2 tổ trưởng") {
		t.Errorf("broadcast said %q", out) // Tâm and Hoa, now both in group 1
	}
	e.start()
	e.user(503, "Tâm").say("/diaban").expect("Xã Tân Lạc")
	e.stop()
	list := e.cli("users", "list", "-config", e.cfgPath)
	if !strings.Contains(list, "telegram:501\tleader\tPT-TL-XB-T1\t\tdeactivated") || !strings.Contains(list, "telegram:503\tleader\tPT-TL-XB-T1\t\tactive") {
		t.Errorf("users:\n%s", list)
	}
	if audit := e.cli("audit", "-config", e.cfgPath); !strings.Contains(audit, "\thandover\tPT-TL-XB-T1\t1 leaders deactivated") || !strings.Contains(audit, "\tusers.admin\t") {
		t.Errorf("audit:\n%s", audit)
	}
}

// Ensure a notice queued on the command line while the bot is stopped
// reaches the leaders once it runs.
func TestBroadcastFromCommandLine(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T2")
	e.start()
	hoa := e.user(502, "Hoa").say("/start " + code)
	e.stop()
	if out := e.cli("broadcast", "-config", e.cfgPath, "-area", "PT-TL", "Họp giao ban thứ Hai"); !strings.Contains(out, "Thông báo đang chờ gửi tới 1 tổ trưởng") {
		t.Errorf("broadcast said %q", out)
	}
	e.start()
	waitFor(t, e, "the notice", func() bool {
		n, _ := count(e, hoa, "📢 Thông báo tới các tổ trưởng Xã Tân Lạc:\n\nHọp giao ban thứ Hai", "")
		return n == 1
	})
}

// Ensure an admin imports the area file from the chat, with bad rows
// named and nothing imported, and changes the topics an official follows.
func TestAreasFromChatAndAgency(t *testing.T) {
	e := newEnv(t)
	commune, _ := e.invite("-official", "PT-TL", "-agency", "justice")
	leader, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	admin := e.user(900, "Admin")
	bad := "code,name,level,parent_code\nPT-TL-XM,Xóm Mới,thon,PT-TL\nPT-TL-XM-T1,,to,PT-TL-XM\n"
	e.fake.SendDocument(admin.u, "diaban.csv", []byte(bad), "")
	e.sent++
	e.settle()
	admin.expect("Tệp địa bàn có lỗi, chưa nhập gì", "line 3: missing name")
	good := "code,name,level,parent_code\nPT-TL-XM,Xóm Mới,thon,PT-TL\nPT-TL-XM-T1,Tổ 1 xóm Mới,to,PT-TL-XM\n"
	e.fake.SendDocument(admin.u, "diaban.csv", []byte(good), "")
	e.sent++
	e.settle()
	admin.expect("Đã nhập 2 địa bàn (2 mới, 0 cập nhật).")
	admin.say("/diaban").expect("PT-TL-XM-T1  Tổ 1 xóm Mới (to)")
	lan := e.user(501, "Lan").say("/start " + leader)
	e.fake.SendDocument(lan.u, "diaban.csv", []byte(good), "") // a leader's file imports nothing
	e.sent++
	e.settle()

	tu := e.user(601, "Tú").say("/start " + commune)
	lan.report().press("Gửi")
	if n, _ := count(e, tu, "🚨", ""); n != 0 {
		t.Fatal("the justice officer got an incident alert")
	}
	admin.say("/linhvuc 601 police").expect("Đã cập nhật Tú")
	lan.report().press("Gửi")
	if n, _ := count(e, tu, "🚨", ""); n != 1 {
		t.Errorf("after /linhvuc police the official got %d alerts", n)
	}
	e.stop()
	e.cli("users", "agency", "-config", e.cfgPath, "-agency", "justice", "telegram:601")
	if out := e.cli("users", "list", "-config", e.cfgPath); !strings.Contains(out, "telegram:601\tofficial\tPT-TL\tjustice") {
		t.Errorf("users:\n%s", out)
	}
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "telegram:900\tareas.import\t\tdiaban.csv: 2 new, 0 updated, by chat") {
		t.Errorf("audit:\n%s", out)
	}
}
