package bot

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/totuquan/totuquan/i18n"
)

// Choice is one answer a user can pick: a button on Telegram, a numbered
// line where a platform has no buttons. Value is opaque to the platform and
// must fit Telegram's 64-byte callback data.
type Choice struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Inbound is a platform update turned into neutral terms at the edge.
type Inbound struct {
	// UpdateKey identifies the update for de-duplication, unique per
	// platform ("telegram:update:812345"). Never compared by order.
	UpdateKey string
	Chat      Address
	From      Address
	// GroupChat is set when Chat is shared by several people (a group,
	// a supergroup, a channel): personal data is never shown there.
	GroupChat bool
	Name      string // the sender's display name, for greetings
	LangHint  string // the platform's language code of the user, if any
	Text      string // NFC; empty for a button press
	// Photo is the platform's id of a photo sent (the largest size), or
	// the stored file where the platform sends a URL that may expire;
	// Location a pin as "lat,lon". Either may come with an empty Text.
	Photo    string
	Location string
	// Voice is a voice message sent, as Photo is a photo, and Seconds how
	// long it is, when the platform says.
	Voice   string
	Seconds int
	// JoinCode is an invite code the person presented, in the platform's
	// own way: Telegram's start parameter, or a code typed as the first
	// message where the platform has none. Text is then empty.
	JoinCode string
	// Document is a file sent: its platform id and name (an area file).
	Document, DocumentName string
	// Callback is the pressed button's Value; CallbackID is the platform's
	// handle to acknowledge the press; MessageID the message it sat under.
	Callback   string
	CallbackID string
	MessageID  string
}

// IsCallback reports whether the update is a button press.
func (in Inbound) IsCallback() bool { return in.CallbackID != "" }

// Command splits "/baocao@totuquan_bot arg" into ("baocao", "arg"); it
// returns "" when the text is not a command.
func (in Inbound) Command() (name, arg string) {
	if !strings.HasPrefix(in.Text, "/") {
		return "", ""
	}
	head, arg := cutWord(in.Text[1:])
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), arg
}

// cutWord splits s at its first white space, a line break or a tab as much
// as a space ("/thongbao\nHọp tổ"): the word before it and the rest,
// trimmed.
func cutWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// Reply is a message for the user: text and optional rows of choices.
// FreeInput means the user may also type an answer (a date, a place), so a
// platform without buttons must not read a typed number as a menu pick.
type Reply struct {
	Text      string     `json:"text"`
	Choices   [][]Choice `json:"choices,omitempty"`
	FreeInput bool       `json:"free_input,omitempty"`
	// Lang is the reader's language, for the hint under a numbered menu.
	Lang string `json:"lang,omitempty"`
	// NumbersAreAnswers marks a question whose answer is a number or a
	// time: a numbered menu then numbers none of its choices (Back, Skip),
	// which are typed as words instead, on every platform alike.
	NumbersAreAnswers bool `json:"numbers_are_answers,omitempty"`
}

// Flat returns the choices in reading order, the order they are numbered in.
func (r Reply) Flat() []Choice {
	var out []Choice
	for _, row := range r.Choices {
		out = append(out, row...)
	}
	return out
}

// NumberedText renders the reply for a platform without buttons: each
// choice on its own numbered line under the text.
func (r Reply) NumberedText() string {
	flat := r.Flat()
	if len(flat) == 0 {
		return r.Text
	}
	var b strings.Builder
	b.WriteString(r.Text)
	b.WriteString("\n")
	if r.NumbersAreAnswers {
		var words []string
		for _, c := range flat {
			b.WriteString("\n• " + c.Label)
			words = append(words, "«"+c.Label+"»")
		}
		if r.Lang != "" {
			b.WriteString("\n\n" + i18n.T(r.Lang, "menu.hint.words", strings.Join(words, " "+i18n.T(r.Lang, "menu.or")+" ")))
		}
		return b.String()
	}
	for i, c := range flat {
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(c.Label)
	}
	if r.Lang != "" {
		b.WriteString("\n\n" + menuHint(r.Lang, len(flat), r.FreeInput))
	}
	return b.String()
}

// Op is what an Outbound asks the platform to do.
type Op string

// The outbound operations.
const (
	OpSend         Op = ""              // send a new message
	OpClearButtons Op = "clear_buttons" // remove the buttons under MessageID
	OpEdit         Op = "edit"          // replace MessageID's text and buttons; a new message where edits are impossible
)

// Outbound is a message waiting in the outbox for a chat.
type Outbound struct {
	Chat      Address `json:"chat"`
	Op        Op      `json:"op,omitempty"`
	MessageID string  `json:"message_id,omitempty"`
	Reply
	// Bulk messages (summaries, reminders, broadcasts) wait behind the
	// replies to people who are chatting; Urgent ones (alerts of urgent
	// incidents) go before everything, even earlier messages to their chat.
	Bulk   bool `json:"bulk,omitempty"`
	Urgent bool `json:"urgent,omitempty"`
	// Key, if set, makes the message idempotent: a second message with the
	// same key is never queued ("summary:2026-W48:telegram:123").
	Key string `json:"key,omitempty"`
	// Document, if set, is sent as a file with Text as its caption.
	Document *Document `json:"document,omitempty"`
}

// Document is a file to send: a CSV export, a chart.
type Document struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Ack is what the platform should show for a button press once the update
// has been handled (a toast on Telegram). Empty text acknowledges silently.
type Ack struct {
	Text string
}

// menuHint tells a reader without buttons how to answer a numbered menu
// of n choices: "Trả lời 1, 2 hoặc 3.", or also by typing.
func menuHint(lang string, n int, free bool) string {
	var nums string
	switch {
	case n == 1:
		nums = "1"
	case n <= 5:
		var list []string
		for i := 1; i < n; i++ {
			list = append(list, strconv.Itoa(i))
		}
		nums = strings.Join(list, ", ") + " " + i18n.T(lang, "menu.or") + " " + strconv.Itoa(n)
	default:
		nums = i18n.T(lang, "menu.range", n)
	}
	if free {
		return i18n.T(lang, "menu.hint.free", nums)
	}
	return i18n.T(lang, "menu.hint", nums)
}
