package fakeapi

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// faults fail a share of all calls at random, as a bad network and a busy
// Zalo do: the reliability proofs run the bot through them.
type faults struct {
	rate    float64
	rnd     *rand.Rand
	counted map[string]int // faults dealt, by kind
}

// InjectFaults makes rate (0 to 1) of every later call fail at random,
// seeded: a 5xx, a 429, a dropped connection, or a delay
// of up to half a second before the call goes through. A failed call is
// not carried out, as when Zalo refuses it; rate 0 stops the faults.
func (s *Server) InjectFaults(rate float64, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = &faults{rate: rate, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counted: map[string]int{}}
}

// Faults returns how many faults of each kind were dealt: "5xx", "429",
// "drop", "delay".
func (s *Server) Faults() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	if s.faults != nil {
		for k, v := range s.faults.counted {
			out[k] = v
		}
	}
	return out
}

// randomFault deals a fault to a call, or none; a delay is slept here, the
// lock released, and the call then goes on.
func (s *Server) randomFault() (failure, bool) {
	s.mu.Lock()
	f := s.faults
	if f == nil || f.rate <= 0 || f.rnd.Float64() >= f.rate {
		s.mu.Unlock()
		return failure{}, false
	}
	kind := f.rnd.IntN(4)
	delay := time.Duration(f.rnd.Int64N(int64(500 * time.Millisecond)))
	name := [...]string{"5xx", "429", "drop", "delay"}[kind]
	f.counted[name]++
	s.mu.Unlock()
	switch kind {
	case 0:
		return failure{status: http.StatusBadGateway, description: "Bad Gateway"}, true
	case 1:
		return failure{status: http.StatusTooManyRequests, description: "Quota exceeded"}, true
	case 2:
		return failure{how: dropConn}, true
	}
	time.Sleep(delay)
	return failure{}, false
}
