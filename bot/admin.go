package bot

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// inviteAlphabet has the characters of invite codes: easy to read aloud and
// type on a phone (no 0/o, 1/l), and accepted by Telegram's start parameter.
const inviteAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// inviteLen is how many characters an invite code has.
const inviteLen = 12

// NewInviteCode returns an invite code of inviteLen characters of
// inviteAlphabet.
func NewInviteCode() string {
	b := make([]byte, inviteLen)
	rand.Read(b) // never fails on the platforms Go supports
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b)
}

// ParseInviteCode reports whether text, all of it, is an invite code as a
// person types it (in any case, with spaces or dashes to keep their place:
// "K7QM-2XPA-HN4D"), and returns the code as stored.
func ParseInviteCode(text string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\n' || r == '\u00a0':
			continue
		case !strings.ContainsRune(inviteAlphabet, r):
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > inviteLen {
			return "", false
		}
	}
	if b.Len() != inviteLen {
		return "", false
	}
	return b.String(), true
}

// joinLines say how to join with code on each platform the bot runs on:
// its link, or where it has none, to type the code as the first message.
// The first link, if any, is what a printed QR code holds.
func (d *Dispatcher) joinLines(lang, code string) (lines, qr string) {
	var out []string
	for _, p := range d.Platforms {
		if j, ok := d.Joiners[p]; ok {
			if link := j.JoinLink(code); link != "" {
				out = append(out, link)
				if qr == "" {
					qr = link
				}
				continue
			}
		}
		if cl, ok := d.Joiners[p].(ChatLinker); ok && cl.ChatLink() != "" {
			out = append(out, i18n.T(lang, "invite.open_type", i18n.T(lang, "platform."+p), cl.ChatLink(), code))
			if qr == "" {
				qr = cl.ChatLink()
			}
			continue
		}
		out = append(out, i18n.T(lang, "invite.type_code", i18n.T(lang, "platform."+p), code))
	}
	if qr == "" {
		qr = code
	}
	return strings.Join(out, "\n"), qr
}

// AreaTree renders the area tree in lang, each area with the groups,
// active leaders and officials inside it.
func AreaTree(tx Tx, lang string) (string, error) {
	areas, err := tx.Areas()
	if err != nil {
		return "", err
	}
	users, err := tx.Users()
	if err != nil {
		return "", err
	}
	children := map[string][]Area{}
	for _, a := range areas {
		children[a.Parent] = append(children[a.Parent], a)
	}
	for _, list := range children {
		sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	}
	var walk func(a Area, depth int) (groups, leaders, officials int, lines []string)
	walk = func(a Area, depth int) (int, int, int, []string) {
		g, l, o := 0, 0, 0
		if len(children[a.Code]) == 0 {
			g = 1
		}
		for _, u := range users {
			if u.Group == a.Code && !u.Deactivated {
				switch u.Role {
				case RoleLeader:
					l++
				case RoleOfficial:
					o++
				}
			}
		}
		var sub []string
		if depth < 64 {
			for _, c := range children[a.Code] {
				cg, cl, co, cs := walk(c, depth+1)
				g, l, o, sub = g+cg, l+cl, o+co, append(sub, cs...)
			}
		}
		line := strings.Repeat("  ", depth) + i18n.T(lang, "tree.line", a.Code, a.Name, a.Level, g, l, o)
		return g, l, o, append([]string{line}, sub...)
	}
	var out []string
	for _, root := range children[""] {
		_, _, _, lines := walk(root, 0)
		out = append(out, lines...)
	}
	if len(out) == 0 {
		return i18n.T(lang, "tree.empty"), nil
	}
	return strings.Join(out, "\n"), nil
}

// isAdmin reports whether the caller may run admin commands: named in the
// configuration, or promoted from the chat.
func (c caller) isAdmin() bool { return c.admin || (c.registered && c.user.Admin) }

func (d *Dispatcher) cmdAreas(x *turn) error {
	text, err := AreaTree(x.tx, x.c.lang)
	if err != nil {
		return err
	}
	x.r.say(text)
	return nil
}

func (d *Dispatcher) cmdUsers(x *turn) error {
	users, err := x.tx.Users()
	if err != nil {
		return err
	}
	sort.Slice(users, func(i, j int) bool {
		return users[i].Group+string(users[i].Address) < users[j].Group+string(users[j].Address)
	})
	T := func(key string, args ...any) string { return i18n.T(x.c.lang, key, args...) }
	f := strings.Fields(x.arg)
	var lines []string
	for _, u := range users {
		if len(f) > 0 {
			if ok, err := Covers(x.tx, f[0], u.Group); err != nil || !ok {
				continue
			}
		}
		line := fmt.Sprintf("• %s · %s · %s · %s", strings.Join(addressStrings(u.All()), ", "), u.Name, T("role."+string(u.Role)), d.areaName(x.tx, u.Group))
		if u.Admin {
			line += " · " + T("role.admin")
		}
		if u.Deactivated {
			line += " · " + T("user.deactivated")
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = []string{T("users.none")}
	}
	x.r.say(strings.Join(lines, "\n"))
	return nil
}

// chatErrors are the words the chat gives a service's error codes; each
// takes what the admin typed. EINVALID gets the command's usage instead.
var chatErrors = map[string]string{
	ENOTGROUP:  "svc.not_group",
	ENOTFOUND:  "svc.not_found",
	ERETIRED:   "svc.retired",
	EFORBIDDEN: "svc.forbidden",
	ECONFLICT:  "svc.conflict",
}

// refused tells the admin why a service refused, and reports whether it
// did; other errors (the store's) are returned. usage is the command's
// usage text; words may give a command's own text for a code.
func refused(x *turn, err error, subject, usage string, words map[string]string) (bool, error) {
	code := ErrorCode(err)
	key, ok := words[code]
	if !ok {
		key, ok = chatErrors[code]
	}
	switch {
	case err == nil:
		return false, nil
	case code == EINVALID && words[code] == "":
		x.say(usage)
	case ok:
		x.say(key, subject)
	default:
		return true, err
	}
	return true, nil
}

func (d *Dispatcher) cmdInvite(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) < 2 || (f[0] != "to" && f[0] != "canbo") {
		x.say("invite.usage")
		return nil
	}
	spec := InviteSpec{Role: RoleLeader, Area: f[1], Uses: DefaultInviteUses, Valid: DefaultInviteValidity}
	rest := f[2:]
	if f[0] == "canbo" {
		spec.Role, spec.Agency = RoleOfficial, "ubnd"
		if len(rest) > 0 {
			if a, ok := ParseAgency(rest[0]); ok {
				spec.Agency, rest = a, rest[1:]
			} else if len(rest) > 1 {
				if a, ok := ParseAgency(rest[0] + " " + rest[1]); ok { // "cong an", in two words
					spec.Agency, rest = a, rest[2:]
				}
			}
		}
	}
	// Then, optionally, how many uses and how many days.
	if len(rest) > 2 {
		x.say("invite.usage")
		return nil
	}
	for i, v := range rest {
		n, err := strconv.Atoi(v)
		if err != nil {
			x.say("invite.usage")
			return nil
		}
		if i == 0 {
			spec.Uses = n
		} else {
			spec.Valid = time.Duration(n) * 24 * time.Hour
		}
	}
	inv, area, err := CreateInvite(x.tx, spec, string(x.in.From), x.now)
	if done, err := refused(x, err, f[1], "invite.usage", nil); done {
		return err
	}
	lines, qr := d.joinLines(x.c.lang, inv.Code)
	x.say("invite.made", area.Name, inv.Code, lines, inv.MaxUses, inv.ExpiresAt.In(d.Location).Format("15:04 02/01/2006"))
	if d.InviteQR != nil {
		png, err := d.InviteQR(qr)
		if err != nil {
			return err
		}
		x.r.msgs = append(x.r.msgs, Outbound{Chat: x.in.Chat, Document: &Document{Name: "moi-" + area.Code + "-" + inv.Code + ".png", Data: png},
			Reply: Reply{Text: i18n.T(x.c.lang, "invite.qr", area.Name)}})
	}
	return nil
}

func (d *Dispatcher) cmdRevoke(x *turn) error {
	f := oneArg(x, 1)
	if f == nil {
		return nil
	}
	inv, err := RevokeInvite(x.tx, f[0], string(x.in.From), x.now)
	if done, err := refused(x, err, f[0], "invite.usage", map[string]string{ENOTFOUND: "join.bad_code"}); done {
		return err
	}
	x.say("invite.revoked", inv.Code)
	return nil
}

func (d *Dispatcher) cmdHandOver(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) != 1 {
		x.say("handover.usage")
		return nil
	}
	inv, old, err := HandOverGroup(x.tx, f[0], string(x.in.From), x.now)
	if done, err := refused(x, err, f[0], "handover.usage", nil); done {
		return err
	}
	var names []string
	for _, u := range old {
		names = append(names, u.Name)
	}
	lines, _ := d.joinLines(x.c.lang, inv.Code)
	x.say("handover.done", d.areaName(x.tx, f[0]), strings.Join(names, ", "), inv.Code, lines)
	return nil
}

// addressArg reads the person a command names: an address such as
// "telegram:123456" or "zalo:6ede9afa", or a bare id where the bot runs on
// one platform only. It is never guessed from the sender's platform.
func (d *Dispatcher) addressArg(s string) Address {
	if !strings.Contains(s, ":") && len(d.Platforms) == 1 {
		return NewAddress(d.Platforms[0], s)
	}
	return Address(s)
}

// changed tells the admin the outcome of a service that changes a person.
func changed(x *turn, u User, err error, subject string, words map[string]string) error {
	if done, err := refused(x, err, subject, "admin.usage", words); done {
		return err
	}
	x.say("user.changed", u.Name, string(u.Address))
	return nil
}

// oneArg is the command's n arguments, or nil after telling its usage.
func oneArg(x *turn, n int) []string {
	f := strings.Fields(x.arg)
	if len(f) != n {
		x.say("admin.usage")
		return nil
	}
	return f
}

func (d *Dispatcher) cmdDeactivate(x *turn) error { return d.setActive(x, false) }
func (d *Dispatcher) cmdReactivate(x *turn) error { return d.setActive(x, true) }

func (d *Dispatcher) setActive(x *turn, active bool) error {
	f := oneArg(x, 1)
	if f == nil {
		return nil
	}
	u, err := SetActive(x.tx, d.addressArg(f[0]), active, string(x.in.From), x.now)
	return changed(x, u, err, f[0], map[string]string{ENOTFOUND: "user.not_found"})
}

func (d *Dispatcher) cmdAdmin(x *turn) error {
	f := oneArg(x, 2)
	if f == nil {
		return nil
	}
	if f[0] != "them" && f[0] != "bo" {
		x.say("admin.usage")
		return nil
	}
	u, err := SetAdmin(x.tx, d.addressArg(f[1]), f[0] == "them", d.Admins, string(x.in.From), x.now)
	return changed(x, u, err, f[1], map[string]string{ENOTFOUND: "user.not_found", EFORBIDDEN: "admin.from_config"})
}

func (d *Dispatcher) cmdMove(x *turn) error {
	f := oneArg(x, 2)
	if f == nil {
		return nil
	}
	u, err := MoveLeader(x.tx, d.addressArg(f[0]), f[1], string(x.in.From), x.now)
	subject := f[0] + ", " + f[1] // either may be missing
	if ErrorCode(err) == ERETIRED {
		subject = f[1]
	}
	return changed(x, u, err, subject, nil)
}

func (d *Dispatcher) cmdAgency(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) < 2 {
		x.say("admin.usage")
		return nil
	}
	agency, ok := ParseAgency(strings.Join(f[1:], " "))
	if !ok {
		x.say("admin.usage")
		return nil
	}
	u, err := SetAgency(x.tx, d.addressArg(f[0]), agency, string(x.in.From), x.now)
	return changed(x, u, err, f[0], map[string]string{ENOTFOUND: "user.not_found"})
}

// importAreas imports an area file an admin sent, after the update has
// committed: the download is I/O, and the file is read and checked holding
// no write lock, then stored in a transaction of its own, all or nothing,
// with every bad row named by its line.
func (d *Dispatcher) importAreas(tx Tx, r *responder, c caller, in Inbound, now time.Time) error {
	download := d.Downloads[in.From.Platform()]
	if download == nil {
		return nil
	}
	r.after = append(r.after, func() []Outbound {
		reply := func(text string) []Outbound { return []Outbound{{Chat: in.Chat, Reply: Reply{Text: text}}} }
		data, err := download(context.Background(), in.Document)
		if err != nil {
			d.Log.Error("download an area file", "by", in.From, "err", err)
			return reply(i18n.T(c.lang, "areas.failed", err.Error()))
		}
		added, updated, err := ImportAreas(d.Store, bytes.NewReader(data), func(tx Tx, added, updated int) error {
			return d.audit(tx, in, "areas.import", "", fmt.Sprintf("%s: %d new, %d updated, by chat", in.DocumentName, added, updated), d.Now())
		})
		if ErrorCode(err) == EINVALID {
			return reply(i18n.T(c.lang, "areas.invalid", err.Error()))
		} else if err != nil {
			d.Log.Error("import an area file", "by", in.From, "err", err)
			return reply(i18n.T(c.lang, "areas.failed", err.Error()))
		}
		return reply(i18n.T(c.lang, "areas.done", added+updated, added, updated))
	})
	return nil
}
