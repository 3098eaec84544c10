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
