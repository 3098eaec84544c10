package bot_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
)

// Ensure a CSV export cannot carry a formula to a spreadsheet: every cell
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// single quote, in every column; other cells are written as they are.
func TestWriteCSVFormulas(t *testing.T) {
	bad := []string{`=HYPERLINK("http://127.0.0.1/x","bấm")`, `+cmd|' /C calc'!A0`, "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=", "-"}
	good := []string{"AN-2026-000001", "a=b", "2", " =1", "'=1", "Ngõ 3, xóm Bãi", ""}
	var recs []bot.ExportRecord
	for _, v := range append(bad, good...) {
		recs = append(recs, bot.ExportRecord{ID: v, Kind: bot.ReportKind(v), Group: v, GroupName: v, Reporter: v, CreatedAt: v, Status: v,
			Answers: map[string]string{"description": v, v: v}})
	}
	var buf bytes.Buffer
	if err := bot.WriteCSV(&buf, recs, []string{"description"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := rows[0], rows[1:]
	for _, h := range header { // answer keys come from the data too
		if strings.ContainsAny(h[:min(1, len(h))], "=+-@\t\r") {
			t.Errorf("header cell %q", h)
		}
	}
	col := func(name string) int {
		for j, h := range header {
			if h == name {
				return j
			}
		}
		t.Fatalf("no column %s in %q", name, header)
		return -1
	}
	for i, v := range append(bad, good...) {
		want := v
		if i < len(bad) {
			want = "'" + v
		}
		for _, name := range []string{"id", "kind", "group", "group_name", "reporter", "created_at", "status", "description"} {
			if got := rows[i][col(name)]; got != want {
				t.Errorf("%s of %q = %q, want %q", name, v, got, want)
			}
		}
	}
}
