package flows

import "github.com/totuquan/totuquan/bot"

// StepKind says what answer a step takes.
type StepKind int

// The kinds of step.
const (
	Choice StepKind = iota // one of Options, by button, number or label
	Text                   // free text of Min..Max characters
	Number                 // a whole number in Min..Max
	Date                   // a past date: today/yesterday or dd/mm[/yyyy]
	Time                   // a time of day, hh:mm
)

// Option is one answer of a Choice step. Label is a catalog key.
type Option struct {
	Value string
	Label string
}

// Step is one question. Its answer is stored under Key; its question text
// is the catalog key "<flow>.<key>.q" and its label in summaries
// "<flow>.<key>".
type Step struct {
	Key      string
	Kind     StepKind
	Options  []Option
	Columns  int // buttons per row for Choice steps (default 1)
	Optional bool
	Min, Max int
}

// Flow declares one report.
type Flow struct {
	Name  string // also the catalog prefix of its texts
	Kind  bot.ReportKind
	Title string // catalog key of its display name
	Steps []Step
	// Urgent reports whether the answers make the report urgent.
	Urgent func(answers map[string]string) bool
}

func (f *Flow) step(key string) (int, *Step) {
	for i := range f.Steps {
		if f.Steps[i].Key == key {
			return i, &f.Steps[i]
		}
	}
	return -1, nil
}

func options(prefix string, values ...string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: prefix + v}
	}
	return out
}

// Incident is the security and public-order incident report (an ninh trật
// tự). Categories follow the kinds seen in commune police practice.
var Incident = &Flow{
	Name:  "incident",
	Kind:  bot.KindIncident,
	Title: "kind.incident",
	Steps: []Step{
		{Key: "category", Kind: Choice, Columns: 2, Options: options("cat.",
			"theft", "robbery", "fight", "drugs", "gambling", "prostitution", "fraud", "loan_shark",
			"fire", "traffic", "suspicious", "domestic_violence", "residence", "urban_order",
			"lost_person", "other")},
		{Key: "date", Kind: Date},
		{Key: "time", Kind: Time, Optional: true},
		{Key: "place", Kind: Text, Min: 2, Max: 200},
		{Key: "description", Kind: Text, Min: 5, Max: 2000},
		{Key: "people", Kind: Number, Optional: true, Min: 0, Max: 1000},
		{Key: "handling", Kind: Choice, Columns: 2, Options: options("handling.", "on_site", "police", "referred", "none")},
		{Key: "urgent", Kind: Choice, Columns: 2, Options: options("urgent.", "yes", "no")},
	},
	Urgent: func(a map[string]string) bool { return a["urgent"] == "yes" },
}
