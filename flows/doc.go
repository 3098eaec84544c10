// Package flows is the guided-report engine: reports are declared as steps
// (a choice, a text, a number, a date, a time) and the engine asks them in
// turn, validates answers, goes back, skips optional steps, confirms, lets
// one answer be changed, recognises presses on old buttons and offers to
// resume a draft left idle.
//
// It is pure: Engine methods take a session and a message and return the
// next session and the replies. No I/O, no clock of its own.
package flows
