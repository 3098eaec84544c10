package bot

import "time"

// FlowEngine runs the guided report conversations. It does no I/O: it takes
// a session and an inbound message and returns the next session and the
// replies. Package flows implements it.
type FlowEngine interface {
	// Begin starts a conversation that asks what to report.
	Begin(s Session, now time.Time) Turn
	// Start starts the report of kind at once (from a reminder's button).
	Start(s Session, kind ReportKind, now time.Time) Turn
	// Resume asks whether to continue the draft in s or to start again;
	// when s drafts no report, it asks its current question again.
	Resume(s Session, now time.Time) Turn
	// Handle answers the current question of s with in.
	Handle(s Session, in Inbound, now time.Time) Turn
	// Title returns the display name of a report kind in lang.
	Title(kind ReportKind, lang string) string
	// List offers items (value "o:<report id>") to choose from; a pick
	// comes back as Turn.Open.
	List(s Session, title string, items []Choice, now time.Time) Turn
	// Show shows a sent report in full, with what the user may do.
	Show(s Session, r Report, may Permissions, now time.Time) Turn
	// Describe renders a sent report in full in lang.
	Describe(r Report, lang string) string
	// Tables lays exported reports out as the official forms do, one table
	// per kind present, with headers and values in lang (see Layout).
	Tables(recs []ExportRecord, lang string) []Table
	// Label returns the display form of a stored answer, for lists.
	Label(kind ReportKind, key, value, lang string) string
	// Complete goes on with the questions a report begun as an emergency
	// has no answer to yet, then saves it under its reference number.
	Complete(s Session, r Report, now time.Time) Turn
	// Emergency starts the emergency report at once (/khan).
	Emergency(s Session, now time.Time) Turn
}

// Turn is the result of one step of a conversation.
type Turn struct {
	Session Session
	Replies []Reply
	// Ack is shown for a button press.
	Ack Ack
	// Submit is a finished report to store; the session then ends.
	Submit *Submission
	// End deletes the session (cancelled or submitted).
	End bool
	// Replace asks for the pressed message to be redrawn with the last
	// reply (a ticked choice) instead of sending a new one.
	Replace bool
	// Open asks for the report with this id to be loaded and shown.
	Open string
	// Forged is set for a press that names the current question but a
	// value it never offered: a client changed the button's data.
	Forged bool
}

// Submission is a report a user confirmed.
type Submission struct {
	Kind    ReportKind
	Answers map[string]string
	Urgent  bool
	// Status is the report's first status, if its kind has one, or the
	// new status of an updated case.
	Status string
	// FixOf is the report a correction replaces the answers of.
	FixOf string
	// Continue asks, once the report is stored, for the rest of its
	// questions (FlowEngine.Complete): an emergency, sent after two.
	// Completes marks the saving of those answers.
	Continue, Completes bool
	// UpdateOf is the case whose status changes to Status, with Note.
	UpdateOf string
	Note     string
}
