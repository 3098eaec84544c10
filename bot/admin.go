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

// NewInviteCode returns an invite code: 12 characters that Telegram's
// start parameter accepts and that are easy to read aloud (no 0/o, 1/l).
func NewInviteCode() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	rand.Read(b) // never fails on the platforms Go supports
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
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
		line := fmt.Sprintf("• %s · %s · %s · %s", u.Address, u.Name, T("role."+string(u.Role)), d.areaName(x.tx, u.Group))
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

func (d *Dispatcher) cmdInvite(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) < 2 || (f[0] != "to" && f[0] != "canbo") {
		x.say("invite.usage")
		return nil
	}
	area, err := x.tx.Area(f[1])
	if IsNotFound(err) || area.Retired {
		x.say("broadcast.no_area", f[1])
		return nil
	} else if err != nil {
		return err
	}
	inv := Invite{Code: NewInviteCode(), Group: area.Code, Role: RoleLeader, MaxUses: 1, CreatedAt: x.now.UTC(), CreatedBy: string(x.in.From)}
	rest := f[2:]
	if f[0] == "canbo" {
		inv.Role, inv.Agency = RoleOfficial, "ubnd"
		if len(rest) > 0 && Agencies[rest[0]] != nil {
			inv.Agency, rest = rest[0], rest[1:]
		}
	}
	// Then, optionally, how many uses and how many days.
	days := 7
	for i, p := range []*int{&inv.MaxUses, &days} {
		if i < len(rest) {
			n, err := strconv.Atoi(rest[i])
			if err != nil || n < 1 || n > 1000 {
				x.say("invite.usage")
				return nil
			}
			*p = n
		}
	}
	if len(rest) > 2 {
		x.say("invite.usage")
		return nil
	}
	inv.ExpiresAt = x.now.AddDate(0, 0, days).UTC()
	if err := x.tx.PutInvite(inv); err != nil {
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
	return d.audit(x.tx, x.in, "invite", area.Code, strings.TrimSpace(string(inv.Role)+" "+inv.Agency)+" by chat", x.now)
}

func (d *Dispatcher) cmdRevoke(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) != 1 {
		x.say("invite.usage")
		return nil
	}
	inv, err := x.tx.Invite(f[0])
	if IsNotFound(err) {
		x.say("join.bad_code")
		return nil
	} else if err != nil {
		return err
	}
	inv.Revoked = true
	if err := x.tx.PutInvite(inv); err != nil {
		return err
	}
	x.say("invite.revoked", inv.Code)
	return d.audit(x.tx, x.in, "invite.revoke", inv.Group, inv.Code, x.now)
}

func (d *Dispatcher) cmdHandOver(x *turn) error {
	f := strings.Fields(x.arg)
	if len(f) != 1 {
		x.say("handover.usage")
		return nil
	}
	inv, old, err := HandOver(x.tx, f[0], string(x.in.From), x.now)
	if IsNotFound(err) || ErrorCode(err) == EINVALID {
		x.say("broadcast.no_area", f[0])
		return nil
	} else if err != nil {
		return err
	}
	var names []string
	for _, u := range old {
		names = append(names, u.Name)
	}
	lines, _ := d.joinLines(x.c.lang, inv.Code)
	x.say("handover.done", d.areaName(x.tx, f[0]), strings.Join(names, ", "), inv.Code, lines)
	return d.audit(x.tx, x.in, "handover", f[0], fmt.Sprintf("%d leaders deactivated, invite %s", len(old), inv.Code), x.now)
}

// userArg reads the person a command names: an address such as
// "telegram:123456" or "zalo:6ede9afa", or a bare id where the bot runs on
// one platform only. It is never guessed from the sender's platform.
func (d *Dispatcher) userArg(x *turn, s string) (User, bool, error) {
	u, err := x.tx.User(d.addressArg(s))
	if IsNotFound(err) {
		x.say("user.not_found", s)
		return u, false, nil
	}
	return u, err == nil, err
}

func (d *Dispatcher) addressArg(s string) Address {
	if !strings.Contains(s, ":") && len(d.Platforms) == 1 {
		return NewAddress(d.Platforms[0], s)
	}
	return Address(s)
}

// changeUser applies change to the person named by arg and records it.
func (d *Dispatcher) changeUser(x *turn, arg, action string, change func(*User) (ok bool, err error)) error {
	u, ok, err := d.userArg(x, arg)
	if !ok || err != nil {
		return err
	}
	if ok, err := change(&u); !ok || err != nil {
		return err
	}
	if err := x.tx.PutUser(u); err != nil {
		return err
	}
	x.say("user.changed", u.Name, u.Address.ID())
	return d.audit(x.tx, x.in, action, u.Group, string(u.Address), x.now)
}

// oneArg is the command's single argument, or "" after telling its usage.
func oneArg(x *turn, n int) []string {
	f := strings.Fields(x.arg)
	if len(f) != n {
		x.say("admin.usage")
		return nil
	}
	return f
}

func (d *Dispatcher) cmdDeactivate(x *turn) error {
	f := oneArg(x, 1)
	if f == nil {
		return nil
	}
	return d.changeUser(x, f[0], "khoa", func(u *User) (bool, error) {
		u.Deactivated = true
		return true, x.tx.DeleteSession(u.Address)
	})
}

func (d *Dispatcher) cmdReactivate(x *turn) error {
	f := oneArg(x, 1)
	if f == nil {
		return nil
	}
	return d.changeUser(x, f[0], "mokhoa", func(u *User) (bool, error) {
		u.Deactivated = false
		return true, nil
	})
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
	if f[0] == "bo" && d.Admins[d.addressArg(f[1])] {
		x.say("admin.from_config")
		return nil
	}
	action := map[string]string{"them": "admin.promote", "bo": "admin.demote"}[f[0]]
	return d.changeUser(x, f[1], action, func(u *User) (bool, error) {
		u.Admin = f[0] == "them"
		return true, nil
	})
}

func (d *Dispatcher) cmdMove(x *turn) error {
	f := oneArg(x, 2)
	if f == nil {
		return nil
	}
	if a, err := x.tx.Area(f[1]); IsNotFound(err) || a.Retired {
		x.say("broadcast.no_area", f[1])
		return nil
	} else if err != nil {
		return err
	}
	return d.changeUser(x, f[0], "chuyen", func(u *User) (bool, error) {
		if u.Role != RoleLeader {
			x.say("admin.usage")
			return false, nil
		}
		u.Group = f[1]
		return true, x.tx.DeleteSession(u.Address) // a draft for the old group
	})
}

func (d *Dispatcher) cmdAgency(x *turn) error {
	f := oneArg(x, 2)
	if f == nil {
		return nil
	}
	if Agencies[f[1]] == nil {
		x.say("admin.usage")
		return nil
	}
	return d.changeUser(x, f[0], "linhvuc", func(u *User) (bool, error) {
		if u.Role != RoleOfficial {
			x.say("admin.usage")
			return false, nil
		}
		u.Agency = f[1]
		return true, nil
	})
}

// importAreas imports an area file an admin sent, after the update has
// committed: the download is I/O, and the file is read and checked holding
// no write lock, then stored in a transaction of its own, all or nothing,
// with every bad row named by its line.
func (d *Dispatcher) importAreas(tx Tx, r *responder, c caller, in Inbound, now time.Time) error {
	if d.Download == nil {
		return nil
	}
	r.after = append(r.after, func() []Outbound {
		reply := func(text string) []Outbound { return []Outbound{{Chat: in.Chat, Reply: Reply{Text: text}}} }
		data, err := d.Download(context.Background(), in.Document)
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
