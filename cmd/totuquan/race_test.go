//go:build race

package main

// The race detector slows the store and the charts down tenfold; the
// scale test then runs smaller by default.
func init() { raceBuild = true }
