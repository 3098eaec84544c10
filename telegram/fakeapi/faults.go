package fakeapi

import (
	"net/http"
	"time"

	"github.com/totuquan/totuquan/internal/fakefault"
)

// InjectFaults makes rate (0 to 1) of every later call fail at random,
// seeded: a 5xx, a 429, a dropped connection, or a delay of up to half a
// second before the call goes through. A failed call is not carried out,
// as when Telegram refuses it; rate 0 stops the faults.
func (s *Server) InjectFaults(rate float64, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = fakefault.New(rate, seed)
}

// Faults returns how many faults of each kind were dealt: "5xx", "429",
// "drop", "delay".
func (s *Server) Faults() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Counts()
}

// randomFault deals a fault to a call, or none; a delay is slept here and
// the call then goes on.
func (s *Server) randomFault() (failure, bool) {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	kind, delay := f.Deal()
	switch kind {
	case fakefault.ServerError:
		return failure{status: http.StatusBadGateway}, true
	case fakefault.Throttled:
		return failure{status: http.StatusTooManyRequests, retryAfter: 1}, true
	case fakefault.Dropped:
		return failure{how: dropConn}, true
	case fakefault.Delayed:
		time.Sleep(delay)
	}
	return failure{}, false
}
