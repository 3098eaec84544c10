package xlsx_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/xlsx"
)

// Ensure every table becomes a sheet with its header and rows, Vietnamese
// intact, read back with the same library.
func TestWrite(t *testing.T) {
	tables := []bot.Table{
		{Name: "An ninh trật tự", Header: []string{"Số tham chiếu", "Nơi xảy ra"}, Rows: [][]string{{"AN-2026-000001", "Ngõ 3, xóm Bãi"}, {"AN-2026-000002", ""}}},
		{Name: "Hòa giải", Header: []string{"Số tham chiếu"}, Rows: [][]string{{"HG-2026-000001"}}},
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "An ninh trật tự" || got[1] != "Hòa giải" {
		t.Fatalf("sheets = %q", got)
	}
	rows, _ := f.GetRows("An ninh trật tự")
	if len(rows) != 3 || rows[0][1] != "Nơi xảy ra" || rows[1][1] != "Ngõ 3, xóm Bãi" || rows[2][0] != "AN-2026-000002" {
		t.Errorf("rows = %q", rows)
	}
	if err := xlsx.Write(&buf, []bot.Table{{Name: "a/b:c?"}}); err == nil {
		t.Error("a sheet name Excel refuses was accepted")
	}
}

// Ensure text that looks like a formula is written as text: read back, the
// cell has no formula and its value is the text as typed.
func TestWriteFormulaText(t *testing.T) {
	texts := []string{`=HYPERLINK("http://127.0.0.1/x","bấm")`, `+cmd|' /C calc'!A0`, "-2+3", "@SUM(A1:A9)", "\t=1+1"}
	table := bot.Table{Name: "An ninh trật tự", Header: []string{"=1+1"}}
	for _, s := range texts {
		table.Rows = append(table.Rows, []string{s})
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, []bot.Table{table}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, want := range append([]string{"=1+1"}, texts...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		formula, err := f.GetCellFormula(table.Name, cell)
		if err != nil || formula != "" {
			t.Errorf("%s: formula %q, %v; want none", cell, formula, err)
		}
		typ, _ := f.GetCellType(table.Name, cell)
		if got, _ := f.GetCellValue(table.Name, cell); got != want || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
			t.Errorf("%s = %q of type %v, want the text %q", cell, got, typ, want)
		}
	}
}

// Ensure cells are stored as their columns' types say: whole numbers as
// number cells, dates and date-times and times as Excel's (numbers shown
// dd/mm/yyyy, dd/mm/yyyy hh:mm, hh:mm), a cell not of its column's type as
// the text it is, an empty cell as none; and that columns are as wide as
// their longest line, long text capped and wrapped, short ones above a
// floor.
func TestWriteTypes(t *testing.T) {
	long := strings.Repeat("Mất trộm một xe máy Honda Wave ", 10)
	table := bot.Table{Name: "An ninh trật tự",
		Header: []string{"Số người", "Ngày", "Thời gian gửi", "Giờ", "Nội dung", "Tổ", "#"},
		Types:  []bot.CellType{bot.CellNumber, bot.CellDate, bot.CellDateTime, bot.CellTime, bot.CellText, bot.CellText, bot.CellNumber},
		Rows: [][]string{
			{"2", "24/11/2026", "25/11/2026 20:05", "21:30", long, "Tổ tự quản số 1 xóm Bãi", "1"},
			{"hai", "hôm qua", "", "", "", "", ""},
		}}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, []bot.Table{table}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := table.Name
	for _, c := range []struct{ cell, raw, shown, format string }{
		{"A2", "2", "2", "0"},
		{"B2", "46350", "24/11/2026", "dd/mm/yyyy"},
		{"C2", "46351.836805555555", "25/11/2026 20:05", "dd/mm/yyyy hh:mm"},
		{"D2", "0.8958333333333334", "21:30", "hh:mm"},
	} {
		raw, _ := f.GetCellValue(sheet, c.cell, excelize.Options{RawCellValue: true})
		shown, _ := f.GetCellValue(sheet, c.cell)
		typ, _ := f.GetCellType(sheet, c.cell)
		id, _ := f.GetCellStyle(sheet, c.cell)
		format := ""
		if st, _ := f.GetStyle(id); st != nil && st.CustomNumFmt != nil {
			format = *st.CustomNumFmt
		}
		if raw != c.raw || shown != c.shown || format != c.format || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("%s: raw %q shown %q as %q, type %v; want %q shown %q as %q, a number", c.cell, raw, shown, format, typ, c.raw, c.shown, c.format)
		}
	}
	for _, cell := range []string{"A3", "B3"} { // not of the column's type: text
		typ, _ := f.GetCellType(sheet, cell)
		if v, _ := f.GetCellValue(sheet, cell); typ != excelize.CellTypeInlineString || (v != "hai" && v != "hôm qua") {
			t.Errorf("%s = %q of type %v, want the text", cell, v, typ)
		}
	}
	if typ, _ := f.GetCellType(sheet, "C3"); typ != excelize.CellTypeUnset {
		t.Errorf("an empty cell has type %v", typ)
	}
	width := func(col string) float64 { w, _ := f.GetColWidth(sheet, col); return w }
	if w := width("E"); w != 60 {
		t.Errorf("the long text's column is %v wide, want the cap 60", w)
	}
	if w := width("F"); w != float64(len([]rune("Tổ tự quản số 1 xóm Bãi"))+2) {
		t.Errorf("the group's column is %v wide", w)
	}
	if w, def := width("G"), width("ZZ"); w != 6 || def <= 6 {
		t.Errorf("a one-letter column is %v wide (default %v), want 6", w, def)
	}
	id, _ := f.GetCellStyle(sheet, "E2")
	if st, _ := f.GetStyle(id); st == nil || st.Alignment == nil || !st.Alignment.WrapText {
		t.Error("long text does not wrap")
	}
}
