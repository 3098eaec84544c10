package bot

import (
	"slices"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// linkValidity is how long a one-time link code may be used.
const linkValidity = 30 * time.Minute

// reportsOf calls fn for the reports the person sent from any of their
// addresses, newest first, until fn returns false.
func reportsOf(tx Tx, u User, fn func(Report) bool) error {
	var all []Report
	for _, a := range u.All() {
		if err := tx.ReportsBy(a, func(r Report) bool { all = append(all, r); return true }); err != nil {
			return err
		}
	}
	slices.SortStableFunc(all, func(a, b Report) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, r := range all {
		if !fn(r) {
			break
		}
	}
	return nil
}

// cmdLink links addresses. A person gets a one-time code to type (or a
// link to open) on their other platform; an admin links two addresses
// directly: /lienket ADDRESS NEW_ADDRESS.
func (d *Dispatcher) cmdLink(x *turn) error {
	if f := strings.Fields(x.arg); len(f) > 0 {
		if !x.c.isAdmin() || len(f) != 2 {
			x.say("link.usage")
			return nil
		}
		u, err := LinkAddress(x.tx, d.addressArg(f[0]), d.addressArg(f[1]), string(x.in.From), x.now)
		if done, err := refused(x, err, f[0]+", "+f[1], "link.usage", map[string]string{ENOTFOUND: "user.not_found"}); done {
			return err
		}
		x.say("link.done", u.Name, strings.Join(addressStrings(u.All()), ", "))
		return nil
	}
	if !x.c.registered {
		x.say("link.usage")
		return nil
	}
	inv := Invite{Code: NewInviteCode(), Role: RoleLink, Person: x.c.user.Address, MaxUses: 1,
		ExpiresAt: x.now.Add(linkValidity).UTC(), CreatedAt: x.now.UTC(), CreatedBy: string(x.in.From)}
	if err := x.tx.PutInvite(inv); err != nil {
		return err
	}
	lines, _ := d.joinLines(x.c.lang, inv.Code)
	x.say("link.code", inv.Code, lines, inv.ExpiresAt.In(d.Location).Format("15:04 02/01/2006"))
	return nil
}

// linkHere adds the address in comes from to the person a link code was
// made for.
func (d *Dispatcher) linkHere(tx Tx, r *responder, c caller, in Inbound, inv Invite, now time.Time) error {
	u, err := LinkAddress(tx, inv.Person, in.From, string(in.From), now)
	if code := ErrorCode(err); code == ENOTFOUND || code == ECONFLICT {
		r.say(i18n.T(c.lang, "join.bad_code"))
		return nil
	} else if err != nil {
		return err
	}
	inv.Uses++
	if err := tx.PutInvite(inv); err != nil {
		return err
	}
	u.LastSeen = in.From
	if err := tx.PutUser(u); err != nil {
		return err
	}
	r.joined = true
	r.say(i18n.T(d.langOf(u), "link.here", u.Name, d.areaName(tx, u.Group)))
	return nil
}

// cmdWhere lists the person's addresses and lets them choose where
// summaries and alerts go.
func (d *Dispatcher) cmdWhere(x *turn) error {
	var rows [][]Choice
	for _, a := range x.c.user.All() {
		label := i18n.T(x.c.lang, "platform."+a.Platform()) + " " + a.ID()
		if a == x.c.user.To() {
			label = "✓ " + label
		}
		rows = append(rows, []Choice{{Label: label, Value: ButtonNotify.Value(string(a))}})
	}
	x.r.msgs = append(x.r.msgs, Outbound{Chat: x.in.Chat, Reply: Reply{Text: i18n.T(x.c.lang, "where.prompt"), Choices: rows}})
	return nil
}

// setNotify stores the address the person chose for summaries and alerts.
func (d *Dispatcher) setNotify(x *turn, a Address) error {
	if !x.c.user.Has(a) {
		x.say("stale")
		return nil
	}
	x.c.user.Notify = a
	if err := x.tx.PutUser(x.c.user); err != nil {
		return err
	}
	x.say("where.set", i18n.T(x.c.lang, "platform."+a.Platform())+" "+a.ID())
	return nil
}

func addressStrings(as []Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
