package main

import (
	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/chart"
)

// weeklyChart draws the weekly summary's chart with titles, axes and a
// legend (gonum/plot, in chart/), for the dispatcher.
func weeklyChart(c bot.WeeklyChart) ([]byte, error) {
	return chart.Weekly(c)
}
