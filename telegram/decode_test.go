package telegram_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/telegram/fakeapi"
)

// Ensure an update the client library cannot decode (a field of a type it
// does not expect, as when Telegram changes one) is skipped and confirmed,
// logged by kind and id only, and neither stops polling nor holds back the
// updates around it.
func TestUndecodableUpdateSkipped(t *testing.T) {
	for _, tc := range []struct {
		name, raw, kind string
	}{
		{"MessageIDString", `{"message":{"message_id":"x","date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"Lan"},"text":"bí mật hỏng"}}`, "message"},
		{"DateString", `{"message":{"message_id":9,"date":"yesterday","chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"Lan"},"text":"bí mật hỏng"}}`, "message"},
		{"CallbackFromString", `{"callback_query":{"id":"q","from":"bí mật hỏng","data":"1|a"}}`, "callback_query"},
		{"NewKind", `{"message_reaction":{"chat":{"id":5,"type":"private"}},"edited_message":"bí mật hỏng"}`, "edited_message,message_reaction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, err := fakeapi.New(fakeapi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			lan := fakeapi.User{ID: 5, FirstName: "Lan"}
			// All three are waiting when the bot starts: one batch.
			fake.SendText(lan, "một")
			bad := fake.InjectRaw(tc.raw)
			fake.SendText(lan, "hai")
			var logs syncBuffer
			got := make(chan bot.Inbound, 10)
			start(t, fake, nopHandler{got}, openStore(t), func(c *telegram.Config) {
				c.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			if a, b := recv(t, got), recv(t, got); a.Text != "một" || b.Text != "hai" {
				t.Errorf("handled %q, %q; want the updates around the bad one", a.Text, b.Text)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := fake.WaitFor(ctx, func() bool { return fake.Unconfirmed() == 0 }); err != nil {
				t.Fatalf("%d updates left unconfirmed; offsets sent %v", fake.Unconfirmed(), fake.Offsets())
			}
			moved := false
			for _, off := range fake.Offsets() {
				moved = moved || off > bad
			}
			if !moved {
				t.Errorf("no poll confirmed the bad update %d: offsets %v", bad, fake.Offsets())
			}
			// Polling goes on.
			fake.SendText(lan, "ba")
			if in := recv(t, got); in.Text != "ba" {
				t.Errorf("after the bad update the bot got %q", in.Text)
			}
			log := logs.String()
			if !strings.Contains(log, "update="+strconv.FormatInt(bad, 10)) || !strings.Contains(log, tc.kind) {
				t.Errorf("the log does not name the update %d and its kind %q:\n%s", bad, tc.kind, log)
			}
			if strings.Contains(log, "bí mật") {
				t.Errorf("the log shows the update's content:\n%s", log)
			}
		})
	}
}
