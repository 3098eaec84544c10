package flows

import (
	"slices"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// Emergency is the village gong: two questions, what and where, and the
// police are told at once. The answers start an urgent incident report,
// whose other questions are asked afterwards (Complete) under the same
// reference number.
var Emergency = &Flow{
	Name:  "emergency",
	Kind:  bot.KindIncident,
	Title: "kind.emergency",
	Steps: []Step{
		{Key: bot.KeyCategory, Kind: Choice, Options: options("cat.", "fire", "fight", "robbery", "lost_person", "other")},
		{Key: "place", Kind: Text, Min: 2, Max: 200, Location: true},
	},
	Immediate: true,
}

// sendNow submits an Immediate flow's answers as an urgent incident, dated
// now, without a confirmation: the rest is asked once the police know.
func (e *Engine) sendNow(s bot.Session, f *Flow, now time.Time) bot.Turn {
	a := applicable(f, s.Answers)
	local := now.In(e.Location)
	a[bot.KeyDate] = civil(local).Format(time.DateOnly)
	a["time"] = local.Format("15:04")
	a[bot.KeyUrgent] = "yes"
	return bot.Turn{Session: s, Submit: &bot.Submission{Kind: bot.KindIncident, Answers: a, Urgent: true,
		Status: bot.StatusNew, Continue: true}}
}

// Complete implements bot.FlowEngine: the incident report rep, begun as an
// emergency, goes on with the questions it has no answer to yet, and is
// saved under its own reference number.
func (e *Engine) Complete(s bot.Session, rep bot.Report, now time.Time) bot.Turn {
	f := Incident
	s.Flow, s.Ref, s.Answers, s.History, s.Editing, s.Filling = f.Name, rep.ID, rep.Answers, nil, false, true
	for _, st := range f.Steps {
		if _, ok := s.Answers[st.Key]; !ok && st.applies(s.Answers) {
			s.Mode, s.Step = modeAsk, st.Key
			return e.next(s, now)
		}
	}
	s.Mode, s.Step = modeConfirm, ""
	return e.next(s, now)
}

// Emergency implements bot.FlowEngine.
func (e *Engine) Emergency(s bot.Session, now time.Time) bot.Turn {
	s.StartedAt = now
	return e.startFlow(s, Emergency, now)
}

// answered lists the keys of s's answers, for a report being filled in.
func answered(s bot.Session, key string) bool {
	_, ok := s.Answers[key]
	return ok && s.Filling && !slices.Contains(s.History, key)
}
