// Command sample draws the weekly chart of a sample commune, as the
// officials get it on Monday, for the README:
//
//	go run ./chart/cmd/sample -o docs/weekly-chart.png
//	go run ./chart/cmd/sample -lang en -o weekly-chart-en.png
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/chart"
	"github.com/totuquan/totuquan/flows"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "docs/weekly-chart.png", "the PNG `file` to write")
	lang := fs.String("lang", "vi", "the reader's `language`: vi or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	png, err := Draw(*lang)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, png, 0o644)
}

// Counts of the sample's eight weeks, oldest first.
var sample = map[bot.ReportKind][]int{
	bot.KindIncident:  {3, 5, 2, 4, 6, 3, 7, 4},
	bot.KindMediation: {1, 0, 2, 1, 1, 3, 0, 2},
	bot.KindMeeting:   {6, 8, 7, 9, 5, 8, 10, 7},
}

// Draw draws the chart of Xã Tân Lạc's eight weeks to Sunday 29/11/2026,
// for a reader of lang, as the weekly summary does.
func Draw(lang string) ([]byte, error) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	sum := bot.Summary{
		Area: bot.Area{Code: "PT-TL", Name: "Xã Tân Lạc"},
		From: monday, To: monday.AddDate(0, 0, 7), Week: bot.WeekName(monday),
		Kinds: bot.Kinds,
	}
	for i := 7; i >= 0; i-- {
		wc := bot.WeekCounts{Week: bot.WeekName(monday.AddDate(0, 0, -7*i)), Counts: map[bot.ReportKind]int{}}
		for k, counts := range sample {
			wc.Counts[k] = counts[7-i]
		}
		sum.Weeks = append(sum.Weeks, wc)
	}
	return chart.Weekly(sum.WeeklyChart(lang, loc, flows.New(loc, time.Hour).Title))
}
