package bot

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/totuquan/totuquan/vntext"
)

// ParseAreas reads an area tree in CSV with the header
// code,name,level,parent_code and, optionally, households (a group's size,
// which caps the households a meeting report may count) and retired (yes
// for an area no longer in use). The CSV may be as Excel saves it: UTF-8
// with or without a byte-order mark, UTF-16 with one, or Vietnamese
// Windows-1258, separated by commas, semicolons or tabs, with empty rows
// (see areaText and csvRows); or the area file is the first sheet of an
// XLSX workbook, read as SetSheetReader registered. A parent may be a row
// above or below, or an
// area already stored (known). Every bad row is reported with its line
// number (the first 50 errors are listed); text in no encoding it reads is
// refused by the line of its first bad byte.
// Codes and parents are compared and kept in NFC once trimmed, as the chat
// keeps what people type. Nothing is returned unless all rows are good.
// Reading and checking take time linear in the rows and the known areas.
func ParseAreas(r io.Reader, known map[string]Area) ([]Area, error) {
	f, err := readAreaFile(r)
	if err != nil {
		return nil, err
	}
	if err := f.check(known); err != nil {
		return nil, err
	}
	return f.areas, nil
}

// areaFile is an area file read row by row: its good areas in file order
// with their line numbers, and the errors of its bad rows.
type areaFile struct {
	areas []Area
	lines []int
	errs  []error
}

// SheetReader reads the first sheet of an XLSX workbook as rows of text,
// as package xlsx's ReadRows does.
type SheetReader func(io.Reader) ([][]string, error)

// sheetReader reads area files sent as workbooks, as SetSheetReader
// registered it.
var sheetReader atomic.Pointer[SheetReader]

// SetSheetReader registers how area files kept as Excel workbooks are read
// (package xlsx's ReadRows). Package xlsx imports this one, so the program
// that wires them registers it once as it starts; until then, and after
// SetSheetReader(nil), a workbook is refused with a word to save it as CSV.
func SetSheetReader(read SheetReader) {
	if read == nil {
		sheetReader.Store(nil)
		return
	}
	sheetReader.Store(&read)
}

// IsAreaFile reports whether a file sent in the chat by that name may be an
// area file: CSV, Excel's "Unicode Text" (.txt) or an Excel workbook. What
// it holds is told by its bytes, not its name (readAreaFile).
func IsAreaFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".csv" || ext == ".txt" || ext == ".xlsx"
}

// The first bytes of an XLSX workbook (a ZIP file) and of an Excel 97-2003
// one (an OLE2 compound file).
var (
	zipMagic  = []byte("PK\x03\x04")
	ole2Magic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
)

// readAreaFile reads an area file, CSV or an XLSX workbook whatever its
// name; it fails only when the file is not an area file at all (text in no
// encoding it knows, no header, a wrong one).
func readAreaFile(r io.Reader) (*areaFile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(data, zipMagic):
		read := sheetReader.Load()
		if read == nil {
			return nil, Errorf(EINVALID, "this is an Excel workbook, and this program reads area files as CSV only; %s", saveAs)
		}
		rows, err := (*read)(bytes.NewReader(data))
		if err != nil {
			return nil, Errorf(EINVALID, "the Excel workbook cannot be read (%v); %s", err, saveAs)
		}
		return readAreaRows(sheetRows(rows))
	case bytes.HasPrefix(data, ole2Magic):
		return nil, Errorf(EINVALID, "this is an Excel 97-2003 workbook (.xls): save it as an Excel workbook (.xlsx) or as \"CSV UTF-8\", and try again")
	}
	text, err := areaText(data)
	if err != nil {
		return nil, err
	}
	return readAreaRows(csvRows(text))
}

// sheetRows returns a sheet's rows, the first the header, each numbered as
// in the sheet. A row stops at its last cell with something in it, so a
// row shorter than the header is filled with empty cells.
func sheetRows(rows [][]string) rowsFunc {
	i := 0
	return func() ([]string, int, error) {
		if i == len(rows) {
			return nil, 0, io.EOF
		}
		rec := rows[i]
		if i > 0 && len(rec) < len(rows[0]) {
			rec = append(rec, make([]string, len(rows[0])-len(rec))...)
		}
		i++
		return rec, i, nil
	}
}

// rowsFunc returns an area file's records one at a time, each with the
// line it starts on, and io.EOF after the last; a record it cannot read is
// an error with its line, and the next call goes on after it.
type rowsFunc func() (rec []string, line int, err error)

// csvRows reads text as CSV, its separator the one its header uses: a
// comma, a semicolon (Excel's under Vietnamese regional settings, where the
// comma is the decimal mark) or a tab (Excel's "Unicode Text").
func csvRows(text string) rowsFunc {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = separator(text)
	cr.FieldsPerRecord = -1
	// A tab is white space itself: trimming would swallow empty fields.
	cr.TrimLeadingSpace = cr.Comma != '\t'
	return func() ([]string, int, error) {
		rec, err := cr.Read()
		line := 0
		if len(rec) > 0 { // FieldPos panics when no record was read
			line, _ = cr.FieldPos(0)
		}
		return rec, line, err
	}
}

// separator returns the separator of an area file's header: whichever of
// comma, semicolon and tab it has most of, a comma if none.
func separator(text string) rune {
	header, _, _ := strings.Cut(text, "\n")
	sep, most := ',', strings.Count(header, ",")
	for _, c := range []rune{';', '\t'} {
		if n := strings.Count(header, string(c)); n > most {
			sep, most = c, n
		}
	}
	return sep
}

// areaColumns are the columns of an area file, the last two optional.
var areaColumns = []string{"code", "name", "level", "parent_code", "households", "retired"}

// readAreaRows reads an area file's header and rows; rows with nothing in
// them (those Excel leaves at the end of a sheet) are skipped.
func readAreaRows(next rowsFunc) (*areaFile, error) {
	header, _, err := next()
	if err == io.EOF {
		return nil, Errorf(EINVALID, "the file is empty; expected the header code,name,level,parent_code")
	} else if err != nil {
		return nil, Errorf(EINVALID, "%v", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // Excel's BOM
	}
	want := areaColumns
	cols := len(header)
	if cols < 4 || cols > len(want) || !equalFold(header, want[:cols]) {
		return nil, Errorf(EINVALID, "line 1: header is %q, want %q (the last two are optional)", strings.Join(header, ","), strings.Join(want, ","))
	}

	f := &areaFile{}
	seen := map[string]int{}
	for {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%v", err))
			continue
		}
		if blank(rec) {
			continue
		}
		if len(rec) != cols {
			f.errs = append(f.errs, fmt.Errorf("line %d: %d columns, want %d", line, len(rec), cols))
			continue
		}
		a, errs := areaRow(rec, line)
		f.errs = append(f.errs, errs...)
		if a.Code == "" {
			continue
		}
		if first, dup := seen[a.Code]; dup {
			f.errs = append(f.errs, fmt.Errorf("line %d: duplicate code %s (first on line %d)", line, a.Code, first))
			continue
		}
		seen[a.Code] = line
		f.areas = append(f.areas, a)
		f.lines = append(f.lines, line)
	}
	return f, nil
}

// blank reports whether a record has nothing but white space.
func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" })
}

// areaRow reads the area of one record, on line, with its problems; an
// area without a code is no area.
func areaRow(rec []string, line int) (Area, []error) {
	var errs []error
	// Codes in NFC, trimmed, like everything typed in the chat, so that
	// a code and a parent match however the keyboard composed them.
	a := Area{Code: vntext.NFC(rec[0]), Name: vntext.NFC(rec[1]), Level: vntext.NFC(rec[2]), Parent: vntext.NFC(rec[3])}
	if len(rec) == 6 {
		switch strings.ToLower(vntext.NFC(rec[5])) {
		case "", "0", "no", "khong", "không":
		case "1", "yes", "co", "có", "retired":
			a.Retired = true
		default:
			errs = append(errs, fmt.Errorf("line %d: retired %q is not yes or no", line, rec[5]))
		}
	}
	if len(rec) >= 5 && strings.TrimSpace(rec[4]) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(rec[4]))
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("line %d: households %q is not a whole number", line, rec[4]))
		}
		a.Households = n
	}
	switch {
	case a.Code == "":
		errs = append(errs, fmt.Errorf("line %d: missing code", line))
	case strings.ContainsFunc(a.Code, func(r rune) bool { return unicode.IsSpace(r) || r == '/' }):
		// A code is typed as one word of a command: a line break or a
		// no-break space inside it would make it two.
		errs = append(errs, fmt.Errorf("line %d: code %q has a space or a slash", line, a.Code))
	case a.Name == "":
		errs = append(errs, fmt.Errorf("line %d: missing name for %s", line, a.Code))
	case a.Parent == a.Code:
		errs = append(errs, fmt.Errorf("line %d: %s is its own parent", line, a.Code))
	}
	return a, errs
}

// saveAs is how a refusal of a file's text says to save it.
const saveAs = "save the file in Excel as \"CSV UTF-8\" or as an Excel workbook (.xlsx), and try again"

// areaText returns the text of an area file saved as CSV, from what its
// first bytes say or else what its bytes are: UTF-8 after its byte-order
// mark (Excel's "CSV UTF-8"); UTF-16 little- or big-endian after its mark
// (Excel's "Unicode Text"); UTF-8 without a mark; and else Windows-1258,
// Excel's "CSV" on Vietnamese Windows, only if read so every byte beyond
// ASCII is a Vietnamese letter or a tone mark that joins one (see
// vietnamese1258). Anything else is refused, naming the line of its first
// byte that is not UTF-8, rather than imported as garbage: names stored
// wrong would be shown wrong to everyone, and codes would match nothing
// typed in the chat.
func areaText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
		if i := invalidUTF8(data); i >= 0 {
			return "", Errorf(EINVALID, "line %d: the file says it is UTF-8 but byte 0x%02X is not UTF-8 text; %s", lineAt(data, i), data[i], saveAs)
		}
		return string(data), nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		return decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	i := invalidUTF8(data)
	if i < 0 {
		return string(data), nil
	}
	if text, ok := vietnamese1258(data); ok {
		return text, nil
	}
	return "", Errorf(EINVALID, "line %d: byte 0x%02X is not UTF-8 text, and the file is not Vietnamese in Windows-1258 either; %s", lineAt(data, i), data[i], saveAs)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// UTF-8, -1 if none.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// lineAt returns the line of data that its byte i is on.
func lineAt(data []byte, i int) int { return bytes.Count(data[:i], []byte("\n")) + 1 }

// decodeUTF16 decodes UTF-16 text; half a character (an odd byte at the
// end, a surrogate without its pair) is refused by its line.
func decodeUTF16(data []byte, order binary.ByteOrder) (string, error) {
	var b strings.Builder
	b.Grow(len(data))
	line := 1
	refuse := func(what string) (string, error) {
		return "", Errorf(EINVALID, "line %d: the file says it is UTF-16 but %s; %s", line, what, saveAs)
	}
	for i := 0; i+1 < len(data); i += 2 {
		u := order.Uint16(data[i:])
		r := rune(u)
		if utf16.IsSurrogate(r) {
			if i+3 >= len(data) {
				return refuse("it ends in half a character")
			}
			r = utf16.DecodeRune(r, rune(order.Uint16(data[i+2:])))
			if r == utf8.RuneError {
				return refuse("it has half a character")
			}
			i += 2
		}
		if r == '\n' {
			line++
		}
		b.WriteRune(r)
	}
	if len(data)%2 != 0 {
		return refuse("it ends in half a character")
	}
	return b.String(), nil
}

// vietnameseLetters are the letters of Vietnamese beyond ASCII, composed
// (NFC): the vowels with and without each of the five tone marks, and đ,
// in both cases.
var vietnameseLetters = func() map[rune]bool {
	set := map[rune]bool{'đ': true, 'Đ': true}
	for _, v := range "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"} {
			r, _ := utf8.DecodeRuneInString(norm.NFC.String(string(v) + tone))
			set[r] = true
		}
	}
	return set
}()

// vietnamese1258 reads data, which is not UTF-8, as Windows-1258, composed
// (NFC: Windows-1258 writes most tone marks as combining characters after
// their vowel); ok is false unless every character beyond ASCII is a
// Vietnamese letter. The rule is safe because it accepts only what no other
// encoding likely here would give: bytes 0x80–0xBF are symbols in
// Windows-1258 (quotes, dashes, currency signs), never letters, and every
// character of UTF-8 beyond ASCII has such a byte, so a file partly UTF-8
// is refused; the legacy Vietnamese font encodings (TCVN3, VNI) and
// Windows-1252's and Cyrillic's letters read as symbols, letters Vietnamese
// lacks (æ, å, ñ, ï), or tone marks left on a consonant; and a Latin-1 file
// that passes has only letters that Latin-1 and Windows-1258 share (à, é,
// ô…), so it reads the same.
func vietnamese1258(data []byte) (string, bool) {
	text, err := charmap.Windows1258.NewDecoder().Bytes(data)
	if err != nil {
		return "", false
	}
	s := norm.NFC.String(string(text))
	for _, r := range s {
		if r >= utf8.RuneSelf && !vietnameseLetters[r] {
			return "", false
		}
	}
	return s, true
}

// maxErrors is how many errors a refusal lists.
const maxErrors = 50

// check checks the file as it would sit among the known areas; the error,
// with code EINVALID, lists the bad rows and the problems of the tree.
func (f *areaFile) check(known map[string]Area) error {
	errs := append(slices.Clip(f.errs), checkTree(f.areas, f.lines, known)...)
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors:maxErrors], fmt.Errorf("… and %d more errors", len(errs)-maxErrors))
	}
	if len(errs) > 0 {
		return &Error{Code: EINVALID, Message: errors.Join(errs...).Error()}
	}
	if len(f.areas) == 0 {
		return Errorf(EINVALID, "no areas in the file")
	}
	return nil
}

func equalFold(a, b []string) bool {
	for i := range a {
		if !strings.EqualFold(strings.TrimSpace(a[i]), b[i]) {
			return false
		}
	}
	return true
}

// maxDepth is how many levels of the tree alerts, exports and summaries
// follow (Covers and subtree): an official more levels above a group
// would hear nothing from it.
const maxDepth = 64

// checkTree checks the file's areas (lines are their line numbers) as they
// would sit among the known ones: every parent exists, no parent chain
// loops back on itself, and no area ends up more than maxDepth levels deep,
// counting the known areas above and below. One walk up from each area,
// remembering what it found, visits every area once: the time is linear in
// the areas, file and known, whatever the shape of the tree.
func checkTree(areas []Area, lines []int, known map[string]Area) []error {
	var errs []error
	index := make(map[string]int, len(areas)) // a file area's position
	for i, a := range areas {
		index[a.Code] = i
	}
	parentOf := func(code string) (string, bool) {
		if i, ok := index[code]; ok {
			return areas[i].Parent, true
		}
		a, ok := known[code]
		return a.Parent, ok
	}
	for i, a := range areas {
		if _, ok := parentOf(a.Parent); a.Parent != "" && !ok {
			errs = append(errs, fmt.Errorf("line %d: unknown parent %s of %s", lines[i], a.Parent, a.Code))
		}
	}

	done := make(map[string]treeVisit, len(areas)+len(known))
	onPath := map[string]int{}
	var path []string
	var loops [][]string
	walk := func(code string) {
		path = path[:0]
		up := treeVisit{}
		for {
			if v, ok := done[code]; ok {
				up = v
				break
			}
			if at, ok := onPath[code]; ok {
				loops = append(loops, slices.Clone(path[at:]))
				up = treeVisit{depth: -1}
				break
			}
			onPath[code] = len(path)
			path = append(path, code)
			parent, _ := parentOf(code)
			if _, ok := parentOf(parent); parent == "" || !ok {
				break
			}
			code = parent
		}
		for j := len(path) - 1; j >= 0; j-- {
			code := path[j]
			if up.depth >= 0 {
				up.depth++
			}
			if i, ok := index[code]; ok {
				up.from = lines[i]
			}
			done[code] = up
			delete(onPath, code)
		}
	}
	for _, a := range areas {
		walk(a.Code)
	}
	for code := range known {
		walk(code)
	}

	for _, loop := range loops {
		errs = append(errs, loopError(loop, index, lines))
	}
	if err := depthError(areas, lines, index, done); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// treeVisit is what the walk found of an area: its level, 1 for a root (or
// an area whose parent is missing, already refused), and -1 inside a loop
// or under one; from is the line of the nearest file area at or above it,
// 0 for none.
type treeVisit struct{ depth, from int }

// depthError names the first file area too deep, or else the known area
// the file moved deepest down first.
func depthError(areas []Area, lines []int, index map[string]int, done map[string]treeVisit) error {
	for i, a := range areas {
		if d := done[a.Code].depth; d > maxDepth {
			return fmt.Errorf("line %d: %s is %d levels deep, more than %d: officials above it would get no alerts", lines[i], a.Code, d, maxDepth)
		}
	}
	var deep string
	for code, v := range done {
		if _, inFile := index[code]; inFile || v.from == 0 || v.depth <= maxDepth {
			continue // pre-existing depth is not this file's doing
		}
		if w := done[deep]; deep == "" || v.from < w.from || (v.from == w.from && (v.depth < w.depth || (v.depth == w.depth && code < deep))) {
			deep = code
		}
	}
	if deep == "" {
		return nil
	}
	v := done[deep]
	moved := areas[slices.Index(lines, v.from)].Code
	return fmt.Errorf("line %d: moving %s puts %s %d levels deep, more than %d: officials above it would get no alerts", v.from, moved, deep, v.depth, maxDepth)
}

// loopError names a parent loop (each area followed by its parent) by the
// file line of its first area in the file.
func loopError(loop []string, index map[string]int, lines []int) error {
	first := -1 // the position in loop of the area first in the file
	for j, code := range loop {
		if i, ok := index[code]; ok && (first < 0 || lines[i] < lines[index[loop[first]]]) {
			first = j
		}
	}
	if first < 0 { // only known areas: the stored tree already loops
		return fmt.Errorf("the stored areas %s are inside each other (a parent loop)", strings.Join(loop, ", "))
	}
	loop = append(loop[first:], loop[:first]...)
	shown := append(slices.Clone(loop), loop[0])
	var tail string
	if len(loop) > 5 {
		shown = append(append(shown[:3:3], "…"), loop[len(loop)-1], loop[0])
		tail = fmt.Sprintf(", %d areas", len(loop))
	}
	return fmt.Errorf("line %d: %s is inside itself (a parent loop: %s%s)", lines[index[loop[0]]], loop[0], strings.Join(shown, " → "), tail)
}

// ImportAreas imports an area file into st, all or nothing: new areas
// added, known ones updated. The file is read and checked against the tree
// as a read transaction sees it, so that no write lock is held however big
// the file; then one write transaction reads the tree again, checks the
// file again if the tree changed meanwhile, stores the areas and, if audit
// is not nil, records the import with it.
func ImportAreas(st Store, r io.Reader, audit func(tx Tx, added, updated int) error) (added, updated int, err error) {
	var known map[string]Area
	if err := st.View(func(tx Tx) (err error) { known, err = knownAreas(tx); return err }); err != nil {
		return 0, 0, err
	}
	f, err := readAreaFile(r)
	if err != nil {
		return 0, 0, err
	}
	if err := f.check(known); err != nil {
		return 0, 0, err
	}
	err = st.Update(func(tx Tx) error {
		added, updated = 0, 0
		now, err := knownAreas(tx)
		if err != nil {
			return err
		}
		if !maps.Equal(now, known) {
			if err := f.check(now); err != nil {
				return err
			}
		}
		for _, a := range f.areas {
			if _, ok := now[a.Code]; ok {
				updated++
			} else {
				added++
			}
		}
		if err := tx.PutAreas(f.areas); err != nil {
			return err
		}
		if audit == nil {
			return nil
		}
		return audit(tx, added, updated)
	})
	if err != nil {
		return 0, 0, err
	}
	return added, updated, nil
}

// knownAreas returns the stored areas by code.
func knownAreas(tx Tx) (map[string]Area, error) {
	areas, err := tx.Areas()
	known := make(map[string]Area, len(areas))
	for _, a := range areas {
		known[a.Code] = a
	}
	return known, err
}
