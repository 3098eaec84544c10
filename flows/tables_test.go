package flows_test

import (
	"slices"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

// Ensure each kind's table has the columns that belong to it, once: a
// status only for kinds that have one (a mediation case's current status,
// not also the one it was sent with), whether urgent only for incidents
// (not also the urgency question); the reporter by name and the group by
// name; and the columns typed as their answers are (numbers, dates, times)
// with the values as people read them.
func TestTablesColumns(t *testing.T) {
	e := flows.New(time.UTC, time.Hour)
	sent := "2026-11-25T20:00:00+07:00"
	recs := []bot.ExportRecord{
		{ID: "AN-2026-000001", Kind: bot.KindIncident, Group: "G1", GroupName: "Tổ 1", Reporter: "telegram:501", ReporterName: "Lan", CreatedAt: sent, Status: bot.StatusNew, Urgent: true,
			Answers: map[string]string{"category": "theft", "date": "2026-11-24", "time": "21:30", "people": "2", "urgent": "yes"}},
		{ID: "HP-2026-000001", Kind: bot.KindMeeting, Group: "G1", GroupName: "Tổ 1", Reporter: "telegram:501", CreatedAt: sent,
			Answers: map[string]string{"date": "2026-11-23", "present": "38", "topics": "security,patrol"}},
		{ID: "HG-2026-000001", Kind: bot.KindMediation, Group: "G1", Reporter: "telegram:501", ReporterName: "Lan", CreatedAt: sent, Status: bot.StatusSuccess,
			Answers: map[string]string{"received": "2026-11-25", "case_type": "civil", "status": "in_progress"}},
	}
	tables := e.Tables(recs, "vi")
	if len(tables) != 3 || tables[0].Name != "An ninh trật tự" || tables[1].Name != "Sinh hoạt tổ" || tables[2].Name != "Hòa giải" {
		t.Fatalf("tables = %+v", tables)
	}
	for _, tb := range tables {
		for j, h := range tb.Header {
			if slices.Index(tb.Header, h) != j {
				t.Errorf("%s: two columns %q", tb.Name, h)
			}
		}
		wantCell(t, tb, "Thời gian gửi", "25/11/2026 20:00", bot.CellDateTime)
		wantCell(t, tb, "Số lần sửa", "0", bot.CellNumber)
	}
	incident, meeting, mediation := tables[0], tables[1], tables[2]
	wantCell(t, incident, "Người báo cáo", "Lan", bot.CellText)
	wantCell(t, incident, "Tổ", "Tổ 1", bot.CellText)
	wantCell(t, incident, "Loại vụ việc", "Trộm cắp tài sản", bot.CellText)
	wantCell(t, incident, "Ngày", "24/11/2026", bot.CellDate)
	wantCell(t, incident, "Giờ", "21:30", bot.CellTime)
	wantCell(t, incident, "Số người liên quan", "2", bot.CellNumber)
	wantCell(t, incident, "Khẩn cấp", "Có", bot.CellText)
	wantCell(t, incident, "Tình trạng", "Mới", bot.CellText)
	wantCell(t, meeting, "Số hộ có mặt", "38", bot.CellNumber)
	wantCell(t, meeting, "Nội dung", "Đánh giá tình hình ANTT, Phân công tuần tra", bot.CellText)
	wantCell(t, meeting, "Người báo cáo", "telegram:501", bot.CellText) // no name known: the address
	wantCell(t, mediation, "Tình trạng", "Hòa giải thành", bot.CellText)
	wantCell(t, mediation, "Tổ", "G1", bot.CellText) // no name known: the code
	for _, c := range []struct {
		tb  bot.Table
		col string
	}{{incident, "Mức độ"}, {meeting, "Tình trạng"}, {meeting, "Khẩn cấp"}, {mediation, "Khẩn cấp"}} {
		if slices.Contains(c.tb.Header, c.col) {
			t.Errorf("%s has a column %q: %q", c.tb.Name, c.col, c.tb.Header)
		}
	}
}

// wantCell checks the cell of column col in tb's one row, and the
// column's type.
func wantCell(t *testing.T, tb bot.Table, col, v string, typ bot.CellType) {
	t.Helper()
	j := slices.Index(tb.Header, col)
	if j < 0 || len(tb.Rows) != 1 || len(tb.Types) != len(tb.Header) {
		t.Fatalf("%s: no column %q in %q, or not one row: %q", tb.Name, col, tb.Header, tb.Rows)
	}
	if tb.Rows[0][j] != v || tb.Types[j] != typ {
		t.Errorf("%s %s = %q (%v), want %q (%v)", tb.Name, col, tb.Rows[0][j], tb.Types[j], v, typ)
	}
}
