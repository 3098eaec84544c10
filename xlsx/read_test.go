package xlsx_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/xlsx"
)

// areaBook is an area file as an admin keeps it in Excel: its first sheet
// with the header on row 1, households as numbers (one stored "35.0"),
// a row without its last cells, formatted empty rows at the end, and a
// second sheet that is not read.
func areaBook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Địa bàn")
	for i, row := range [][]any{
		{"code", "name", "level", "parent_code", "households"},
		{"XB", "Xóm Bãi", "xom", "PT-TL"},
		{"XB-T1", "Tổ tự quản số 1 xóm Bãi", "to", "XB", 42},
		{"XB-T2", "Tổ tự quản số 2 xóm Bãi", "to", "XB"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Địa bàn", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	f.SetCellDefault("Địa bàn", "E4", "35.0") // a number stored as some programs do
	style, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFFF00"}, Pattern: 1}})
	f.SetCellStyle("Địa bàn", "A6", "E7", style) // empty but formatted rows
	f.NewSheet("Ghi chú")
	f.SetCellValue("Ghi chú", "A1", "not an area")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Ensure the first sheet is read as text rows: numbers as people typed
// them (42, not 42.0), the header first, nothing of the other sheets.
func TestReadRows(t *testing.T) {
	rows, err := xlsx.ReadRows(bytes.NewReader(areaBook(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"code", "name", "level", "parent_code", "households"},
		{"XB", "Xóm Bãi", "xom", "PT-TL"},
		{"XB-T1", "Tổ tự quản số 1 xóm Bãi", "to", "XB", "42"},
		{"XB-T2", "Tổ tự quản số 2 xóm Bãi", "to", "XB", "35"},
	}
	for len(rows) > len(want) && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1] // empty rows at the end may be listed
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows = %q\nwant %q", rows, want)
	}
	if _, err := xlsx.ReadRows(strings.NewReader("code,name\n")); err == nil {
		t.Error("a CSV file was read as a workbook")
	}
}
