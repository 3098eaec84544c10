package bot

import "strings"

// ButtonKind is what a button outside a report's questions does. Every
// such value is made with Value and read with ParseButton, here only; the
// values a report's questions carry belong to the flows, which prefix them
// with the session's token.
type ButtonKind string

// The kinds, with their values on the wire (kept as they were, so that
// buttons already in people's chats still work).
const (
	ButtonLang      ButtonKind = "lang"   // lang:<language>
	ButtonStart     ButtonKind = "start"  // start:<report kind>, on a reminder
	ButtonAlertAck  ButtonKind = "a:ack"  // a:ack:<report id>, on an alert
	ButtonAlertDone ButtonKind = "a:done" // a:done:<report id>, on an alert
	ButtonOpen      ButtonKind = "o"      // o:<report id>, a listed report
	ButtonNotify    ButtonKind = "to"     // to:<address>, where to receive
)

var buttonKinds = []ButtonKind{ButtonLang, ButtonStart, ButtonAlertAck, ButtonAlertDone, ButtonOpen, ButtonNotify}

// Value is the button value of kind k with arg.
func (k ButtonKind) Value(arg string) string { return string(k) + ":" + arg }

// ParseButton splits a button value into its kind and argument; ok is
// false for a value of no kind here (a report question's).
func ParseButton(v string) (kind ButtonKind, arg string, ok bool) {
	for _, k := range buttonKinds {
		if arg, ok := strings.CutPrefix(v, string(k)+":"); ok {
			return k, arg, true
		}
	}
	// "a:<anything>" is an alert action, even one this version does not
	// know: it is refused as such rather than passed to the flows.
	if strings.HasPrefix(v, "a:") {
		return "a:", strings.TrimPrefix(v, "a:"), true
	}
	return "", "", false
}
