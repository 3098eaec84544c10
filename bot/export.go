package bot

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ExportRecord is one report as exported: the JSON object, and the CSV row
// in the same order of columns.
type ExportRecord struct {
	ID        string            `json:"id"`
	Kind      ReportKind        `json:"kind"`
	Group     string            `json:"group"`
	GroupName string            `json:"group_name,omitempty"`
	Reporter  string            `json:"reporter"`
	CreatedAt string            `json:"created_at"` // RFC 3339 in the configured time zone
	Status    string            `json:"status,omitempty"`
	Urgent    bool              `json:"urgent"`
	Answers   map[string]string `json:"answers"`
	Updates   []CaseUpdate      `json:"updates,omitempty"`
	Revisions []Revision        `json:"revisions,omitempty"`
}

// NewExportRecord prepares r for export with times in loc.
func NewExportRecord(r Report, groupName string, loc *time.Location) ExportRecord {
	return ExportRecord{
		ID: r.ID, Kind: r.Kind, Group: r.Group, GroupName: groupName, Reporter: string(r.Reporter),
		CreatedAt: r.CreatedAt.In(loc).Format(time.RFC3339), Status: r.Status, Urgent: r.Urgent, Answers: r.Answers,
		Updates: r.Updates, Revisions: r.Revisions,
	}
}

// WriteJSON writes the records as one JSON array.
func WriteJSON(w io.Writer, recs []ExportRecord) error {
	if recs == nil {
		recs = []ExportRecord{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(recs)
}

// FormKeys are one report kind's answer keys in the order its form asks
// them.
type FormKeys struct {
	Kind ReportKind
	Keys []string
}

// forms are the report forms' answer keys, in the order of the report
// menu, as SetForms registered them.
var forms atomic.Pointer[[]FormKeys]

// SetForms registers the report forms' answer keys, in the order of the
// report menu, for the columns of every CSV export (AnswerKeys). Package
// flows declares the forms and imports this one, so the program that
// wires them registers them once as it starts; until then, and after
// SetForms(nil), answer columns are in alphabetical order.
func SetForms(f []FormKeys) {
	if f == nil {
		forms.Store(nil)
		return
	}
	f = slices.Clone(f)
	forms.Store(&f)
}

// AnswerKeys returns the answer columns of an export of recs: for each
// kind among them, all the keys of its form in the form's order (the
// kinds in the order of the report menu), then any other answer keys in
// alphabetical order. An export has the same columns whoever asks for it.
func AnswerKeys(recs []ExportRecord) []string {
	var keys []string
	if f := forms.Load(); f != nil {
		for _, form := range *f {
			if !slices.ContainsFunc(recs, func(r ExportRecord) bool { return r.Kind == form.Kind }) {
				continue
			}
			for _, k := range form.Keys {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	}
	return withExtra(keys, recs)
}

// withExtra appends to keys the answer keys of recs it lacks, sorted.
func withExtra(keys []string, recs []ExportRecord) []string {
	keys = slices.Clone(keys)
	var extra []string
	for _, r := range recs {
		for k := range r.Answers {
			if !slices.Contains(keys, k) && !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

// WriteCSV writes the records with a header row: the fixed columns (with
// the number of corrections, so a reader sees a report was edited), then one
// column per answer key: those of answerOrder, then any others sorted, or,
// when answerOrder is nil, the forms' own (AnswerKeys).
// The UTF-8 byte-order mark lets spreadsheet programs read the Vietnamese.
// No cell can become a formula in a spreadsheet (see cell). Every CSV
// export goes through here: the chat's /xuat, the weekly summary's file
// and the command line's.
func WriteCSV(w io.Writer, recs []ExportRecord, answerOrder []string) error {
	keys := AnswerKeys(recs)
	if answerOrder != nil {
		keys = withExtra(answerOrder, recs)
	}

	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	write := func(row []string) {
		for i := range row {
			row[i] = cell(row[i])
		}
		cw.Write(row)
	}
	write(append([]string{"id", "kind", "group", "group_name", "reporter", "created_at", "status", "urgent", "corrections"}, keys...))
	for _, r := range recs {
		row := []string{r.ID, string(r.Kind), r.Group, r.GroupName, r.Reporter, r.CreatedAt, r.Status, strconv.FormatBool(r.Urgent), strconv.Itoa(len(r.Revisions))}
		for _, k := range keys {
			row = append(row, r.Answers[k])
		}
		write(row)
	}
	cw.Flush()
	return cw.Error()
}

// cell neutralises text that a spreadsheet would run as a formula (CSV
// injection: a leader typing =HYPERLINK(…) or +cmd|… into a report): a
// cell that starts with =, +, -, @, a tab or a carriage return gets a
// leading single quote, as OWASP advises, and shows as typed. Every column
// is treated so, whoever filled it; none holds negative numbers (counts
// are from 0), so no number loses anything.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Table is one sheet of an export: a name, a header row and rows of text.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
}
