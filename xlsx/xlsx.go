// Package xlsx writes tables as an Excel workbook, one sheet each, and
// reads the first sheet of one (an area file). It is the only package that
// imports excelize.
package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
)

// Column widths, in characters: a column is as wide as its longest line
// (its header's or a cell's) and a margin, within these bounds; a cell
// longer than the widest column wraps.
const (
	minWidth = 6
	maxWidth = 60
	margin   = 2
)

// styles are a workbook's cell styles: the header's, and a cell's by its
// column's type (wrap for text).
type styles struct {
	header int
	cells  map[bot.CellType]int
}

func newStyles(f *excelize.File) (styles, error) {
	s := styles{cells: map[bot.CellType]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return s, err
	}
	formats := map[bot.CellType]string{bot.CellDate: "dd/mm/yyyy", bot.CellDateTime: "dd/mm/yyyy hh:mm", bot.CellTime: "hh:mm", bot.CellNumber: "0"}
	for _, typ := range []bot.CellType{bot.CellText, bot.CellNumber, bot.CellDate, bot.CellDateTime, bot.CellTime} {
		st := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: typ == bot.CellText}}
		if format, ok := formats[typ]; ok {
			st.CustomNumFmt = &format
		}
		if s.cells[typ], err = f.NewStyle(st); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Write writes the tables to w as an XLSX workbook, one sheet per table,
// with a bold, frozen header row and columns as wide as their contents.
// Cells are stored as their columns' types say: whole numbers as numbers,
// dates and times as Excel's, shown dd/mm/yyyy and hh:mm; a cell that is
// not of its column's type, and every text, is a text cell, never a
// formula.
func Write(w io.Writer, tables []bot.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, t := range tables {
		if err := writeSheet(f, i, t, st); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// writeSheet writes table t as the workbook's sheet number i.
func writeSheet(f *excelize.File, i int, t bot.Table, st styles) error {
	name := t.Name
	if i == 0 {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("sheet %q: %w", name, err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for j, width := range widths(t) {
		if err := sw.SetColWidth(j+1, j+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.Header))
	for j, h := range t.Header {
		header[j] = excelize.Cell{Value: h, StyleID: st.header}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for j, r := range t.Rows {
		cells := make([]any, len(r))
		for k, v := range r {
			typ := typeOf(t, k)
			cells[k] = excelize.Cell{Value: value(typ, v), StyleID: st.cells[typ]}
		}
		cell, _ := excelize.CoordinatesToCellName(1, j+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// typeOf returns the type of t's column j.
func typeOf(t bot.Table, j int) bot.CellType {
	if j < len(t.Types) {
		return t.Types[j]
	}
	return bot.CellText
}

// value returns a cell's value as Excel stores a column of typ: an int,
// a date and time (in no zone: Excel's are wall-clock), a time of day, or
// the text itself if it is not of that type; nil for an empty cell.
func value(typ bot.CellType, v string) any {
	if v == "" {
		return nil
	}
	switch typ {
	case bot.CellNumber:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	case bot.CellDate, bot.CellDateTime:
		layout := map[bot.CellType]string{bot.CellDate: "02/01/2006", bot.CellDateTime: "02/01/2006 15:04"}[typ]
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	case bot.CellTime:
		if t, err := time.Parse("15:04", v); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		}
	}
	return v
}

// widths returns the width of each of t's columns: its longest line, with
// a margin, within minWidth and maxWidth.
func widths(t bot.Table) []float64 {
	out := make([]float64, len(t.Header))
	grow := func(j int, v string) {
		for line := range strings.SplitSeq(v, "\n") {
			if w := float64(utf8.RuneCountInString(line) + margin); w > out[j] {
				out[j] = w
			}
		}
	}
	for j, h := range t.Header {
		grow(j, h)
	}
	for _, r := range t.Rows {
		for j, v := range r {
			if j < len(out) {
				grow(j, v)
			}
		}
	}
	for j := range out {
		out[j] = min(max(out[j], minWidth), maxWidth)
	}
	return out
}
