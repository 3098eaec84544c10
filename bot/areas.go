package bot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/totuquan/totuquan/vntext"
)

// ParseAreas reads an area tree in CSV with the header
// code,name,level,parent_code and, optionally, households (a group's size,
// which caps the households a meeting report may count) and retired (yes
// for an area no longer in use). A parent may be a row above or below, or an
// area already stored (known). Every bad row is reported with its line
// number, and nothing is returned unless all rows are good.
func ParseAreas(r io.Reader, known map[string]Area) ([]Area, error) {
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
		a := Area{Code: strings.TrimSpace(rec[0]), Name: vntext.NFC(rec[1]), Level: vntext.NFC(rec[2]), Parent: strings.TrimSpace(rec[3])}
		if cols == 6 {
			switch strings.ToLower(strings.TrimSpace(rec[5])) {
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
	for i, a := range areas {
		if a.Parent == "" {
			continue
		}
		if _, ok := seen[a.Parent]; !ok {
			if _, ok := known[a.Parent]; !ok {
				errs = append(errs, fmt.Errorf("line %d: unknown parent %s of %s", lines[i], a.Parent, a.Code))
			}
		}
	}
	if err := cycles(areas, lines, known); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, &Error{Code: EINVALID, Message: errors.Join(errs...).Error()}
	}
	if len(areas) == 0 {
		return nil, Errorf(EINVALID, "no areas in the file")
	}
	return areas, nil
}

func equalFold(a, b []string) bool {
	for i := range a {
		if !strings.EqualFold(strings.TrimSpace(a[i]), b[i]) {
			return false
		}
	}
	return true
}

// cycles reports a parent chain that loops back on itself.
func cycles(areas []Area, lines []int, known map[string]Area) error {
	parent := map[string]string{}
	for code, a := range known {
		parent[code] = a.Parent
	}
	for _, a := range areas {
		parent[a.Code] = a.Parent
	}
	for i, a := range areas {
		cur := a.Parent
		for steps := 0; cur != "" && steps <= len(parent); steps++ {
			if cur == a.Code {
				return fmt.Errorf("line %d: %s is inside itself (a parent loop)", lines[i], a.Code)
			}
			cur = parent[cur]
		}
	}
	return nil
}

// ImportAreas reads an area file against the stored tree and stores it:
// new areas added, known ones updated, all or nothing.
func ImportAreas(tx Tx, r io.Reader) (added, updated int, err error) {
	existing, err := tx.Areas()
	if err != nil {
		return 0, 0, err
	}
	known := map[string]Area{}
	for _, a := range existing {
		known[a.Code] = a
	}
	areas, err := ParseAreas(r, known)
	if err != nil {
		return 0, 0, err
	}
	for _, a := range areas {
		if _, ok := known[a.Code]; ok {
			updated++
		} else {
			added++
		}
	}
	return added, updated, tx.PutAreas(areas)
}
