package bot_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/xlsx"
)

// xomBai1258 is "Tổ tự quản số 1 xóm Bãi" as Excel saves it on Vietnamese
// Windows (code page 1258): tone marks are separate combining bytes after
// their vowel (ô 0xF4 then the hook 0xD2, a then the tilde 0xDE), and only
// some letters are precomposed (ư 0xFD, ó 0xF3). The bytes are those of
// `iconv -f UTF-8 -t CP1258`.
const xomBai1258 = "T\xf4\xd2 t\xfd\xf2 qua\xd2n s\xf4\xec 1 x\xf3m Ba\xdei"

// utf16File encodes s as UTF-16 with its byte-order mark, little- or
// big-endian, as Excel's "Unicode Text" does.
func utf16File(s string, big bool) []byte {
	order := binary.AppendByteOrder(binary.LittleEndian)
	if big {
		order = binary.BigEndian
	}
	var out []byte
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		out = order.AppendUint16(out, u)
	}
	return out
}

// wantAreas checks that areas are the codes, names and households given.
func wantAreas(t *testing.T, areas []bot.Area, err error, want ...bot.Area) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != len(want) {
		t.Fatalf("areas = %+v, want %+v", areas, want)
	}
	for i, a := range areas {
		if w := want[i]; a.Code != w.Code || a.Name != w.Name || a.Parent != w.Parent || a.Households != w.Households {
			t.Errorf("area %d = %+v, want %+v", i, a, w)
		}
	}
}

var xomBaiAreas = []bot.Area{
	{Code: "XB", Name: "Xóm Bãi"},
	{Code: "XB-T1", Name: "Tổ tự quản số 1 xóm Bãi", Parent: "XB", Households: 42},
}

// Ensure a file saved by Excel on Vietnamese Windows (Windows-1258, tone
// marks as combining bytes) is read as the Vietnamese it is, composed
// (NFC) as the chat keeps text: the group's name equals the one typed.
func TestParseAreasWindows1258(t *testing.T) {
	file := "code,name,level,parent_code,households\r\n" +
		"XB,X\xf3m Ba\xdei,xom,,\r\n" +
		"XB-T1," + xomBai1258 + ",to,XB,42\r\n"
	areas, err := bot.ParseAreas(strings.NewReader(file), nil)
	wantAreas(t, areas, err, xomBaiAreas...)
}

// Ensure Excel's "Unicode Text" (UTF-16 with its byte-order mark, tabs
// between columns) is read, little- and big-endian alike.
func TestParseAreasUTF16Tabs(t *testing.T) {
	text := "code\tname\tlevel\tparent_code\thouseholds\r\n" +
		"XB\tXóm Bãi\txom\t\t\r\n" +
		"XB-T1\tTổ tự quản số 1 xóm Bãi\tto\tXB\t42\r\n"
	for _, big := range []bool{false, true} {
		areas, err := bot.ParseAreas(strings.NewReader(string(utf16File(text, big))), nil)
		wantAreas(t, areas, err, xomBaiAreas...)
	}
}

// Ensure UTF-8 with and without Excel's byte-order mark, separated by
// semicolons (Excel's list separator under Vietnamese regional settings)
// or tabs, is read, and the empty rows Excel leaves at the end (blank
// lines, or rows of bare separators) are ignored.
func TestParseAreasSeparatorsAndEmptyRows(t *testing.T) {
	for name, file := range map[string]string{
		"BOM, semicolons": "\ufeffcode;name;level;parent_code;households\r\nXB;Xóm Bãi;xom;;\r\nXB-T1;\"Tổ tự quản số 1 xóm Bãi\";to;XB;42\r\n;;;;\r\n;;;;\r\n\r\n",
		"no BOM, tabs":    "code\tname\tlevel\tparent_code\thouseholds\nXB\tXóm Bãi\txom\t\t\nXB-T1\tTổ tự quản số 1 xóm Bãi\tto\tXB\t42\n\t\t\t\t\n\n",
		"commas":          "code,name,level,parent_code,households\nXB,Xóm Bãi,xom,,\n,,,,\nXB-T1,\"Tổ tự quản số 1 xóm Bãi\",to,XB,42\n , , , ,\n",
	} {
		t.Run(name, func(t *testing.T) {
			areas, err := bot.ParseAreas(strings.NewReader(file), nil)
			wantAreas(t, areas, err, xomBaiAreas...)
		})
	}
}

// Ensure text that is not valid in the encoding found is refused by the
// line of its first bad byte, and nothing is returned: a file that says it
// is UTF-8 (its BOM) but is not, UTF-16 with half a character, and bytes
// that are neither UTF-8 nor Vietnamese read as Windows-1258 (a Latin-1
// "Ñ", an old TCVN3 font's "Tæ" for "Tổ", a file half UTF-8 and half
// Windows-1258, which read as Windows-1258 turns the UTF-8 into symbols).
func TestParseAreasRefusesOtherEncodings(t *testing.T) {
	header := "code,name,level,parent_code\n"
	for name, c := range map[string]struct {
		file, want string
	}{
		"BOM but Windows-1258": {"\ufeff" + header + "XB,Xóm Bãi,xom,\nXB-T1," + xomBai1258 + ",to,XB\n", "line 3: "},
		"Latin-1":              {header + "ES,Espa\xf1a,pais,\n", "line 2: "},
		"TCVN3":                {header + "XB,X\xe3m B\xb7i,xom,\nXB-T1,T\xe6 1,to,XB\n", "line 2: "},
		"half UTF-8":           {header + "XB,Xóm Bãi,xom,\nXB-T1," + xomBai1258 + ",to,XB\n", "line 3: "},
		"undefined byte":       {header + "XB,X\xf3m\x8d,xom,\n", "line 2: "},
		"UTF-16 half a pair": {string(utf16File(header+"XB,Xóm,xom,\n", false)) + "\x3d\xd8" + string(utf16File("\n", false)[2:]),
			"line 3: "},
		"UTF-16 odd length": {string(utf16File(header+"XB,Xóm,xom,\n", true)) + "\x00", "line 3: "},
	} {
		t.Run(name, func(t *testing.T) {
			areas, err := bot.ParseAreas(strings.NewReader(c.file), nil)
			if err == nil || bot.ErrorCode(err) != bot.EINVALID || !strings.HasPrefix(err.Error(), c.want) || areas != nil {
				t.Errorf("ParseAreas = %+v, %v; want EINVALID starting %q", areas, err, c.want)
			}
			if err != nil && !strings.Contains(err.Error(), "CSV UTF-8") {
				t.Errorf("%v: the message does not say how to save the file", err)
			}
		})
	}
}

// workbook returns rows as the first sheet of an Excel workbook, numbers
// as number cells, with formatted empty rows below them as Excel keeps.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{Border: []excelize.Border{{Type: "bottom", Style: 1}}})
	last, _ := excelize.CoordinatesToCellName(6, len(rows)+3)
	f.SetCellStyle("Sheet1", fmt.Sprintf("A%d", len(rows)+1), last, style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Ensure an area file kept as an Excel workbook is read from its first
// sheet: households as number cells, a row whose last cells are empty,
// the formatted empty rows below ignored; a bad row is named by its row
// number in the sheet. Without a reader registered, or as an old .xls,
// the workbook is refused with a word on how to save it.
func TestParseAreasWorkbook(t *testing.T) {
	header := []any{"code", "name", "level", "parent_code", "households"}
	book := workbook(t, header, []any{"XB", "Xóm Bãi", "xom"}, []any{"XB-T1", "Tổ tự quản số 1 xóm Bãi", "to", "XB", 42})
	if _, err := bot.ParseAreas(bytes.NewReader(book), nil); bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(err.Error(), "CSV UTF-8") {
		t.Errorf("a workbook with no reader registered: %v", err)
	}

	bot.SetSheetReader(xlsx.ReadRows)
	t.Cleanup(func() { bot.SetSheetReader(nil) })
	areas, err := bot.ParseAreas(bytes.NewReader(book), nil)
	wantAreas(t, areas, err, xomBaiAreas...)

	bad := workbook(t, header, []any{"XB", "Xóm Bãi", "xom"}, []any{"XB-T1", "Tổ 1", "to", "XC", 42}, []any{"XB-T2", "Tổ 2", "to", "XB", 40.5})
	_, err = bot.ParseAreas(bytes.NewReader(bad), nil)
	if err == nil || !strings.Contains(err.Error(), "line 3: unknown parent XC of XB-T1") || !strings.Contains(err.Error(), `line 4: households "40.5" is not a whole number`) {
		t.Errorf("bad rows: %v", err)
	}
	xls := "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 504)
	if _, err := bot.ParseAreas(strings.NewReader(xls), nil); bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("an .xls workbook: %v", err)
	}
	if !bot.IsAreaFile("Địa bàn.XLSX") || !bot.IsAreaFile("diaban.csv") || !bot.IsAreaFile("diaban.txt") || bot.IsAreaFile("anh.jpg") || bot.IsAreaFile("xlsx") {
		t.Error("IsAreaFile")
	}
}
