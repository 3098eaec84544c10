package bot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/totuquan/totuquan/vntext"
)

// ParseAreas reads an area tree in CSV with the header
// code,name,level,parent_code and, optionally, households (a group's size,
// which caps the households a meeting report may count) and retired (yes
// for an area no longer in use). A parent may be a row above or below, or an
// area already stored (known). Every bad row is reported with its line
// number (the first 50 errors are listed); text that is not UTF-8 is one.
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

// readAreaFile reads an area file; it fails only when the file is not an
// area file at all (no header, a wrong one).
func readAreaFile(r io.Reader) (*areaFile, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Errorf(EINVALID, "the file is empty; expected the header code,name,level,parent_code")
	} else if err != nil {
		return nil, Errorf(EINVALID, "%v", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // Excel's BOM
	}
	want := []string{"code", "name", "level", "parent_code", "households", "retired"}
	cols := len(header)
	if cols < 4 || cols > len(want) || !equalFold(header, want[:cols]) {
		return nil, Errorf(EINVALID, "line 1: header is %q, want %q (the last two are optional)", strings.Join(header, ","), strings.Join(want, ","))
	}

	var (
		areas []Area
		lines []int
		errs  []error
		seen  = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%v", err))
			continue
		}
		if len(rec) != cols {
			errs = append(errs, fmt.Errorf("line %d: %d columns, want %d", line, len(rec), cols))
			continue
		}
		// Text that is not UTF-8 would be stored under one code and shown
		// under another (and a reply quoting it would not send).
		if j := slices.IndexFunc(rec, func(f string) bool { return !utf8.ValidString(f) }); j >= 0 {
			errs = append(errs, fmt.Errorf("line %d: %s is not valid UTF-8 text (save the file as CSV UTF-8)", line, want[j]))
			continue
		}
		// Codes in NFC, trimmed, like everything typed in the chat, so that
		// a code and a parent match however the keyboard composed them.
		a := Area{Code: vntext.NFC(rec[0]), Name: vntext.NFC(rec[1]), Level: vntext.NFC(rec[2]), Parent: vntext.NFC(rec[3])}
		if cols == 6 {
			switch strings.ToLower(vntext.NFC(rec[5])) {
			case "", "0", "no", "khong", "không":
			case "1", "yes", "co", "có", "retired":
				a.Retired = true
			default:
				errs = append(errs, fmt.Errorf("line %d: retired %q is not yes or no", line, rec[5]))
			}
		}
		if cols >= 5 && strings.TrimSpace(rec[4]) != "" {
			n, err := strconv.Atoi(strings.TrimSpace(rec[4]))
			if err != nil || n < 0 {
				errs = append(errs, fmt.Errorf("line %d: households %q is not a whole number", line, rec[4]))
			}
			a.Households = n
		}
		switch {
		case a.Code == "":
			errs = append(errs, fmt.Errorf("line %d: missing code", line))
			continue
		case strings.ContainsAny(a.Code, " \t/"):
			errs = append(errs, fmt.Errorf("line %d: code %q has a space or a slash", line, a.Code))
		case a.Name == "":
			errs = append(errs, fmt.Errorf("line %d: missing name for %s", line, a.Code))
		case a.Parent == a.Code:
			errs = append(errs, fmt.Errorf("line %d: %s is its own parent", line, a.Code))
		}
		if first, dup := seen[a.Code]; dup {
			errs = append(errs, fmt.Errorf("line %d: duplicate code %s (first on line %d)", line, a.Code, first))
			continue
		}
		seen[a.Code] = line
		areas = append(areas, a)
		lines = append(lines, line)
	}
	return &areaFile{areas: areas, lines: lines, errs: errs}, nil
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
