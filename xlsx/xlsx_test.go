package xlsx_test

import (
	"bytes"
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
