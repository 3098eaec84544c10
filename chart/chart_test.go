package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
	"gonum.org/v1/plot/font"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/i18n"
)

var (
	vermilion = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	blue      = color.RGBA{0x00, 0x72, 0xb2, 0xff}
	green     = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	weeks     = []string{"05/10", "12/10", "19/10", "26/10", "02/11", "09/11", "16/11", "23/11"}
)

// known is a chart whose bars grow, shrink, and alternate with empty weeks.
func known() bot.WeeklyChart {
	return bot.WeeklyChart{
		Title: "Xã Tân Lạc · 8 tuần đến 29/11/2026", Weeks: weeks,
		XLabel: "Tuần bắt đầu thứ Hai", YLabel: "Số báo cáo",
		Series: []bot.ChartSeries{
			{Label: "An ninh trật tự", Color: vermilion, Counts: []int{1, 2, 3, 4, 5, 6, 7, 8}},
			{Label: "Hòa giải", Color: blue, Counts: []int{8, 7, 6, 5, 4, 3, 2, 1}},
			{Label: "Sinh hoạt tổ", Color: green, Counts: []int{0, 2, 0, 4, 0, 6, 0, 8}},
		},
	}
}

func render(t *testing.T, c bot.WeeklyChart) image.Image {
	t.Helper()
	data, err := Weekly(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Fatalf("the chart is %v, want %d×%d", b, Width, Height)
	}
	return img
}

func is(c color.Color, want color.RGBA) bool {
	return color.RGBAModel.Convert(c).(color.RGBA) == want
}

// inky is the colour of text and axes, give or take anti-aliasing.
func inky(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return max(r, g, b) < 0x6000
}

// count counts the pixels of r that match.
func count(img image.Image, r image.Rectangle, match func(color.Color) bool) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

// layout is where the plot's axes are: the x axis's row and its right
// end, the y axis's column and its top.
type layout struct{ base, right, left, top int }

func findAxes(t *testing.T, img image.Image) layout {
	t.Helper()
	var l layout
	for y := Height - 1; y >= 0 && l.base == 0; y-- {
		if count(img, image.Rect(0, y, Width, y+1), inky) > Width*6/10 {
			l.base = y - 1 // the axis is two pixels thick: the upper one
		}
	}
	for x := 0; x < Width && l.left == 0; x++ {
		if count(img, image.Rect(x, 0, x+1, Height), inky) > Height*4/10 {
			l.left = x + 2
		}
	}
	if l.base == 0 || l.left == 0 {
		t.Fatalf("no axes: x axis at row %d, y axis at column %d", l.base, l.left)
	}
	for l.top = 0; !inky(img.At(l.left-2, l.top)); l.top++ {
	}
	for l.right = Width - 1; !inky(img.At(l.right, l.base+1)); l.right-- {
	}
	return l
}

// bar is one bar: its columns and its height in pixels.
type bar struct{ x0, x1, height int }

func (b bar) center() int { return (b.x0 + b.x1) / 2 }

// bars finds the bars of colour c standing on the x axis, left to right:
// in each column, the run of c that ends within a few pixels above the
// axis.
func bars(img image.Image, l layout, c color.RGBA) []bar {
	var out []bar
	var cur *bar
	for x := l.left; x <= l.right; x++ {
		h := 0
		for y := l.base - 1; y > l.base-5 && h == 0; y-- {
			for ; y > l.top-10 && is(img.At(x, y), c); y-- {
				h++
			}
		}
		switch {
		case h > 0 && cur == nil:
			out = append(out, bar{x0: x, x1: x, height: h})
			cur = &out[len(out)-1]
		case h > 0:
			cur.x1, cur.height = x, max(cur.height, h)
		default:
			cur = nil
		}
	}
	return out
}

// Ensure the bars are there, one per week and series with a count, side
// by side in the legend's order inside their week's slot, as tall as
// their counts on the y axis's scale, with their counts above them.
func TestWeeklyBars(t *testing.T) {
	c := known()
	img := render(t, c)
	l := findAxes(t, img)
	slot := float64(l.right-l.left) / float64(len(c.Weeks))
	// The highest count, 8, is the y axis's top: its bars reach the top.
	highest := bars(img, l, c.Series[0].Color)[7]
	if top := l.base - highest.height; top < l.top-3 || top > l.top+5 {
		t.Fatalf("the bar of the highest count ends at row %d, the y axis at %d", top, l.top)
	}
	unit := float64(highest.height) / 8
	for j, s := range c.Series {
		found := bars(img, l, s.Color)
		var nonzero []int
		for i, n := range s.Counts {
			if n > 0 {
				nonzero = append(nonzero, i)
			}
		}
		if len(found) != len(nonzero) {
			t.Fatalf("%s: %d bars, want %d", s.Label, len(found), len(nonzero))
		}
		for k, b := range found {
			week := nonzero[k]
			if got := int(float64(b.center()-l.left) / slot); got != week {
				t.Errorf("%s: bar %d is in week %d's slot, want %d", s.Label, k, got, week)
			}
			n := s.Counts[week]
			if want := unit * float64(n); float64(b.height) < want-2 || float64(b.height) > want+2 {
				t.Errorf("%s, week %s: a bar of %dpx for %d, want %.0fpx", s.Label, c.Weeks[week], b.height, n, want)
			}
			if b.x1-b.x0 < 15 {
				t.Errorf("%s, week %s: a bar %dpx wide", s.Label, c.Weeks[week], b.x1-b.x0+1)
			}
			label := image.Rect(b.x0, l.base-b.height-30, b.x1+1, l.base-b.height-2)
			if count(img, label, inky) < 15 {
				t.Errorf("%s, week %s: no count above the bar", s.Label, c.Weeks[week])
			}
			// The series before this one has its bar of the week to the left.
			if j > 0 {
				prev := bars(img, l, c.Series[j-1].Color)
				for _, p := range prev {
					if int(float64(p.center()-l.left)/slot) == week && p.center() >= b.center() {
						t.Errorf("week %s: %s's bar not left of %s's", c.Weeks[week], c.Series[j-1].Label, s.Label)
					}
				}
			}
		}
	}
}

// Ensure the texts are there: the title across the top, a coloured square
// with its label for each series in the legend, each week's date under
// its slot, the counts left of the y axis and the axes' labels.
func TestWeeklyTexts(t *testing.T) {
	c := known()
	img := render(t, c)
	l := findAxes(t, img)
	legendTop := checkLegend(t, img, l, c.Series)
	checkTitle(t, img, legendTop)
	checkAxesTexts(t, img, l, c.Weeks)
}

// checkLegend checks each series' square and label between the title and
// the plot, and returns the legend's top row.
func checkLegend(t *testing.T, img image.Image, l layout, series []bot.ChartSeries) int {
	t.Helper()
	legendTop := l.top
	for _, s := range series {
		var square image.Rectangle
		for y := 0; y < l.top-10; y++ {
			for x := 0; x < Width; x++ {
				if is(img.At(x, y), s.Color) {
					square = square.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
		if square.Dx() < 15 || square.Dy() < 15 {
			t.Errorf("legend: %s's square is %v", s.Label, square)
			continue
		}
		legendTop = min(legendTop, square.Min.Y)
		label := image.Rect(square.Max.X, square.Min.Y-5, square.Max.X+150, square.Max.Y+8)
		if n := count(img, label, inky); n < 300 {
			t.Errorf("legend: %d pixels of text beside %s's square", n, s.Label)
		}
	}
	return legendTop
}

// checkTitle checks the text above the legend, centred.
func checkTitle(t *testing.T, img image.Image, legendTop int) {
	t.Helper()
	if n := count(img, image.Rect(0, 0, Width, legendTop), inky); n < 1000 {
		t.Errorf("title: %d pixels of text above the legend", n)
	}
	left, right := count(img, image.Rect(0, 0, Width/2, legendTop), inky), count(img, image.Rect(Width/2, 0, Width, legendTop), inky)
	if left < right/2 || right < left/2 {
		t.Errorf("the title is not centred: %d pixels of text on the left, %d on the right", left, right)
	}
}

// checkAxesTexts checks each week's date under its slot, the x axis's
// label under them, and left of the y axis two bands of text: its label,
// then its counts.
func checkAxesTexts(t *testing.T, img image.Image, l layout, weeks []string) {
	t.Helper()
	slot := (l.right - l.left) / len(weeks)
	for i, w := range weeks {
		cx := l.left + slot*i + slot/2
		if n := count(img, image.Rect(cx-40, l.base+4, cx+40, l.base+40), inky); n < 150 {
			t.Errorf("week %s: %d pixels of text under its slot", w, n)
		}
	}
	if n := count(img, image.Rect(l.left, l.base+40, l.right, Height), inky); n < 400 {
		t.Errorf("x axis: %d pixels of its label", n)
	}
	var bands []image.Rectangle
	for x := 0; x < l.left-10; x++ { // short of the ticks
		col := image.Rect(x, l.top-15, x+1, l.base+15)
		switch n := count(img, col, inky); {
		case n == 0:
		case len(bands) > 0 && bands[len(bands)-1].Max.X >= x-2:
			bands[len(bands)-1].Max.X = x + 1
		default:
			bands = append(bands, col)
		}
	}
	if len(bands) != 2 {
		t.Errorf("y axis: %d bands of text on its left, want its label and its counts: %v", len(bands), bands)
	} else if label, counts := count(img, bands[0], inky), count(img, bands[1], inky); label < 300 || counts < 200 {
		t.Errorf("y axis: %d pixels of label, %d of counts", label, counts)
	}
}

// Ensure tone marks and breves are drawn: the title with them has more ink
// than without, and a name typed with combining marks (NFD) is drawn
// exactly as its precomposed form.
func TestWeeklyDiacritics(t *testing.T) {
	// The ink of the title's band, and the rows it spans.
	ink := func(c bot.WeeklyChart) (n, rows int) {
		img := render(t, c)
		first, last := -1, -1
		for y := 0; y < 70; y++ {
			if k := count(img, image.Rect(0, y, Width, y+1), inky); k > 0 {
				n += k
				last = y
				if first < 0 {
					first = y
				}
			}
		}
		return n, last - first + 1
	}
	marked, plain := known(), known()
	marked.Title, plain.Title = "Ằ Ộ Ữ Ạ Ỏ ằ ộ ữ ạ ỏ", "A O U A O a o u a o"
	mn, mrows := ink(marked)
	pn, prows := ink(plain)
	if mn < pn*11/10 || mrows < prows+10 {
		t.Errorf("a title with diacritics has %d pixels of ink over %d rows, without %d over %d", mn, mrows, pn, prows)
	}

	nfc, nfd := known(), known()
	nfd.Title, nfd.XLabel, nfd.YLabel = norm.NFD.String(nfc.Title), norm.NFD.String(nfc.XLabel), norm.NFD.String(nfc.YLabel)
	nfd.Series = slices.Clone(nfc.Series)
	for i := range nfd.Series {
		nfd.Series[i].Label = norm.NFD.String(nfd.Series[i].Label)
	}
	if nfd.Title == nfc.Title {
		t.Fatal("the test's NFD title is the NFC one")
	}
	a, _ := Weekly(nfc)
	b, _ := Weekly(nfd)
	if !bytes.Equal(a, b) {
		t.Error("a chart whose texts are decomposed (NFD) is not drawn as the precomposed one")
	}
}

// vietnamese returns every letter of Vietnamese, each vowel with each
// tone mark, in both cases, as its precomposed rune.
func vietnamese() string {
	var b strings.Builder
	for _, v := range strings.Split("a ă â e ê i o ô ơ u ư y", " ") {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"} { // huyền sắc ngã hỏi nặng
			b.WriteString(norm.NFC.String(v + tone))
		}
	}
	b.WriteString("bcdđghklmnpqrstvx")
	return b.String() + strings.ToUpper(b.String())
}

// Ensure the fonts the chart draws with have a glyph for every rune of its
// texts in Vietnamese and English: the kinds as the flows name them, the
// title and axes, every Vietnamese letter an area's name may have, the
// digits and punctuation of the dates.
func TestFontCoversLabels(t *testing.T) {
	var texts []string
	engine := flows.New(time.UTC, time.Hour)
	for _, lang := range i18n.Languages {
		for _, k := range bot.Kinds {
			texts = append(texts, engine.Title(k, lang))
		}
		texts = append(texts, i18n.T(lang, "chart.title", "Xã Tân Lạc", 8, "29/11/2026"), i18n.T(lang, "chart.weeks"), i18n.T(lang, "chart.reports"))
	}
	texts = append(texts, vietnamese(), "0123456789/·–,.()-")
	if len(vietnamese()) < 2*(12*6+17) {
		t.Fatalf("only %d Vietnamese letters", len([]rune(vietnamese())))
	}
	for _, f := range []font.Font{sans, bold} {
		if !font.DefaultCache.Has(f) {
			t.Fatalf("the font %v is not embedded", f)
		}
		face := font.DefaultCache.Lookup(f, 12).Face
		var buf sfnt.Buffer
		name, _ := face.Name(&buf, sfnt.NameIDFull)
		covers := func(r rune) bool { g, err := face.GlyphIndex(&buf, r); return err == nil && g != 0 }
		if covers('🟥') {
			t.Fatalf("%s claims a glyph for 🟥: the check finds nothing missing", name)
		}
		for _, s := range texts {
			for _, r := range s {
				if !covers(r) {
					t.Errorf("%s has no glyph for %q in %q", name, r, s)
				}
			}
		}
	}
}

// Ensure a long area's name is drawn whole: smaller, then on more lines,
// never past the picture's edges.
func TestWeeklyLongTitle(t *testing.T) {
	c := known()
	c.Title = "Phường Nguyễn Trung Trực, Quận Ba Đình, Thành phố Hà Nội, khu tập thể số 12 · 8 tuần đến 29/11/2026"
	img := render(t, c)
	l, short := findAxes(t, img), findAxes(t, render(t, known()))
	if n := count(img, image.Rect(0, 0, 12, l.top), inky) + count(img, image.Rect(Width-12, 0, Width, l.top), inky); n > 0 {
		t.Errorf("%d pixels of the title at the picture's edges", n)
	}
	if l.top < short.top+10 {
		t.Errorf("the plot begins at row %d, under a title of two lines, and at %d under one", l.top, short.top)
	}
}

func TestWeeklyRejects(t *testing.T) {
	c := known()
	c.Series[1].Counts = c.Series[1].Counts[:7]
	if _, err := Weekly(c); err == nil {
		t.Error("a series with a count missing was drawn")
	}
	if _, err := Weekly(bot.WeeklyChart{Title: "x"}); err == nil {
		t.Error("a chart without weeks was drawn")
	}
}

func TestWholeSteps(t *testing.T) {
	for _, tc := range []struct{ highest, step, top int }{
		{0, 1, 4}, {3, 1, 4}, {5, 1, 5}, {8, 2, 8}, {9, 2, 10}, {10, 2, 10}, {11, 5, 15}, {26, 10, 30}, {156, 50, 200}, {1001, 500, 1500},
	} {
		if step, top := wholeSteps(tc.highest); step != tc.step || top != tc.top {
			t.Errorf("wholeSteps(%d) = %d, %d; want %d, %d", tc.highest, step, top, tc.step, tc.top)
		}
	}
}

func BenchmarkWeekly(b *testing.B) {
	c := known()
	for b.Loop() {
		if _, err := Weekly(c); err != nil {
			b.Fatal(err)
		}
	}
}
