package bot

import (
	"strconv"
	"strings"

	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/vntext"
)

// enqueue queues m and remembers, in the same transaction, what its chat
// was last offered to choose from: a platform without buttons shows the
// choices as a numbered menu, and a typed number or label must answer the
// menu on screen whatever kind of message it came with (an alert, the
// language choice, a reminder).
func enqueue(tx Tx, m Outbound) (bool, error) {
	ok, err := tx.Enqueue(m)
	if !ok || err != nil || m.Document != nil || m.Op == OpClearButtons {
		return ok, err
	}
	if flat := m.Flat(); len(flat) > 0 {
		return ok, tx.PutMenu(m.Chat, Menu{Choices: flat, FreeInput: m.FreeInput || m.NumbersAreAnswers})
	}
	return ok, tx.DeleteMenu(m.Chat)
}

// typedPick turns typed text that picks one of the choices last offered
// outside a report's questions (whose flows read typed answers
// themselves) into the press of that choice, its number or its label with
// or without diacritics, and handles it; a number that matches nothing on
// the menu is explained. It reports whether it handled the text.
func (d *Dispatcher) typedPick(x *turn) (bool, error) {
	text := strings.TrimSpace(x.in.Text)
	m, err := x.tx.Menu(x.in.Chat)
	if IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if len(m.Choices) == 0 {
		return false, nil
	}
	if _, _, own := ParseButton(m.Choices[0].Value); !own {
		return false, nil // a report's question: the flows read it
	}
	pick := -1
	if n, err := strconv.Atoi(text); err == nil && !m.FreeInput {
		if n < 1 || n > len(m.Choices) {
			// Asked again, with the same choices, so the menu stays.
			rows := [][]Choice{m.Choices}
			if len(m.Choices) > 3 {
				rows = nil
				for _, c := range m.Choices {
					rows = append(rows, []Choice{c})
				}
			}
			x.r.msgs = append(x.r.msgs, Outbound{Chat: x.in.Chat, Reply: Reply{Text: i18n.T(x.c.lang, "number.range", len(m.Choices)), Choices: rows}})
			return true, nil
		}
		pick = n - 1
	}
	for i, c := range m.Choices {
		if pick < 0 && vntext.Equal(c.Label, text) {
			pick = i
		}
	}
	if pick < 0 {
		return false, nil
	}
	x.in.Callback, x.typed = m.Choices[pick].Value, true
	first := len(x.r.msgs)
	err = d.answer(x)
	if x.r.ack.Text != "" {
		// What a press shows as a passing notice, a typed pick gets as a
		// message, before whatever new menu the pick brought.
		ack := Outbound{Chat: x.in.Chat, Reply: Reply{Text: x.r.ack.Text}}
		x.r.msgs = append(x.r.msgs[:first], append([]Outbound{ack}, x.r.msgs[first:]...)...)
	}
	return true, err
}

// isNumber reports whether text is a whole number, as a typed pick is.
func isNumber(text string) bool {
	_, err := strconv.Atoi(strings.TrimSpace(text))
	return err == nil
}
