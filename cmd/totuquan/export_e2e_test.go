package main

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// formula is what a leader types as an incident's description.
const formula = `=HYPERLINK("http://127.0.0.1/x","bấm")`

// csvCell returns the cell of column name in the CSV row whose first cell
// is id.
func csvCell(t *testing.T, data []byte, id, name string) string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV %q: %v", data, err)
	}
	col := slices.Index(rows[0], name)
	for _, r := range rows[1:] {
		if r[0] == id && col >= 0 {
			return r[col]
		}
	}
	t.Fatalf("no %s of %s in %q", name, id, rows)
	return ""
}

// doc returns the latest file the bot sent u named with suffix.
func doc(e *env, u *user, suffix string) []byte {
	var data []byte
	for _, m := range e.fake.BotMessages(u.u.ID) {
		if strings.HasSuffix(m.Document, suffix) {
			data = m.Data
		}
	}
	return data
}

// Ensure a formula typed into a report reaches no spreadsheet as a formula:
// in the CSV of the command line's export (for people and with -codes),
// the official's /xuat csv and the weekly summary it is text with a
// leading quote; in the official's Excel file it is a text cell, as typed.
func TestExportsNeutraliseFormulas(t *testing.T) {
	e := newEnv(t)
	e.schedules = "schedules:\n  weekly_summary: \"30 7 * * 1\"\n  weekly_reminder: \"0 3 1 1 *\"\n  meeting_reminder: \"0 3 1 1 *\"\n"
	e.writeConfig("debug")
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL")
	e.start()
	lan := e.user(501, "Lan").say("/start " + lanCode)
	cong := e.user(601, "Công").say("/start " + commune)
	lan.say("/baocao").press("An ninh trật tự").press("Trộm cắp tài sản").press("Hôm nay").press("Bỏ qua").
		say("+cmd|' /C calc'!A0").say(formula).press("Bỏ qua").press("Đã báo công an").press("Không khẩn cấp").press("Xong").
		expect("Kiểm tra lại báo cáo", formula).press("Gửi").expect("AN-2026-000001")

	cong.say("/xuat csv").expect("1 báo cáo")
	data := doc(e, cong, ".csv")
	if got := csvCell(t, data, "AN-2026-000001", "Nội dung"); got != "'"+formula {
		t.Errorf("/xuat csv description = %q", got)
	}
	if got := csvCell(t, data, "AN-2026-000001", "Nơi xảy ra"); got != "'+cmd|' /C calc'!A0" {
		t.Errorf("/xuat csv place = %q", got)
	}

	cong.say("/xuat").expect("1 báo cáo")
	f, err := excelize.OpenReader(bytes.NewReader(doc(e, cong, ".xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("An ninh trật tự")
	col := slices.Index(rows[0], "Nội dung")
	if col < 0 || len(rows) != 2 {
		t.Fatalf("incident sheet = %q", rows)
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, 2)
	if formulaOf, _ := f.GetCellFormula("An ninh trật tự", cell); formulaOf != "" || rows[1][col] != formula {
		t.Errorf("Excel %s: formula %q, value %q; want no formula and the text as typed", cell, formulaOf, rows[1][col])
	}
	f.Close()

	// Monday 30/11 07:30 in Hà Nội: the summary of week 48, with its CSV.
	e.setNow(time.Date(2026, 11, 30, 0, 31, 0, 0, time.UTC))
	waitFor(t, e, "the summary", func() bool { _, n := count(e, cong, "", "tonghop-PT-TL-2026-W48.csv"); return n == 1 })
	if got := csvCell(t, doc(e, cong, "tonghop-PT-TL-2026-W48.csv"), "AN-2026-000001", "description"); got != "'"+formula {
		t.Errorf("summary CSV description = %q", got)
	}
	e.stop()

	out := e.cli("export", "-config", e.cfgPath, "-format", "csv")
	if got := csvCell(t, []byte(out), "AN-2026-000001", "Nội dung"); got != "'"+formula {
		t.Errorf("totuquan export -format csv description = %q", got)
	}
	out = e.cli("export", "-config", e.cfgPath, "-format", "csv", "-codes")
	if got := csvCell(t, []byte(out), "AN-2026-000001", "description"); got != "'"+formula {
		t.Errorf("totuquan export -format csv -codes description = %q", got)
	}
}
