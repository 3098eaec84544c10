package flows_test

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
)

var sentCase = bot.Report{
	ID: "HG-2026-000007", Kind: bot.KindMediation, Status: "in_progress", CreatedAt: now,
	Answers: map[string]string{"received": "2026-11-25", "mediators": "Bà Mai", "parties": "A, 40", "substance": "Lối đi chung", "case_type": "civil", "status": "in_progress"},
	Updates: []bot.CaseUpdate{{At: now, Status: "in_progress", Note: "Hẹn lần hai"}},
}

// Ensure a correction cannot change a case's type or status, which change
// only through updates that keep their history.
func TestFixLeavesStatusToUpdates(t *testing.T) {
	c := newConvo(t, "vi")
	c.take(c.e.Show(c.s, sentCase, bot.Permissions{Fix: true, Update: true}, c.now))
	c.expect("📄 HG-2026-000007 · Hòa giải", "Tình trạng: Đang hòa giải", "Diễn biến:", "Hẹn lần hai")
	c.press("Sửa")
	got := strings.Join(c.labels(), "|")
	for _, hidden := range []string{"Loại vụ việc", "Tình trạng", "Chuyển cơ quan"} {
		if strings.Contains(got, hidden) {
			t.Errorf("correction offers %q: %s", hidden, got)
		}
	}
	c.press("Nội dung").say("Lối đi chung giữa hai nhà").expect("Lưu thay đổi?").press("Lưu")
	sub := c.last.Submit
	if sub == nil || sub.FixOf != "HG-2026-000007" || sub.Answers["substance"] != "Lối đi chung giữa hai nhà" || sub.Answers["status"] != "in_progress" {
		t.Errorf("submission = %+v", sub)
	}
}

func TestCaseUpdateFlow(t *testing.T) {
	c := newConvo(t, "vi")
	c.take(c.e.Show(c.s, sentCase, bot.Permissions{Update: true}, c.now))
	if strings.Contains(strings.Join(c.labels(), "|"), "Sửa") {
		t.Error("Sửa offered without permission")
	}
	c.press("Cập nhật tình trạng").expect("Tình trạng mới")
	c.press("Quay lại")
	if c.last.Open != "HG-2026-000007" {
		t.Errorf("back from the first question = %+v, want the report reopened", c.last)
	}
	c.take(c.e.Show(c.s, sentCase, bot.Permissions{Update: true}, c.now))
	c.press("Cập nhật tình trạng").press("Hòa giải không thành").say("Bên B không đến").press("Lưu")
	if s := c.last.Submit; s == nil || s.UpdateOf != "HG-2026-000007" || s.Status != "failed" || s.Note != "Bên B không đến" {
		t.Errorf("submission = %+v", c.last.Submit)
	}
}

func TestListPicks(t *testing.T) {
	c := newConvo(t, "vi")
	items := []bot.Choice{{Label: "AN-2026-000002 · An ninh trật tự", Value: "o:AN-2026-000002"}, {Label: "HP-2026-000001 · Sinh hoạt tổ", Value: "o:HP-2026-000001"}}
	c.take(c.e.List(c.s, "Báo cáo gần đây", items, c.now))
	c.say("2")
	if c.last.Open != "HP-2026-000001" {
		t.Errorf("typing 2 opened %q", c.last.Open)
	}
	c.take(c.e.List(c.s, "Báo cáo gần đây", items, c.now))
	c.press("Đóng").expect("Đã đóng.")
	if !c.last.End {
		t.Error("Đóng does not end the conversation")
	}
}
