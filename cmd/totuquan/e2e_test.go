package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"github.com/totuquan/totuquan/telegram/fakeapi"
	"slices"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
)

// report walks a leader through a whole incident report with buttons and
// typed answers, up to the confirmation.
func (u *user) report() *user {
	u.e.t.Helper()
	return u.say("/baocao").expect("Anh/chị muốn báo cáo gì?").
		press("An ninh trật tự").expect("Loại vụ việc là gì?").
		press("Trộm cắp tài sản").expect("ngày nào").
		press("Hôm qua").expect("mấy giờ").
		say("21:30").expect("ở đâu").
		say("Ngõ 3, xóm Bãi").expect("Chuyện gì đã xảy ra").
		say("Mất trộm một xe máy Honda Wave.").expect("bao nhiêu người").
		say("2").expect("Đã xử lý thế nào").
		press("Đã báo công an").expect("biết ngay").
		press("Khẩn cấp").expect("ảnh hiện trường").
		photo().expect("Đã nhận 1/10 ảnh").
		press("Xong").expect("Kiểm tra lại báo cáo", "• Ngày: 24/11/2026", "• Giờ: 21:30", "• Mức độ: Khẩn cấp", "• Ảnh: 1 ảnh")
}

// Ensure a report costs about one call into the chat an answer, from
// Telegram's budget of about 30 a second: earlier questions keep their
// buttons, the next question names the answer pressed (the chat's trail of
// answers), a press on an old keyboard is refused, and only the keyboard of
// the sent report is cleared.
func TestOneSendPerAnswer(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan")
	lan.say("/start " + code)
	calls := func() int {
		n := 0
		for _, m := range []string{"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"} {
			n += e.fake.Calls(m)
		}
		return n
	}
	before, answers := calls(), e.sent
	lan.report().press("Gửi").expect("AN-2026-000001")
	answers = e.sent - answers
	perAnswer := float64(calls()-before) / float64(answers)
	if perAnswer > 1.2 {
		t.Errorf("%d calls for %d answers: %.2f an answer, want at most 1.2", calls()-before, answers, perAnswer)
	}
	var trail []string
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if line, _, ok := strings.Cut(m.Text, "\n"); ok && strings.HasPrefix(line, "✓ ") {
			trail = append(trail, strings.TrimPrefix(line, "✓ "))
		}
	}
	if want := []string{"An ninh trật tự", "Trộm cắp tài sản", "Hôm qua", "Đã báo công an", "Khẩn cấp", "Xong"}; !slices.Equal(trail, want) {
		t.Errorf("trail of answers = %q, want %q", trail, want)
	}
	// An old keyboard is still there; its press is refused, and that
	// keyboard is then cleared.
	var old fakeapi.Message
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if strings.Contains(m.Text, "Loại vụ việc là gì?") {
			old = m
		}
	}
	if len(old.Buttons) == 0 {
		t.Fatal("the category question lost its buttons")
	}
	n := len(e.fake.BotMessages(lan.u.ID))
	e.fake.Press(lan.u, old.ID, old.Buttons[0][0].CallbackData)
	e.sent++
	e.settle()
	if got := e.fake.BotMessages(lan.u.ID); len(got) != n+1 || !strings.Contains(got[n].Text, "Câu hỏi này đã qua") {
		t.Errorf("a stale press was answered with %d messages", len(got)-n)
	}
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if m.ID == old.ID && len(m.Buttons) > 0 {
			t.Error("the stale keyboard was not cleared")
		}
	}
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports after the stale press, want 1", n)
	}
}

// photo sends a photo and waits for the bot to finish answering.
func (u *user) photo() *user {
	u.e.t.Helper()
	u.e.fake.SendPhoto(u.u)
	u.e.sent++
	u.e.settle()
	return u
}

// Ensure the spine works end to end: an admin imports areas and creates an
// invite on the command line, a leader joins by the link, reports an
// incident, gets a receipt, and the export holds the report.
func TestLeaderReportsIncident(t *testing.T) {
	e := newEnv(t)
	code, link := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	if !strings.HasPrefix(link, "https://t.me/") || !strings.HasSuffix(link, "?start="+code) {
		t.Errorf("link = %q", link)
	}
	lan := e.user(501, "Lan")
	lan.say("/start "+code).expect("Chào Lan!", "tổ trưởng của Tổ tự quản số 1 xóm Bãi", "/baocao")
	lan.report().press("Gửi").expect("✅ Đã nhận báo cáo An ninh trật tự.", "Số tham chiếu: AN-2026-000001", "20:00 25/11/2026", "KHẨN CẤP")

	// Every button press was answered.
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	if err := e.fake.WaitFor(ctx, func() bool { return len(e.fake.CallbackAnswers()) == 7 }); err != nil {
		t.Errorf("answered %d of 7 presses", len(e.fake.CallbackAnswers()))
	}
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if strings.HasPrefix(m.Text, "Kiểm tra lại báo cáo") && len(m.Buttons) > 0 {
			t.Error("the sent report's keyboard is still open after the receipt")
		}
	}
	// A second report gets the next number.
	lan.report().press("Gửi").expect("AN-2026-000002")
	e.stop()

	recs := e.exportJSON()
	if len(recs) != 2 {
		t.Fatalf("export has %d reports, want 2", len(recs))
	}
	r := recs[0]
	ans, _ := r["answers"].(map[string]any)
	for k, want := range map[string]any{"id": "AN-2026-000001", "kind": "incident", "group": "PT-TL-XB-T1", "reporter": "telegram:501", "created_at": "2026-11-25T20:00:00+07:00"} {
		if r[k] != want {
			t.Errorf("export %s = %v, want %v", k, r[k], want)
		}
	}
	for k, want := range map[string]string{"category": "theft", "date": "2026-11-24", "time": "21:30", "place": "Ngõ 3, xóm Bãi", "people": "2", "handling": "police", "urgent": "yes"} {
		if ans[k] != want {
			t.Errorf("export answers.%s = %v, want %v", k, ans[k], want)
		}
	}
	if p, _ := ans["photos"].(string); !strings.HasPrefix(p, "photo-") || strings.Contains(p, ",") {
		t.Errorf("export answers.photos = %q, want the one photo's file id", p)
	}
	if got := e.exportJSON("-from", "2026-11-26"); len(got) != 0 {
		t.Errorf("export from the next day has %d reports", len(got))
	}

	out := e.cli("export", "-config", e.cfgPath, "-format", "csv", "-from", "2026-11-25", "-to", "2026-11-25")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV export does not parse: %v", err)
	}
	if len(rows) != 3 || rows[0][0] != "Số tham chiếu" || rows[1][0] != "AN-2026-000001" || rows[1][1] != "Tổ tự quản số 1 xóm Bãi" {
		t.Errorf("CSV export = %q", rows)
	}
}

// Ensure cancelling keeps nothing, by command and by button.
func TestCancel(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự").press("Cháy, nổ").say("/huy").expect("Đã hủy. Không có gì được lưu.")
	lan.say("Ngõ 3").expect("Tôi chưa hiểu")
	lan.say("/huy").expect("Không có báo cáo nào đang làm")
	lan.report().press("Hủy").expect("Đã hủy")
	e.stop()
	if recs := e.exportJSON(); len(recs) != 0 {
		t.Errorf("export after cancelling has %d reports", len(recs))
	}
}

// Ensure "Quay lại" goes back one step and the change sticks, and that
// one answer can be changed from the confirmation.
func TestBackAndEdit(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự").press("Ma túy").press("Hôm nay").
		press("Quay lại").expect("ngày nào", "Câu trả lời trước: 25/11/2026").
		press("Quay lại").expect("Loại vụ việc", "Câu trả lời trước: Ma túy").
		press("Đánh bạc, cá độ").expect("ngày nào").
		press("Hôm nay").press("Bỏ qua").say("Quán nước đầu xóm").say("Nhóm thanh niên đánh bạc ăn tiền").
		press("Bỏ qua").press("Đã xử lý tại chỗ").press("Không khẩn cấp").press("Xong").
		expect("• Loại vụ việc: Đánh bạc, cá độ", "• Giờ: (bỏ qua)", "• Số người liên quan: (bỏ qua)")
	lan.press("Sửa").expect("sửa mục nào").press("Số người liên quan").say("6").
		expect("Kiểm tra lại", "• Số người liên quan: 6", "• Nơi xảy ra: Quán nước đầu xóm")
	lan.press("Sửa").press("Quay lại").expect("Kiểm tra lại")
	lan.press("Gửi").expect("AN-2026-000001")
	e.stop()
	ans := e.exportJSON()[0]["answers"].(map[string]any)
	if ans["category"] != "gambling" || ans["people"] != "6" || ans["time"] != nil {
		t.Errorf("answers = %v", ans)
	}
}

// Ensure every kind of wrong answer gets an explanation and the question
// again, through Telegram.
func TestBadAnswers(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").say("bao cao gi cung duoc").expect("Vui lòng bấm một nút", "muốn báo cáo gì")
	lan.say("an ninh trat tu").expect("Loại vụ việc") // a label typed without diacritics
	lan.say("99").expect("Vui lòng bấm một nút", "Loại vụ việc")
	lan.say("trom cap tai san").expect("ngày nào")
	lan.say("26/11/2026").expect("Ngày này chưa tới", "ngày nào")
	lan.say("32/13").expect("Ngày chưa đúng", "ngày nào")
	lan.say("01/01/2020").expect("quá một năm", "ngày nào")
	lan.say("hom nay").expect("mấy giờ")
	lan.say("21:45").expect("Giờ này chưa tới", "mấy giờ")
	lan.say("chiều").expect("Giờ chưa đúng", "mấy giờ")
	lan.say("19h").expect("ở đâu")
	lan.say("a").expect("ít nhất 2 ký tự", "ở đâu")
	lan.say(strings.Repeat("x", 201)).expect("tối đa 200 ký tự, anh/chị đã gõ 201", "ở đâu")
	e.fake.SendPhoto(lan.u)
	e.sent++
	e.settle()
	lan.expect("Bước này chưa nhận ảnh", "ở đâu")
	lan.say("Cổng chợ").say("Cãi nhau to").expect("bao nhiêu người")
	lan.say("vài người").expect("gõ một số", "bao nhiêu người")
	lan.say("1001").expect("từ 0 đến 1000", "bao nhiêu người")
	lan.say("3").press("Chưa xử lý").press("Không khẩn cấp").press("Xong").expect("• Giờ: 19:00", "• Số người liên quan: 3")
	lan.press("Gửi").expect("AN-2026-000001")
}

// Ensure someone who is not registered learns how to join, once an hour,
// and nothing of theirs is stored; and that invites are checked.
func TestUnregisteredAndInvites(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	expired, _ := e.invite("-group", "PT-TL-XB-T2", "-valid", "1h")
	e.start()
	stranger := e.user(777, "Khách")
	stranger.say("/baocao").expect("dành cho tổ trưởng", "link mời")
	// One answer an hour; an invite code is always tried.
	stranger.say("xin chào").silent()
	stranger.say("/start").silent()
	stranger.say("/start khongco").expect("Mã mời không đúng")

	e.user(501, "Lan").say("/start " + code).expect("Chào Lan")
	stranger.say("/start " + code).expect("đã được dùng hết")
	e.advance(2 * 3600e9)
	stranger.say("/start " + expired).expect("đã hết hạn")
	stranger.say("/baocao").expect("dành cho tổ trưởng")

	admin := e.user(900, "Admin")
	admin.say("/trogiup").expect("quản trị viên", "totuquan invite")
	admin.say("/baocao").expect("Chỉ tổ trưởng mới gửi được báo cáo")
	st := e.st
	var users []bot.User
	st.View(func(tx bot.Tx) (err error) { users, err = tx.Users(); return })
	if len(users) != 1 || users[0].Address != "telegram:501" {
		t.Errorf("stored users = %+v, want only the leader", users)
	}
	for _, chat := range []bot.Address{"telegram:777", "telegram:900"} {
		st.View(func(tx bot.Tx) error {
			if _, err := tx.Session(chat); !bot.IsNotFound(err) {
				t.Errorf("session stored for %s: %v", chat, err)
			}
			return nil
		})
	}
}

// Ensure a press on a button of a passed question is answered "this
// question has passed", changes nothing and asks the current question.
func TestStaleButton(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự")
	catMsg, _ := e.fake.LastWithButtons(lan.u.ID)
	lan.press("Ma túy").expect("ngày nào")
	// The category keyboard was cleared, but a client can still send an
	// old press (a slow network, a second device).
	e.fake.Press(lan.u, catMsg.ID, catMsg.Buttons[0][0].CallbackData)
	e.sent++
	e.settle()
	lan.expect("Câu hỏi này đã qua", "ngày nào")
	answers := e.fake.CallbackAnswers()
	if got := answers[len(answers)-1].Text; got != "Câu hỏi này đã qua; xin trả lời câu hỏi mới nhất." {
		t.Errorf("callback answer = %q", got)
	}
	// Forged data on the current message is refused the same way, and
	// recorded; the press on an old button above was not.
	cur, _ := e.fake.LastWithButtons(lan.u.ID)
	tok, _, _ := strings.Cut(cur.Buttons[0][0].CallbackData, "|")
	e.fake.Press(lan.u, cur.ID, tok+"|v:tomorrow")
	e.sent++
	e.settle()
	lan.expect("Câu hỏi này đã qua")
	if n := strings.Count(e.stderr.String(), "refused a forged button"); n != 1 {
		t.Errorf("%d forged presses logged, want 1", n)
	}
	lan.press("Hôm nay").say("bo qua").say("Bờ đê").say("Tụ tập sử dụng ma túy").say("4").press("Đã báo công an").press("Khẩn cấp").press("Xong")
	lan.expect("• Loại vụ việc: Ma túy")
	lan.press("Gửi")
	// After the report, an old button from it does nothing either.
	e.fake.Press(lan.u, cur.ID, cur.Buttons[0][0].CallbackData)
	e.sent++
	e.settle()
	lan.expect("Câu hỏi này đã qua")
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
	if out := e.cli("audit", "-config", e.cfgPath); !strings.Contains(out, "telegram:501\trefused.button\tPT-TL-XB-T1\t"+tok+"|v:tomorrow") {
		t.Errorf("audit:\n%s", out)
	}
}

// Ensure a draft survives a restart of the bot in the middle of a report.
func TestRestartMidReport(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("An ninh trật tự").press("Lừa đảo").press("Hôm nay").say("10:15")
	e.stop()
	e.start()
	lan.say("Nhà bà Tư").expect("Chuyện gì đã xảy ra")
	lan.say("Gọi điện giả danh công an đòi chuyển tiền").say("1").press("Đã báo công an").press("Không khẩn cấp").press("Xong").
		expect("• Loại vụ việc: Lừa đảo", "• Giờ: 10:15", "• Nơi xảy ra: Nhà bà Tư")
	lan.press("Gửi").expect("AN-2026-000001")
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
}

// Ensure that when the bot dies after committing an update but before
// confirming it to Telegram, the update comes back and is not applied
// twice: one report, one receipt.
func TestKilledAfterCommit(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	lan.report()
	killed := make(chan struct{})
	e.afterHandle = func(in bot.Inbound, kill context.CancelFunc) {
		if in.IsCallback() && e.afterHandle != nil {
			kill() // as if the process died right after the commit
			close(killed)
		}
	}
	if _, err := e.fake.PressLabel(lan.u, "Gửi"); err != nil {
		t.Fatal(err)
	}
	<-killed
	e.stop()
	e.afterHandle = nil
	if e.fake.Unconfirmed() == 0 {
		t.Fatal("the press was confirmed to Telegram before the kill; the test proves nothing")
	}
	e.start()
	e.sent = 1 // the press comes back
	e.settle()
	if e.fake.Unconfirmed() != 0 {
		// Confirmation happens on the poll after the batch.
		ctx, cancel := context.WithTimeout(context.Background(), 10e9)
		defer cancel()
		e.fake.WaitFor(ctx, func() bool { return e.fake.Unconfirmed() == 0 })
	}
	e.stop()
	receipts := 0
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if strings.Contains(m.Text, "Số tham chiếu") {
			receipts++
		}
	}
	if receipts != 1 {
		t.Errorf("%d receipts, want 1", receipts)
	}
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
}

// Ensure rate limiting (429 with retry_after) and server errors on both
// polling and sending delay the bot but lose nothing, and the token never
// appears in the log.
func TestTelegramErrors(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	e.fake.FailNext("sendMessage", 429, 1)
	e.fake.FailNext("sendMessage", 502, 0)
	e.fake.FailNext("getUpdates", 500, 0)
	e.fake.FailNext("getUpdates", 429, 1)
	e.fake.FailNext("answerCallbackQuery", 500, 0)
	lan.report().press("Gửi").expect("AN-2026-000001")
	e.stop()
	if n := len(e.exportJSON()); n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
	// Every question arrived exactly once, in order.
	var questions []string
	for _, m := range e.fake.BotMessages(lan.u.ID) {
		if len(m.Buttons) > 0 || m.Edits > 0 {
			text := m.Text
			if strings.HasPrefix(text, "✓ ") { // the answer pressed, then the question
				text = strings.SplitN(text, "\n\n", 2)[1]
			}
			questions = append(questions, strings.SplitN(text, "\n", 2)[0])
		}
	}
	want := []string{"Anh/chị muốn báo cáo gì?", "Loại vụ việc là gì?", "Vụ việc xảy ra ngày nào?", "Vào khoảng mấy giờ?", "Xảy ra ở đâu?", "Chuyện gì đã xảy ra?", "Có bao nhiêu người liên quan?", "Đã xử lý thế nào?", "Có cần công an xã/phường biết ngay không?", "Có ảnh hiện trường không?", "Có ảnh hiện trường không?", "Kiểm tra lại báo cáo an ninh trật tự:"}
	if len(questions) != len(want) {
		t.Fatalf("questions = %q", questions)
	}
	for i := range want {
		if !strings.HasPrefix(questions[i], want[i]) {
			t.Errorf("question %d = %q, want %q", i, questions[i], want[i])
		}
	}
	log := e.stderr.String()
	if !strings.Contains(log, "retry") {
		t.Errorf("the failures were not logged:\n%s", log)
	}
	if strings.Contains(log, e.fake.Token()) || strings.Contains(log, strings.Split(e.fake.Token(), ":")[1]) {
		t.Error("the token appears in the log")
	}
}

// Ensure a connection error, whose text carries the URL, does not show
// the token.
func TestTokenRedacted(t *testing.T) {
	e := newEnv(t)
	e.fake.Close()
	m, _ := e.main()
	err := m.Run(context.Background(), []string{"run", "-config", e.cfgPath})
	if err == nil {
		t.Fatal("run against a closed server succeeded")
	}
	if strings.Contains(err.Error(), e.fake.Token()) || !strings.Contains(err.Error(), "<token>") {
		t.Errorf("error = %q", err)
	}
}

// Ensure a second bot on the same store gets a clear error instead of
// hanging.
func TestStoreLocked(t *testing.T) {
	e := newEnv(t)
	e.start()
	_, err := e.try("export", "-config", e.cfgPath)
	if err == nil || !strings.Contains(err.Error(), "đang được một tiến trình totuquan khác dùng") || !strings.Contains(err.Error(), "hãy dừng bot đang chạy trước") || !errors.Is(err, store.ErrLocked) {
		t.Errorf("export while running: %v", err)
	}
	e.stop()
}

var _ = bytes.MinRead
var _ = store.SchemaVersion
