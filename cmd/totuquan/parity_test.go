package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
)

// The same admin action through the chat and through the command line
// keeps the same rules and leaves the same state.

// caller is one way an admin acts.
type caller struct {
	name string
	// do runs one action: chat is the chat command, sent by Telegram user
	// 900 (an admin by the configuration) with the bot running; cli the
	// command line's arguments, run with the bot stopped. It returns what
	// the chat answered, or what the command printed and its error.
	do func(e *env, chat string, cli ...string) (string, error)
}

var callers = []caller{
	{"chat", func(e *env, chat string, _ ...string) (string, error) {
		if e.cancel == nil {
			e.start()
		}
		return answer(e.user(900, "Admin").say(chat)), nil
	}},
	{"cli", func(e *env, _ string, cli ...string) (string, error) {
		e.stop()
		return e.try(cli...)
	}},
}

// bothCallers runs test once through each caller, each in an installation
// of its own.
func bothCallers(t *testing.T, test func(t *testing.T, e *env, c caller)) {
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) { test(t, newEnv(t), c) })
	}
}

// answer returns the bot's messages to u since u last wrote.
func answer(u *user) string {
	all := u.e.fake.Messages(u.u.ID)
	var since []string
	for i := len(all) - 1; i >= 0 && all[i].FromBot; i-- {
		since = append([]string{all[i].Text}, since...)
	}
	return strings.Join(since, "\n")
}

// refused reports whether an action was refused: on the command line with
// an error, in the chat with an answer saying words.
func refused(out string, err error, words string) bool {
	return err != nil || strings.Contains(out, words)
}

// inStore runs fn over the store of the stopped bot.
func inStore(t *testing.T, e *env, fn func(tx bot.Tx) error) {
	t.Helper()
	e.stop()
	st, err := store.Open(filepath.Join(e.dir, "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.View(fn); err != nil {
		t.Fatal(err)
	}
}

// retireGroup3 adds a retired group PT-TL-XB-T3 to the tree.
func retireGroup3(t *testing.T, e *env) {
	path := filepath.Join(e.dir, "retired.csv")
	os.WriteFile(path, []byte("code,name,level,parent_code,households,retired\nPT-TL-XB-T3,Tổ tự quản số 3 xóm Bãi,to,PT-TL-XB,,yes\n"), 0o600)
	e.cli("areas", "import", "-config", e.cfgPath, path)
}

// Ensure a leader is moved only to a group in use, and the draft begun for
// the old group goes: "/chuyen ID GROUP" and "totuquan users move".
func TestParityMoveLeader(t *testing.T) {
	bothCallers(t, func(t *testing.T, e *env, c caller) {
		retireGroup3(t, e)
		code, _ := e.invite("-group", "PT-TL-XB-T1")
		e.start()
		lan := e.user(501, "Lan").say("/start " + code)
		lan.say("/baocao").press("An ninh trật tự").press("Trộm cắp tài sản").expect("ngày nào")

		out, err := c.do(e, "/chuyen 501 PT-TL-XB-T3", "users", "move", "-config", e.cfgPath, "-group", "PT-TL-XB-T3", "telegram:501")
		if !refused(out, err, "«PT-TL-XB-T3» đã ngừng hoạt động") {
			t.Errorf("moving a leader to a retired group: %q, %v", out, err)
		}
		if err != nil && !strings.Contains(err.Error(), "retired") {
			t.Errorf("the command line's refusal does not say why: %v", err)
		}
		inStore(t, e, func(tx bot.Tx) error {
			u, _ := tx.User("telegram:501")
			if _, err := tx.Session("telegram:501"); u.Group != "PT-TL-XB-T1" || err != nil {
				t.Errorf("after a refused move: %+v, draft %v", u, err)
			}
			return nil
		})

		out, err = c.do(e, "/chuyen 501 PT-TL-XB-T2", "users", "move", "-config", e.cfgPath, "-group", "PT-TL-XB-T2", "telegram:501")
		if refused(out, err, "Không có") || (c.name == "chat" && !strings.Contains(out, "Đã cập nhật Lan")) {
			t.Fatalf("moving a leader: %q, %v", out, err)
		}
		inStore(t, e, func(tx bot.Tx) error {
			u, _ := tx.User("telegram:501")
			if _, err := tx.Session("telegram:501"); u.Group != "PT-TL-XB-T2" || !bot.IsNotFound(err) {
				t.Errorf("after the move: %+v, draft %v; want group 2 and no draft", u, err)
			}
			return nil
		})
		e.start()
		lan.say("/baocao").expect("Anh/chị muốn báo cáo gì?") // not "continue the draft?"
		lan.say("/trogiup").expect("tổ trưởng của Tổ tự quản số 2 xóm Bãi")
	})
}

// Ensure an invite is made within the same bounds of uses and days, and
// never for a retired group: "/moi" and "totuquan invite".
func TestParityInviteBounds(t *testing.T) {
	bothCallers(t, func(t *testing.T, e *env, c caller) {
		retireGroup3(t, e)
		for _, bad := range []struct {
			chat, words string
			cli         []string
		}{
			{"/moi to PT-TL-XB-T1 1001", "Gõ /moi", []string{"-group", "PT-TL-XB-T1", "-uses", "1001"}},
			{"/moi to PT-TL-XB-T1 1 1001", "Gõ /moi", []string{"-group", "PT-TL-XB-T1", "-valid", "24024h"}},
			{"/moi to PT-TL-XB-T3", "«PT-TL-XB-T3» đã ngừng hoạt động", []string{"-group", "PT-TL-XB-T3"}},
			{"/moi canbo PT-TL-XB-T3 police", "«PT-TL-XB-T3» đã ngừng hoạt động", []string{"-official", "PT-TL-XB-T3", "-agency", "police"}},
		} {
			if out, err := c.do(e, bad.chat, append([]string{"invite", "-config", e.cfgPath}, bad.cli...)...); !refused(out, err, bad.words) {
				t.Errorf("%s (%q) was not refused: %q", bad.chat, bad.cli, out)
			}
		}
		out, err := c.do(e, "/moi to PT-TL-XB-T1 1000 1000", "invite", "-config", e.cfgPath, "-group", "PT-TL-XB-T1", "-uses", "1000", "-valid", "24000h")
		if err != nil || (c.name == "chat" && !strings.Contains(out, "Dùng được 1000 lần")) {
			t.Errorf("the largest invite: %q, %v", out, err)
		}
		e.stop()
		audit := e.cli("audit", "-config", e.cfgPath)
		if n := strings.Count(audit, "\tinvite\t"); n != 1 {
			t.Errorf("%d invites made, want the one within bounds:\n%s", n, audit)
		}
	})
}

// Ensure an admin named in the configuration is not demoted, even one
// with a stored user promoted since: "/quantri bo" and "totuquan users
// unadmin".
func TestParityDemoteConfigAdmin(t *testing.T) {
	bothCallers(t, func(t *testing.T, e *env, c caller) {
		code, _ := e.invite("-group", "PT-TL-XB-T2")
		e.start()
		e.user(900, "Admin").say("/start " + code).expect("tổ trưởng của Tổ tự quản số 2 xóm Bãi")
		e.stop()
		e.cli("users", "admin", "-config", e.cfgPath, "telegram:900")
		out, err := c.do(e, "/quantri bo 900", "users", "unadmin", "-config", e.cfgPath, "telegram:900")
		if !refused(out, err, "có trong tệp cấu hình") {
			t.Errorf("demoting an admin of the configuration: %q, %v", out, err)
		}
		inStore(t, e, func(tx bot.Tx) error {
			if u, _ := tx.User("telegram:900"); !u.Admin {
				t.Errorf("the stored admin was demoted: %+v", u)
			}
			return nil
		})
	})
}

// officialCSV has Lan report an incident and a mediation case, with
// answers in every column that one could hold, then returns the CSV of
// PT-TL's reports of the period (dd/mm/yyyy twice, or "" for the default)
// through the official's "/xuat csv" and through "totuquan export -format
// csv -area PT-TL".
func officialCSV(t *testing.T, e *env, report func(lan *user), period string) (chat, cli []byte) {
	t.Helper()
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL", "-agency", "ubnd")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	cong := e.user(601, "Công").say("/start " + commune)
	report(lan)
	e.setNow(testNow)
	cong.say(strings.TrimSpace("/xuat csv " + period)).expect("báo cáo")
	chat = doc(e, cong, ".csv")
	e.stop()
	args := []string{"export", "-config", e.cfgPath, "-format", "csv", "-area", "PT-TL"}
	if f := strings.Fields(period); len(f) == 2 {
		for i, flag := range []string{"-from", "-to"} {
			d, err := time.Parse("02/01/2006", f[i])
			if err != nil {
				t.Fatal(err)
			}
			args = append(args, flag, d.Format(time.DateOnly))
		}
	}
	return chat, []byte(e.cli(args...))
}

// mediation has the leader record a mediation case.
func mediation(lan *user) {
	lan.say("/baocao").press("Hòa giải").press("Hôm nay").say("Bà Mai").say("A, 40, xóm Bãi").say("Lối đi chung").
		press("Dân sự (kể cả đất đai)").press("Đang hòa giải").press("Bỏ qua").press("Bỏ qua").press("Gửi").expect("HG-2026-")
}

// Ensure the chat's CSV export and the command line's are the same file:
// the same reports, headed as people read them, each column once: the
// fixed columns, then the incident form's questions and the mediation
// form's in their order, less those the fixed columns show (whether
// urgent, the status), a label both forms use ("Nội dung") once.
func TestParityCSVColumns(t *testing.T) {
	e := newEnv(t)
	chat, cli := officialCSV(t, e, func(lan *user) {
		lan.report().press("Gửi").expect("AN-2026-000001")
		mediation(lan)
	}, "")
	if !bytes.Equal(chat, cli) {
		t.Errorf("/xuat csv and totuquan export -format csv differ:\n%s\n---\n%s", chat, cli)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(chat, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("CSV %q: %v", chat, err)
	}
	want := []string{"Số tham chiếu", "Loại báo cáo", "Tổ", "Người báo cáo", "Thời gian gửi", "Tình trạng", "Khẩn cấp", "Số lần sửa"}
	for _, f := range []*flows.Flow{flows.Incident, flows.Mediation} {
		for _, st := range f.Steps {
			if h := i18n.T("vi", f.Name+"."+st.Key); st.Key != bot.KeyUrgent && st.Key != bot.KeyStatus && !slices.Contains(want, h) {
				want = append(want, h)
			}
		}
	}
	if !slices.Equal(rows[0], want) {
		t.Errorf("header %q,\nwant %q", rows[0], want)
	}
	if rows[1][1] != "An ninh trật tự" || rows[2][1] != "Hòa giải" || rows[2][3] != "Lan" {
		t.Errorf("rows %q", rows[1:])
	}
}

// Ensure a period's last day ends at the midnight after it in the
// configured zone, in the chat and on the command line: 25/11 23:59 is in
// "to 25/11", 26/11 00:00 is not; exports and mediation statistics alike.
func TestParityLastDay(t *testing.T) {
	e := newEnv(t)
	late := time.Date(2026, 11, 25, 16, 59, 0, 0, time.UTC)    // 23:59 in Hà Nội
	midnight := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC) // 00:00 on 26/11
	chat, cli := officialCSV(t, e, func(lan *user) {
		for _, at := range []time.Time{late, midnight} {
			e.setNow(at)
			mediation(lan)
		}
	}, "25/11/2026 25/11/2026")
	if !bytes.Equal(chat, cli) {
		t.Errorf("/xuat csv and totuquan export -format csv differ:\n%s\n---\n%s", chat, cli)
	}
	if !bytes.Contains(chat, []byte("HG-2026-000001")) || bytes.Contains(chat, []byte("HG-2026-000002")) {
		t.Errorf("the export of 25/11 does not hold exactly the case of 23:59:\n%s", chat)
	}

	stats := e.cli("stats", "-config", e.cfgPath, "-area", "PT-TL", "-from", "2026-11-25", "-to", "2026-11-25")
	e.start()
	cong := e.user(601, "Công").say("/thongke 25/11/2026 25/11/2026")
	if got := answer(cong); got != strings.TrimSpace(stats) || !strings.Contains(got, "25/11/2026–25/11/2026") || !strings.Contains(got, "Tổng số vụ việc nhận: 1\n") {
		t.Errorf("/thongke:\n%s\n--- totuquan stats:\n%s", got, stats)
	}
	e.stop()
	if _, err := e.try("stats", "-config", e.cfgPath, "-area", "PT-TL", "-from", "2026-11-26", "-to", "2026-11-25"); err == nil {
		t.Error("totuquan stats took a period ending before it begins") // as /thongke refuses it
	}
}

// Ensure linking a second address to a person is the same from the chat
// ("/lienket ADDRESS NEW_ADDRESS") and the command line ("users link"): the
// person is found by either address, and an address registered on its own
// cannot be taken.
func TestParityLinkAddress(t *testing.T) {
	bothCallers(t, func(t *testing.T, e *env, c caller) {
		lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
		hoaCode, _ := e.invite("-group", "PT-TL-XB-T2")
		e.start()
		e.user(501, "Lan").say("/start " + lanCode)
		e.user(502, "Hoa").say("/start " + hoaCode)
		out, err := c.do(e, "/lienket telegram:501 zalo:6ede9afa", "users", "link", "-config", e.cfgPath, "-to", "zalo:6ede9afa", "telegram:501")
		if err != nil || (c.name == "chat" && !strings.Contains(out, "zalo:6ede9afa")) {
			t.Fatalf("linking: %q, %v", out, err)
		}
		out, err = c.do(e, "/lienket telegram:501 telegram:502", "users", "link", "-config", e.cfgPath, "-to", "telegram:502", "telegram:501")
		if !refused(out, err, "trùng với dữ liệu đã có") {
			t.Errorf("linking an address registered on its own: %q, %v", out, err)
		}
		inStore(t, e, func(tx bot.Tx) error {
			u, err := tx.User("zalo:6ede9afa")
			if err != nil || u.Name != "Lan" || !u.Has("telegram:501") {
				t.Errorf("User(zalo:6ede9afa) = %+v, %v", u, err)
			}
			if u, _ := tx.User("telegram:502"); u.Name != "Hoa" || len(u.All()) != 1 {
				t.Errorf("Hoa changed: %+v", u)
			}
			return nil
		})
	})
}
