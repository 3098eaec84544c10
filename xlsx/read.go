package xlsx

import (
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxUnzipped is the most a workbook may unpack to: an area file of
// 100,000 rows is a few megabytes, and a small file that unpacks to
// gigabytes is refused rather than filling the memory.
const maxUnzipped = 256 << 20

// ReadRows reads the first sheet of an XLSX workbook as rows of text, as
// they are stored rather than as formatted: numbers as decimals, a whole
// number without a fraction ("42", however the program that wrote it
// stored it). A row stops at its last non-empty cell.
func ReadRows(r io.Reader) ([][]string, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	for i, row := range rows {
		for j, v := range row {
			if !strings.ContainsAny(v, ".eE") {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if t, _ := f.GetCellType(sheet, cell); t == excelize.CellTypeNumber || t == excelize.CellTypeUnset {
				row[j] = wholeNumber(v)
			}
		}
	}
	return rows, nil
}

// wholeNumber writes a stored number that is whole without its fraction
// ("42.0" and "4.2E1" are "42"); anything else is left as it is.
func wholeNumber(v string) string {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n != math.Trunc(n) || math.Abs(n) >= 1<<53 {
		return v
	}
	return strconv.FormatInt(int64(n), 10)
}
