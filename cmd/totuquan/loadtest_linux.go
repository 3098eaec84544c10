package main

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// processUsage is the process's CPU time so far (user and system) and its
// peak resident set, from getrusage.
func processUsage() procUsage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return procUsage{}
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return procUsage{cpu: cpu, peakRSS: ru.Maxrss * 1024, ok: true} // Linux counts Maxrss in KiB
}

// currentRSS is the process's resident set now, from /proc/self/status
// (VmRSS), in bytes; 0 if unknown.
func currentRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
