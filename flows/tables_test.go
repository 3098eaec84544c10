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
	cell := func(tb bot.Table, col string) (string, bot.CellType) {
		t.Helper()
		j := slices.Index(tb.Header, col)
		if j < 0 || len(tb.Rows) != 1 || len(tb.Types) != len(tb.Header) {
			t.Fatalf("%s: no column %q in %q, or not one row: %q", tb.Name, col, tb.Header, tb.Rows)
		}
		return tb.Rows[0][j], tb.Types[j]
	}
	for _, tb := range tables {
		for j, h := range tb.Header {
			if slices.Index(tb.Header, h) != j {
				t.Errorf("%s: two columns %q", tb.Name, h)
			}
		}
		if v, typ := cell(tb, "Thời gian gửi"); v != "25/11/2026 20:00" || typ != bot.CellDateTime {
			t.Errorf("%s: sent %q (%v)", tb.Name, v, typ)
		}
		if v, typ := cell(tb, "Số lần sửa"); v != "0" || typ != bot.CellNumber {
			t.Errorf("%s: corrections %q (%v)", tb.Name, v, typ)
		}
	}
	incident, meeting, mediation := tables[0], tables[1], tables[2]
	for col, want := range map[string]struct {
		v   string
		typ bot.CellType
	}{"Người báo cáo": {"Lan", bot.CellText}, "Tổ": {"Tổ 1", bot.CellText}, "Loại vụ việc": {"Trộm cắp tài sản", bot.CellText}, "Ngày": {"24/11/2026", bot.CellDate},
		"Giờ": {"21:30", bot.CellTime}, "Số người liên quan": {"2", bot.CellNumber}, "Khẩn cấp": {"Có", bot.CellText}, "Tình trạng": {"Mới", bot.CellText}} {
		if v, typ := cell(incident, col); v != want.v || typ != want.typ {
			t.Errorf("incident %s = %q (%v), want %q (%v)", col, v, typ, want.v, want.typ)
		}
	}
	if slices.Contains(incident.Header, "Mức độ") {
		t.Errorf("the incident's urgency twice: %q", incident.Header)
	}
	if v, typ := cell(meeting, "Số hộ có mặt"); v != "38" || typ != bot.CellNumber {
		t.Errorf("meeting present = %q (%v)", v, typ)
	}
	if v, _ := cell(meeting, "Nội dung"); v != "Đánh giá tình hình ANTT, Phân công tuần tra" {
		t.Errorf("meeting topics = %q", v)
	}
	if v, _ := cell(meeting, "Người báo cáo"); v != "telegram:501" {
		t.Errorf("a reporter without a name: %q, want their address", v)
	}
	if slices.Contains(meeting.Header, "Tình trạng") || slices.Contains(meeting.Header, "Khẩn cấp") {
		t.Errorf("meeting header %q", meeting.Header)
	}
	if v, _ := cell(mediation, "Tình trạng"); v != "Hòa giải thành" || slices.Contains(mediation.Header, "Khẩn cấp") {
		t.Errorf("mediation status %q, header %q", v, mediation.Header)
	}
	if v, _ := cell(mediation, "Tổ"); v != "G1" {
		t.Errorf("a group without a name: %q, want its code", v)
	}
}
