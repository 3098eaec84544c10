package bot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// Chart colours by kind, the same in every chart so that the caption's
// coloured squares name them: Okabe and Ito's vermilion, blue and bluish
// green, which people with any common colour blindness tell apart.
var chartColors = map[ReportKind]color.RGBA{
	KindIncident:  {0xd5, 0x5e, 0x00, 0xff}, // vermilion 🟥
	KindMediation: {0x00, 0x72, 0xb2, 0xff}, // blue 🟦
	KindMeeting:   {0x00, 0x9e, 0x73, 0xff}, // bluish green 🟩
}

// WeeklyChart is what the weekly summary's chart shows, its texts in the
// reader's language: for each week a group of bars, one per kind.
type WeeklyChart struct {
	// Title names the area and the weeks: "Xã Tân Lạc · 8 tuần đến 29/11/2026".
	Title string
	// Weeks are the labels under each week's bars, oldest first: the
	// week's Monday, "23/11".
	Weeks []string
	// XLabel says what the weeks' labels are, YLabel what the bars count.
	XLabel, YLabel string
	// Series are the kinds, in the order of the summary and the caption.
	Series []ChartSeries
}

// ChartSeries is one kind's bars.
type ChartSeries struct {
	Label  string     // the kind's name, for the legend: "An ninh trật tự"
	Color  color.RGBA // the kind's colour, the same in every chart
	Counts []int      // the number of reports, one per week
}

// WeeklyChart returns what the chart of the summary's last weeks shows to
// a reader of lang: title gives the kinds' names.
func (s Summary) WeeklyChart(lang string, loc *time.Location, title func(ReportKind, string) string) WeeklyChart {
	last := s.To.Add(-time.Nanosecond).In(loc)
	c := WeeklyChart{
		Title:  i18n.T(lang, "chart.title", s.Area.Name, len(s.Weeks), last.Format("02/01/2006")),
		XLabel: i18n.T(lang, "chart.weeks"),
		YLabel: i18n.T(lang, "chart.reports"),
	}
	for _, wk := range s.Weeks {
		label := wk.Week
		if monday, err := ParseWeek(wk.Week, loc); err == nil {
			label = monday.Format("02/01")
		}
		c.Weeks = append(c.Weeks, label)
	}
	for _, k := range s.Kinds {
		ser := ChartSeries{Label: title(k, lang), Color: chartColors[k]}
		for _, wk := range s.Weeks {
			ser.Counts = append(ser.Counts, wk.Counts[k])
		}
		c.Series = append(c.Series, ser)
	}
	return c
}

// chart draws the summary's chart with the injected Chart, or with the
// plain bars of Chart when none was given or it failed: the caption
// carries the numbers and names the colours either way.
func (d *Dispatcher) chart(sum Summary, lang string) []byte {
	c := sum.WeeklyChart(lang, d.Location, d.Flows.Title)
	if d.Chart != nil {
		data, err := d.Chart(c)
		if err == nil {
			return data
		}
		d.Log.Warn("weekly chart failed; sending the plain one", "area", sum.Area.Code, "week", sum.Week, "err", err)
	}
	return Chart(c)
}

// Chart draws c's weeks as groups of bars, one bar per series, as a PNG,
// without a plotting library. It has no text: the message's caption says
// which colour is which and gives the numbers, in the reader's language.
// It is the chart when the dispatcher has no Chart to draw a full one.
func Chart(c WeeklyChart) []byte {
	const (
		w, h     = 640, 320
		margin   = 24
		barWidth = 18
	)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.Color) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Set(x, y, c)
			}
		}
	}
	fill(img.Bounds(), color.White)
	top := 1
	for _, s := range c.Series {
		for _, n := range s.Counts {
			top = max(top, n)
		}
	}
	base := h - margin
	grey := color.RGBA{0xc8, 0xc8, 0xc8, 0xff}
	for i := 0; i <= 4; i++ { // grid at quarters of the highest bar
		y := base - (base-margin)*i/4
		fill(image.Rect(margin, y, w-margin, y+1), grey)
	}
	slot := (w - 2*margin) / max(1, len(c.Weeks))
	for i := range c.Weeks {
		x := margin + i*slot + (slot-len(c.Series)*barWidth)/2
		for j, s := range c.Series {
			n := 0
			if i < len(s.Counts) {
				n = s.Counts[i]
			}
			hgt := (base - margin) * n / top
			fill(image.Rect(x+j*barWidth, base-hgt, x+(j+1)*barWidth-2, base), s.Color)
		}
	}
	fill(image.Rect(margin, base, w-margin, base+2), color.Black)
	var buf bytes.Buffer
	png.Encode(&buf, img) // writing to memory cannot fail
	return buf.Bytes()
}
