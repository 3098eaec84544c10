package main

import "github.com/totuquan/totuquan/bot"

// An exercise is one task of a training session. It is done when the store
// holds what doing it leaves behind, whoever clicked what.
type exercise struct {
	ID    string
	Phone string // the phone it is done on
	Done  func([]bot.Report) bool
}

var exercises = []exercise{
	{ID: "theft", Phone: "lan", Done: anyReport(func(r bot.Report) bool {
		return r.Kind == bot.KindIncident && r.Answers[bot.KeyCategory] == "theft"
	})},
	{ID: "fire", Phone: "minh", Done: anyReport(func(r bot.Report) bool {
		return r.Kind == bot.KindIncident && r.Urgent && r.Answers[bot.KeyCategory] == "fire"
	})},
	{ID: "meeting", Phone: "minh", Done: anyReport(func(r bot.Report) bool { return r.Kind == bot.KindMeeting })},
	{ID: "mediation", Phone: "lan", Done: anyReport(func(r bot.Report) bool {
		return r.Kind == bot.KindMediation && len(r.Updates) > 0
	})},
	{ID: "correction", Phone: "lan", Done: anyReport(func(r bot.Report) bool { return len(r.Revisions) > 0 })},
}

func anyReport(ok func(bot.Report) bool) func([]bot.Report) bool {
	return func(rs []bot.Report) bool {
		for _, r := range rs {
			if ok(r) {
				return true
			}
		}
		return false
	}
}
