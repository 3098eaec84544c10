// Package xlsx writes tables as an Excel workbook, one sheet each. It is the
// only package that imports excelize.
package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/totuquan/totuquan/bot"
)

// Write writes the tables to w as an XLSX workbook, one sheet per table,
// with a bold, frozen header row.
func Write(w io.Writer, tables []bot.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, t := range tables {
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
		row := func(n int, cells []string, style int) error {
			vals := make([]any, len(cells))
			for j, c := range cells {
				vals[j] = excelize.Cell{Value: c, StyleID: style}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			return sw.SetRow(cell, vals)
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := row(1, t.Header, bold); err != nil {
			return err
		}
		for j, r := range t.Rows {
			if err := row(j+2, r, 0); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}
