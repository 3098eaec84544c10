package bot

import "time"

// Session is the state of one chat's conversation, saved after every
// update so that a draft survives a restart. Flows own its meaning; the
// dispatcher only loads, stores and deletes it.
type Session struct {
	Chat Address `json:"chat"`
	// Flow is the report being drafted ("incident"), or "" while the user
	// is choosing what to report.
	Flow string `json:"flow,omitempty"`
	// Mode is where in the flow the user is: asking a step, confirming,
	// choosing a field to edit, or deciding whether to resume.
	Mode    string            `json:"mode"`
	Step    string            `json:"step,omitempty"`
	Answers map[string]string `json:"answers,omitempty"`
	// History holds the steps answered so far, for "back".
	History []string `json:"history,omitempty"`
	// Ref is the sent report being viewed, corrected or updated; View is
	// its text as shown, and May what the user may do with it.
	Ref  string      `json:"ref,omitempty"`
	View string      `json:"view,omitempty"`
	May  Permissions `json:"may,omitempty"`
	// Items are the reports listed to choose from.
	Items []Choice `json:"items,omitempty"`
	// Narrow, set when a typed answer matched several options, holds those
	// options' values: the question is asked again offering only them.
	Narrow []string `json:"narrow,omitempty"`
	// Title heads the list.
	Title string `json:"title,omitempty"`
	// Prev is the mode to return to when a paused draft is resumed.
	Prev string `json:"prev,omitempty"`
	// Editing is set while one answer is changed from the confirmation;
	// Filling while a report begun as an emergency is completed, its
	// answered questions skipped.
	Editing bool `json:"editing,omitempty"`
	Filling bool `json:"filling,omitempty"`
	// Limits are facts the flow validates against, such as the group's
	// size (LimitGroupSize), set when the conversation starts.
	Limits map[string]int `json:"limits,omitempty"`
	// Token changes with every new question; buttons carry it so a press
	// on an older message is recognised as stale.
	Token     int       `json:"token"`
	Lang      string    `json:"lang"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Permissions say what a user may do with a report they are shown.
type Permissions struct {
	Fix    bool `json:"fix,omitempty"`    // correct it (its reporter, within CorrectionWindow)
	Update bool `json:"update,omitempty"` // record a new status of an open case
}

// IsDraft reports whether s holds an unsent report with answers, which
// must not be overwritten by another conversation.
func (s Session) IsDraft() bool {
	return s.Flow != "" && s.Ref == "" && len(s.Answers) > 0
}
