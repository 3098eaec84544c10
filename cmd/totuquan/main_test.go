package main

import (
	"os"
	"testing"
)

// TestMain runs the test binary as the bot itself when a proof that needs
// the bot in a process of its own starts it so: the crash proof (to kill
// it) and the scale proof (to measure its memory alone).
func TestMain(m *testing.M) {
	switch {
	case os.Getenv(crashChildEnv) == "1":
		os.Exit(crashChild(os.Args[1:]))
	case os.Getenv(childArgs) != "":
		os.Exit(childMain(os.Getenv(childArgs)))
	}
	os.Exit(m.Run())
}
