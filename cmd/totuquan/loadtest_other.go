//go:build !linux

package main

// processUsage is not measured beyond Linux.
func processUsage() procUsage { return procUsage{} }

// currentRSS is not measured beyond Linux.
func currentRSS() int64 { return 0 }
