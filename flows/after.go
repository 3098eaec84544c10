package flows

import (
	"slices"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
)

// Modes after a report is sent.
const (
	modeList = "list" // choosing a report from Session.Items
	modeView = "view" // a report shown in full
)

// Actions on a report shown in full.
const (
	actFix    = "!fix"
	actUpdate = "!upd"
)

// CaseUpdate records a new status of an open mediation case, with a note.
var CaseUpdate = &Flow{
	Name:  "caseupdate",
	Kind:  bot.KindMediation,
	Title: "kind.case_update",
	Steps: []Step{
		{Key: bot.KeyStatus, Kind: Choice, Columns: 2, Options: options("status.", bot.StatusInProgress, bot.StatusSuccess, bot.StatusFailed, bot.StatusReferred)},
		{Key: bot.KeyNote, Kind: Text, Optional: true, Min: 2, Max: 1000},
	},
}

// List implements bot.FlowEngine.
func (e *Engine) List(s bot.Session, title string, items []bot.Choice, now time.Time) bot.Turn {
	s.Flow, s.Answers, s.History, s.Editing, s.Ref, s.View = "", nil, nil, false, "", ""
	s.Mode, s.Title, s.Items = modeList, title, items
	return e.next(s, now)
}

// Show implements bot.FlowEngine.
func (e *Engine) Show(s bot.Session, r bot.Report, may bot.Permissions, now time.Time) bot.Turn {
	f := e.flowOf(r.Kind)
	s.Flow, s.Mode, s.Ref, s.View, s.May = f.Name, modeView, r.ID, e.Describe(r, s.Lang), may
	s.Answers, s.History, s.Editing, s.Step = r.Answers, nil, false, ""
	return e.next(s, now)
}

// Describe implements bot.FlowEngine: the report's number, kind, times,
// status, corrections, answers and history.
func (e *Engine) Describe(r bot.Report, lang string) string {
	f := e.flowOf(r.Kind)
	at := func(t time.Time) string { return t.In(e.Location).Format("15:04 02/01/2006") }
	var b strings.Builder
	b.WriteString("📄 " + r.ID + " · " + i18n.T(lang, f.Title))
	b.WriteString("\n" + i18n.T(lang, "view.sent", at(r.CreatedAt)))
	if r.Status != "" {
		b.WriteString("\n" + i18n.T(lang, "view.status", i18n.T(lang, "status."+r.Status)))
	}
	if n := len(r.Revisions); n > 0 {
		b.WriteString("\n" + i18n.N(lang, "view.edited", n, n, at(r.Revisions[n-1].At)))
	}
	b.WriteString("\n\n" + e.Summary(f, r.Answers, lang))
	if len(r.Updates) > 0 {
		b.WriteString("\n\n" + i18n.T(lang, "view.updates"))
		for _, u := range r.Updates {
			b.WriteString("\n• " + at(u.At) + ": " + i18n.T(lang, "status."+u.Status))
			if u.Note != "" {
				b.WriteString(" — " + u.Note)
			}
		}
	}
	return b.String()
}

// Label implements bot.FlowEngine.
func (e *Engine) Label(kind bot.ReportKind, key, value, lang string) string {
	f := e.flowOf(kind)
	if _, st := f.step(key); st != nil {
		return e.display(st, value, lang)
	}
	return value
}

// flowOf returns the report flow of a kind.
func (e *Engine) flowOf(kind bot.ReportKind) *Flow {
	for _, f := range e.Flows {
		if f.Kind == kind {
			return f
		}
	}
	return Incident
}

// actAfter handles the list and view modes.
func (e *Engine) actAfter(s bot.Session, value string, now time.Time) (bot.Turn, bool) {
	switch s.Mode {
	case modeList:
		if kind, id, ok := bot.ParseButton(value); ok && kind == bot.ButtonOpen {
			for _, it := range s.Items {
				if strings.HasSuffix(it.Value, "|"+value) || it.Value == value {
					return bot.Turn{Session: s, Open: id}, true
				}
			}
		}
	case modeView:
		switch {
		case value == actFix && s.May.Fix:
			s.Mode, s.Editing = modeEdit, false
			return e.next(s, now), true
		case value == actBack:
			return bot.Turn{Session: s, Open: s.Ref}, true
		case value == actUpdate && s.May.Update:
			s.Flow, s.Mode, s.Step, s.Answers, s.History = CaseUpdate.Name, modeAsk, CaseUpdate.Steps[0].Key, map[string]string{}, nil
			return e.next(s, now), true
		}
	}
	return bot.Turn{}, false
}

// renderAfter draws the list and view modes.
func (e *Engine) renderAfter(s bot.Session, tok string, btn func(string, string) bot.Choice) (bot.Reply, bool) {
	switch s.Mode {
	case modeList:
		r := bot.Reply{Text: s.Title}
		for _, it := range s.Items {
			r.Choices = append(r.Choices, []bot.Choice{{Label: it.Label, Value: tok + it.Value}})
		}
		r.Choices = append(r.Choices, []bot.Choice{btn("nav.close", actCancel)})
		return r, true
	case modeView:
		r := bot.Reply{Text: s.View}
		var row []bot.Choice
		if s.May.Fix {
			row = append(row, btn("view.fix", actFix))
		}
		if s.May.Update {
			row = append(row, btn("view.update", actUpdate))
		}
		if len(row) > 0 {
			r.Choices = append(r.Choices, row)
		}
		r.Choices = append(r.Choices, []bot.Choice{btn("nav.close", actCancel)})
		return r, true
	}
	return bot.Reply{}, false
}

// Tables implements bot.FlowEngine: one table per kind, in the order of
// the report menu, laid out as bot.Layout does with the engine's forms.
func (e *Engine) Tables(recs []bot.ExportRecord, lang string) []bot.Table {
	var out []bot.Table
	for _, form := range e.Forms() {
		if !slices.ContainsFunc(recs, func(r bot.ExportRecord) bool { return r.Kind == form.Kind }) {
			continue
		}
		t := bot.Layout([]bot.FormKeys{form}, recs, lang)
		t.Name = i18n.T(lang, form.Title)
		out = append(out, t)
	}
	return out
}

// Forms returns the engine's report forms as the exports lay them out:
// each step a column headed by its label, of the type of its answers
// (numbers, dates, times), its values as people read them (labels,
// dd/mm/yyyy).
func (e *Engine) Forms() []bot.FormKeys {
	var out []bot.FormKeys
	for _, f := range e.Flows {
		form := bot.FormKeys{Kind: f.Kind, Title: f.Title, Status: f.Status != nil, Urgent: f.Urgent != nil,
			Column: func(key, lang string) (string, bot.CellType) {
				_, st := f.step(key)
				return i18n.T(lang, f.Name+"."+key), cellType(st)
			},
			Value: func(key, value, lang string) string {
				if file, secs, ok := bot.ParseVoice(value); ok {
					// An export names the voice message's file, to find it.
					return bot.VoiceLabel(secs) + " (" + file + ")"
				}
				if _, st := f.step(key); st != nil {
					return e.display(st, value, lang)
				}
				return value
			},
		}
		for _, st := range f.Steps {
			form.Keys = append(form.Keys, st.Key)
		}
		out = append(out, form)
	}
	return out
}

// cellType is the type of a step's answers in an export.
func cellType(st *Step) bot.CellType {
	switch {
	case st == nil:
		return bot.CellText
	case st.Kind == Number:
		return bot.CellNumber
	case st.Kind == Date:
		return bot.CellDate
	case st.Kind == Time:
		return bot.CellTime
	}
	return bot.CellText
}
