package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// audience is who a command is for.
type audience uint8

const (
	forLeaders audience = 1 << iota
	forOfficials
	forAdmins
	// forEveryone includes people not registered.
	forEveryone = forLeaders | forOfficials | forAdmins | 1<<7
)

// command is one chat command. The table of them routes commands, makes
// each role's /trogiup and the platform's command menu, so that help can
// never disagree with what is routed.
type command struct {
	name    string   // Vietnamese, as typed: "baocao"
	aliases []string // English and other spellings: "report"
	who     audience
	run     func(d *Dispatcher, x *turn) error
}

// commands in the order help lists them. A command's line in a role's
// help is the text "cmd.<name>.<role>" (leader, official, admin), or none.
// (Set in init: the help command reads the table.)
var commands []command

func init() {
	commands = []command{
		{"khan", []string{"urgent", "sos"}, forLeaders, (*Dispatcher).cmdEmergency},
		{"baocao", []string{"report"}, forLeaders, (*Dispatcher).cmdReport},
		{"huy", []string{"cancel"}, forLeaders | forOfficials, (*Dispatcher).cmdCancel},
		{"cuatoi", []string{"mine"}, forLeaders, (*Dispatcher).cmdMine},
		{"tonghop", []string{"summary"}, forOfficials, (*Dispatcher).cmdSummary},
		{"vuviec", []string{"cases"}, forLeaders | forOfficials, (*Dispatcher).cmdCases},
		{"xuat", []string{"export"}, forOfficials, (*Dispatcher).cmdExport},
		{"thongke", []string{"stats"}, forOfficials, (*Dispatcher).cmdStats},
		{"ngonngu", []string{"lang"}, forLeaders | forOfficials, (*Dispatcher).cmdLang},
		{"lienket", []string{"link"}, forLeaders | forOfficials | forAdmins, (*Dispatcher).cmdLink},
		{"diachi", []string{"where"}, forLeaders | forOfficials, (*Dispatcher).cmdWhere},
		{"saoluu", []string{"backup"}, forAdmins, (*Dispatcher).cmdBackup},
		{"thongbao", []string{"broadcast"}, forAdmins, (*Dispatcher).cmdBroadcast},
		{"moi", []string{"invite"}, forAdmins, (*Dispatcher).cmdInvite},
		{"thuhoi", []string{"revoke"}, forAdmins, (*Dispatcher).cmdRevoke},
		{"diaban", []string{"areas"}, forAdmins, (*Dispatcher).cmdAreas},
		{"nguoidung", []string{"users"}, forAdmins, (*Dispatcher).cmdUsers},
		{"khoa", []string{"deactivate"}, forAdmins, (*Dispatcher).cmdDeactivate},
		{"mokhoa", []string{"reactivate"}, forAdmins, (*Dispatcher).cmdReactivate},
		{"quantri", []string{"admin"}, forAdmins, (*Dispatcher).cmdAdmin},
		{"chuyen", []string{"move"}, forAdmins, (*Dispatcher).cmdMove},
		{"bangiao", []string{"handover"}, forAdmins, (*Dispatcher).cmdHandOver},
		{"linhvuc", []string{"agency"}, forAdmins, (*Dispatcher).cmdAgency},
		{"trogiup", []string{"help"}, forEveryone, (*Dispatcher).cmdHelp},
	}
}

// lookup finds a command by name or alias.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
		for _, a := range c.aliases {
			if a == name {
				return c, true
			}
		}
	}
	return command{}, false
}

// turn is one update being handled: what it says, who sent it, and what
// goes back.
type turn struct {
	tx       Tx
	r        *responder
	c        caller
	in       Inbound
	cmd, arg string
	now      time.Time

	// The chat's session, once loaded by session.
	sess           Session
	active, loaded bool
	// typed is set when the button in in.Callback was picked by typing.
	typed bool
}

// session loads the chat's session once. An unreadable one must not block
// the chat (and the updates queued behind it) forever: it is dropped.
func (d *Dispatcher) session(x *turn) error {
	if x.loaded {
		return nil
	}
	x.loaded = true
	sess, err := x.tx.Session(x.in.Chat)
	switch {
	case err == nil:
		x.sess, x.active = sess, true
	case !IsNotFound(err):
		d.Log.Error("dropping an unreadable session", "chat", x.in.Chat, "err", err)
		return x.tx.DeleteSession(x.in.Chat)
	}
	return nil
}

func (x *turn) say(key string, args ...any) { x.r.say(i18n.T(x.c.lang, key, args...)) }

// command runs a typed command, after checking that the caller is among
// those it is for (each handler checks the finer rules again).
func (d *Dispatcher) command(x *turn) error {
	cmd, ok := lookup(x.cmd)
	c := x.c
	switch {
	case !ok && !c.registered && !c.admin:
		x.say("help.unregistered")
	case !ok:
		x.say("unknown")
	case cmd.who == forEveryone:
		return cmd.run(d, x)
	case cmd.who&forAdmins != 0 && c.isAdmin():
		return cmd.run(d, x)
	case cmd.who == forAdmins:
		x.say("admin_only")
		return d.audit(x.tx, x.in, "refused.admin", "", strings.TrimSpace("/"+x.cmd+" "+x.arg), x.now)
	case !c.registered && !c.admin:
		x.say("help.unregistered")
	case !c.registered && cmd.who&forLeaders != 0:
		x.say("not_leader") // an admin named in the config, not a leader
	case !c.registered:
		return d.help(x.tx, x.r, c)
	case c.user.Role == RoleLeader && cmd.who&forLeaders != 0, c.user.Role == RoleOfficial && cmd.who&forOfficials != 0:
		return cmd.run(d, x)
	case cmd.who&forOfficials != 0:
		x.say("officials_only")
	default:
		x.say("not_leader")
	}
	return nil
}

// helpText is a role's help: its head, the lines of its commands, and a
// foot where the role has one.
func helpText(lang, role string, args ...any) string {
	return i18n.T(lang, "help."+role, args...) + "\n\n" + helpLines(lang, role)
}

// helpLines is a role's help without its head: after a welcome that says
// who they are, it is not said twice.
func helpLines(lang, role string) string {
	var b strings.Builder
	if about, ok := i18n.Lookup(lang, "help."+role+".about"); ok {
		b.WriteString(about + "\n\n")
	}
	for _, c := range commands {
		if line, ok := i18n.Lookup(lang, "cmd."+c.name+"."+role); ok {
			b.WriteString(line + "\n")
		}
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if foot, ok := i18n.Lookup(lang, "help."+role+".foot"); ok {
		text += "\n\n" + foot
	}
	return text
}

// MenuCommand is one entry of a platform's command menu.
type MenuCommand struct{ Name, Description string }

// CommandMenu is the command menu a platform shows leaders, from the same table
// and texts as their help.
func CommandMenu(lang string) []MenuCommand {
	var out []MenuCommand
	for _, c := range commands {
		if line, ok := i18n.Lookup(lang, "cmd."+c.name+".leader"); ok {
			_, desc, _ := strings.Cut(line, " — ")
			out = append(out, MenuCommand{Name: c.name, Description: desc})
		}
	}
	return out
}

func (d *Dispatcher) help(tx Tx, r *responder, c caller) error {
	switch {
	case c.registered && c.user.Role == RoleLeader:
		r.say(helpText(c.lang, "leader", d.areaName(tx, c.user.Group)))
	case c.isAdmin():
		r.say(helpText(c.lang, "admin"))
	case c.registered && c.user.Role == RoleOfficial:
		r.say(helpText(c.lang, "official", d.areaName(tx, c.user.Group)))
	default:
		r.say(i18n.T(c.lang, "help.unregistered"))
	}
	return nil
}

func (d *Dispatcher) cmdHelp(x *turn) error { return d.help(x.tx, x.r, x.c) }

func (d *Dispatcher) cmdReport(x *turn) error {
	if ok, err := d.maySubmit(x.tx, x.r, x.c); !ok || err != nil {
		return err
	}
	if err := d.session(x); err != nil {
		return err
	}
	if x.active && x.sess.IsDraft() {
		return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Resume(x.sess, x.now), x.now)
	}
	return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Begin(d.freshSession(x.tx, x.c, x.in, x.now, x.sess.Token), x.now), x.now)
}

// cmdEmergency starts the emergency report at once: what and where, and
// the police are told. A draft in hand gives way to it.
func (d *Dispatcher) cmdEmergency(x *turn) error {
	if ok, err := d.maySubmit(x.tx, x.r, x.c); !ok || err != nil {
		return err
	}
	if err := d.session(x); err != nil {
		return err
	}
	if x.active && x.sess.IsDraft() {
		x.say("emergency.draft_dropped")
	}
	return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Emergency(d.freshSession(x.tx, x.c, x.in, x.now, x.sess.Token), x.now), x.now)
}

func (d *Dispatcher) cmdCancel(x *turn) error {
	if err := d.session(x); err != nil {
		return err
	}
	if !x.active {
		x.say("cancel.nothing")
		return nil
	}
	x.say("cancel.done")
	return x.tx.DeleteSession(x.in.Chat)
}

func (d *Dispatcher) cmdMine(x *turn) error  { return d.browse(x, false) }
func (d *Dispatcher) cmdCases(x *turn) error { return d.browse(x, true) }

// browse lists the caller's reports or open cases, unless a draft must be
// finished first.
func (d *Dispatcher) browse(x *turn, cases bool) error {
	if x.c.user.Role == RoleLeader && !x.c.user.IsLeader() {
		x.say("not_leader")
		return nil
	}
	if err := d.session(x); err != nil {
		return err
	}
	if x.active && x.sess.IsDraft() {
		x.say("draft.first")
		return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Resume(x.sess, x.now), x.now)
	}
	return d.list(x.tx, x.r, x.c, x.in, cases, x.sess.Token, x.now)
}

func (d *Dispatcher) cmdSummary(x *turn) error {
	sc, err := ScopeOf(x.tx, x.c.user)
	if err != nil {
		return err
	}
	sum, err := BuildSummary(x.tx, x.c.user.Group, WeekStart(x.now, d.Location), x.now, d.Location)
	if err != nil {
		return err
	}
	x.r.say(sum.For(sc.Kinds()).Text(x.c.lang, d.Location, d.Flows.Title))
	return nil
}

func (d *Dispatcher) cmdStats(x *turn) error {
	if sc, err := ScopeOf(x.tx, x.c.user); err != nil {
		return err
	} else if !sc.Follows(KindMediation) {
		x.say("agency.not_followed", d.Flows.Title(KindMediation, x.c.lang))
		return nil
	}
	from, to, ok := statsPeriod(x.arg, x.now, d.Location)
	if !ok {
		x.say("stats.usage")
		return nil
	}
	st, err := BuildMediationStats(x.tx, x.c.user.Group, from, to)
	if err != nil {
		return err
	}
	x.r.say(st.Text(x.c.lang, d.Location))
	return nil
}

func (d *Dispatcher) cmdExport(x *turn) error {
	return d.exportChat(x.tx, x.r, x.c, x.in, x.arg, x.now)
}

func (d *Dispatcher) cmdLang(x *turn) error {
	if x.arg != "" {
		return d.setLang(x.tx, x.r, x.c, x.in, x.arg)
	}
	var row []Choice
	for _, l := range i18n.Languages {
		row = append(row, Choice{Label: i18n.T(l, "lang.name"), Value: ButtonLang.Value(l)})
	}
	x.r.msgs = append(x.r.msgs, Outbound{Chat: x.in.Chat, Reply: Reply{Text: i18n.T(x.c.lang, "lang.prompt"), Choices: [][]Choice{row}}})
	return nil
}

func (d *Dispatcher) cmdBackup(x *turn) error {
	if d.Backup == nil {
		x.say("backup.failed", "no backup directory")
		return nil
	}
	if err := d.audit(x.tx, x.in, "backup", "", "", x.now); err != nil {
		return err
	}
	lang, in := x.c.lang, x.in
	x.r.after = append(x.r.after, func() []Outbound {
		path, size, err := d.Backup()
		text := i18n.T(lang, "backup.done", path, fmt.Sprintf("%.1f MB", float64(size)/(1<<20)))
		if err != nil {
			d.Log.Error("backup from chat", "by", in.From, "err", err)
			text = i18n.T(lang, "backup.failed", err.Error())
		}
		return []Outbound{{Chat: in.Chat, Reply: Reply{Text: text}}}
	})
	return nil
}

func (d *Dispatcher) cmdBroadcast(x *turn) error {
	return d.broadcast(x.tx, x.r, x.c, x.in, x.arg, x.now)
}
