package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// unicodeText encodes s as Excel's "Unicode Text": UTF-16 little-endian
// with its byte-order mark.
func unicodeText(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

// Ensure `areas import` takes a file saved by Excel on Vietnamese Windows
// (Windows-1258, semicolons, empty rows at the end): the names are listed
// as written, and a leader invited to the group is told its name.
func TestAreasImportWindows1258CLI(t *testing.T) {
	e := newEnv(t)
	file := "code;name;level;parent_code;households\r\n" +
		"PT-TL-XC;X\xf3m Ch\xf9a;thon;PT-TL;\r\n" + // Xóm Chùa
		"PT-TL-XC-T1;T\xf4\xd2 t\xfd\xf2 qua\xd2n s\xf4\xec 1 x\xf3m Ch\xf9a;to;PT-TL-XC;40\r\n" + // Tổ tự quản số 1 xóm Chùa
		";;;;\r\n;;;;\r\n"
	path := filepath.Join(e.dir, "diaban-1258.csv")
	os.WriteFile(path, []byte(file), 0o600)
	if out := e.cli("areas", "import", "-config", e.cfgPath, path); !strings.Contains(out, "Đã nhập 2 địa bàn (2 mới, 0 cập nhật)") {
		t.Fatalf("output = %q", out)
	}
	if out := e.cli("areas", "list", "-config", e.cfgPath); !strings.Contains(out, "Tổ tự quản số 1 xóm Chùa") || !strings.Contains(out, "Xóm Chùa") {
		t.Errorf("areas list:\n%s", out)
	}
	code, _ := e.invite("-group", "PT-TL-XC-T1")
	e.start()
	e.user(501, "Lan").say("/start " + code).expect("Tổ tự quản số 1 xóm Chùa")
}

// Ensure an area file sent in the chat as Excel's "Unicode Text" (UTF-16,
// tabs) is imported, and one that is neither UTF-8 nor Vietnamese is
// refused by its line, naming how to save it.
func TestAreasFromChatUnicodeText(t *testing.T) {
	e := newEnv(t)
	e.start()
	admin := e.user(900, "Admin")
	file := "code\tname\tlevel\tparent_code\thouseholds\r\nPT-TL-XC\tXóm Chùa\tthon\tPT-TL\t\r\nPT-TL-XC-T1\tTổ tự quản số 1 xóm Chùa\tto\tPT-TL-XC\t40\r\n"
	e.fake.SendDocument(admin.u, "diaban.txt.csv", unicodeText(file), "")
	e.sent++
	e.settle()
	admin.expect("Đã nhập 2 địa bàn (2 mới, 0 cập nhật).")
	admin.say("/diaban").expect("Tổ tự quản số 1 xóm Chùa")

	e.fake.SendDocument(admin.u, "diaban.csv", []byte("code,name,level,parent_code\nPT-TL-XD,X\xf3m \xd1,thon,PT-TL\n"), "")
	e.sent++
	e.settle()
	admin.expect("Tệp địa bàn có lỗi, chưa nhập gì", "line 2: byte 0xF3 is not UTF-8 text", `"CSV UTF-8"`)
}

// areaWorkbook returns rows as the first sheet of an Excel workbook,
// numbers as number cells.
func areaWorkbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Ensure an area file kept as an Excel workbook is imported by
// `areas import` and when an admin sends it in the chat, households (a
// number cell) capping a meeting's count as from CSV; a workbook with a
// bad row is refused by its row, nothing of it imported.
func TestAreasImportWorkbook(t *testing.T) {
	e := newEnv(t)
	header := []any{"code", "name", "level", "parent_code", "households"}
	path := filepath.Join(e.dir, "diaban.xlsx")
	os.WriteFile(path, areaWorkbook(t, header, []any{"PT-TL-XC", "Xóm Chùa", "thon", "PT-TL"}, []any{"PT-TL-XC-T1", "Tổ tự quản số 1 xóm Chùa", "to", "PT-TL-XC", 12}), 0o600)
	if out := e.cli("areas", "import", "-config", e.cfgPath, path); !strings.Contains(out, "Đã nhập 2 địa bàn (2 mới, 0 cập nhật)") {
		t.Fatalf("output = %q", out)
	}
	code, _ := e.invite("-group", "PT-TL-XC-T1")

	e.start()
	admin := e.user(900, "Admin")
	e.fake.SendDocument(admin.u, "Địa bàn.xlsx", areaWorkbook(t, header, []any{"PT-TL-XD", "Xóm Đồng", "thon", "PT-TL"}, []any{"PT-TL-XD-T1", "Tổ tự quản số 1 xóm Đồng", "to", "PT-TL-XD", 30}), "")
	e.sent++
	e.settle()
	admin.expect("Đã nhập 2 địa bàn (2 mới, 0 cập nhật).")
	e.fake.SendDocument(admin.u, "sai.xlsx", areaWorkbook(t, header, []any{"PT-TL-XE", "Xóm Én", "thon", "PT-TL-XX"}), "")
	e.sent++
	e.settle()
	admin.expect("Tệp địa bàn có lỗi, chưa nhập gì", "line 2: unknown parent PT-TL-XX of PT-TL-XE")
	admin.say("/diaban")
	if tree := admin.last(); !strings.Contains(tree, "Tổ tự quản số 1 xóm Đồng") || strings.Contains(tree, "Xóm Én") {
		t.Errorf("tree:\n%s", tree)
	}

	lan := e.user(501, "Lan").say("/start " + code)
	lan.say("/baocao").press("Sinh hoạt tổ").press("Hôm nay").say("19:30").say("Nhà văn hóa").press("Bỏ qua").press("Bỏ qua").
		say("13").expect("lớn hơn số hộ của tổ (12)")
}
