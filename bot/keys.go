package bot

import (
	"fmt"
	"strconv"
	"strings"
)

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

// A voice message kept as a text answer: "voice:<seconds>:<file>", the
// file the platform's id or the stored file.
const voicePrefix = "voice:"

// VoiceAnswer is the answer that keeps a voice message of seconds.
func VoiceAnswer(file string, seconds int) string {
	return voicePrefix + strconv.Itoa(max(0, seconds)) + ":" + file
}

// ParseVoice reads an answer made by VoiceAnswer.
func ParseVoice(answer string) (file string, seconds int, ok bool) {
	rest, ok := strings.CutPrefix(answer, voicePrefix)
	if !ok {
		return "", 0, false
	}
	secs, file, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(secs)
	if !ok || err != nil || file == "" {
		return "", 0, false
	}
	return file, n, true
}

// VoiceLabel shows a voice answer as people read it: "🎤 0:42".
func VoiceLabel(seconds int) string {
	return fmt.Sprintf("🎤 %d:%02d", seconds/60, seconds%60)
}
