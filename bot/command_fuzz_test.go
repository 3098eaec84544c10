package bot

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/totuquan/totuquan/vntext"
)

// hostileText are texts no person types but a client, a bot or a paste
// may send: long texts at and past the platforms' limits, control
// characters, invalid UTF-8 (a lone surrogate as CESU-8 writes it),
// direction overrides, NUL.
func hostileText() []string {
	return []string{
		"", " ", strings.Repeat("a", 4096), strings.Repeat("ư", 100000), "\x00", "/\x00", "/baocao\x00",
		"\x01\x02\x1b[31m", "\xed\xa0\x80", "/\xff", "\u202e/baocao\u202c", "/baocao\u202e", "\u200f/xuat",
		"/" + strings.Repeat("x", 4096), "/thongbao " + strings.Repeat("ư", 100000),
	}
}

// Ensure a command is split as people type it: its name lower case,
// without the bot's @username, and with no space, line break or tab in
// it, whatever separates it from its arguments; the arguments trimmed;
// and the command written back as "/name arg" read the same.
func FuzzCommand(f *testing.F) {
	for _, s := range append([]string{
		"/baocao", "/BaoCao", "/baocao@totuquan_bot", "/baocao@totuquan_bot ", "/xuat csv 01/11/2026 30/11/2026",
		"/thongke 3", "/thongbao PT-TL Họp giao ban tổ trưởng 8 giờ", "/thongbao PT-TL\nHọp tổ lúc 19h\nTại nhà văn hóa",
		"/thongbao\nPT-TL Họp", "/moi\tTL-T01", "/linhvuc 12345 công an", "/start K7QM-2XPA-HN4D", "/", "//", "/@", "/ baocao",
		"/trogiup@", "/khan@other_bot", "báo cáo", "hôm nay", "/ngonngu en", "/ngonngu\u00a0en", "/diachi\u3000zalo",
	}, hostileText()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		name, arg := Inbound{Text: text}.Command()
		q := func(s string) string { return strconv.Quote(short([]byte(s))) }
		if !strings.HasPrefix(text, "/") {
			if name != "" || arg != "" {
				t.Fatalf("%s, no command, gives %s %s", q(text), q(name), q(arg))
			}
			return
		}
		if strings.ContainsFunc(name, unicode.IsSpace) || strings.Contains(name, "@") {
			t.Fatalf("Command(%s) = %s: a space or @ in the name", q(text), q(name))
		}
		if valid := utf8.ValidString(text); valid && strings.ToLower(name) != name {
			t.Fatalf("Command(%s) = %s, not lower case", q(text), q(name))
		}
		if strings.TrimSpace(arg) != arg {
			t.Fatalf("Command(%s) arguments %s not trimmed", q(text), q(arg))
		}
		if !strings.Contains(strings.ToLower(text), name) || !strings.Contains(text, arg) {
			t.Fatalf("Command(%s) = %s %s: not from the text", q(text), q(name), q(arg))
		}
		if name == "" {
			return
		}
		again := "/" + name
		if arg != "" {
			again += " " + arg
		}
		if n2, a2 := (Inbound{Text: again}).Command(); n2 != name || a2 != arg {
			t.Fatalf("Command(%s) = %s %s; written back as %s it is %s %s", q(text), q(name), q(arg), q(again), q(n2), q(a2))
		}
		if _, known := lookup(name); known && utf8.ValidString(text) {
			// A known command is found however the text ends its name.
			if n2, _ := (Inbound{Text: "/" + strings.ToUpper(name) + "\n" + arg}).Command(); n2 != name {
				t.Fatalf("/%s followed by a line break reads as %s", name, q(n2))
			}
		}
	})
}

// Ensure every button value made by Value is read back by ParseButton as
// its kind and argument, and that a value ParseButton reads is remade by
// Value; an alert's value of an action this version does not know is an
// alert action still.
func FuzzParseButton(f *testing.F) {
	for i, arg := range []string{"en", "vi", "incident", "", "AN-2026-0001", "telegram:12345", "zalo:2d758cb5e222177a4e35",
		"a:ack:x", ":", "lang:vi", "\x00", "\xff", strings.Repeat("x", 64)} {
		f.Add(uint8(i), arg, "7|v:"+arg)
	}
	f.Add(uint8(0), "", "a:snooze:AN-1")
	f.Add(uint8(0), "", "o:")
	f.Add(uint8(0), "", "to:")
	f.Fuzz(func(t *testing.T, ki uint8, arg, raw string) {
		k := buttonKinds[int(ki)%len(buttonKinds)]
		v := k.Value(arg)
		if kind, got, ok := ParseButton(v); !ok || kind != k || got != arg {
			t.Fatalf("ParseButton(%q) = %q %q %v, want %q %q", v, kind, got, ok, k, arg)
		}
		kind, got, ok := ParseButton(raw)
		switch {
		case !ok && (kind != "" || got != ""):
			t.Fatalf("ParseButton(%q) = %q %q, not ok", raw, kind, got)
		case ok && kind != "a:" && kind.Value(got) != raw, kind == "a:" && "a:"+got != raw:
			t.Fatalf("ParseButton(%q) = %q %q, which make %q", raw, kind, got, kind.Value(got))
		case !ok && strings.HasPrefix(raw, "a:"):
			t.Fatalf("ParseButton(%q): an alert's value not taken for one", raw)
		case ok && !slices.Contains(buttonKinds, kind) && kind != "a:":
			t.Fatalf("ParseButton(%q) = kind %q", raw, kind)
		}
	})
}

// Ensure an agency is read as an admin types it, in any case, with or
// without diacritics or extra spaces, and always as one of the agencies,
// whose code reads as itself.
func FuzzParseAgency(f *testing.F) {
	for _, s := range append([]string{"police", "công an", "Công An", "cong an", "  công   an  xã ", "tư pháp", "TƯ PHÁP", "mặt trận",
		"Mặt trận Tổ quốc", "ủy ban", "uỷ ban", "UBND phường", "ubnd", "mttq", "justice", "ca", "tp", "mt", "quân đội"}, hostileText()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseAgency(s)
		if !ok {
			if code != "" {
				t.Fatalf("ParseAgency(%q) = %q, not ok", s, code)
			}
			return
		}
		if _, known := Agencies[code]; !known {
			t.Fatalf("ParseAgency(%q) = %q, no agency", s, code)
		}
		for _, again := range []string{code, strings.ToUpper(code), vntext.Fold(s), vntext.NFC(s), "  " + s + "\t"} {
			if c, ok := ParseAgency(again); !ok || c != code {
				t.Fatalf("ParseAgency(%q) = %q; ParseAgency(%q) = %q %v", s, code, again, c, ok)
			}
		}
	})
}

// Ensure an invite code is read as a person types it and only then: the
// stored code is 12 characters of the alphabet, reads as itself, and
// reads the same upper case and grouped with dashes; a fresh code reads as
// itself.
func FuzzParseInviteCode(f *testing.F) {
	for _, s := range append([]string{"k7qm2xpahn4d", "K7QM-2XPA-HN4D", " k7qm 2xpa hn4d ", "K7QM2XPA", "k7qm2xpahn4dd",
		"k7qm2xpahn4l", "k7qm2xpahn40", "k7qm\u00a02xpa\u00a0hn4d", "ｋ7qm2xpahn4d", "\u212a7qm2xpahn4d", "k7qm\n2xpa\nhn4d"}, hostileText()...) {
		f.Add(s)
	}
	f.Add(NewInviteCode())
	f.Fuzz(func(t *testing.T, s string) {
		fresh := NewInviteCode()
		if c, ok := ParseInviteCode(fresh); !ok || c != fresh {
			t.Fatalf("a fresh code %q reads as %q %v", fresh, c, ok)
		}
		code, ok := ParseInviteCode(s)
		if !ok {
			if code != "" {
				t.Fatalf("ParseInviteCode(%q) = %q, not ok", s, code)
			}
			return
		}
		if len(code) != inviteLen || strings.Trim(code, inviteAlphabet) != "" {
			t.Fatalf("ParseInviteCode(%q) = %q: not %d characters of the alphabet", s, code, inviteLen)
		}
		grouped := strings.ToUpper(code[:4] + "-" + code[4:8] + "-" + code[8:])
		for _, again := range []string{code, grouped} {
			if c, ok := ParseInviteCode(again); !ok || c != code {
				t.Fatalf("ParseInviteCode(%q) = %q; ParseInviteCode(%q) = %q %v", s, code, again, c, ok)
			}
		}
	})
}

// Ensure a voice answer reads back as the file and length it was made of,
// and a text ParseVoice reads is one VoiceAnswer makes.
func FuzzParseVoice(f *testing.F) {
	f.Add("AwACAgUAAxkBAAI", 42, "voice:42:AwACAgUAAxkBAAI")
	f.Add("media/2026/11/a:b.aac", -5, "voice:-5:x")
	f.Add("", 0, "voice::")
	f.Add("x", 1<<40, "voice:99999999999999999999:x")
	f.Add("\x00", 0, "voice:+7:x")
	f.Fuzz(func(t *testing.T, file string, secs int, raw string) {
		if file != "" {
			a := VoiceAnswer(file, secs)
			if got, n, ok := ParseVoice(a); !ok || got != file || n != max(0, secs) {
				t.Fatalf("ParseVoice(VoiceAnswer(%q, %d)) = %q %d %v", file, secs, got, n, ok)
			}
		}
		got, n, ok := ParseVoice(raw)
		if !ok {
			return
		}
		if got == "" {
			t.Fatalf("ParseVoice(%q) = no file", raw)
		}
		if label := VoiceLabel(n); !utf8.ValidString(label) || !strings.HasPrefix(label, "🎤 ") {
			t.Fatalf("VoiceLabel(%d) = %q", n, label)
		}
	})
}
