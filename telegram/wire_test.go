package telegram_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest"
	"github.com/totuquan/totuquan/telegram"
)

// InjectRaw implements transporttest.Wire: the update waits on the fake
// server, and the adapter is done with it once a poll has confirmed it.
func (p *platform) InjectRaw(t *testing.T, raw string) {
	t.Helper()
	p.fake.InjectRaw(raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.fake.WaitFor(ctx, func() bool { return p.fake.Unconfirmed() == 0 }); err != nil {
		t.Fatalf("the update was never confirmed: %d unconfirmed", p.fake.Unconfirmed())
	}
}

// Requests implements transporttest.Wire: the calls the fake recorded,
// without getMe and getUpdates, with reply_markup's inline keyboard
// rendered as transporttest.Buttons.
func (p *platform) Requests() []transporttest.Request {
	var out []transporttest.Request
	for _, r := range p.fake.Requests() {
		switch r.Method {
		case "getMe", "getUpdates":
			continue
		}
		if kb, ok := r.Params["reply_markup"]; ok {
			var markup struct {
				InlineKeyboard [][]struct {
					Text         string `json:"text"`
					CallbackData string `json:"callback_data"`
				} `json:"inline_keyboard"`
			}
			if err := json.Unmarshal([]byte(kb), &markup); err != nil {
				r.Params["reply_markup"] = "undecodable: " + kb
			} else {
				var rows [][]bot.Choice
				for _, row := range markup.InlineKeyboard {
					var cs []bot.Choice
					for _, b := range row {
						cs = append(cs, bot.Choice{Label: b.Text, Value: b.CallbackData})
					}
					rows = append(rows, cs)
				}
				r.Params["reply_markup"] = transporttest.Buttons(rows)
			}
		}
		out = append(out, transporttest.Request{Method: r.Method, Params: r.Params})
	}
	return out
}

// The fake's bot is @totuquan_test_bot; Lan (id 5) is a leader, -4001 a
// group and -1001234567890 a supergroup she is in.
const (
	lanFrom  = `"from":{"id":5,"is_bot":false,"first_name":"Lan","last_name":"Nguyễn","language_code":"vi"}`
	lanChat  = `"chat":{"id":5,"type":"private","first_name":"Lan"}`
	group    = `"chat":{"id":-4001,"type":"group","title":"Tổ 3"}`
	super    = `"chat":{"id":-1001234567890,"type":"supergroup","title":"Khu phố 2"}`
	botFrom  = `"from":{"id":1,"is_bot":true,"first_name":"Tổ tự quản","username":"totuquan_test_bot"}`
	lanAddr  = bot.Address("telegram:5")
	groupID  = bot.Address("telegram:-4001")
	superID  = bot.Address("telegram:-1001234567890")
	dateNow  = `"date":1764054000`
	cmdFirst = `"entities":[{"type":"bot_command","offset":0,"length":`
)

func message(fields ...string) string {
	return `{"update_id":812345,"message":{"message_id":41,` + dateNow + `,` + strings.Join(fields, ",") + `}}`
}

func press(chat, data string) string {
	return `{"update_id":812346,"callback_query":{"id":"4312098765","chat_instance":"-77","data":"` + data + `",` + lanFrom +
		`,"message":{"message_id":12,` + dateNow + `,` + chat + `,` + botFrom + `,"text":"Đồng ý?"}}}`
}

var wireInbound = []transporttest.InboundCase{
	{Name: "Text", Raw: message(lanFrom, lanChat, `"text":"Ho\u0302m nay"`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "Hôm nay", Name: "Lan Nguyễn", LangHint: "vi"}},
	{Name: "Command", Raw: message(lanFrom, lanChat, `"text":"/baocao"`, cmdFirst+`7}]`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "/baocao"}},
	{Name: "StartWithCode", Raw: message(lanFrom, lanChat, `"text":"/start K7QM2XPA"`, cmdFirst+`6}]`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, JoinCode: "K7QM2XPA"}},
	{Name: "StartForThisBotWithCode", Raw: message(lanFrom, lanChat, `"text":"/start@totuquan_test_bot K7QM2XPA"`, cmdFirst+`24}]`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, JoinCode: "K7QM2XPA"}},
	{Name: "BareStart", Raw: message(lanFrom, lanChat, `"text":"/start"`, cmdFirst+`6}]`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Text: "/trogiup"}},
	{Name: "CommandForThisBot", Raw: message(lanFrom, group, `"text":"/xuat@TotuQuan_Test_Bot csv"`, cmdFirst+`27}]`),
		Want: bot.Inbound{Chat: groupID, From: lanAddr, GroupChat: true, Text: "/xuat csv"}},
	{Name: "CommandForAnotherBot", Raw: message(lanFrom, group, `"text":"/baocao@otherbot"`, cmdFirst+`16}]`), Ignored: true},
	{Name: "StartForAnotherBot", Raw: message(lanFrom, lanChat, `"text":"/start@otherbot K7QM2XPA"`, cmdFirst+`15}]`), Ignored: true},
	{Name: "ButtonPress", Raw: press(lanChat, "3|v:yesterday"),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Callback: "3|v:yesterday", MessageID: "12", Name: "Lan Nguyễn"}},
	{Name: "Photo", Raw: message(lanFrom, lanChat, `"photo":[`+
		`{"file_id":"AgAD-s","file_unique_id":"s","width":90,"height":67,"file_size":1200},`+
		`{"file_id":"AgAD-l","file_unique_id":"l","width":1280,"height":960,"file_size":98000},`+
		`{"file_id":"AgAD-m","file_unique_id":"m","width":320,"height":240,"file_size":14000}]`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Photo: "AgAD-l"}},
	{Name: "Location", Raw: message(lanFrom, lanChat, `"location":{"latitude":21.028511,"longitude":105.804817}`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Location: "21.02851,105.80482"}},
	{Name: "Document", Raw: message(lanFrom, lanChat, `"caption":"Danh sách tổ","document":{"file_id":"BQAD-1","file_unique_id":"d1","file_name":"diaban.csv","mime_type":"text/csv","file_size":2048}`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr, Document: "BQAD-1", DocumentName: "diaban.csv", Text: "Danh sách tổ"}},
	{Name: "Sticker", Raw: message(lanFrom, lanChat, `"sticker":{"file_id":"CAAD","file_unique_id":"st","width":512,"height":512,"is_animated":false,"is_video":false,"type":"regular"}`),
		Want: bot.Inbound{Chat: lanAddr, From: lanAddr}},
	{Name: "GroupText", Raw: message(lanFrom, group, `"text":"xin chào cả tổ"`),
		Want: bot.Inbound{Chat: groupID, From: lanAddr, GroupChat: true, Text: "xin chào cả tổ"}},
	{Name: "SupergroupPress", Raw: press(super, "7|ack:AN-2026-000123"),
		Want: bot.Inbound{Chat: superID, From: lanAddr, GroupChat: true, Callback: "7|ack:AN-2026-000123", MessageID: "12"}},
	{Name: "BotSender", Raw: message(`"from":{"id":777,"is_bot":true,"first_name":"Bot khác","username":"otherbot"}`, group, `"text":"/baocao"`), Ignored: true},
	{Name: "ServiceMessage", Raw: message(lanFrom, group, `"new_chat_members":[{"id":9,"is_bot":false,"first_name":"Mai"}]`), Ignored: true},
	{Name: "EditedMessage", Raw: `{"update_id":812347,"edited_message":{"message_id":41,` + dateNow + `,"edit_date":1764054100,` + lanFrom + `,` + lanChat + `,"text":"sửa lại"}}`, Ignored: true},
	{Name: "ChannelPost", Raw: `{"update_id":812348,"channel_post":{"message_id":3,` + dateNow + `,"chat":{"id":-1009876543210,"type":"channel","title":"Tin khu phố"},"text":"tin"}}`, Ignored: true},
	{Name: "Undecodable", Raw: `{"update_id":812349,"message":{"message_id":"x",` + dateNow + `,` + lanFrom + `,` + lanChat + `,"text":"hỏng"}}`, Ignored: true},
}

var (
	wireChoices = [][]bot.Choice{{{Label: "Hôm nay", Value: "3|v:today"}, {Label: "Hôm qua", Value: "3|v:yesterday"}}, {{Label: "Quay lại", Value: "3|!b"}}}
	wireButtons = "[Hôm nay=3|v:today] [Hôm qua=3|v:yesterday] / [Quay lại=3|!b]"
	question    = bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Ngày nào?", Choices: wireChoices}} // message 1 in a fresh chat
	absent      = transporttest.Absent
)

var wireOutbound = []transporttest.OutboundCase{
	{Name: "Text", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Đã nhận báo cáo AN-2026-000123."}},
		Want: []transporttest.Request{{Method: "sendMessage", Params: map[string]string{
			"chat_id": "5", "text": "Đã nhận báo cáo AN-2026-000123.", "reply_markup": absent, "parse_mode": absent}}}},
	{Name: "TextWithButtons", Out: question,
		Want: []transporttest.Request{{Method: "sendMessage", Params: map[string]string{
			"chat_id": "5", "text": "Ngày nào?", "reply_markup": wireButtons, "parse_mode": absent}}}},
	{Name: "QuestionAfterQuestion", Before: []bot.Outbound{question},
		Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Khẩn cấp không?", Choices: [][]bot.Choice{{{Label: "Có", Value: "4|v:yes"}, {Label: "Không", Value: "4|v:no"}}}}},
		// The earlier question keeps its buttons: one call an answer.
		Want: []transporttest.Request{
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": "Khẩn cấp không?", "reply_markup": "[Có=4|v:yes] [Không=4|v:no]"}},
		}},
	{Name: "LongEmojiTextSplit", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: strings.Repeat("🔥", 3000), Choices: [][]bot.Choice{{{Label: "Đã xem", Value: "1|seen"}}}}},
		Want: []transporttest.Request{
			// 2048 emoji are Telegram's 4096 UTF-16 units.
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": strings.Repeat("🔥", 2048), "reply_markup": absent}},
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": strings.Repeat("🔥", 952), "reply_markup": "[Đã xem=1|seen]"}},
		}},
	{Name: "Edit", Before: []bot.Outbound{question},
		Out: bot.Outbound{Chat: lanAddr, Op: bot.OpEdit, MessageID: "1", Reply: bot.Reply{Text: "Đã tiếp nhận lúc 08:05", Choices: [][]bot.Choice{{{Label: "Đã xử lý", Value: "9|done:AN-2026-000123"}}}}},
		Want: []transporttest.Request{{Method: "editMessageText", Params: map[string]string{
			"chat_id": "5", "message_id": "1", "text": "Đã tiếp nhận lúc 08:05", "reply_markup": "[Đã xử lý=9|done:AN-2026-000123]"}}}},
	{Name: "EditTooLong", Before: []bot.Outbound{question},
		Out: bot.Outbound{Chat: lanAddr, Op: bot.OpEdit, MessageID: "1", Reply: bot.Reply{Text: strings.Repeat("a", 4096) + "\n" + "phần sau"}},
		Want: []transporttest.Request{
			{Method: "editMessageReplyMarkup", Params: map[string]string{"chat_id": "5", "message_id": "1", "reply_markup": ""}},
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": strings.Repeat("a", 4096)}},
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": "phần sau"}},
		}},
	{Name: "ClearButtons", Before: []bot.Outbound{question},
		Out: bot.Outbound{Chat: lanAddr, Op: bot.OpClearButtons, MessageID: "1"},
		Want: []transporttest.Request{{Method: "editMessageReplyMarkup", Params: map[string]string{
			"chat_id": "5", "message_id": "1", "reply_markup": ""}}}},
	{Name: "DocumentWithCaption", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: "Báo cáo tuần 48"}, Document: &bot.Document{Name: "tuan48.csv", Data: []byte("id,kind\n")}},
		Want: []transporttest.Request{{Method: "sendDocument", Params: map[string]string{
			"chat_id": "5", "caption": "Báo cáo tuần 48", "document": "tuan48.csv", "parse_mode": absent}}}},
	{Name: "CaptionOver1024Units", Out: bot.Outbound{Chat: lanAddr, Reply: bot.Reply{Text: strings.Repeat("🔥", 600)}, Document: &bot.Document{Name: "bieudo.png", Data: []byte("png")}},
		Want: []transporttest.Request{
			// 600 emoji are 1200 units: 512 fit a caption, the rest follow.
			{Method: "sendDocument", Params: map[string]string{"chat_id": "5", "caption": strings.Repeat("🔥", 512), "document": "bieudo.png"}},
			{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": strings.Repeat("🔥", 88)}},
		}},
	{Name: "ReplyToGroup", Out: bot.Outbound{Chat: superID, Reply: bot.Reply{Text: "Vui lòng nhắn riêng cho bot."}},
		Want: []transporttest.Request{{Method: "sendMessage", Params: map[string]string{
			"chat_id": "-1001234567890", "text": "Vui lòng nhắn riêng cho bot.", "reply_markup": absent}}}},
}

func TestWire(t *testing.T) {
	transporttest.RunWire(t, newPlatform(t), wireInbound, wireOutbound)
}

// Ensure a text far over Telegram's limit, as only a forged update could
// carry, is cut before it is normalised, on a character's boundary.
func TestHugeTextCut(t *testing.T) {
	for _, unit := range []string{"a", "Ừ", "🚨"} {
		huge := strings.Repeat(unit, 100000)
		in, why := telegram.InboundForTest(huge)
		if why != "" {
			t.Fatalf("%s: ignored: %s", unit, why)
		}
		if len(in.Text) > 4*4096 || len(in.Text) < 4*4096-4 || !utf8.ValidString(in.Text) || !strings.HasPrefix(huge, in.Text) {
			t.Errorf("%s: kept %d bytes, valid %v", unit, len(in.Text), utf8.ValidString(in.Text))
		}
	}
}
