package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// threeReports has Lan (leader of Tổ 1 xóm Bãi) send an urgent incident,
// a meeting and a mediation case, and registers Công, the commune
// committee's official, who sees them all; the bot is left running.
func threeReports(e *env) (lan, cong *user) {
	e.t.Helper()
	lanCode, _ := e.invite("-group", "PT-TL-XB-T1")
	commune, _ := e.invite("-official", "PT-TL", "-agency", "ubnd")
	e.start()
	lan = e.user(501, "Lan").say("/start " + lanCode)
	cong = e.user(601, "Công").say("/start " + commune)
	lan.report().press("Gửi").expect("AN-2026-000001")
	lan.say("/baocao").press("Sinh hoạt tổ").say("23/11").say("19:30").say("Nhà văn hóa xóm Bãi").say("Ông Hùng").press("Bỏ qua").
		say("38").say("4").press("Công an").press("Xong").press("Đánh giá tình hình ANTT").press("Xong").
		say("Tăng cường tuần tra ban đêm dịp cuối năm").press("Đồng ý").press("Bỏ qua").press("Xong").
		press("Gửi").expect("HP-2026-000001")
	mediation(lan)
	return lan, cong
}

// sheet is one sheet of a workbook read back: its header, and each cell
// by its header in the first row of data.
type sheet struct {
	f      *excelize.File
	name   string
	header []string
}

func (s sheet) ref(t *testing.T, col string) string {
	t.Helper()
	j := slices.Index(s.header, col)
	if j < 0 {
		t.Fatalf("sheet %s has no column %q: %q", s.name, col, s.header)
	}
	ref, _ := excelize.CoordinatesToCellName(j+1, 2)
	return ref
}

// value is the cell as Excel shows it.
func (s sheet) value(t *testing.T, col string) string {
	t.Helper()
	v, _ := s.f.GetCellValue(s.name, s.ref(t, col))
	return v
}

// typed checks the cell under col is a number cell shown in format as
// want.
func (s sheet) typed(t *testing.T, col, format, want string) {
	t.Helper()
	ref := s.ref(t, col)
	raw, _ := s.f.GetCellValue(s.name, ref, excelize.Options{RawCellValue: true})
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		t.Errorf("%s %s (%s) holds %q, not a number", s.name, col, ref, raw)
	}
	if typ, _ := s.f.GetCellType(s.name, ref); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("%s %s (%s) is a text cell", s.name, col, ref)
	}
	id, _ := s.f.GetCellStyle(s.name, ref)
	got := ""
	if style, _ := s.f.GetStyle(id); style != nil && style.CustomNumFmt != nil {
		got = *style.CustomNumFmt
	}
	if got != format {
		t.Errorf("%s %s is shown as %q, want %q", s.name, col, got, format)
	}
	if got := s.value(t, col); got != want {
		t.Errorf("%s %s shows %q, want %q", s.name, col, got, want)
	}
}

// wide checks that the column col is wider than Excel's default.
func (s sheet) wide(t *testing.T, col string) {
	t.Helper()
	def, _ := s.f.GetColWidth(s.name, "ZZ")
	name, _ := excelize.ColumnNumberToName(slices.Index(s.header, col) + 1)
	if w, _ := s.f.GetColWidth(s.name, name); w <= def {
		t.Errorf("%s %s is %v wide, not wider than the default %v", s.name, col, w, def)
	}
}

// checkWorkbook checks an Excel export of threeReports: a sheet per kind,
// each with its own columns once, numbers as numbers, dates and times as
// Excel's shown dd/mm/yyyy and hh:mm, columns as wide as their text, and
// the reporter by name with their group.
func checkWorkbook(t *testing.T, data []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "An ninh trật tự|Sinh hoạt tổ|Hòa giải" {
		t.Fatalf("sheets = %s", got)
	}
	sheets := map[string]sheet{}
	for _, name := range f.GetSheetList() {
		rows, _ := f.GetRows(name)
		if len(rows) != 2 {
			t.Fatalf("sheet %s = %q", name, rows)
		}
		seen := map[string]bool{}
		for _, h := range rows[0] {
			if seen[h] {
				t.Errorf("sheet %s has two columns %q: %q", name, h, rows[0])
			}
			seen[h] = true
		}
		sheets[name] = sheet{f, name, rows[0]}
	}
	incident, meeting, mediation := sheets["An ninh trật tự"], sheets["Sinh hoạt tổ"], sheets["Hòa giải"]
	for _, s := range sheets {
		if got := s.value(t, "Người báo cáo"); got != "Lan" {
			t.Errorf("%s: reporter %q, want Lan", s.name, got)
		}
		if got := s.value(t, "Tổ"); got != "Tổ tự quản số 1 xóm Bãi" {
			t.Errorf("%s: group %q", s.name, got)
		}
		s.typed(t, "Thời gian gửi", "dd/mm/yyyy hh:mm", "25/11/2026 20:00")
		s.typed(t, "Số lần sửa", "0", "0")
		s.wide(t, "Tổ")
		s.wide(t, "Thời gian gửi")
		if slices.Contains(s.header, "Mức độ") || slices.ContainsFunc(s.header, func(h string) bool { return strings.Contains(h, "Telegram") }) {
			t.Errorf("%s: header %q", s.name, s.header)
		}
	}
	incident.typed(t, "Ngày", "dd/mm/yyyy", "24/11/2026")
	incident.typed(t, "Giờ", "hh:mm", "21:30")
	incident.typed(t, "Số người liên quan", "0", "2")
	incident.wide(t, "Nội dung")
	if incident.value(t, "Khẩn cấp") != "Có" || incident.value(t, "Tình trạng") != "Mới" || incident.value(t, "Loại vụ việc") != "Trộm cắp tài sản" {
		t.Errorf("incident: %q", incident.header)
	}
	meeting.typed(t, "Ngày họp", "dd/mm/yyyy", "23/11/2026")
	meeting.typed(t, "Giờ bắt đầu", "hh:mm", "19:30")
	meeting.typed(t, "Số hộ có mặt", "0", "38")
	meeting.typed(t, "Số hộ vắng", "0", "4")
	if slices.Contains(meeting.header, "Tình trạng") || slices.Contains(meeting.header, "Khẩn cấp") {
		t.Errorf("meeting columns that are not the meeting's: %q", meeting.header)
	}
	mediation.typed(t, "Ngày nhận", "dd/mm/yyyy", "25/11/2026")
	if slices.Contains(mediation.header, "Khẩn cấp") || mediation.value(t, "Tình trạng") != "Đang hòa giải" {
		t.Errorf("mediation: %q", mediation.header)
	}
}

// Ensure the official's /xuat and `totuquan export -format xlsx` give
// workbooks whose cells are typed, formatted, sized and named as people
// read them (checkWorkbook).
func TestExcelExportCells(t *testing.T) {
	e := newEnv(t)
	_, cong := threeReports(e)
	e.setNow(testNow)
	cong.say("/xuat").expect("3 báo cáo")
	chat := doc(e, cong, ".xlsx")
	e.stop()
	t.Run("chat", func(t *testing.T) { checkWorkbook(t, chat) })
	out := filepath.Join(e.dir, "all.xlsx")
	e.cli("export", "-config", e.cfgPath, "-format", "xlsx", "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("cli", func(t *testing.T) { checkWorkbook(t, data) })
}

// readCSV returns a CSV export's rows, after its byte-order mark, checking
// that no two columns have the same header.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Errorf("no byte-order mark: %.40q", data)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("CSV %q: %v", data, err)
	}
	seen := map[string]bool{}
	for _, h := range rows[0] {
		if seen[h] {
			t.Errorf("two columns %q: %q", h, rows[0])
		}
		seen[h] = true
	}
	return rows
}

// field returns the cell of column col in the row whose first cell is id.
func field(t *testing.T, rows [][]string, id, col string) string {
	t.Helper()
	j := slices.Index(rows[0], col)
	for _, r := range rows[1:] {
		if r[0] == id && j >= 0 {
			return r[j]
		}
	}
	t.Fatalf("no %s of %s in %q", col, id, rows)
	return ""
}

// Ensure CSV exports are as people read them by default, in the chat and
// on the command line alike: Vietnamese headers once each, labels, dates
// dd/mm/yyyy, the reporter's name; one kind's export has that kind's
// columns alone, even when it holds no report; and `-codes` gives
// programs the codes and ISO dates, each column once.
func TestCSVExportForPeople(t *testing.T) {
	e := newEnv(t)
	_, cong := threeReports(e)
	e.setNow(testNow)
	cong.say("/xuat csv").expect("3 báo cáo")
	rows := readCSV(t, doc(e, cong, ".csv"))
	for col, want := range map[string]string{"Loại báo cáo": "An ninh trật tự", "Loại vụ việc": "Trộm cắp tài sản", "Ngày": "24/11/2026",
		"Người báo cáo": "Lan", "Tổ": "Tổ tự quản số 1 xóm Bãi", "Thời gian gửi": "25/11/2026 20:00", "Cách xử lý": "Đã báo công an",
		"Khẩn cấp": "Có", "Tình trạng": "Mới", "Ảnh": "1 ảnh", "Số người liên quan": "2"} {
		if got := field(t, rows, "AN-2026-000001", col); got != want {
			t.Errorf("/xuat csv %s = %q, want %q", col, got, want)
		}
	}
	if got := field(t, rows, "HG-2026-000001", "Tình trạng"); got != "Đang hòa giải" {
		t.Errorf("the case's status = %q", got)
	}
	if got := field(t, rows, "HP-2026-000001", "Khách mời"); got != "Công an" {
		t.Errorf("the meeting's guests = %q", got)
	}
	for _, col := range []string{"Khẩn cấp", "Tình trạng", "Loại vụ việc"} { // not the meeting's
		if got := field(t, rows, "HP-2026-000001", col); got != "" {
			t.Errorf("the meeting's %s = %q, want nothing", col, got)
		}
	}

	cong.say("/xuat csv HG").expect("1 báo cáo")
	hg := doc(e, cong, ".csv")
	want := []string{"Số tham chiếu", "Tổ", "Người báo cáo", "Thời gian gửi", "Tình trạng", "Số lần sửa",
		"Ngày nhận", "Hòa giải viên", "Các bên", "Nội dung", "Loại vụ việc", "Chuyển cơ quan", "Thỏa thuận / yêu cầu", "Ghi chú"}
	if rows := readCSV(t, hg); !slices.Equal(rows[0], want) || rows[1][0] != "HG-2026-000001" {
		t.Errorf("/xuat csv HG header %q,\nwant %q", rows[0], want)
	}
	e.stop()
	if cli := e.cli("export", "-config", e.cfgPath, "-format", "csv", "-area", "PT-TL", "-kind", "mediation", "-from", "2026-10-27"); cli != string(hg) {
		t.Errorf("/xuat csv HG and export -kind mediation differ:\n%s\n---\n%s", hg, cli)
	}
	empty := readCSV(t, []byte(e.cli("export", "-config", e.cfgPath, "-format", "csv", "-kind", "mediation", "-from", "2026-11-01", "-to", "2026-11-01")))
	if !slices.Equal(empty[0], want) || len(empty) != 1 {
		t.Errorf("an empty mediation export: %q", empty)
	}

	codes := readCSV(t, []byte(e.cli("export", "-config", e.cfgPath, "-format", "csv", "-codes")))
	fixed := []string{"id", "kind", "group", "group_name", "reporter", "reporter_name", "created_at", "status", "urgent", "corrections"}
	if !slices.Equal(codes[0][:len(fixed)], fixed) {
		t.Errorf("-codes header %q", codes[0])
	}
	for col, want := range map[string]string{"kind": "incident", "category": "theft", "date": "2026-11-24", "created_at": "2026-11-25T20:00:00+07:00",
		"reporter": "telegram:501", "reporter_name": "Lan", "urgent": "true", "status": "new", "handling": "police"} {
		if got := field(t, codes, "AN-2026-000001", col); got != want {
			t.Errorf("-codes %s = %q, want %q", col, got, want)
		}
	}
	hgCodes := readCSV(t, []byte(e.cli("export", "-config", e.cfgPath, "-format", "csv", "-codes", "-kind", "mediation", "-from", "2026-11-01", "-to", "2026-11-01")))
	if want := []string{"id", "kind", "group", "group_name", "reporter", "reporter_name", "created_at", "status", "corrections",
		"received", "mediators", "parties", "substance", "case_type", "refer", "agreement", "notes"}; !slices.Equal(hgCodes[0], want) {
		t.Errorf("-codes -kind mediation header %q,\nwant %q", hgCodes[0], want)
	}
}

// terminal opens a terminal device to stand for a terminal as standard
// output: a new pseudo-terminal, or else /dev/null, a character device
// like a terminal.
func terminal(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
	if err != nil {
		t.Skip("no terminal device:", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// Ensure `export -format xlsx` without -o refuses to write the workbook's
// bytes to a terminal, saying to use -o, before anything is exported (no
// audit entry); to a pipe or a file it writes the workbook.
func TestExportXLSXNotToTerminal(t *testing.T) {
	e := newEnv(t)
	run := func(stdout *os.File) error {
		m, _ := e.main()
		m.Stdout = stdout
		return m.Run(context.Background(), []string{"export", "-config", e.cfgPath, "-format", "xlsx"})
	}
	err := run(terminal(t))
	if err == nil || !strings.Contains(err.Error(), "-o") {
		t.Errorf("to a terminal: %v, want a refusal naming -o", err)
	}
	if out := e.cli("audit", "-config", e.cfgPath); strings.Contains(out, "\texport\t") {
		t.Errorf("a refused export was audited:\n%s", out)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	piped := make(chan []byte)
	go func() { data, _ := io.ReadAll(r); piped <- data }()
	err = run(w)
	w.Close()
	if data := <-piped; err != nil || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		t.Errorf("to a pipe: %v, %.20q", err, data)
	}

	path := filepath.Join(e.dir, "out.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = run(f)
	f.Close()
	if data, _ := os.ReadFile(path); err != nil || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		t.Errorf("to a file: %v, %.20q", err, data)
	}
}
