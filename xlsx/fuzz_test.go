package xlsx_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
	"github.com/totuquan/totuquan/xlsx"
)

// book is a workbook whose first sheet holds rows, each cell a string
// (or a number, for a string that excelize reads as one).
func book(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Skip("excelize refuses the row:", err) // not a workbook Excel could save
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []string{"code", "name", "level", "parent_code", "households", "retired"}

// Ensure a workbook's bytes, whatever they are, are read as rows of UTF-8
// text or refused with an error, without a panic, and that ParseAreas,
// reading them as an area file, refuses them with EINVALID or gives areas
// with codes and names.
func FuzzReadRows(f *testing.F) {
	f.Add(book(f, [][]string{header, {"PT-TL-01", "Tổ 1", "to", "PT-TL", "45", ""}}))
	f.Add(book(f, [][]string{header[:4], {"A", "Ấp\u202e", "ap", ""}, {"B\x00", "Tổ", "to", "A"}}))
	f.Add(book(f, [][]string{{"x"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x03\x04" + strings.Repeat("\x00", 100)))
	f.Add([]byte{})
	bot.SetSheetReader(xlsx.ReadRows)
	defer bot.SetSheetReader(nil)
	known := map[string]bot.Area{"PT-TL": {Code: "PT-TL", Name: "Xã Tân Lạc", Level: "xa"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := xlsx.ReadRows(bytes.NewReader(data))
		if err == nil {
			for _, row := range rows {
				for _, v := range row {
					if !utf8.ValidString(v) {
						t.Fatalf("cell %q is not UTF-8", v)
					}
				}
			}
		}
		areas, err := bot.ParseAreas(bytes.NewReader(append([]byte("PK\x03\x04"), data...)), known)
		if err != nil && bot.ErrorCode(err) != bot.EINVALID {
			t.Fatalf("ParseAreas: %v, not EINVALID", err)
		}
		for _, a := range areas {
			if a.Code == "" || a.Name == "" {
				t.Fatalf("ParseAreas: area %+v without a code or a name", a)
			}
		}
	})
}

// Ensure an area file kept as a workbook, whatever its cells say, is
// refused with EINVALID or read as the cells say, composed and trimmed, a
// code typeable as one word of a command; and that a whole number of
// households typed in a cell is read as that number.
func FuzzParseAreasWorkbook(f *testing.F) {
	f.Add("PT-TL-01", "Tổ tự quản số 1", "to", "PT-TL", "45", "")
	f.Add("PT-TL-02", "Tổ 2, khu Đông", "to", "PT-TL", "35.0", "có")
	f.Add("A\nB", "Ấp", "ap", "", "", "")
	f.Add("A\u00a0B", "Ấp", "ap", "", "", "no")
	f.Add(" X ", "Ho\u0302m", "ap", "PT-TL", "4.2E1", "yes")
	f.Add("X", "\u202eẤp", "ap", "PT-TL", "-3", "retired")
	f.Add("X", strings.Repeat("ư", 32767), "ap", "PT-TL", "1e400", "")
	f.Add("\x00", "\x01", "\x1b", "\xed\xa0\x80", "9007199254740993", "1")
	f.Add("=1+1", "@SUM(A1)", "+", "PT-TL", "0x10", "")
	bot.SetSheetReader(xlsx.ReadRows)
	defer bot.SetSheetReader(nil)
	known := map[string]bot.Area{"PT-TL": {Code: "PT-TL", Name: "Xã Tân Lạc", Level: "xa"}}
	f.Fuzz(func(t *testing.T, code, name, level, parent, households, retired string) {
		row := []string{code, name, level, parent, households, retired}
		data := book(t, [][]string{header, row})
		areas, err := bot.ParseAreas(bytes.NewReader(data), known)
		if err != nil {
			if bot.ErrorCode(err) != bot.EINVALID || areas != nil {
				t.Fatalf("ParseAreas(%q) = %v, %v: not a refusal with EINVALID", row, areas, err)
			}
			return
		}
		if len(areas) != 1 {
			t.Fatalf("ParseAreas(%q) = %d areas", row, len(areas))
		}
		a := areas[0]
		if len(strings.Fields(a.Code)) != 1 || strings.Contains(a.Code, "/") || !utf8.ValidString(a.Code+a.Name) {
			t.Fatalf("ParseAreas(%q): code %q cannot be typed as a command's argument", row, a.Code)
		}
		if a.Name == "" || a.Parent != "" && a.Parent != "PT-TL" || a.Households < 0 {
			t.Fatalf("ParseAreas(%q) = %+v", row, a)
		}
		if utf8.ValidString(code+name+level+parent) && !strings.ContainsAny(code+name+level+parent, "\r") &&
			(a.Code != vntext.NFC(code) || a.Name != vntext.NFC(name) || a.Level != vntext.NFC(level) || a.Parent != vntext.NFC(parent)) {
			t.Fatalf("ParseAreas(%q) = %+v: not the cells as typed", row, a)
		}
	})
}
