package zalo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/vntext"
)

// The events the adapter reads.
const (
	eventText        = "message.text.received"
	eventImage       = "message.image.received"
	eventSticker     = "message.sticker.received"
	eventVoice       = "message.voice.received"
	eventUnsupported = "message.unsupported.received"
)

// update is one update as Zalo sends it. Ids are read from strings or
// numbers, the date from a number or a string.
type update struct {
	EventName string   `json:"event_name"`
	Message   *message `json:"message"`
}

type message struct {
	MessageID flexString `json:"message_id"`
	Date      flexInt    `json:"date"` // milliseconds
	From      struct {
		ID          flexString `json:"id"`
		DisplayName string     `json:"display_name"`
		Name        string     `json:"name"` // older payloads
		IsBot       flexBool   `json:"is_bot"`
	} `json:"from"`
	Chat struct {
		ID       flexString `json:"id"`
		ChatType string     `json:"chat_type"`
	} `json:"chat"`
	Text     string `json:"text"`
	Caption  string `json:"caption"`
	PhotoURL string `json:"photo_url"`
	Photo    string `json:"photo"` // the docs' name for photo_url
	VoiceURL string `json:"voice_url"`
}

// splitUpdates returns the updates in raw: a bare update, one wrapped in
// the API's {"ok":true,"result":...} (webhook bodies come both ways, and
// getUpdates' result is one update), or a list of either. Nothing (an
// empty body, null, {}, a result-less envelope) is no update and no error.
func splitUpdates(raw []byte) ([]json.RawMessage, error) { return split(raw, 0) }

func split(raw []byte, depth int) ([]json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	if depth > 3 {
		return nil, errors.New("zalo: updates nested too deep")
	}
	switch t[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(t, &list); err != nil {
			return nil, errors.New("zalo: a list of updates that is not JSON")
		}
		var out []json.RawMessage
		for _, item := range list {
			ups, err := split(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, ups...)
		}
		return out, nil
	case '{':
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(t, &fields); err != nil {
			return nil, errors.New("zalo: an update that is not JSON")
		}
		_, hasEvent := fields["event_name"]
		_, hasMessage := fields["message"]
		if result, wrapped := fields["result"]; wrapped && !hasEvent && !hasMessage {
			return split(result, depth+1)
		}
		if !hasEvent && !hasMessage {
			return nil, nil // an envelope without a result, a probe's {}
		}
		return []json.RawMessage{json.RawMessage(t)}, nil
	}
	return nil, errors.New("zalo: an update that is not a JSON object")
}

// identify decodes raw and returns its inbox and de-duplication key and
// when it was sent. The key is the platform, the message id and the
// event's kind ("zalo:m:2d758cb5e222177a4e35:text"); an update without a
// message id is keyed by a hash of its content, which still catches a
// duplicate delivery.
func (b *Bot) identify(raw json.RawMessage) (u update, key string, at time.Time, err error) {
	if err := json.Unmarshal(raw, &u); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return u, "", at, fmt.Errorf("zalo: an update whose %s is not a %s", te.Field, te.Type)
		}
		return u, "", at, errors.New("zalo: an update that cannot be decoded")
	}
	kind := strings.TrimSuffix(strings.TrimPrefix(u.EventName, "message."), ".received")
	at = b.cfg.Now()
	if u.Message != nil && u.Message.MessageID != "" {
		key = Platform + ":m:" + string(u.Message.MessageID) + ":" + kind
	} else {
		var compact bytes.Buffer
		json.Compact(&compact, raw)
		sum := sha256.Sum256(compact.Bytes())
		key = Platform + ":h:" + hex.EncodeToString(sum[:16])
	}
	if u.Message != nil && u.Message.Date > 0 {
		// The message's own time orders the inbox: a duplicate delivery
		// keeps its place, and messages go on in the order they were sent.
		// A date past the year 9999 (in microseconds, say) is no time the
		// inbox can keep, and would fail the whole batch: now stands in.
		if t := time.UnixMilli(int64(u.Message.Date)); t.Year() <= 9999 {
			at = t
		}
	}
	return u, key, at, nil
}

// disposition is what the adapter does with an update.
type disposition int

const (
	handOn disposition = iota // to the handler
	drop                      // nothing
	answer                    // the adapter answers it itself
)

// dispose says what to do with u, and why when it is dropped.
func (b *Bot) dispose(u update) (disposition, string) {
	m := u.Message
	switch {
	case m == nil:
		return drop, "no message"
	case m.From.ID == "":
		return drop, "no sender"
	case string(m.From.ID) == b.id:
		return drop, "the bot's own message"
	case bool(m.From.IsBot):
		return drop, "sent by a bot"
	}
	switch u.EventName {
	case eventText, eventImage, eventSticker, eventVoice:
		return handOn, ""
	case eventUnsupported:
		if isGroup(m) {
			return drop, "withheld content in a group"
		}
		return answer, ""
	}
	return drop, "an event the bot does not use"
}

func isGroup(m *message) bool { return strings.EqualFold(m.Chat.ChatType, "GROUP") }

// chatOf is the chat of m: a private chat's id is its user's.
func chatOf(m *message) string {
	if m.Chat.ID != "" {
		return string(m.Chat.ID)
	}
	return string(m.From.ID)
}

// inbound converts u into the neutral message, without its files: fileURL
// is the URL of a photo or voice note to download first, kind says which.
func inbound(u update, key string) (in bot.Inbound, fileURL string, kind mediaKind) {
	m := u.Message
	name := m.From.DisplayName
	if strings.TrimSpace(name) == "" {
		name = m.From.Name
	}
	in = bot.Inbound{
		UpdateKey: key,
		Chat:      addr(chatOf(m)),
		From:      addr(string(m.From.ID)),
		GroupChat: isGroup(m),
		Name:      vntext.NFC(name),
	}
	switch u.EventName {
	case eventText:
		in.Text = vntext.NFC(m.Text)
	case eventImage:
		in.Text = vntext.NFC(m.Caption)
		if in.Text == "" {
			in.Text = vntext.NFC(m.Text)
		}
		fileURL, kind = m.PhotoURL, photoKind
		if fileURL == "" {
			fileURL = m.Photo
		}
	case eventVoice:
		fileURL, kind = m.VoiceURL, voiceKind
	}
	if in.GroupChat {
		// Nothing of a group's is downloaded or kept: the dispatcher only
		// points a group to the private chat.
		return in, "", noKind
	}
	return in, strings.TrimSpace(fileURL), kind
}

// joinCode turns in into the presentation of an invite code when its
// sender is not known to the store and its text is a code: Zalo has no
// start parameter, so a code is typed as the first message.
func (b *Bot) joinCode(in bot.Inbound) (bot.Inbound, error) {
	code, ok := bot.ParseInviteCode(in.Text)
	if !ok || in.GroupChat {
		return in, nil
	}
	known := true
	err := b.cfg.Store.View(func(tx bot.Tx) error {
		_, err := tx.User(in.From)
		if bot.IsNotFound(err) {
			known = false
			return nil
		}
		return err
	})
	if err != nil {
		return in, fmt.Errorf("zalo: look up the sender of a code: %w", err)
	}
	if !known {
		in.JoinCode, in.Text = code, ""
	}
	return in, nil
}
