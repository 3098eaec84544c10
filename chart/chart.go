// Package chart draws the weekly summary's chart of the last weeks'
// reports by kind as a PNG for an official's phone. It is the only package
// that imports gonum.org/v1/plot.
//
// The text is Liberation Sans, which has every Vietnamese letter with its
// tone marks and comes embedded with plot; texts are put in NFC first, so
// that a name typed with combining marks draws the same.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"strconv"
	"strings"

	stdfont "golang.org/x/image/font"
	"golang.org/x/text/unicode/norm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/totuquan/totuquan/bot"
)

// Width and Height of the PNG in pixels: at 72 dots per inch a point is a
// pixel, so the sizes below are pixels too.
const (
	Width, Height = 1000, 600
	dpi           = 72
)

// Text sizes, large enough to read on a phone without zooming in.
const (
	titleSize  = 34
	legendSize = 28
	tickSize   = 26
	axisSize   = 24
	valueSize  = 22
	minTitle   = 22 // a long area name shrinks the title down to this
	margin     = 20
)

var (
	ink   = color.RGBA{0x21, 0x21, 0x21, 0xff} // text and axes: near black
	faint = color.RGBA{0xd0, 0xd0, 0xd0, 0xff} // grid lines
	sans  = font.Font{Typeface: "Liberation", Variant: "Sans"}
	bold  = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: stdfont.WeightBold}
)

// Weekly draws c as a Width×Height PNG: the title on top, the legend
// under it, then for each week a group of bars, one per series in the
// legend's order with its count above it, the weeks' labels under them and
// whole counts on the y axis.
func Weekly(c bot.WeeklyChart) ([]byte, error) {
	if len(c.Weeks) == 0 {
		return nil, fmt.Errorf("chart: no weeks")
	}
	for _, s := range c.Series {
		if len(s.Counts) != len(c.Weeks) {
			return nil, fmt.Errorf("chart: %q has %d counts for %d weeks", s.Label, len(s.Counts), len(c.Weeks))
		}
	}
	c = normalized(c)
	img := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	dc = draw.Crop(dc, margin, -margin, margin/2, -margin)

	top := drawTitle(dc, c.Title)
	top += drawLegend(draw.Crop(dc, 0, 0, 0, -top), c.Series)
	wp, err := newPlot(c)
	if err != nil {
		return nil, err
	}
	area := draw.Crop(dc, 0, 0, 0, -top-margin/2)
	wp.fitBars(area)
	wp.Draw(area)

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// normalized returns c with its texts in NFC, the form the font's
// precomposed letters match.
func normalized(c bot.WeeklyChart) bot.WeeklyChart {
	c.Title, c.XLabel, c.YLabel = norm.NFC.String(c.Title), norm.NFC.String(c.XLabel), norm.NFC.String(c.YLabel)
	c.Weeks = append([]string(nil), c.Weeks...)
	for i := range c.Weeks {
		c.Weeks[i] = norm.NFC.String(c.Weeks[i])
	}
	c.Series = append([]bot.ChartSeries(nil), c.Series...)
	for i := range c.Series {
		c.Series[i].Label = norm.NFC.String(c.Series[i].Label)
	}
	return c
}

func style(f font.Font, size vg.Length) text.Style {
	return text.Style{Color: ink, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// drawTitle draws the title centred along the top of c, in bold, and
// returns the height it took. A title too wide for c is drawn smaller, or
// on two lines broken at its last " · " (the area, then the weeks), or
// between words at the smallest size.
func drawTitle(c draw.Canvas, title string) vg.Length {
	width := c.Size().X
	sty := style(bold, titleSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	y := c.Max.Y
	for _, line := range strings.Split(fitTitle(&sty, title, width), "\n") {
		c.FillText(sty, vg.Point{X: c.Center().X, Y: y}, line)
		y -= sty.Font.Size * 1.3 // room for a capital's tone mark above
	}
	return c.Max.Y - y
}

// fitTitle returns title as it fits in width and sets sty's size.
func fitTitle(sty *text.Style, title string, width vg.Length) string {
	tries := []string{title}
	if i := strings.LastIndex(title, " · "); i > 0 {
		tries = append(tries, title[:i]+"\n"+title[i+len(" · "):])
	}
	for _, t := range tries {
		for size := vg.Length(titleSize); size >= minTitle; size -= 2 {
			if sty.Font.Size = size; sty.Width(t) <= width {
				return t
			}
		}
	}
	sty.Font.Size = minTitle
	var lines []string
	for _, line := range strings.Split(tries[len(tries)-1], "\n") {
		lines = append(lines, wrap(*sty, line, width))
	}
	return strings.Join(lines, "\n")
}

// wrap breaks text into lines no wider than width, between words.
func wrap(sty text.Style, txt string, width vg.Length) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(txt) {
		if line != "" && sty.Width(line+" "+w) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = strings.TrimPrefix(line+" "+w, " ")
	}
	return strings.Join(append(lines, line), "\n")
}

// drawLegend draws a coloured square and the label of each series in a
// centred row along the top of c (more rows if they do not fit), and
// returns the height it took.
func drawLegend(c draw.Canvas, series []bot.ChartSeries) vg.Length {
	sty := style(sans, legendSize)
	sty.YAlign = draw.YCenter
	box := sty.FontExtents().Ascent // the square, as tall as a capital
	gap, between := box/2, 2*box
	entry := func(s bot.ChartSeries) vg.Length { return box + gap + sty.Width(s.Label) }

	var rows [][]bot.ChartSeries
	var used vg.Length
	for _, s := range series {
		if n := len(rows); n > 0 && used+between+entry(s) <= c.Size().X {
			rows[n-1] = append(rows[n-1], s)
			used += between + entry(s)
			continue
		}
		rows = append(rows, []bot.ChartSeries{s})
		used = entry(s)
	}
	rowHeight := sty.FontExtents().Height * 1.3
	y := c.Max.Y - vg.Length(0.4)*rowHeight // a little air under the title
	for _, row := range rows {
		var w vg.Length
		for i, s := range row {
			if i > 0 {
				w += between
			}
			w += entry(s)
		}
		x := c.Center().X - w/2
		y -= rowHeight / 2
		for _, s := range row {
			c.FillPolygon(s.Color, []vg.Point{{X: x, Y: y - box/2}, {X: x + box, Y: y - box/2}, {X: x + box, Y: y + box/2}, {X: x, Y: y + box/2}})
			c.FillText(sty, vg.Point{X: x + box + gap, Y: y}, s.Label)
			x += entry(s) + between
		}
		y -= rowHeight / 2
	}
	return c.Max.Y - y
}

// weeksPlot is the plot of the weeks' bars, with each series' bars and
// the counts above them.
type weeksPlot struct {
	*plot.Plot
	bars   []*plotter.BarChart
	counts []*plotter.Labels
}

// newPlot makes the plot: axes, grid, bars and their counts. The bars'
// widths and offsets are set by fitBars once the plot's size is known.
func newPlot(c bot.WeeklyChart) (*weeksPlot, error) {
	p := plot.New()
	wp := &weeksPlot{Plot: p}
	p.BackgroundColor = nil // the canvas is white already
	highest := 0
	for _, s := range c.Series {
		for _, n := range s.Counts {
			highest = max(highest, n)
		}
	}
	step, top := wholeSteps(highest)
	axes(p, c, step, top)

	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal = draw.LineStyle{Color: faint, Width: 1}
	p.Add(grid)
	for _, s := range c.Series {
		vals := make(plotter.Values, len(s.Counts))
		xys := make(plotter.XYs, len(s.Counts))
		labels := make([]string, len(s.Counts))
		for i, n := range s.Counts {
			vals[i], xys[i], labels[i] = float64(n), plotter.XY{X: float64(i), Y: float64(n)}, strconv.Itoa(n)
		}
		bars, err := plotter.NewBarChart(vals, 1)
		if err != nil {
			return nil, err
		}
		bars.Color, bars.LineStyle.Width = s.Color, 0
		counts, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return nil, err
		}
		for i := range counts.TextStyle {
			counts.TextStyle[i] = style(sans, valueSize)
			counts.TextStyle[i].XAlign = draw.XCenter
		}
		p.Add(bars, counts)
		wp.bars, wp.counts = append(wp.bars, bars), append(wp.counts, counts)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(c.Weeks))-0.5
	p.Y.Min, p.Y.Max = 0, float64(top)
	return wp, nil
}

// axes labels the weeks under their groups and whole counts every step up
// to top on the y axis.
func axes(p *plot.Plot, c bot.WeeklyChart, step, top int) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.LineStyle = draw.LineStyle{Color: ink, Width: 2}
		a.Padding = 0
		a.Tick.Label = style(sans, tickSize)
		a.Tick.LineStyle = draw.LineStyle{Color: ink, Width: 2}
		a.Label.TextStyle = style(sans, axisSize)
		a.Label.Padding = 8
	}
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XCenter, draw.YTop
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.X.Label.TextStyle.XAlign, p.X.Label.TextStyle.YAlign = draw.XCenter, draw.YBottom
	p.Y.Label.TextStyle.XAlign, p.Y.Label.TextStyle.YAlign = draw.XCenter, draw.YBottom
	p.X.Tick.Length = 0
	p.Y.Tick.Length = 6
	weeks := make([]plot.Tick, len(c.Weeks))
	for i, w := range c.Weeks {
		weeks[i] = plot.Tick{Value: float64(i), Label: w}
	}
	p.X.Tick.Marker = plot.ConstantTicks(weeks)
	var counts []plot.Tick
	for v := 0; v <= top; v += step {
		counts = append(counts, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(counts)
}

// wholeSteps returns the step between the y axis's whole counts (1, 2, 5,
// 10, 20, 50…) and the axis's top, a multiple of it at or above highest,
// with at most five steps and at least four counts' room.
func wholeSteps(highest int) (step, top int) {
	highest = max(highest, 4)
	for base := 1; ; base *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step = base * m; (highest+step-1)/step <= 5 {
				return step, (highest + step - 1) / step * step
			}
		}
	}
}

// fitBars sets each series' bar width and offset so that a week's bars
// take four fifths of its slot of the plot drawn in area, side by side,
// and puts each count above its bar.
func (wp *weeksPlot) fitBars(area draw.Canvas) {
	n := vg.Length(len(wp.bars))
	slot := wp.DataCanvas(area).Size().X / vg.Length(wp.X.Max-wp.X.Min)
	width := slot * 0.8 / max(n, 1)
	gap := min(width/8, 4) // a white line between bars
	for j, bars := range wp.bars {
		off := (vg.Length(j) - (n-1)/2) * width
		bars.Width, bars.Offset = width-gap, off
		wp.counts[j].Offset = vg.Point{X: off, Y: 4}
	}
}
