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

// InviteLink is the t.me link that opens the bot with an invite code.
func InviteLink(botUsername, code string) string {
	return "https://t.me/" + botUsername + "?start=" + code
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

// adminCommand runs an admin's chat command; handled is false for a
// command that is not one of them.
func (d *Dispatcher) adminCommand(tx Tx, r *responder, c caller, in Inbound, cmd, arg string, now time.Time) (handled bool, err error) {
	switch cmd {
	case "moi", "thuhoi", "diaban", "nguoidung", "khoa", "mokhoa", "quantri", "bangiao", "chuyen", "linhvuc":
	default:
		return false, nil
	}
	if !c.isAdmin() {
		r.say(i18n.T(c.lang, "admin_only"))
		return true, d.audit(tx, in, "refused.admin", "", strings.TrimSpace("/"+cmd+" "+arg), now)
	}
	T := func(key string, args ...any) string { return i18n.T(c.lang, key, args...) }
	f := strings.Fields(arg)
	switch cmd {
	case "diaban":
		text, err := AreaTree(tx, c.lang)
		if err != nil {
			return true, err
		}
		r.say(text)
		return true, nil
	case "nguoidung":
		users, err := tx.Users()
		if err != nil {
			return true, err
		}
		sort.Slice(users, func(i, j int) bool {
			return users[i].Group+string(users[i].Address) < users[j].Group+string(users[j].Address)
		})
		var lines []string
		for _, u := range users {
			if len(f) > 0 {
				if ok, err := Covers(tx, f[0], u.Group); err != nil || !ok {
					continue
				}
			}
			line := fmt.Sprintf("• %s · %s · %s · %s", u.Address.ID(), u.Name, T("role."+string(u.Role)), d.areaName(tx, u.Group))
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
		r.say(strings.Join(lines, "\n"))
		return true, nil
	case "moi":
		if len(f) < 2 || (f[0] != "to" && f[0] != "canbo") {
			r.say(T("invite.usage"))
			return true, nil
		}
		area, err := tx.Area(f[1])
		if IsNotFound(err) || area.Retired {
			r.say(T("broadcast.no_area", f[1]))
			return true, nil
		} else if err != nil {
			return true, err
		}
		inv := Invite{Code: NewInviteCode(), Group: area.Code, Role: RoleLeader, MaxUses: 1, CreatedAt: now.UTC(), CreatedBy: string(in.From)}
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
					r.say(T("invite.usage"))
					return true, nil
				}
				*p = n
			}
		}
		if len(rest) > 2 {
			r.say(T("invite.usage"))
			return true, nil
		}
		inv.ExpiresAt = now.AddDate(0, 0, days).UTC()
		if err := tx.PutInvite(inv); err != nil {
			return true, err
		}
		r.say(T("invite.made", area.Name, inv.Code, d.BotUsername, inv.Code, inv.MaxUses, inv.ExpiresAt.In(d.Location).Format("02/01/2006")))
		if d.InviteQR != nil {
			png, err := d.InviteQR(InviteLink(d.BotUsername, inv.Code))
			if err != nil {
				return true, err
			}
			r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Document: &Document{Name: "moi-" + area.Code + "-" + inv.Code + ".png", Data: png},
				Reply: Reply{Text: T("invite.qr", area.Name)}})
		}
		return true, d.audit(tx, in, "invite", area.Code, strings.TrimSpace(string(inv.Role)+" "+inv.Agency)+" by chat", now)
	case "thuhoi":
		if len(f) != 1 {
			r.say(T("invite.usage"))
			return true, nil
		}
		inv, err := tx.Invite(f[0])
		if IsNotFound(err) {
			r.say(T("join.bad_code"))
			return true, nil
		} else if err != nil {
			return true, err
		}
		inv.Revoked = true
		if err := tx.PutInvite(inv); err != nil {
			return true, err
		}
		r.say(T("invite.revoked", inv.Code))
		return true, d.audit(tx, in, "invite.revoke", inv.Group, inv.Code, now)
	case "bangiao":
		if len(f) != 1 {
			r.say(T("handover.usage"))
			return true, nil
		}
		inv, old, err := HandOver(tx, f[0], string(in.From), now)
		if IsNotFound(err) || ErrorCode(err) == EINVALID {
			r.say(T("broadcast.no_area", f[0]))
			return true, nil
		} else if err != nil {
			return true, err
		}
		var names []string
		for _, u := range old {
			names = append(names, u.Name)
		}
		r.say(T("handover.done", d.areaName(tx, f[0]), strings.Join(names, ", "), inv.Code, d.BotUsername, inv.Code))
		return true, d.audit(tx, in, "handover", f[0], fmt.Sprintf("%d leaders deactivated, invite %s", len(old), inv.Code), now)
	case "linhvuc":
		if len(f) != 2 || Agencies[f[1]] == nil {
			r.say(T("admin.usage"))
			return true, nil
		}
	case "chuyen":
		if len(f) != 2 {
			r.say(T("admin.usage"))
			return true, nil
		}
		if a, err := tx.Area(f[1]); IsNotFound(err) || a.Retired {
			r.say(T("broadcast.no_area", f[1]))
			return true, nil
		}
	}
	// khoa, mokhoa, quantri, chuyen: about one user, named by their
	// Telegram id.
	target := f
	if cmd == "chuyen" || cmd == "linhvuc" {
		target = f[:1]
	}
	if cmd == "quantri" {
		if len(f) != 2 || (f[0] != "them" && f[0] != "bo") {
			r.say(T("admin.usage"))
			return true, nil
		}
		f = f[1:]
	}
	if cmd == "quantri" {
		target = f
	}
	if len(target) != 1 {
		r.say(T("admin.usage"))
		return true, nil
	}
	addr := Address(target[0])
	if _, err := strconv.ParseInt(target[0], 10, 64); err == nil {
		addr = NewAddress(in.From.Platform(), target[0])
	}
	if cmd == "quantri" && strings.HasPrefix(arg, "bo") && d.Admins[addr] {
		r.say(T("admin.from_config"))
		return true, nil
	}
	u, err := tx.User(addr)
	if IsNotFound(err) {
		r.say(T("user.not_found", target[0]))
		return true, nil
	} else if err != nil {
		return true, err
	}
	action := cmd
	switch {
	case cmd == "linhvuc":
		if u.Role != RoleOfficial {
			r.say(T("admin.usage"))
			return true, nil
		}
		u.Agency = f[1]
	case cmd == "chuyen":
		if u.Role != RoleLeader {
			r.say(T("admin.usage"))
			return true, nil
		}
		u.Group = f[1]
		if err := tx.DeleteSession(addr); err != nil { // a draft for the old group
			return true, err
		}
	case cmd == "khoa":
		u.Deactivated = true
		if err := tx.DeleteSession(addr); err != nil {
			return true, err
		}
	case cmd == "mokhoa":
		u.Deactivated = false
	case strings.HasPrefix(arg, "them"):
		u.Admin, action = true, "admin.promote"
	default:
		u.Admin, action = false, "admin.demote"
	}
	if err := tx.PutUser(u); err != nil {
		return true, err
	}
	r.say(T("user.changed", u.Name, addr.ID()))
	return true, d.audit(tx, in, action, u.Group, string(addr), now)
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
