package flows_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

var hcm = time.FixedZone("ICT", 7*3600)

// now is Wednesday 25/11/2026 20:00 in Ho Chi Minh City.
var now = time.Date(2026, 11, 25, 20, 0, 0, 0, hcm)

// convo drives an engine the way the dispatcher does.
type convo struct {
	t    *testing.T
	e    *flows.Engine
	s    bot.Session
	last bot.Turn
	now  time.Time
}

func newConvo(t *testing.T, lang string) *convo {
	c := &convo{t: t, e: flows.New(hcm, time.Hour), now: now}
	c.s = bot.Session{Chat: "test:1", Lang: lang}
	c.take(c.e.Begin(c.s, c.now))
	return c
}

func (c *convo) take(t bot.Turn) {
	c.last = t
	if !t.End && t.Submit == nil {
		c.s = t.Session
		c.s.UpdatedAt = c.now
	}
}

// question is the last reply of the last turn.
func (c *convo) question() bot.Reply {
	return c.last.Replies[len(c.last.Replies)-1]
}

func (c *convo) say(text string) *convo {
	c.t.Helper()
	c.take(c.e.Handle(c.s, bot.Inbound{Text: text}, c.now))
	return c
}

// press taps the button with label on the last question.
func (c *convo) press(label string) *convo {
	c.t.Helper()
	for _, ch := range c.question().Flat() {
		if ch.Label == label {
			c.take(c.e.Handle(c.s, bot.Inbound{CallbackID: "cb", Callback: ch.Value}, c.now))
			return c
		}
	}
	c.t.Fatalf("no button %q in %+v", label, c.question())
	return c
}

func (c *convo) expect(want ...string) *convo {
	c.t.Helper()
	var all []string
	for _, r := range c.last.Replies {
		all = append(all, r.Text)
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(all, "\n"), w) {
			c.t.Fatalf("replies %q do not contain %q", all, w)
		}
	}
	return c
}

func TestIncidentHappyPath(t *testing.T) {
	c := newConvo(t, "vi")
	c.expect("Anh/chị muốn báo cáo gì?").press("An ninh trật tự").
		expect("Loại vụ việc").press("Trộm cắp tài sản").
		expect("ngày nào").press("Hôm qua").
		expect("mấy giờ").say("21h30").
		expect("ở đâu").say("Ngõ 3, xóm Bãi").
		expect("Chuyện gì").say("Mất trộm một xe máy Honda Wave đỗ trước nhà.").
		expect("bao nhiêu người").say("2").
		expect("xử lý thế nào").press("Đã báo công an").
		expect("biết ngay").press("Khẩn cấp").
		expect("ảnh hiện trường").press("Xong").
		expect("• Ngày: 24/11/2026").expect("• Giờ: 21:30").expect("• Loại vụ việc: Trộm cắp tài sản")
	c.press("Gửi")
	sub := c.last.Submit
	if sub == nil {
		t.Fatal("no submission after Gửi")
	}
	want := map[string]string{"category": "theft", "date": "2026-11-24", "time": "21:30", "place": "Ngõ 3, xóm Bãi",
		"description": "Mất trộm một xe máy Honda Wave đỗ trước nhà.", "people": "2", "handling": "police", "urgent": "yes"}
	for k, v := range want {
		if sub.Answers[k] != v {
			t.Errorf("answer %s = %q, want %q", k, sub.Answers[k], v)
		}
	}
	if !sub.Urgent || sub.Kind != bot.KindIncident {
		t.Errorf("submission = %+v", sub)
	}
}

// Ensure everything can be answered by typing, without diacritics or by
// the number a text-only platform shows.
func TestTypedAnswers(t *testing.T) {
	c := newConvo(t, "vi")
	c.say("2").expect("Loại vụ việc").
		say("trom cap tai san").expect("ngày nào").
		say("hom nay").expect("mấy giờ").
		say("bo qua").expect("ở đâu").
		say("Chợ").expect("Chuyện gì").
		say("Có người lạ dò xét").expect("bao nhiêu người").
		say("BỎ QUA").expect("xử lý thế nào").
		say("1").expect("biết ngay").
		say("khong khan cap").say("xong").expect("• Giờ: (bỏ qua)").expect("• Số người liên quan: (bỏ qua)").
		say("gui")
	if c.last.Submit == nil || c.last.Submit.Answers["handling"] != "on_site" || c.last.Submit.Urgent {
		t.Fatalf("submission = %+v", c.last.Submit)
	}
	if _, ok := c.last.Submit.Answers["time"]; ok {
		t.Error("a skipped step has an answer")
	}
}

func (c *convo) toStep(q string) *convo {
	c.press("An ninh trật tự").press("Ma túy").press("Hôm nay").say("19:00").say("Bờ đê").say("Tụ tập hút chích").say("3").press("Chưa xử lý").press("Không khẩn cấp").press("Xong")
	return c.expect("Gửi báo cáo này?")
}

// Ensure every kind of bad answer gets an explanation and the same
// question again, and changes nothing.
func TestBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, step, input, want string
	}{
		{"DateFormat", "ngày nào", "hôm kia", "Ngày chưa đúng"},
		{"DateFuture", "ngày nào", "26/11/2026", "Ngày này chưa tới"},
		{"DateImpossible", "ngày nào", "31/02", "Ngày chưa đúng"},
		{"DateOld", "ngày nào", "01/01/2024", "quá một năm"},
		{"TimeFormat", "mấy giờ", "tối", "Giờ chưa đúng"},
		{"TimeFuture", "mấy giờ", "23:15", "Giờ này chưa tới"},
		{"TimeRange", "mấy giờ", "25:00", "Giờ chưa đúng"},
		{"TextShort", "ở đâu", "x", "ít nhất 2"},
		{"TextLong", "ở đâu", strings.Repeat("dài ", 60), "tối đa 200"},
		{"TextEmpty", "ở đâu", "   ", "không được để trống"},
		{"NumberLetters", "bao nhiêu người", "vài người", "gõ một số"},
		{"NumberNegative", "bao nhiêu người", "-3", "từ 0 đến 1000"},
		{"NumberHuge", "bao nhiêu người", "5000", "từ 0 đến 1000"},
		{"ChoiceUnknown", "xử lý thế nào", "không biết", "bấm một nút"},
		{"ChoiceNumberOutOfRange", "Loại vụ việc", "99", "bấm một nút"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConvo(t, "vi").press("An ninh trật tự")
			steps := []func(){
				func() { c.press("Ma túy") }, func() { c.press("Hôm nay") }, func() { c.say("19:00") },
				func() { c.say("Bờ đê") }, func() { c.say("Tụ tập hút chích") }, func() { c.say("3") },
			}
			for _, step := range steps {
				if strings.Contains(c.question().Text, tc.step) {
					break
				}
				step()
			}
			before := c.s
			c.say(tc.input).expect(tc.want)
			if got := c.question().Text; !strings.Contains(got, tc.step) {
				t.Errorf("question after a bad answer = %q, want it again", got)
			}
			if c.s.Step != before.Step || len(c.s.Answers) != len(before.Answers) || c.s.Token != before.Token {
				t.Errorf("a bad answer changed the session: %+v -> %+v", before, c.s)
			}
		})
	}
}

func TestBackSkipCancel(t *testing.T) {
	t.Run("Back", func(t *testing.T) {
		c := newConvo(t, "vi").press("An ninh trật tự").press("Cháy, nổ").press("Hôm nay")
		c.press("Quay lại").expect("ngày nào").expect("Câu trả lời trước: 25/11/2026")
		c.press("Quay lại").expect("Loại vụ việc").expect("Câu trả lời trước: Cháy, nổ")
		c.press("Quay lại").expect("muốn báo cáo gì")
	})
	t.Run("ErrNoSkip", func(t *testing.T) {
		c := newConvo(t, "vi").press("An ninh trật tự").press("Cháy, nổ").press("Hôm nay").press("Bỏ qua")
		c.say("bo qua").expect("bắt buộc").expect("ở đâu")
	})
	t.Run("Cancel", func(t *testing.T) {
		c := newConvo(t, "vi").toStep("")
		c.press("Hủy")
		if !c.last.End || c.last.Submit != nil {
			t.Fatalf("cancel turn = %+v", c.last)
		}
		c.expect("Không có gì được lưu")
	})
}

func TestEditOneAnswer(t *testing.T) {
	c := newConvo(t, "vi").toStep("")
	c.press("Sửa").expect("sửa mục nào").press("Nơi xảy ra").expect("ở đâu").expect("Câu trả lời trước: Bờ đê")
	c.say("Bãi sông").expect("• Nơi xảy ra: Bãi sông").expect("• Loại vụ việc: Ma túy")
	c.press("Gửi")
	if got := c.last.Submit.Answers["place"]; got != "Bãi sông" {
		t.Errorf("edited place = %q", got)
	}
	if got := c.last.Submit.Answers["people"]; got != "3" {
		t.Errorf("other answers lost: people = %q", got)
	}
}

// Ensure a press on a button of an older question changes nothing.
func TestStaleButton(t *testing.T) {
	c := newConvo(t, "vi").press("An ninh trật tự")
	old := c.question()
	c.press("Trộm cắp tài sản").expect("ngày nào")
	before := c.s
	var stale string
	for _, ch := range old.Flat() {
		if ch.Label == "Cháy, nổ" {
			stale = ch.Value
		}
	}
	c.take(c.e.Handle(c.s, bot.Inbound{CallbackID: "x", Callback: stale}, c.now))
	c.expect("Câu hỏi này đã qua").expect("ngày nào")
	if c.last.Ack.Text == "" || c.s.Answers["category"] != "theft" || c.s.Token != before.Token {
		t.Errorf("stale press changed state: ack %q, %+v", c.last.Ack.Text, c.s)
	}
	// A forged press that carries the current token but a value that is
	// not on the question is refused the same way.
	c.take(c.e.Handle(c.s, bot.Inbound{CallbackID: "x", Callback: strconv.Itoa(c.s.Token) + "|v:nonsense"}, c.now))
	c.expect("Câu hỏi này đã qua")
}

// Ensure a draft left idle is kept and offered back, not overwritten by
// whatever is typed next.
func TestResumeAfterTimeout(t *testing.T) {
	c := newConvo(t, "vi").press("An ninh trật tự").press("Trộm cắp tài sản").press("Hôm nay")
	c.now = c.now.Add(3 * time.Hour)
	c.say("Ngõ 5").expect("đang làm dở").expect("20:00 25/11/2026")
	if c.s.Answers["category"] != "theft" {
		t.Fatal("draft lost on timeout")
	}
	c.press("Tiếp tục").expect("mấy giờ")
	c.press("Bỏ qua").expect("ở đâu")

	c.now = c.now.Add(3 * time.Hour)
	c.say("Ngõ 5").expect("đang làm dở").press("Làm lại").expect("muốn báo cáo gì")
	if len(c.s.Answers) != 0 {
		t.Errorf("restart kept answers %v", c.s.Answers)
	}
}

func TestEnglish(t *testing.T) {
	c := newConvo(t, "en")
	c.expect("What would you like to report?").press("Security and public order").expect("What kind of incident").
		press("Theft").press("Today").say("skip").expect("Where did it happen")
}

func TestDateParsing(t *testing.T) {
	// On 2 January, "28/12" means the December just past.
	c := newConvo(t, "vi")
	c.now = time.Date(2027, 1, 2, 9, 0, 0, 0, hcm)
	c.press("An ninh trật tự").press("Khác").say("28/12").say("bo qua").say("Chợ").say("Cãi nhau to").say("bo qua").press("Chưa xử lý").press("Không khẩn cấp").press("Xong")
	c.expect("28/12/2026")
	for _, in := range []string{"28-12-2026", "28.12.26", "28 / 12"} {
		c2 := newConvo(t, "vi")
		c2.now = c.now
		c2.press("An ninh trật tự").press("Khác").say(in).expect("mấy giờ")
	}
}

// Ensure only a draft is offered back: the report menu, a list or a
// correction (as after a change of language) is asked again as it was.
func TestResumeWithoutDraft(t *testing.T) {
	c := newConvo(t, "en")
	c.take(c.e.Resume(c.s, c.now))
	c.expect("What would you like to report?")
	if strings.Contains(c.question().Text, "unfinished") {
		t.Errorf("the report menu was offered back as a draft: %q", c.question().Text)
	}
	items := []bot.Choice{{Label: "AN-2026-000001 · Security and public order · 25/11", Value: "o:AN-2026-000001"}}
	c.take(c.e.List(c.s, "Your recent reports:", items, c.now))
	c.take(c.e.Resume(c.s, c.now))
	c.expect("Your recent reports:")
	if got := c.question().Flat(); len(got) != 2 || got[1].Label != "Close" {
		t.Errorf("the list came back as %+v", got)
	}

	// A draft still is.
	c = newConvo(t, "en").press("Security and public order").press("Theft")
	c.take(c.e.Resume(c.s, c.now))
	c.expect("unfinished Security and public order report").press("Continue").expect("On what day did it happen?")
}
