// Package fakefault deals the random faults the fake platform servers
// inject for the reliability proofs: a share of every call fails as a bad
// network and a busy platform make it fail. Each fake turns a fault into
// its own platform's reply.
package fakefault

import (
	"maps"
	"math/rand/v2"
	"sync"
	"time"
)

// Kind is what happens to a call dealt a fault.
type Kind int

const (
	None        Kind = iota
	ServerError      // a 5xx; the call is not carried out
	Throttled        // a 429; not carried out
	Dropped          // the connection closes without a reply; not carried out
	Delayed          // the call goes through after Delay
)

var names = map[Kind]string{ServerError: "5xx", Throttled: "429", Dropped: "drop", Delayed: "delay"}

// Dealer deals faults at a rate, seeded. The zero Dealer and a nil one deal
// none. It is safe for concurrent use.
type Dealer struct {
	mu      sync.Mutex
	rate    float64
	rnd     *rand.Rand
	counted map[string]int
}

// New deals faults to rate (0 to 1) of the calls, from seed.
func New(rate float64, seed uint64) *Dealer {
	return &Dealer{rate: rate, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counted: map[string]int{}}
}

// Deal returns the fault for one call, and for Delayed how long to wait:
// up to half a second.
func (d *Dealer) Deal() (Kind, time.Duration) {
	if d == nil {
		return None, 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rnd == nil || d.rate <= 0 || d.rnd.Float64() >= d.rate {
		return None, 0
	}
	k := Kind(1 + d.rnd.IntN(4))
	delay := time.Duration(d.rnd.Int64N(int64(500 * time.Millisecond)))
	d.counted[names[k]]++
	if k != Delayed {
		delay = 0
	}
	return k, delay
}

// Counts returns how many faults of each kind were dealt: "5xx", "429",
// "drop", "delay".
func (d *Dealer) Counts() map[string]int {
	if d == nil {
		return map[string]int{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.counted)
}
