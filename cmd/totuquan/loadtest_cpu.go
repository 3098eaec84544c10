package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// The load test's bot, fake server and leaders share one process, so the
// process's CPU time counts all three. A CPU profile of the measured span
// tells them apart: each part's goroutines carry a label (part=bot,
// telegram or leaders) that the goroutines they start inherit. Work on
// goroutines without one (the garbage collector's, the timers', the
// store's batched commits) is told by its stack.

// procUsage is what the operating system says of the process.
type procUsage struct {
	cpu     time.Duration // user and system time so far
	peakRSS int64         // bytes
	ok      bool
}

// loadCPU is the CPU part of the report.
type loadCPU struct {
	Seconds     float64 `json:"seconds"`
	CoreShare   float64 `json:"cores"` // CPU seconds per second of the span
	PerUpdateMs float64 `json:"per_update_ms"`
	// IncludesHarness says that the figures above are the whole process's:
	// the fake server and the simulated leaders with the bot.
	IncludesHarness bool `json:"includes_harness"`
	// Parts share the profile's samples out; BotPerUpdateMs is the bot's
	// share of the CPU time per update.
	Parts          []loadPart `json:"parts,omitempty"`
	BotPerUpdateMs float64    `json:"bot_per_update_ms,omitempty"`
}

type loadPart struct {
	Part  string  `json:"part"` // its label in English
	Share float64 `json:"share"`
	name  string  // among partNames
}

// loadMemory is the memory part of the report, in megabytes.
type loadMemory struct {
	RSSMB     float64 `json:"rss_mb"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

func memoryReport(u procUsage) loadMemory {
	rss := currentRSS()
	return loadMemory{RSSMB: float64(rss) / 1e6, PeakRSSMB: float64(max(rss, u.peakRSS)) / 1e6}
}

// partNames are the parts in the order the report gives them.
var partNames = []string{"bot", "telegram", "leaders", "gc", "other"}

// partLabels are the keys of how the report names them.
var partLabels = map[string]string{
	"bot": "cli.loadtest.part.bot", "telegram": "cli.loadtest.part.telegram", "leaders": "cli.loadtest.part.leaders",
	"gc": "cli.loadtest.part.gc", "other": "cli.loadtest.part.other",
}

func cpuReport(u0, u1 procUsage, secs float64, updates int64, profile []byte) loadCPU {
	c := loadCPU{IncludesHarness: true}
	if !u0.ok || !u1.ok {
		return c
	}
	cpu := u1.cpu - u0.cpu
	c.Seconds = cpu.Seconds()
	if secs > 0 {
		c.CoreShare = c.Seconds / secs
	}
	if updates > 0 {
		c.PerUpdateMs = c.Seconds * 1000 / float64(updates)
	}
	parts, err := profileParts(profile)
	if err != nil || len(parts) == 0 {
		return c
	}
	var total int64
	for _, ns := range parts {
		total += ns
	}
	for _, p := range partNames {
		if parts[p] > 0 {
			c.Parts = append(c.Parts, loadPart{Part: i18n.T("en", partLabels[p]), Share: float64(parts[p]) / float64(total), name: p})
		}
	}
	if updates > 0 {
		c.BotPerUpdateMs = c.PerUpdateMs * float64(parts["bot"]) / float64(total)
	}
	return c
}

// cpuProfile is a CPU profile being taken into memory.
type cpuProfile struct {
	buf bytes.Buffer
	err error
}

// startProfile starts the process's CPU profile; it fails if one is
// already running (go test -cpuprofile).
func startProfile() *cpuProfile {
	p := &cpuProfile{}
	p.err = pprof.StartCPUProfile(&p.buf)
	return p
}

func (p *cpuProfile) stop() ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	pprof.StopCPUProfile()
	return p.buf.Bytes(), nil
}

// profileParts reads a CPU profile (gzipped protocol buffers, as
// runtime/pprof writes it) and returns the CPU nanoseconds of each part.
func profileParts(data []byte) (map[string]int64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var (
		strs      []string
		types     [][2]int64 // sample types: type and unit, as string indexes
		samples   [][]byte
		funcName  = map[uint64]int64{}    // function id → name
		locFuncs  = map[uint64][]uint64{} // location id → function ids
		locations [][]byte
	)
	err = pbFields(raw, func(num int, v uint64, b []byte) error {
		switch num {
		case 1: // sample_type
			var vt [2]int64
			pbFields(b, func(n int, v uint64, _ []byte) error {
				if n == 1 || n == 2 {
					vt[n-1] = int64(v)
				}
				return nil
			})
			types = append(types, vt)
		case 2:
			samples = append(samples, b)
		case 4:
			locations = append(locations, b)
		case 5: // function
			var id uint64
			var name int64
			pbFields(b, func(n int, v uint64, _ []byte) error {
				switch n {
				case 1:
					id = v
				case 2:
					name = int64(v)
				}
				return nil
			})
			funcName[id] = name
		case 6:
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i >= 0 && i < int64(len(strs)) {
			return strs[i]
		}
		return ""
	}
	cpuAt := -1
	for i, t := range types {
		if str(t[0]) == "cpu" {
			cpuAt = i
		}
	}
	if cpuAt < 0 {
		return nil, errors.New("no cpu samples in the profile")
	}
	for _, b := range locations {
		var id uint64
		var fns []uint64
		pbFields(b, func(n int, v uint64, lb []byte) error {
			switch n {
			case 1:
				id = v
			case 4: // line
				pbFields(lb, func(n int, v uint64, _ []byte) error {
					if n == 1 {
						fns = append(fns, v)
					}
					return nil
				})
			}
			return nil
		})
		locFuncs[id] = fns
	}
	parts := map[string]int64{}
	for _, b := range samples {
		var locs []uint64
		var values []int64
		part := ""
		err := pbFields(b, func(n int, v uint64, lb []byte) error {
			switch n {
			case 1:
				if lb != nil {
					locs = append(locs, pbPacked(lb)...)
				} else {
					locs = append(locs, v)
				}
			case 2:
				if lb != nil {
					for _, x := range pbPacked(lb) {
						values = append(values, int64(x))
					}
				} else {
					values = append(values, int64(v))
				}
			case 3: // label
				var key, val int64
				pbFields(lb, func(n int, v uint64, _ []byte) error {
					switch n {
					case 1:
						key = int64(v)
					case 2:
						val = int64(v)
					}
					return nil
				})
				if str(key) == "part" {
					part = str(val)
				}
			}
			return nil
		})
		if err != nil || cpuAt >= len(values) {
			continue
		}
		if part == "" {
			var names []string
			for _, l := range locs {
				for _, f := range locFuncs[l] {
					names = append(names, str(funcName[f]))
				}
			}
			part = unlabelledPart(names)
		}
		parts[part] += values[cpuAt]
	}
	return parts, nil
}

// unlabelledPart tells whose work a sample without a label is by its
// stack: the garbage collector's, the store's (a batched commit, run by
// a timer: the bot's), the fake server's, or the rest.
func unlabelledPart(stack []string) string {
	switch {
	case slices.ContainsFunc(stack, func(f string) bool { return strings.HasPrefix(f, "runtime.gcBgMarkWorker") }):
		return "gc"
	case slices.ContainsFunc(stack, func(f string) bool { return strings.HasPrefix(f, "github.com/totuquan/totuquan/telegram/fakeapi.") }):
		return "telegram"
	case slices.ContainsFunc(stack, func(f string) bool {
		return strings.HasPrefix(f, "go.etcd.io/bbolt.") || strings.HasPrefix(f, "github.com/totuquan/totuquan/")
	}):
		return "bot"
	}
	return "other"
}

// pbFields calls fn for each field of the protocol buffer message b: its
// number, and its value (a varint or fixed number) or its bytes (a
// length-delimited field, b non-nil).
func pbFields(b []byte, fn func(num int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := pbVarint(b)
		if n <= 0 {
			return errors.New("bad protocol buffer")
		}
		b = b[n:]
		num, wire := int(key>>3), key&7
		switch wire {
		case 0:
			v, n := pbVarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
			if err := fn(num, v, nil); err != nil {
				return err
			}
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return errors.New("short fixed field")
			}
			b = b[size:]
		case 2:
			l, n := pbVarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("short field")
			}
			field := b[n : n+int(l)]
			b = b[n+int(l):]
			if field == nil {
				field = []byte{}
			}
			if err := fn(num, 0, field); err != nil {
				return err
			}
		default:
			return errors.New("unknown wire type")
		}
	}
	return nil
}

// pbPacked decodes packed varints.
func pbPacked(b []byte) []uint64 {
	var out []uint64
	for len(b) > 0 {
		v, n := pbVarint(b)
		if n <= 0 {
			break
		}
		out = append(out, v)
		b = b[n:]
	}
	return out
}

func pbVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
