package main

import (
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// Ensure the command writes the sample chart, in both languages, and that
// the README's docs/weekly-chart.png is what it writes today: a change to
// the chart that leaves it stale fails here.
func TestSample(t *testing.T) {
	dir := t.TempDir()
	for _, lang := range []string{"vi", "en"} {
		out := filepath.Join(dir, lang+".png")
		if err := run([]string{"-lang", lang, "-o", out}, io.Discard); err != nil {
			t.Fatal(err)
		}
		if b := decode(t, out).Bounds(); b.Dx() != 1000 || b.Dy() != 600 {
			t.Errorf("%s: the sample is %v", lang, b)
		}
	}

	fresh, docs := decode(t, filepath.Join(dir, "vi.png")), decode(t, filepath.Join("..", "..", "..", "docs", "weekly-chart.png"))
	if fresh.Bounds() != docs.Bounds() {
		t.Fatalf("docs/weekly-chart.png is %v, the sample %v: run go run ./chart/cmd/sample -o docs/weekly-chart.png", docs.Bounds(), fresh.Bounds())
	}
	differ := 0
	b := fresh.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := fresh.At(x, y).RGBA()
			r2, g2, b2, _ := docs.At(x, y).RGBA()
			if diff(r1, r2)+diff(g1, g2)+diff(b1, b2) > 3*0x2000 {
				differ++
			}
		}
	}
	// A few anti-aliased pixels may differ from one machine to another.
	if differ > b.Dx()*b.Dy()/200 {
		t.Errorf("docs/weekly-chart.png differs from the sample in %d pixels: run go run ./chart/cmd/sample -o docs/weekly-chart.png", differ)
	}
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestSampleBadFlag(t *testing.T) {
	if err := run([]string{"-nope"}, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
}
