package bot

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// Covers reports whether area is group or one of its ancestors: an
// official of a commune covers every village and group inside it.
func Covers(tx Tx, area, group string) (bool, error) {
	for code, steps := group, 0; code != "" && steps < 64; steps++ {
		if code == area {
			return true, nil
		}
		a, err := tx.Area(code)
		if IsNotFound(err) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		code = a.Parent
	}
	return false, nil
}

// alert renders an urgent incident for an official, with the buttons for
// what is left to do.
func (d *Dispatcher) alert(tx Tx, rep Report, lang string) Reply {
	text := i18n.T(lang, "alert.head", d.areaName(tx, rep.Group)) + "\n\n" + d.Flows.Describe(rep, lang)
	if u, err := tx.User(rep.Reporter); err == nil {
		text += "\n\n" + i18n.T(lang, "alert.reporter", u.Name)
	}
	var row []Choice
	if rep.Status == StatusNew {
		row = append(row, Choice{Label: i18n.T(lang, "alert.ack"), Value: ButtonAlertAck.Value(rep.ID)})
	}
	if rep.Status != StatusHandled {
		row = append(row, Choice{Label: i18n.T(lang, "alert.done"), Value: ButtonAlertDone.Value(rep.ID)})
	}
	r := Reply{Text: text}
	if len(row) > 0 {
		r.Choices = [][]Choice{row}
	}
	return r
}

// alertOfficials queues an urgent incident to the officials of its area
// who follow incidents, the police first.
func (d *Dispatcher) alertOfficials(tx Tx, r *responder, rep Report) error {
	officials, err := Recipients(tx, rep.Group, rep.Kind)
	if err != nil {
		return err
	}
	for _, o := range officials {
		lang := o.Lang
		if lang == "" {
			lang = d.Lang
		}
		alert := d.alert(tx, rep, lang)
		alert.Lang = lang
		r.msgs = append(r.msgs, Outbound{Chat: o.To(), Urgent: true, Reply: alert})
		// An alert discloses the report, personal data included.
		if err := tx.Audit(AuditEntry{At: rep.CreatedAt, Who: "system", Action: "alert", Area: rep.Group, Detail: rep.ID + " to " + string(o.To())}); err != nil {
			return err
		}
	}
	if len(officials) == 0 {
		d.Log.Warn("urgent incident with no official to alert", "report", rep.ID, "group", rep.Group)
		return nil
	}
	r.log("alert queued", "report", rep.ID, "officials", len(officials))
	return nil
}

// officialAction applies an official's press on an alert: the incident is
// acknowledged or handled, the alert redrawn and the leader told. The role
// and the area are checked here, whatever the button said.
func (d *Dispatcher) officialAction(tx Tx, r *responder, c caller, in Inbound, value string, now time.Time) error {
	action, id, _ := ParseButton(value)
	refuse := func(why string) error {
		d.Log.Warn("refused an alert action", "user", in.From, "report", id, "action", action, "why", why)
		r.ack = Ack{Text: i18n.T(c.lang, "alert.refused")}
		return d.audit(tx, in, "refused.alert", "", id+" "+strings.TrimPrefix(string(action), "a:")+": "+why, now)
	}
	if !c.registered || !c.user.IsOfficial() {
		return refuse("not an official")
	}
	rep, err := tx.Report(id)
	if IsNotFound(err) {
		return refuse("no such report")
	} else if err != nil {
		return err
	}
	ok, err := Allowed(tx, c.user, rep, ActUpdate, now)
	if err != nil {
		return err
	}
	if !ok || rep.Kind != KindIncident {
		return refuse("outside the official's area or agency")
	}
	var status string
	switch {
	case action == ButtonAlertAck && rep.Status == StatusNew:
		status = StatusAcknowledged
	case action == ButtonAlertDone && rep.Status != StatusHandled:
		status = StatusHandled
	case action == ButtonAlertAck || action == ButtonAlertDone:
		r.ack = Ack{Text: i18n.T(c.lang, "alert.already", i18n.T(c.lang, "status."+rep.Status))}
	default:
		return refuse("unknown action")
	}
	if status != "" {
		rep.Status = status
		rep.Updates = append(rep.Updates, CaseUpdate{At: now.UTC(), By: in.From, Status: status})
		if err := d.audit(tx, in, "incident."+status, rep.Group, rep.ID, now); err != nil {
			return err
		}
		if err := tx.PutReport(rep); err != nil {
			return err
		}
		r.ack = Ack{Text: i18n.T(c.lang, "status."+status)}
		if err := d.tellReporter(tx, r, c, rep, status, now); err != nil {
			return err
		}
	}
	if in.MessageID != "" {
		r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Op: OpEdit, MessageID: in.MessageID, Reply: d.alert(tx, rep, c.lang)})
		r.redrawn = true
	} else {
		// Picked by typing: the alert again, with what is left to do.
		r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Reply: d.alert(tx, rep, c.lang)})
	}
	return nil
}

// tellReporter tells a report's leader that an official changed its status.
func (d *Dispatcher) tellReporter(tx Tx, r *responder, c caller, rep Report, status string, now time.Time) error {
	leader, err := tx.User(rep.Reporter)
	if err != nil && !IsNotFound(err) {
		return err
	}
	to := rep.Reporter
	if err == nil {
		to = leader.To() // where they read now, on whichever platform
	}
	lang := d.langOf(leader)
	r.msgs = append(r.msgs, Outbound{Chat: to, Reply: Reply{Text: i18n.T(lang, "status.notify",
		rep.ID, i18n.T(lang, "status."+status), c.user.Name, d.areaName(tx, c.user.Group), now.In(d.Location).Format("15:04 02/01/2006"))}})
	return nil
}

// subtree returns the groups in use (the leaves of the tree, not retired)
// inside area, and
// every code inside it, area included: reports are mostly made in groups,
// but a leader may have been invited for a village.
func subtree(tx Tx, area string) ([]Area, map[string]bool, error) {
	areas, err := tx.Areas()
	if err != nil {
		return nil, nil, err
	}
	children := map[string][]Area{}
	var root *Area
	for i, a := range areas {
		children[a.Parent] = append(children[a.Parent], a)
		if a.Code == area {
			root = &areas[i]
		}
	}
	if root == nil {
		return nil, nil, Errorf(ENOTFOUND, "area %q not found", area)
	}
	var leaves []Area
	inside := map[string]bool{}
	var walk func(Area, int)
	walk = func(a Area, depth int) {
		inside[a.Code] = true
		if len(children[a.Code]) == 0 && !a.Retired {
			leaves = append(leaves, a)
		}
		if depth < 64 {
			for _, c := range children[a.Code] {
				walk(c, depth+1)
			}
		}
	}
	walk(*root, 0)
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].Code < leaves[j].Code })
	return leaves, inside, nil
}

// exportChat sends an official the reports of their area as a file: XLSX
// unless arg starts with "csv", of one kind if it names one by its
// reference prefix (AN, HP, HG), for the last 30 days or the days it gives
// ("/xuat csv HG 01/11/2026 30/11/2026").
func (d *Dispatcher) exportChat(tx Tx, r *responder, c caller, in Inbound, arg string, now time.Time) error {
	format, kind, p, ok := d.exportArgs(arg, now)
	if !ok {
		r.say(i18n.T(c.lang, "export.usage"))
		return nil
	}
	x, err := Export(tx, ExportQuery{Official: &c.user, Kind: kind, Period: p, Format: format, Location: d.Location}, string(in.From), now)
	if code := ErrorCode(err); code == EFORBIDDEN || code == ENOTFOUND {
		r.say(i18n.T(c.lang, "officials_only"))
		return nil
	} else if err != nil {
		return err
	}
	var data []byte
	if format == "xlsx" {
		if data, err = d.XLSX(x.Tables(d.Flows, c.lang)); err != nil {
			return err
		}
	} else {
		var buf bytes.Buffer
		if err := x.WriteCSV(&buf); err != nil {
			return err
		}
		data = buf.Bytes()
	}
	last := p.LastDay(d.Location)
	name := fmt.Sprintf("baocao-%s-%s-%s.%s", c.user.Group, p.From.In(d.Location).Format("20060102"), last.Format("20060102"), format)
	r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Document: &Document{Name: name, Data: data},
		Reply: Reply{Text: i18n.N(c.lang, "export.done", len(x.Reports), d.areaName(tx, c.user.Group), p.From.In(d.Location).Format("02/01/2006"), last.Format("02/01/2006"), len(x.Reports))}})
	return nil
}

// exportArgs reads /xuat's words: the format, a kind by its reference
// prefix, and a span of days (the last 30 by default); ok is false when
// they make no sense.
func (d *Dispatcher) exportArgs(arg string, now time.Time) (format string, kind ReportKind, p Period, ok bool) {
	format = "csv"
	if d.XLSX != nil {
		format = "xlsx" // what officials open in Excel by default
	}
	f := strings.Fields(arg)
	for len(f) > 0 { // leading words: the format, and a kind
		switch lw := strings.ToLower(f[0]); lw {
		case "csv", "xlsx":
			format = lw
		case "an", "hp", "hg":
			kind = map[string]ReportKind{"an": KindIncident, "hp": KindMeeting, "hg": KindMediation}[lw]
		default:
			goto period
		}
		f = f[1:]
	}
period:
	if format == "xlsx" && d.XLSX == nil {
		format = "csv"
	}
	switch len(f) {
	case 0:
		to := DayAfter(now, d.Location)
		return format, kind, Period{From: to.AddDate(0, 0, -30), To: to}, true
	case 2:
		p, err := ParseDays(f[0], f[1], "02/01/2006", d.Location)
		return format, kind, p, err == nil
	}
	return format, kind, p, false
}

// broadcast queues an admin's message ("AREA text") to every active leader
// inside the area, keyed by the update so that it goes once.
func (d *Dispatcher) broadcast(tx Tx, r *responder, c caller, in Inbound, arg string, now time.Time) error {
	area, text := cutWord(arg)
	if area == "" || text == "" {
		r.say(i18n.T(c.lang, "broadcast.usage"))
		return nil
	}
	a, sent, err := Broadcast(tx, area, text, in.UpdateKey, d.Lang, string(in.From), now)
	switch ErrorCode(err) {
	case "":
		r.say(i18n.N(c.lang, "broadcast.done", sent, sent, a.Name))
		return nil
	case ENOTFOUND:
		r.say(i18n.T(c.lang, "broadcast.no_area", area))
		return nil
	case EINVALID:
		r.say(i18n.T(c.lang, "broadcast.usage"))
		return nil
	}
	return err
}

// QueueNotice queues text to every active leader inside area, as bulk
// (within the send limits, behind replies to people chatting), keyed by key
// so that it goes once. It returns the area and how many were queued.
func QueueNotice(tx Tx, area, text, key, defaultLang string) (Area, int, error) {
	a, err := tx.Area(area)
	if err != nil {
		return a, 0, err
	}
	users, err := tx.Users()
	if err != nil {
		return a, 0, err
	}
	sent := 0
	for _, u := range users {
		if !u.IsLeader() {
			continue
		}
		if ok, err := Covers(tx, area, u.Group); err != nil {
			return a, sent, err
		} else if !ok {
			continue
		}
		lang := u.Lang
		if lang == "" {
			lang = defaultLang
		}
		m := Outbound{Chat: u.To(), Bulk: true, Key: "notice:" + key + ":" + string(u.Address),
			Reply: Reply{Text: i18n.T(lang, "broadcast.head", a.Name) + "\n\n" + text}}
		if ok, err := enqueue(tx, m); err != nil {
			return a, sent, err
		} else if ok {
			sent++
		}
	}
	return a, sent, nil
}

// HandOver hands group to a new leader: its active leaders are deactivated
// (their reports stay) and a fresh single-use invite for the group is
// stored and returned, with the leaders it replaced.
func HandOver(tx Tx, group, by string, now time.Time) (Invite, []User, error) {
	a, err := tx.Area(group)
	if err != nil {
		return Invite{}, nil, err
	}
	if a.Retired {
		return Invite{}, nil, Errorf(EINVALID, "area %s is retired", group)
	}
	users, err := tx.Users()
	if err != nil {
		return Invite{}, nil, err
	}
	var old []User
	for _, u := range users {
		if u.Role == RoleLeader && u.Group == group && !u.Deactivated {
			u.Deactivated = true
			if err := tx.PutUser(u); err != nil {
				return Invite{}, nil, err
			}
			if err := dropSessions(tx, u); err != nil {
				return Invite{}, nil, err
			}
			old = append(old, u)
		}
	}
	inv := Invite{Code: NewInviteCode(), Group: group, Role: RoleLeader, MaxUses: 1,
		ExpiresAt: now.Add(7 * 24 * time.Hour).UTC(), CreatedAt: now.UTC(), CreatedBy: by}
	return inv, old, tx.PutInvite(inv)
}

// Inside returns the codes of area and every area within it.
func Inside(tx Tx, area string) (map[string]bool, error) {
	_, inside, err := subtree(tx, area)
	return inside, err
}
