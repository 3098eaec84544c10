package bot

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// ExportRecord is one report as exported: the JSON object, and the CSV row
// in the same order of columns.
type ExportRecord struct {
	ID        string     `json:"id"`
	Kind      ReportKind `json:"kind"`
	Group     string     `json:"group"`
	GroupName string     `json:"group_name,omitempty"`
	Reporter  string     `json:"reporter"`
	// ReporterName is the reporter's name, if known.
	ReporterName string            `json:"reporter_name,omitempty"`
	CreatedAt    string            `json:"created_at"` // RFC 3339 in the configured time zone
	Status       string            `json:"status,omitempty"`
	Urgent       bool              `json:"urgent"`
	Answers      map[string]string `json:"answers"`
	Updates      []CaseUpdate      `json:"updates,omitempty"`
	Revisions    []Revision        `json:"revisions,omitempty"`
}

// NewExportRecord prepares r for export with times in loc.
func NewExportRecord(r Report, groupName string, loc *time.Location) ExportRecord {
	return ExportRecord{
		ID: r.ID, Kind: r.Kind, Group: r.Group, GroupName: groupName, Reporter: string(r.Reporter),
		CreatedAt: r.CreatedAt.In(loc).Format(time.RFC3339), Status: r.Status, Urgent: r.Urgent, Answers: r.Answers,
		Updates: r.Updates, Revisions: r.Revisions,
	}
}

// nameReporters fills in the records' reporter names, from the people
// at their addresses; a reporter no longer found keeps no name.
func nameReporters(tx Tx, recs []ExportRecord) error {
	names := map[string]string{}
	for i, r := range recs {
		name, ok := names[r.Reporter]
		if !ok {
			u, err := tx.User(Address(r.Reporter))
			if err != nil && !IsNotFound(err) {
				return err
			}
			name, names[r.Reporter] = u.Name, u.Name
		}
		recs[i].ReporterName = name
	}
	return nil
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
// them, and how people read the form in the exports they open (Layout):
// its name, whether its reports have a status and an urgency, each answer
// column's header and type, and an answer as people read it.
type FormKeys struct {
	Kind ReportKind
	Keys []string
	// Title is the catalog key of the kind's name.
	Title string
	// Status and Urgent are set for a kind whose reports have a status
	// (Report.Status) or may be urgent (Report.Urgent).
	Status, Urgent bool
	// Column, if set, returns an answer column's header and type in lang,
	// and Value an answer as people read it; without them a column is
	// headed by its key and shows the answer as stored.
	Column func(key, lang string) (string, CellType)
	Value  func(key, value, lang string) string
}

// forms are the report forms' answer keys, in the order of the report
// menu, as SetForms registered them.
var forms atomic.Pointer[[]FormKeys]

// SetForms registers the report forms, in the order of the report menu,
// for the columns of every CSV export (AnswerKeys, Layout). Package flows
// declares the forms and imports this one, so the program that wires them
// registers them once as it starts; until then, and after SetForms(nil),
// answer columns are in alphabetical order, headed by their keys.
func SetForms(f []FormKeys) {
	if f == nil {
		forms.Store(nil)
		return
	}
	f = slices.Clone(f)
	forms.Store(&f)
}

// registered returns the registered forms, none if there are none.
func registered() []FormKeys {
	if f := forms.Load(); f != nil {
		return *f
	}
	return nil
}

// AnswerKeys returns the answer columns of an export of recs: for each
// kind among them, all the keys of its form in the form's order (the
// kinds in the order of the report menu), then any other answer keys in
// alphabetical order. An export has the same columns whoever asks for it.
func AnswerKeys(recs []ExportRecord) []string {
	var keys []string
	for _, form := range registered() {
		if !slices.ContainsFunc(recs, func(r ExportRecord) bool { return r.Kind == form.Kind }) {
			continue
		}
		for _, k := range form.Keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
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

// CSV says how a CSV export is written. Every CSV export goes through
// here: the chat's /xuat, the weekly summary's file and the command
// line's. The UTF-8 byte-order mark lets spreadsheet programs read the
// Vietnamese; no cell can become a formula in a spreadsheet (see cell);
// no two columns have the same header.
type CSV struct {
	// Codes writes what programs read: the fixed columns by name (id,
	// kind, group, …), the answers under their keys as stored (codes such
	// as "theft", dates as 2026-11-24, the time sent in RFC 3339).
	// Otherwise the file is as people read it, in Vietnamese, the
	// language of the official forms: the columns of Layout, labels,
	// dd/mm/yyyy.
	Codes bool
	// Kind, if set, is the one kind the export holds: only the columns
	// of its form, in its order, even when there is no report.
	Kind ReportKind
	// Keys orders the answer columns of the codes of several kinds (then
	// any others, sorted); nil, the forms' own (AnswerKeys).
	Keys []string
}

// Write writes recs with a header row.
func (c CSV) Write(w io.Writer, recs []ExportRecord) error {
	var t Table
	if c.Codes {
		t = c.codes(recs)
	} else {
		t = Layout(c.formsOf(recs), recs, "vi")
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	write := func(row []string) {
		out := make([]string, len(row))
		for i := range row {
			out[i] = cell(row[i])
		}
		cw.Write(out)
	}
	write(t.Header)
	for _, row := range t.Rows {
		write(row)
	}
	cw.Flush()
	return cw.Error()
}

// formsOf returns the forms of the kinds recs hold (of c.Kind alone, if
// set), in the order of the report menu.
func (c CSV) formsOf(recs []ExportRecord) []FormKeys {
	if c.Kind != "" {
		return []FormKeys{formOf(c.Kind)}
	}
	return formsIn(recs)
}

// codeColumns are the fixed columns of the codes, before the answers.
var codeColumns = []string{"id", "kind", "group", "group_name", "reporter", "reporter_name", "created_at", "status", "urgent", "corrections"}

// codes lays recs out for programs: the fixed columns (with the number
// of corrections, so a reader sees a report was edited; of one kind, only
// those it has), then one column per answer key, less the answers a fixed
// column already shows (a case's status, whether an incident is urgent).
func (c CSV) codes(recs []ExportRecord) Table {
	keys := AnswerKeys(recs)
	if c.Keys != nil {
		keys = withExtra(c.Keys, recs)
	}
	fixed := slices.Clone(codeColumns)
	if c.Kind != "" {
		f := formOf(c.Kind)
		keys = withExtra(f.Keys, recs)
		fixed = slices.DeleteFunc(fixed, func(col string) bool {
			return (col == "status" && !f.Status) || (col == "urgent" && !f.Urgent)
		})
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(fixed, k) })
	t := Table{Header: append(fixed, keys...)}
	for _, r := range recs {
		row := make([]string, 0, len(t.Header))
		for _, col := range fixed {
			row = append(row, r.code(col))
		}
		for _, k := range keys {
			row = append(row, r.Answers[k])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// code returns a fixed column of the codes.
func (r ExportRecord) code(col string) string {
	switch col {
	case "id":
		return r.ID
	case "kind":
		return string(r.Kind)
	case "group":
		return r.Group
	case "group_name":
		return r.GroupName
	case "reporter":
		return r.Reporter
	case "reporter_name":
		return r.ReporterName
	case "created_at":
		return r.CreatedAt
	case "status":
		return r.Status
	case "urgent":
		return strconv.FormatBool(r.Urgent)
	case "corrections":
		return strconv.Itoa(len(r.Revisions))
	}
	return ""
}

// WriteCSV writes the records for programs (CSV.Codes), the answer
// columns those of answerOrder, then any others sorted, or, when
// answerOrder is nil, the forms' own (AnswerKeys).
func WriteCSV(w io.Writer, recs []ExportRecord, answerOrder []string) error {
	return CSV{Codes: true, Keys: answerOrder}.Write(w, recs)
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

// CellType is what a table's column holds, for a spreadsheet to store it
// as such; its cells are the text people read either way.
type CellType int

// The types of a column, and the form of their cells.
const (
	CellText     CellType = iota
	CellNumber            // a whole number, 12
	CellDate              // 24/11/2026
	CellDateTime          // 24/11/2026 21:30
	CellTime              // 21:30
)

// Table is one sheet of an export: a name, a header row, the columns'
// types and rows of text as people read it.
type Table struct {
	Name   string
	Header []string
	// Types are the columns' types; a column past its end is text.
	Types []CellType
	Rows  [][]string
}

// formsIn returns the forms of the kinds recs hold, in the order of the
// report menu, then those of kinds no form registered.
func formsIn(recs []ExportRecord) []FormKeys {
	var out []FormKeys
	for _, f := range registered() {
		if slices.ContainsFunc(recs, func(r ExportRecord) bool { return r.Kind == f.Kind }) {
			out = append(out, f)
		}
	}
	for _, r := range recs {
		if !slices.ContainsFunc(out, func(f FormKeys) bool { return f.Kind == r.Kind }) {
			out = append(out, formOf(r.Kind))
		}
	}
	return out
}

// formOf returns the registered form of kind, or one of keys alone with a
// status and an urgency if none is.
func formOf(kind ReportKind) FormKeys {
	for _, f := range registered() {
		if f.Kind == kind {
			return f
		}
	}
	return FormKeys{Kind: kind, Title: "kind." + string(kind), Status: true, Urgent: true}
}

// column is one column of Layout: its header, its type and its cell of a
// record.
type column struct {
	header string
	typ    CellType
	value  func(r ExportRecord) string
}

// Layout lays recs out as people read them, in lang, in one table with
// the columns of forms (Layout of one form is its sheet of an Excel
// export): the reference number; the kind, when there are several; the
// group's name; the reporter's name (their address if it is not known);
// when it was sent; the status and whether urgent, for forms that have
// them; the corrections; then the answers of each form in its order, less
// those the status and urgency show, and any others under their keys.
// Forms' answers under the same header share its column: each report
// fills its own kind's. Values are labels, dates dd/mm/yyyy.
func Layout(forms []FormKeys, recs []ExportRecord, lang string) Table {
	cols := fixedColumns(forms, lang)
	answers := len(cols)
	for _, f := range forms {
		cols = answerColumns(cols, answers, f, recs, lang)
	}
	var t Table
	for _, c := range cols {
		t.Header = append(t.Header, c.header)
		t.Types = append(t.Types, c.typ)
	}
	for _, r := range recs {
		if !slices.ContainsFunc(forms, func(f FormKeys) bool { return f.Kind == r.Kind }) {
			continue
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = c.value(r)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// fixedColumns are Layout's columns before the answers.
func fixedColumns(forms []FormKeys, lang string) []column {
	title := map[ReportKind]string{}
	for _, f := range forms {
		title[f.Kind] = i18n.T(lang, cmp.Or(f.Title, "kind."+string(f.Kind)))
	}
	cols := []column{{i18n.T(lang, "col.id"), CellText, func(r ExportRecord) string { return r.ID }}}
	if len(forms) > 1 {
		cols = append(cols, column{i18n.T(lang, "col.kind"), CellText, func(r ExportRecord) string { return title[r.Kind] }})
	}
	cols = append(cols,
		column{i18n.T(lang, "col.group"), CellText, func(r ExportRecord) string { return cmp.Or(r.GroupName, r.Group) }},
		column{i18n.T(lang, "col.reporter_name"), CellText, func(r ExportRecord) string { return cmp.Or(r.ReporterName, r.Reporter) }},
		column{i18n.T(lang, "col.created"), CellDateTime, func(r ExportRecord) string { return localTime(r.CreatedAt) }})
	if slices.ContainsFunc(forms, func(f FormKeys) bool { return f.Status }) {
		cols = append(cols, column{i18n.T(lang, "col.status"), CellText, func(r ExportRecord) string {
			if r.Status == "" {
				return ""
			}
			return i18n.T(lang, "status."+r.Status)
		}})
	}
	urgent := map[ReportKind]bool{} // the kinds that may be urgent
	for _, f := range forms {
		urgent[f.Kind] = f.Urgent
	}
	if slices.ContainsFunc(forms, func(f FormKeys) bool { return f.Urgent }) {
		cols = append(cols, column{i18n.T(lang, "col.urgent"), CellText, func(r ExportRecord) string {
			if !urgent[r.Kind] {
				return ""
			}
			return i18n.T(lang, map[bool]string{true: "yes", false: "no"}[r.Urgent])
		}})
	}
	return append(cols, column{i18n.T(lang, "col.corrections"), CellNumber, func(r ExportRecord) string { return strconv.Itoa(len(r.Revisions)) }})
}

// answerColumns adds to cols the answer columns of form f, merging into a
// column from answers on with the same header.
func answerColumns(cols []column, answers int, f FormKeys, recs []ExportRecord, lang string) []column {
	keys := f.Keys
	var mine []ExportRecord
	for _, r := range recs {
		if r.Kind == f.Kind {
			mine = append(mine, r)
		}
	}
	keys = slices.DeleteFunc(withExtra(keys, mine), func(k string) bool {
		return (k == KeyStatus && f.Status) || (k == KeyUrgent && f.Urgent)
	})
	for _, k := range keys {
		header, typ := k, CellText
		if f.Column != nil && slices.Contains(f.Keys, k) {
			header, typ = f.Column(k, lang)
		}
		value := func(r ExportRecord) string {
			v, ok := r.Answers[k]
			if !ok || f.Value == nil {
				return v
			}
			return f.Value(k, v, lang)
		}
		i := slices.IndexFunc(cols[answers:], func(c column) bool { return c.header == header })
		if i < 0 {
			cols = append(cols, column{header, typ, func(r ExportRecord) string {
				if r.Kind != f.Kind {
					return ""
				}
				return value(r)
			}})
			continue
		}
		c := &cols[answers+i]
		if c.typ != typ {
			c.typ = CellText
		}
		other := c.value
		c.value = func(r ExportRecord) string {
			if r.Kind == f.Kind {
				return value(r)
			}
			return other(r)
		}
	}
	return cols
}

// localTime writes an RFC 3339 time in its own zone as people read it,
// 24/11/2026 21:30; anything else as it is.
func localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006 15:04")
}
