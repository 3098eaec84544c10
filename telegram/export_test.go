package telegram

import (
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/totuquan/totuquan/bot"
)

// InboundForTest converts a private text message from a person, as the
// poll loop does.
func InboundForTest(text string) (bot.Inbound, string) {
	u := tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{MessageID: 1, Date: 1,
		From: &tgbotapi.User{ID: 5, FirstName: "Lan"}, Chat: &tgbotapi.Chat{ID: 5, Type: "private"}, Text: text}}
	return inbound(u, "totuquan_test_bot")
}
