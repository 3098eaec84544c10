package main

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"
)

// Ensure the running bot draws the weekly summary's chart with chart/: a
// 1000×600 picture with a title and a legend, not the plain 640×320 bars.
func TestSummaryChartDrawn(t *testing.T) {
	e := newEnv(t)
	cong := seedFortnight(t, e)
	e.stop()
	e.schedules = "" // the defaults: the summary on Monday at 07:30
	e.writeConfig("debug")
	e.setNow(time.Date(2026, 11, 30, 0, 31, 0, 0, time.UTC)) // Monday 30/11, 07:31 in Hà Nội
	e.start()                                                // the summary missed while the bot was down goes out now
	var chart []byte
	waitFor(t, e, "a weekly chart", func() bool {
		for _, m := range e.fake.BotMessages(cong.u.ID) {
			if strings.HasPrefix(m.Document, "bieudo-PT-TL-") {
				chart = m.Data
			}
		}
		return chart != nil
	})
	img, err := png.Decode(bytes.NewReader(chart))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 600 {
		t.Errorf("the chart sent is %v, not chart/'s 1000×600", b)
	}
}
