package zalo_test

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest"
)

// Lan (6ede9afa66b88fe6d6a9) is a stranger to the store, Hoa (registered)
// a leader it knows; 9f3c1a2b4d5e6f708192 is a group both are in. $BOT is
// the bot's own id and $FAKE the fake's address, where it serves anh.jpg
// (a JPEG) and giong.aac (a voice note).
const (
	lanFrom  = `"from":{"id":"6ede9afa66b88fe6d6a9","display_name":"Lan Nguyễn","is_bot":false}`
	lanChat  = `"chat":{"id":"6ede9afa66b88fe6d6a9","chat_type":"PRIVATE"}`
	hoaFrom  = `"from":{"id":"` + registered + `","display_name":"Hoa","is_bot":false}`
	hoaChat  = `"chat":{"id":"` + registered + `","chat_type":"PRIVATE"}`
	group    = `"chat":{"id":"9f3c1a2b4d5e6f708192","chat_type":"GROUP"}`
	lanAddr  = bot.Address("zalo:6ede9afa66b88fe6d6a9")
	hoaAddr  = bot.Address("zalo:" + registered)
	groupID  = bot.Address("zalo:9f3c1a2b4d5e6f708192")
	imageURL = `"$FAKE/media/anh.jpg"`
)

// event is an update of the event name given, with the message's fields.
func event(name string, fields ...string) string {
	return `{"event_name":"` + name + `","message":{"message_id":"2d758cb5e222177a4e35","date":1750316131602,` +
		strings.Join(fields, ",") + `}}`
}

var wireInbound = []transporttest.InboundCase{
	{Name: "Text", Raw: event("message.text.received", lanFrom, lanChat, `"text":"Ho\u0302m nay"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "Hôm nay", Name: "Lan Nguyễn"}},
	{Name: "Command", Raw: event("message.text.received", hoaFrom, hoaChat, `"text":"/baocao"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Text: "/baocao"}},
	{Name: "CommandWithArgument", Raw: event("message.text.received", hoaFrom, hoaChat, `"text":"/xuat csv HG"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Text: "/xuat csv HG"}},
	{Name: "InviteCodeFromStranger", Raw: event("message.text.received", lanFrom, lanChat, `"text":"K7QM-2XPA-HN4D"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, JoinCode: "k7qm2xpahn4d"}},
	{Name: "InviteCodeWithSpaces", Raw: event("message.text.received", lanFrom, lanChat, `"text":" k7qm 2xpa hn4d "`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, JoinCode: "k7qm2xpahn4d"}},
	{Name: "CodeFromRegisteredUser", Raw: event("message.text.received", hoaFrom, hoaChat, `"text":"K7QM-2XPA-HN4D"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Text: "K7QM-2XPA-HN4D"}},
	{Name: "NotACodeFromStranger", Raw: event("message.text.received", lanFrom, lanChat, `"text":"xin chào bot"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "xin chào bot"}},
	{Name: "ImageWithCaption", Raw: event("message.image.received", hoaFrom, hoaChat, `"photo_url":`+imageURL, `"caption":"Hiện trường ngõ 5"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Photo: jpegPath, Text: "Hiện trường ngõ 5"}},
	{Name: "ImageAsPhoto", Raw: event("message.image.received", hoaFrom, hoaChat, `"photo":`+imageURL),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Photo: jpegPath}},
	{Name: "ImageGone", Raw: event("message.image.received", hoaFrom, hoaChat, `"photo_url":"$FAKE/media/het-han.jpg"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Photo: "$FAKE/media/het-han.jpg"}},
	{Name: "ImageGoneURLWithComma", Raw: event("message.image.received", hoaFrom, hoaChat, `"photo_url":"$FAKE/media/a,b.jpg?size=1,2"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Photo: "$FAKE/media/a%2Cb.jpg?size=1%2C2"}},
	{Name: "Voice", Raw: event("message.voice.received", hoaFrom, hoaChat, `"voice_url":"$FAKE/media/giong.aac"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr, Voice: aacPath}},
	{Name: "Sticker", Raw: event("message.sticker.received", hoaFrom, hoaChat, `"sticker":"bfe458bf64fa8da4d4eb","url":"$FAKE/media/s.webp"`),
		Want: bot.Inbound{Chat: hoaAddr, From: hoaAddr}},
	{Name: "Unsupported", Raw: event("message.unsupported.received", lanFrom, lanChat), Ignored: true},
	{Name: "BotSender", Raw: event("message.text.received", `"from":{"id":"5a5a5a5a","display_name":"Bot khác","is_bot":true}`, lanChat, `"text":"/baocao"`), Ignored: true},
	{Name: "OwnEcho", Raw: event("message.text.received", `"from":{"id":"$BOT","display_name":"Tổ tự quản"}`, lanChat, `"text":"Đã nhận"`), Ignored: true},
	{Name: "GroupText", Raw: event("message.text.received", lanFrom, group, `"text":"/baocao"`),
		Want: bot.Inbound{Chat: groupID, From: lanAddr, GroupChat: true, Text: "/baocao"}},
	{Name: "GroupCodeIsText", Raw: event("message.text.received", lanFrom, group, `"text":"K7QM2XPAHN4D"`),
		Want: bot.Inbound{Chat: groupID, From: lanAddr, GroupChat: true, Text: "K7QM2XPAHN4D"}},
	{Name: "GroupImageNotKept", Raw: event("message.image.received", lanFrom, group, `"photo_url":`+imageURL, `"caption":"ảnh"`),
		Want: bot.Inbound{Chat: groupID, From: lanAddr, GroupChat: true, Text: "ảnh"}},
	{Name: "NameInsteadOfDisplayName", Raw: event("message.text.received", `"from":{"id":"6ede9afa66b88fe6d6a9","name":"Lan","is_bot":false}`, lanChat, `"text":"chào"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "chào", Name: "Lan"}},
	{Name: "NumbersAsStrings", Raw: `{"event_name":"message.text.received","message":{"message_id":"77","date":"1750316131602",` + lanFrom + `,` + lanChat + `,"text":"giờ là chuỗi"}}`,
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "giờ là chuỗi"}},
	{Name: "IDsAsNumbers", Raw: `{"event_name":"message.text.received","message":{"message_id":9007199254740993,"date":1750316131602,` +
		`"from":{"id":1234567890123456789,"display_name":"Số"},"chat":{"id":1234567890123456789,"chat_type":"PRIVATE"},"text":"số"}}`,
		Want: bot.Inbound{Chat: "zalo:1234567890123456789", From: "zalo:1234567890123456789", Text: "số"}},
	{Name: "WrappedBody", Raw: `{"ok":true,"result":` + event("message.text.received", lanFrom, lanChat, `"text":"bọc"`) + `}`,
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "bọc"}},
	{Name: "BareBody", Raw: event("message.text.received", lanFrom, lanChat, `"text":"trần"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "trần"}},
	{Name: "UnknownEvent", Raw: event("message.location.received", lanFrom, lanChat, `"location":{"latitude":21.02,"longitude":105.8}`), Ignored: true},
	{Name: "NoMessage", Raw: `{"event_name":"message.text.received"}`, Ignored: true},
	{Name: "Undecodable", Raw: `{"event_name":"message.text.received","message":{"message_id":"x","from":{"id":"6ede9afa66b88fe6d6a9"},"chat":{"id":"6ede9afa66b88fe6d6a9"},"text":42}}`, Ignored: true},
}

var (
	wireChoices = [][]bot.Choice{{{Label: "Hôm nay", Value: "3|v:today"}, {Label: "Hôm qua", Value: "3|v:yesterday"}}, {{Label: "Quay lại", Value: "3|!b"}}}
	question    = bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Ngày nào?", Choices: wireChoices}}
	absent      = transporttest.Absent
	chatID      = "6ede9afa66b88fe6d6a9"
)

func sendMessage(text string) transporttest.Request {
	return transporttest.Request{Method: "sendMessage", Params: map[string]string{"chat_id": chatID, "text": text, "parse_mode": absent}}
}

var wireOutbound = []transporttest.OutboundCase{
	{Name: "Text", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Đã nhận báo cáo AN-2026-000123."}},
		Want: []transporttest.Request{sendMessage("Đã nhận báo cáo AN-2026-000123.")}},
	{Name: "TextWithChoices", Out: question,
		Want: []transporttest.Request{sendMessage("Ngày nào?\n\n1. Hôm nay\n2. Hôm qua\n3. Quay lại")}},
	{Name: "LongTextSplit", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: strings.Repeat("a", 1500) + "\n" + strings.Repeat("b", 1000)}},
		Want: []transporttest.Request{sendMessage(strings.Repeat("a", 1500)), sendMessage(strings.Repeat("b", 1000))}},
	{Name: "LongEmojiTextSplit", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: strings.Repeat("🔥", 1500), Choices: [][]bot.Choice{{{Label: "Đã xem", Value: "1|seen"}}}}},
		Want: []transporttest.Request{
			// 1,000 emoji are 2,000 UTF-16 units; the menu goes with the last.
			sendMessage(strings.Repeat("🔥", 1000)),
			sendMessage(strings.Repeat("🔥", 500) + "\n\n1. Đã xem"),
		}},
	{Name: "MenuStaysWithLastPart", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: strings.Repeat("x", 1995), Choices: [][]bot.Choice{{{Label: "Có", Value: "4|v:yes"}}}}},
		Want: []transporttest.Request{
			sendMessage(strings.Repeat("x", 1993)),
			sendMessage("xx\n\n1. Có"),
		}},
	{Name: "EditAsNewMessage", Before: []bot.Outbound{question},
		Out:  bot.Outbound{Chat: lanAddr, Op: bot.OpEdit, MessageID: "2d758cb5e22200000001", Reply: bot.Reply{Text: "Đã tiếp nhận lúc 08:05", Choices: [][]bot.Choice{{{Label: "Đã xử lý", Value: "9|done:AN-2026-000123"}}}}},
		Want: []transporttest.Request{sendMessage("Đã tiếp nhận lúc 08:05\n\n1. Đã xử lý")}},
	{Name: "ClearButtonsIsNothing", Before: []bot.Outbound{question},
		Out:  bot.Outbound{Chat: lanAddr, Op: bot.OpClearButtons, MessageID: "2d758cb5e22200000001"},
		Want: []transporttest.Request{}},
	{Name: "DocumentAsCaptionAndNote", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Báo cáo tuần 48"}, Document: &bot.Document{Name: "tuan48.csv", Data: []byte("id,kind\n")}},
		Want: []transporttest.Request{sendMessage("Báo cáo tuần 48\n\n📎 Zalo không gửi được tệp tuan48.csv. Anh/chị có thể lấy tệp bằng /xuat trên Telegram, hoặc nhờ quản trị viên xuất trên máy chủ.")}},
	{Name: "DocumentWithoutCaption", Out: bot.Outbound{Chat: lanAddr, Document: &bot.Document{Name: "bieudo.png", Data: []byte("png")}},
		Want: []transporttest.Request{sendMessage("📎 Zalo không gửi được tệp bieudo.png. Anh/chị có thể lấy tệp bằng /xuat trên Telegram, hoặc nhờ quản trị viên xuất trên máy chủ.")}},
	{Name: "ReplyToGroup", Out: bot.Outbound{Chat: groupID, Reply: bot.Reply{Text: "Vui lòng nhắn riêng cho bot."}},
		Want: []transporttest.Request{{Method: "sendMessage", Params: map[string]string{"chat_id": "9f3c1a2b4d5e6f708192", "text": "Vui lòng nhắn riêng cho bot."}}}},
}

// Ensure Zalo's updates and sends, as the platform has them, map to the
// neutral messages case by case, polling.
func TestWire(t *testing.T) {
	transporttest.RunWire(t, &platform{}, wireInbound, wireOutbound)
}

// Ensure the same updates, delivered to the webhook (bare as the fake
// sends them, or wrapped where the case is), map the same way.
func TestWireWebhook(t *testing.T) {
	transporttest.RunWire(t, &platform{webhook: true}, wireInbound, nil)
}
