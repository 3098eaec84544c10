package bot

// The answer keys, statuses and answer values that the flows write and
// the rest of the bot reads, named once. They are untyped string
// constants: Report.Answers, Report.Status and CaseUpdate.Status stay
// plain strings, stored and exported as they always were.

// Answer keys: the keys of Report.Answers (and Session.Answers) that code
// reads, beyond showing and exporting every answer.
const (
	// KeyCategory is an incident's category ("theft", "fight"…), counted
	// in the summaries.
	KeyCategory = "category"
	// KeyDate is the day an incident happened or a meeting was held, as
	// 2006-01-02; a time of day is checked against it.
	KeyDate = "date"
	// KeyUrgent is whether an incident is urgent: "yes" or "no".
	KeyUrgent = "urgent"
	// KeyLocation is the map pin ("lat,lon") of a place, kept beside the
	// place's own answer.
	KeyLocation = "location"
	// KeyCaseType is a mediation case's field, one of the Case values.
	KeyCaseType = "case_type"
	// KeyStatus is a mediation case's status as it is recorded or updated.
	KeyStatus = "status"
	// KeyNote is a case update's note.
	KeyNote = "note"
)

// Mediation case statuses (Report.Status of a KindMediation report). A
// case stays open while it is StatusReceived or StatusInProgress. The
// incident statuses are StatusNew, StatusAcknowledged and StatusHandled.
const (
	StatusReceived   = "received"
	StatusInProgress = "in_progress"
	StatusSuccess    = "success"
	StatusFailed     = "failed"
	StatusReferred   = "referred"
)

// Incident statuses: new when sent, then set by officials from the alert.
const (
	StatusNew          = "new"
	StatusAcknowledged = "acknowledged"
	StatusHandled      = "handled"
)

// Mediation case types (KeyCaseType) that the statistics' buckets and the
// flows tell apart; the others count as CaseOther.
const (
	CaseCivil  = "civil"
	CaseFamily = "family"
	CaseOther  = "other"
	// CaseNotMediable is a case the law leaves to the police or the
	// commune: it is recorded as StatusReferred.
	CaseNotMediable = "not_mediable"
)

// LimitGroupSize names the Session.Limits entry holding the group's number
// of households, which caps the households counted at a meeting.
const LimitGroupSize = "group_size"
