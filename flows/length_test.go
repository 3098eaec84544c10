package flows_test

import (
	"strings"
	"testing"
)

// Ensure a text answer's limit counts what Telegram counts, UTF-16 code
// units, so that an answer within it also fits the messages that quote it:
// 150 emoji are 150 characters but 300 units, over the place's 200.
func TestTextLimitInUTF16(t *testing.T) {
	toPlace := func(t *testing.T) *convo {
		return newConvo(t, "vi").press("An ninh trật tự").press("Ma túy").press("Hôm nay").say("19:00").expect("ở đâu")
	}
	t.Run("OverInUnits", func(t *testing.T) {
		c := toPlace(t)
		c.say("Ngõ "+strings.Repeat("🏠", 150)).expect("tối đa 200", "đã gõ 304")
		if _, ok := c.s.Answers["place"]; ok {
			t.Error("an answer over the limit was kept")
		}
	})
	t.Run("WithinInUnits", func(t *testing.T) {
		c := toPlace(t)
		place := "Ngõ " + strings.Repeat("🏠", 98) // 200 units
		c.say(place).expect("Chuyện gì")
		if got := c.s.Answers["place"]; got != place {
			t.Errorf("place = %q, want the answer as typed", got)
		}
	})
}
