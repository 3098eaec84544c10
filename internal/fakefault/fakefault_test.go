package fakefault

import "testing"

// Ensure a dealer deals about its rate, of every kind, the same again from
// the same seed, and none when nil or at rate 0.
func TestDeal(t *testing.T) {
	deal := func(d *Dealer) (kinds []Kind) {
		for range 10000 {
			k, delay := d.Deal()
			if k != Delayed && delay != 0 || delay < 0 || delay > 500e6 {
				t.Fatalf("kind %d with delay %v", k, delay)
			}
			kinds = append(kinds, k)
		}
		return kinds
	}
	a, b := deal(New(0.2, 7)), deal(New(0.2, 7))
	faults := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the same seed dealt differently at call %d", i)
		}
		if a[i] != None {
			faults++
		}
	}
	if faults < 1800 || faults > 2200 {
		t.Errorf("%d faults in 10,000 calls at 20%%", faults)
	}
	d := New(0.2, 7)
	deal(d)
	if c := d.Counts(); len(c) != 4 || c["5xx"]+c["429"]+c["drop"]+c["delay"] != faults {
		t.Errorf("counts %v, want the %d faults over four kinds", c, faults)
	}
	for _, d := range []*Dealer{nil, New(0, 1)} {
		for _, k := range deal(d) {
			if k != None {
				t.Fatalf("%v dealt a fault", d)
			}
		}
	}
}
