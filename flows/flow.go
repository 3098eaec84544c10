package flows

import "github.com/totuquan/totuquan/bot"

// StepKind says what answer a step takes.
type StepKind int

// The kinds of step.
const (
	Choice StepKind = iota // one of Options, by button, number or label
	Multi                  // several of Options: ticked buttons and "Xong", or "1, 3, 5"
	Text                   // free text of Min characters up to Max UTF-16 code units (as Telegram counts)
	Number                 // a whole number in Min..Max
	Date                   // a past date: today/yesterday or dd/mm[/yyyy]
	Time                   // a time of day, hh:mm
	Photos                 // up to Max photos, then "Xong"; always optional
)

// Option is one answer of a Choice or Multi step. Label is a catalog key.
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
	Columns  int // buttons per row for Choice and Multi steps (default 1)
	Optional bool
	Min, Max int
	// Limit names a Session.Limits entry that, when known, caps a Number
	// (the group's size caps the households absent); With names an earlier
	// answer that counts against the same cap (present and absent
	// households together may not exceed the group).
	Limit, With string
	// Location lets a map pin answer a Text step.
	Location bool
	// NoFix keeps the step out of corrections after sending: a case's
	// status changes only through an update, which keeps its history.
	NoFix bool
	// When, if set, asks the step only for answers it returns true for.
	When func(answers map[string]string) bool
}

func (st *Step) applies(answers map[string]string) bool {
	return st.When == nil || st.When(answers)
}

// Flow declares one report.
type Flow struct {
	Name  string // also the catalog prefix of its texts
	Kind  bot.ReportKind
	Title string // catalog key of its display name
	Steps []Step
	// Urgent reports whether the answers make the report urgent.
	Urgent func(answers map[string]string) bool
	// Status gives a new report's status from its answers.
	Status func(answers map[string]string) string
	// Immediate flows are sent as soon as their last question is
	// answered, with no confirmation (an emergency).
	Immediate bool
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

// maxPhotos is how many photos one step takes.
const maxPhotos = 10

// Incident is the security and public-order incident report (an ninh trật
// tự). Categories follow the kinds seen in commune police practice.
var Incident = &Flow{
	Name:  "incident",
	Kind:  bot.KindIncident,
	Title: "kind.incident",
	Steps: []Step{
		{Key: bot.KeyCategory, Kind: Choice, Columns: 2, Options: options("cat.",
			"theft", "robbery", "fight", "drugs", "gambling", "prostitution", "fraud", "loan_shark",
			"fire", "traffic", "suspicious", "domestic_violence", "residence", "urban_order",
			"lost_person", "other")},
		{Key: bot.KeyDate, Kind: Date},
		{Key: "time", Kind: Time, Optional: true},
		{Key: "place", Kind: Text, Min: 2, Max: 200, Location: true},
		{Key: "description", Kind: Text, Min: 5, Max: 2000},
		{Key: "people", Kind: Number, Optional: true, Min: 0, Max: 1000},
		{Key: "handling", Kind: Choice, Columns: 2, Options: options("handling.", "on_site", "police", "referred", "none")},
		{Key: bot.KeyUrgent, Kind: Choice, Columns: 2, Options: options("urgent.", "yes", "no")},
		{Key: "photos", Kind: Photos, Optional: true, Max: maxPhotos},
	},
	Urgent: func(a map[string]string) bool { return a[bot.KeyUrgent] == "yes" },
	Status: func(map[string]string) string { return bot.StatusNew },
}

// Meeting is the group meeting record (sinh hoạt tổ), after the
// grassroots-democracy minutes template.
var Meeting = &Flow{
	Name:  "meeting",
	Kind:  bot.KindMeeting,
	Title: "kind.meeting",
	Steps: []Step{
		{Key: bot.KeyDate, Kind: Date},
		{Key: "time", Kind: Time},
		{Key: "venue", Kind: Text, Min: 2, Max: 200},
		{Key: "chair", Kind: Text, Optional: true, Min: 2, Max: 100},
		{Key: "secretary", Kind: Text, Optional: true, Min: 2, Max: 100},
		{Key: "present", Kind: Number, Min: 0, Max: 10000, Limit: bot.LimitGroupSize, With: "absent"},
		{Key: "absent", Kind: Number, Min: 0, Max: 10000, Limit: bot.LimitGroupSize, With: "present"},
		{Key: "guests", Kind: Multi, Optional: true, Columns: 2, Options: options("guest.", "police", "mttq", "ubnd", "other")},
		{Key: "topics", Kind: Multi, Columns: 2, Options: options("topic.",
			"security", "mediation", "legal", "patrol", "fire", "sanitation", "fundraising", "other")},
		{Key: "conclusions", Kind: Text, Min: 5, Max: 2000},
		{Key: "vote", Kind: Choice, Optional: true, Columns: 3, Options: options("vote.", "agree", "disagree", "other")},
		{Key: "tasks", Kind: Text, Optional: true, Min: 2, Max: 2000},
		{Key: "photos", Kind: Photos, Optional: true, Max: maxPhotos},
	},
}

// mediable is false for a case that the law leaves to the police or the
// commune (Luật Hòa giải ở cơ sở, Điều 3).
func mediable(a map[string]string) bool { return a[bot.KeyCaseType] != bot.CaseNotMediable }

// Mediation is a case of the mediation log (sổ theo dõi hoạt động hòa giải
// ở cơ sở). A case stays open until its outcome is recorded.
var Mediation = &Flow{
	Name:  "mediation",
	Kind:  bot.KindMediation,
	Title: "kind.mediation",
	Steps: []Step{
		{Key: "received", Kind: Date},
		{Key: "mediators", Kind: Text, Min: 2, Max: 300},
		{Key: "parties", Kind: Text, Min: 5, Max: 1000},
		{Key: "substance", Kind: Text, Min: 5, Max: 2000},
		{Key: bot.KeyCaseType, Kind: Choice, NoFix: true, Options: options("case.",
			"neighbour", bot.CaseCivil, bot.CaseFamily, "minor_violation", bot.CaseOther, bot.CaseNotMediable)},
		{Key: "refer", Kind: Choice, NoFix: true, Options: options("refer.", "yes"), When: func(a map[string]string) bool { return !mediable(a) }},
		{Key: bot.KeyStatus, Kind: Choice, NoFix: true, Columns: 2, When: mediable, Options: options("status.",
			bot.StatusReceived, bot.StatusInProgress, bot.StatusSuccess, bot.StatusFailed, bot.StatusReferred)},
		{Key: "agreement", Kind: Text, Optional: true, Min: 2, Max: 2000},
		{Key: "notes", Kind: Text, Optional: true, Min: 2, Max: 1000},
	},
	Status: func(a map[string]string) string {
		if !mediable(a) {
			return bot.StatusReferred
		}
		return a[bot.KeyStatus]
	},
}

// OpenStatuses are the mediation statuses of a case still in hand.
var OpenStatuses = []string{bot.StatusReceived, bot.StatusInProgress}
