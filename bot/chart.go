package bot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// Chart colours by kind; the caption names them.
var chartColors = map[ReportKind]color.RGBA{
	KindIncident:  {0xd6, 0x3b, 0x2f, 0xff}, // red
	KindMediation: {0x2f, 0x6f, 0xd6, 0xff}, // blue
	KindMeeting:   {0x3a, 0xa6, 0x4b, 0xff}, // green
}

// Chart draws weeks as groups of bars, one bar per kind, as a PNG. It has
// no text: the message's caption says which colour is which and gives the
// numbers, in the reader's language.
func Chart(weeks []WeekCounts, kinds []ReportKind) []byte {
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
	for _, wk := range weeks {
		for _, k := range kinds {
			top = max(top, wk.Counts[k])
		}
	}
	base := h - margin
	grey := color.RGBA{0xc8, 0xc8, 0xc8, 0xff}
	for i := 0; i <= 4; i++ { // grid at quarters of the highest bar
		y := base - (base-margin)*i/4
		fill(image.Rect(margin, y, w-margin, y+1), grey)
	}
	slot := (w - 2*margin) / max(1, len(weeks))
	for i, wk := range weeks {
		x := margin + i*slot + (slot-len(kinds)*barWidth)/2
		for j, k := range kinds {
			hgt := (base - margin) * wk.Counts[k] / top
			fill(image.Rect(x+j*barWidth, base-hgt, x+(j+1)*barWidth-2, base), chartColors[k])
		}
	}
	fill(image.Rect(margin, base, w-margin, base+2), color.Black)
	var buf bytes.Buffer
	png.Encode(&buf, img) // writing to memory cannot fail
	return buf.Bytes()
}
