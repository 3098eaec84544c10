package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// Handler handles one inbound update. Adapters call it and confirm the
// update to their platform only when it returns nil.
type Handler interface {
	Handle(ctx context.Context, in Inbound) (Ack, error)
}

// Dispatcher routes inbound messages to commands and flows. Each update is
// handled in one store transaction that also records the update as seen and
// puts the replies in the outbox, so a crash either keeps all of it or none.
type Dispatcher struct {
	Store Store
	Flows FlowEngine
	// Admins are the user addresses the configuration names as admins.
	Admins map[Address]bool
	// Lang is the language of users who have not chosen one.
	Lang     string
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Notify, if set, is called after replies were committed to the outbox.
	Notify func()
	// Backup, if set, writes a consistent copy of the live store and
	// returns where and how large (the admins' /saoluu).
	Backup func() (path string, size int64, err error)
	// Joiners say, per platform, how a person joins with an invite code.
	Joiners map[string]Joiner
	// InviteQR, if set, draws an invite link as a QR code (PNG) to print.
	InviteQR func(link string) ([]byte, error)
	Chart    func(c WeeklyChart) ([]byte, error) // if set, draws the weekly summary's chart (PNG); the plain Chart otherwise
	// XLSX, if set, writes tables as an Excel workbook, for /xuat.
	XLSX func(tables []Table) ([]byte, error)
	// Downloads fetch, per platform, a file a user sent (an admin's area
	// file): a Telegram file is an id to ask for, a Zalo one a URL.
	Downloads map[string]func(ctx context.Context, file string) ([]byte, error)
	// Guard, if set, limits how fast senders and chats are served and how
	// often strangers are answered.
	Guard *Guard
	// Platforms are the names of the platforms the bot runs on; with one,
	// an admin may name a person by its bare id.
	Platforms []string
	// DraftExpiry is how long an unsent draft is kept unchanged before
	// Housekeeping deletes it; zero keeps drafts for ever.
	DraftExpiry time.Duration
	// Observe, if set, is told of every update Handle was given: its
	// platform, its outcome (OutcomeHandled, OutcomeDropped or
	// OutcomeFailed) and how long it took until its replies were
	// committed.
	Observe func(platform, outcome string, took time.Duration)

	refusals refusals
}

// errPanic marks an update whose handling panicked; it is not retried.
var errPanic = errors.New("handler panicked")

// Handle applies in and returns the acknowledgement for a button press. It
// returns an error only when the store failed; the update should then be
// offered again. An update already applied is acknowledged and ignored.
func (d *Dispatcher) Handle(ctx context.Context, in Inbound) (Ack, error) {
	start := time.Now() // the wall clock, whatever d.Now says
	ack, dropped, err := d.handle(in)
	if d.Observe != nil {
		outcome := OutcomeHandled
		switch {
		case err != nil:
			outcome = OutcomeFailed
		case dropped:
			outcome = OutcomeDropped
		}
		d.Observe(in.Chat.Platform(), outcome, time.Since(start))
	}
	return ack, err
}

// The outcomes of an update that Observe is told.
const (
	OutcomeHandled = "handled" // applied, its replies committed to the outbox
	OutcomeDropped = "dropped" // over the limits on senders and chats
	OutcomeFailed  = "failed"  // the store failed: it will be offered again
)

// handle is Handle without the observation; dropped is set when the
// limits turned the update away.
func (d *Dispatcher) handle(in Inbound) (_ Ack, dropped bool, _ error) {
	now := d.Now()
	cmd, _ := in.Command()
	joining := in.JoinCode != ""
	if in.IsCallback() && !in.GroupChat && in.From != in.Chat {
		// A private chat's buttons are its person's alone. A press from
		// anyone else touches neither the conversation nor the chat's
		// limits, which would let a stranger wear down a leader's.
		return Ack{Text: i18n.T(d.Lang, "press.not_yours")}, true, nil
	}
	switch d.Guard.check(in, joining) {
	case drop:
		return Ack{}, true, nil
	case dropTel:
		if in.GroupChat {
			return Ack{}, true, nil // a group is told nothing but the pointer below
		}
		ack, err := d.tell(in, "flood.slow", now)
		return ack, true, err
	}
	if in.GroupChat {
		ack, err := d.groupChat(in, cmd, now)
		return ack, false, err
	}
	out, err := d.commit(in, now)
	if err == nil && len(out.after) > 0 {
		err = d.runAfter(out)
	}
	if errors.Is(err, errPanic) {
		out, err = &handled{queued: 1}, d.recoverPanic(in, now)
	}
	if err != nil {
		return Ack{}, false, fmt.Errorf("handle %s: %w", in.UpdateKey, err)
	}
	for _, l := range out.logs {
		d.Log.Info(l.msg, l.attrs...)
	}
	switch {
	case out.joined:
		d.Guard.joined(in.From)
	case out.stranger && !joining:
		d.Guard.answeredStranger(in.From)
	}
	if out.queued > 0 && d.Notify != nil {
		d.Notify()
	}
	return out.ack, false, nil
}

// logLine is an info line to write once the update that made it is
// committed: a transaction that runs twice (Batch) or fails logs nothing.
// Its attributes are numbers and codes, never names, answers or text.
type logLine struct {
	msg   string
	attrs []any
}

// handled is what an update did, once committed.
type handled struct {
	ack              Ack
	queued           int
	after            []func() []Outbound
	stranger, joined bool
	logs             []logLine
}

// commit applies in in one transaction with its de-duplication mark and
// its replies. Concurrent chats share a commit (Batch), so the function
// resets what it captures: it may run again.
func (d *Dispatcher) commit(in Inbound, now time.Time) (*handled, error) {
	var h handled
	err := d.Store.Batch(func(tx Tx) (err error) {
		h = handled{}
		if in.UpdateKey != "" {
			seen, err := tx.Seen(in.UpdateKey)
			if err != nil || seen {
				return err
			}
		}
		pressed := pressedLabel(tx, in)
		out, err := d.safeRoute(tx, in, now)
		if err != nil {
			return err
		}
		h = handled{ack: out.ack, after: out.after, stranger: out.stranger, joined: out.joined, logs: out.logs}
		msgs := out.msgs
		if out.pressed != "" && !out.redrawn {
			msgs = afterPress(msgs, in.Chat, out.pressed, pressed)
		}
		if err := tx.Unblock(in.Chat); err != nil { // they write again: they can be reached
			return err
		}
		for _, m := range msgs {
			// A stranger's answer waits behind the replies to people who
			// report: a crowd of them cannot use up the send budget.
			m.Bulk = m.Bulk || (out.stranger && !out.joined)
			if m.Chat == in.Chat && m.Lang == "" {
				m.Lang = out.lang
			}
			if _, err := enqueue(tx, m); err != nil {
				return err
			}
		}
		h.queued = len(msgs)
		if in.UpdateKey != "" {
			return tx.MarkSeen(in.UpdateKey, now)
		}
		return nil
	})
	return &h, err
}

// runAfter does the work that must not run inside the update's transaction
// (a backup, an area import), then queues its replies in a transaction of
// their own.
func (d *Dispatcher) runAfter(h *handled) error {
	var msgs []Outbound
	for _, f := range h.after {
		msgs = append(msgs, f()...)
	}
	h.queued += len(msgs)
	return d.Store.Update(func(tx Tx) error {
		for _, m := range msgs {
			if _, err := enqueue(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// recoverPanic answers an update whose handling panicked: its own effects
// were rolled back; it is kept from being offered forever and the user
// told, in one transaction.
func (d *Dispatcher) recoverPanic(in Inbound, now time.Time) error {
	return d.Store.Update(func(tx Tx) error {
		lang := d.Lang
		if u, err := tx.User(in.From); err == nil {
			lang = d.langOf(u)
		}
		if _, err := enqueue(tx, Outbound{Chat: in.Chat, Reply: Reply{Text: i18n.T(lang, "error.internal")}}); err != nil {
			return err
		}
		if in.UpdateKey == "" {
			return nil
		}
		return tx.MarkSeen(in.UpdateKey, now)
	})
}

// tell answers in with one text and nothing else: no session, no mark, no
// effect but the reply (a button press is answered with the same text).
func (d *Dispatcher) tell(in Inbound, key string, now time.Time) (Ack, error) {
	lang := d.Lang
	err := d.Store.Batch(func(tx Tx) error {
		lang = d.Lang
		if u, err := tx.User(in.From); err == nil && u.Lang != "" {
			lang = u.Lang
		}
		_, err := enqueue(tx, Outbound{Chat: in.Chat, Reply: Reply{Text: i18n.T(lang, key)}})
		return err
	})
	if err != nil {
		return Ack{}, fmt.Errorf("handle %s: %w", in.UpdateKey, err)
	}
	if d.Notify != nil {
		d.Notify()
	}
	if in.IsCallback() {
		return Ack{Text: i18n.T(lang, key)}, nil
	}
	return Ack{}, nil
}

// groupChat answers an update from a chat shared by several people.
// Reports, views, exports and alerts happen in private chats only, so the
// bot keeps no session there and shows nothing: a command gets a short
// pointer to the private chat, once an hour per group; anything else,
// silence.
func (d *Dispatcher) groupChat(in Inbound, cmd string, now time.Time) (Ack, error) {
	if cmd == "" && !in.IsCallback() {
		return Ack{}, nil
	}
	if d.Guard != nil && !d.Guard.groupAnswer(in.Chat) {
		return Ack{Text: i18n.T(d.Lang, "group_chat.private")}, nil
	}
	return d.tell(in, "group_chat.private", now)
}

func (d *Dispatcher) safeRoute(tx Tx, in Inbound, now time.Time) (out *responder, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.Log.Error("update handler panicked", "update", in.UpdateKey, "panic", p, "stack", string(debug.Stack()))
			err = errPanic
		}
	}()
	return d.route(tx, in, now)
}

// caller is who sent an update, as far as the store knows.
type caller struct {
	user       User
	registered bool
	admin      bool
	lang       string
}

func (d *Dispatcher) route(tx Tx, in Inbound, now time.Time) (*responder, error) {
	c := caller{admin: d.Admins[in.From], lang: d.Lang}
	u, err := tx.User(in.From)
	switch {
	case err == nil && u.Deactivated:
		// Treated as unregistered, with its own answer; nothing is stored.
		r := &responder{chat: in.Chat, lang: d.langOf(u), pressed: in.MessageID}
		if in.IsCallback() {
			r.ack = Ack{Text: i18n.T(r.lang, "deactivated")}
		}
		r.say(i18n.T(r.lang, "deactivated"))
		return r, tx.DeleteSession(in.Chat)
	case err == nil:
		c.user, c.registered, c.lang = u, true, d.langOf(u)
		if u.LastSeen != in.From && !in.GroupChat {
			// Messages follow the person to the platform they use now.
			c.user.LastSeen = in.From
			if err := tx.PutUser(c.user); err != nil {
				return nil, err
			}
		}
	case !IsNotFound(err):
		return nil, err
	}

	r := &responder{chat: in.Chat, lang: c.lang, stranger: !c.registered && !c.admin}
	if in.IsCallback() {
		r.pressed = in.MessageID
	}
	x := &turn{tx: tx, r: r, c: c, in: in, now: now}
	x.cmd, x.arg = in.Command()
	switch {
	case in.Document != "" && c.isAdmin() && IsAreaFile(in.DocumentName):
		return r, d.importAreas(tx, r, c, in, now)
	case in.JoinCode != "":
		return r, d.join(tx, r, c, in, in.JoinCode, now)
	case x.cmd != "":
		return r, d.command(x)
	case !in.IsCallback() && in.Text != "":
		if handled, err := d.typedPick(x); handled || err != nil {
			return r, err
		}
	}
	return r, d.answer(x)
}

// answer handles what is not a command: a button press, or a typed answer
// to the question in hand.
func (d *Dispatcher) answer(x *turn) error {
	kind, arg, isButton := ParseButton(x.in.Callback)
	switch {
	case isButton && (kind == ButtonAlertAck || kind == ButtonAlertDone || kind == "a:"):
		return d.officialAction(x.tx, x.r, x.c, x.in, x.in.Callback, x.now)
	case !x.c.registered && x.c.admin:
		return d.help(x.tx, x.r, x.c)
	case !x.c.registered:
		x.say("help.unregistered")
		return nil
	case isButton && kind == ButtonLang:
		return d.setLang(x.tx, x.r, x.c, x.in, arg)
	case isButton && kind == ButtonNotify:
		return d.setNotify(x, Address(arg))
	}
	if err := d.session(x); err != nil {
		return err
	}
	if isButton && kind == ButtonStart {
		return d.reminderStart(x, ReportKind(arg))
	}
	switch {
	case !x.active && x.in.IsCallback():
		// A button from a report that is finished or cancelled.
		x.r.ack = Ack{Text: i18n.T(x.c.lang, "stale")}
		x.say("stale")
		return nil
	case !x.active && isNumber(x.in.Text):
		x.say("number.stale")
		return nil
	case !x.active:
		x.say("unknown")
		return nil
	case x.c.user.Role != RoleLeader && (x.sess.IsDraft() || (x.sess.Flow != "" && x.sess.Ref == "")):
		// Only leaders draft reports (one moved to another role keeps no
		// draft); officials only browse and update cases.
		x.say("not_leader")
		return x.tx.DeleteSession(x.in.Chat)
	}
	return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Handle(x.sess, x.in, x.now), x.now)
}

// reminderStart answers a reminder's button: like /baocao, straight to
// the report of kind (the menu when empty), unless a draft waits.
func (d *Dispatcher) reminderStart(x *turn, kind ReportKind) error {
	if kind == "" || (x.active && x.sess.IsDraft()) {
		return d.cmdReport(x)
	}
	if ok, err := d.maySubmit(x.tx, x.r, x.c); !ok || err != nil {
		return err
	}
	fresh := d.freshSession(x.tx, x.c, x.in, x.now, x.sess.Token)
	return d.apply(x.tx, x.r, x.c, x.in, d.Flows.Start(fresh, kind, x.now), x.now)
}

// apply stores what a flow turn produced.
func (d *Dispatcher) apply(tx Tx, r *responder, c caller, in Inbound, t Turn, now time.Time) error {
	r.ack = t.Ack
	if t.Forged {
		d.Log.Warn("refused a forged button", "user", in.From, "data", in.Callback)
		if err := d.audit(tx, in, "refused.button", c.user.Group, in.Callback, now); err != nil {
			return err
		}
	}
	r.addReplies(in, t)
	if t.Open != "" {
		return d.open(tx, r, c, in, t.Session, t.Open, now)
	}
	if t.Submit != nil && (t.Submit.FixOf != "" || t.Submit.UpdateOf != "") {
		if err := d.change(tx, r, c, in, *t.Submit, now); err != nil {
			return err
		}
		return tx.DeleteSession(in.Chat)
	}
	if t.Submit != nil {
		// Checked again as it is sent: the leader may have been moved,
		// deactivated or their group retired since the draft began.
		if ok, err := d.maySubmit(tx, r, c); !ok || err != nil {
			if err == nil {
				err = tx.DeleteSession(in.Chat)
			}
			return err
		}
		rep, err := d.submit(tx, c, in, *t.Submit, now)
		if err != nil {
			return err
		}
		text := i18n.T(c.lang, "receipt", d.Flows.Title(rep.Kind, c.lang), rep.ID, now.In(d.Location).Format("15:04 02/01/2006"))
		if rep.Urgent {
			text += "\n" + i18n.T(c.lang, "receipt.urgent")
		}
		if t.Submit.Continue {
			text = i18n.T(c.lang, "emergency.sent", rep.ID)
		}
		r.say(text)
		r.log("report received", "kind", rep.Kind, "report", rep.ID, "group", rep.Group, "urgent", rep.Urgent)
		if rep.Urgent && rep.Kind == KindIncident {
			// In the same transaction as the report: the alert cannot be
			// lost, and goes out right behind the receipt.
			if err := d.alertOfficials(tx, r, rep); err != nil {
				return err
			}
		}
		if t.Submit.Continue {
			// The police know; now the rest of the report, under its number.
			return d.apply(tx, r, c, in, d.Flows.Complete(t.Session, rep, now), now)
		}
	}
	if t.End || t.Submit != nil {
		return tx.DeleteSession(in.Chat)
	}
	t.Session.Chat = in.Chat
	t.Session.UpdatedAt = now
	return tx.PutSession(t.Session)
}

func (d *Dispatcher) submit(tx Tx, c caller, in Inbound, s Submission, now time.Time) (Report, error) {
	year := now.In(d.Location).Year()
	seq, err := tx.NextSeq(fmt.Sprintf("%s-%d", s.Kind.Prefix(), year))
	if err != nil {
		return Report{}, err
	}
	rep := Report{
		ID:        RefNumber(s.Kind, year, seq),
		Kind:      s.Kind,
		Group:     c.user.Group,
		Reporter:  in.From,
		CreatedAt: now.UTC(),
		Answers:   s.Answers,
		Urgent:    s.Urgent,
		Status:    s.Status,
	}
	return rep, AddReport(tx, rep, d.Location)
}

// maySubmit tells the caller why they may not report now, if they may not.
func (d *Dispatcher) maySubmit(tx Tx, r *responder, c caller) (bool, error) {
	g, err := MaySubmit(tx, c.user)
	switch ErrorCode(err) {
	case "":
		return true, nil
	case EFORBIDDEN:
		r.say(i18n.T(c.lang, "not_leader"))
	case ERETIRED:
		r.say(i18n.T(c.lang, "group.retired", g.Name))
	default:
		return false, err
	}
	return false, nil
}

// freshSession starts a conversation for a leader, with the group's size as
// a limit; token carries on from any earlier session so its buttons stay
// stale.
func (d *Dispatcher) freshSession(tx Tx, c caller, in Inbound, now time.Time, token int) Session {
	s := Session{Chat: in.Chat, Lang: c.lang, StartedAt: now, Token: token}
	if g, err := tx.Area(c.user.Group); err == nil && g.Households > 0 {
		s.Limits = map[string]int{LimitGroupSize: g.Households}
	}
	return s
}

// setLang stores the user's language and carries an open question over.
func (d *Dispatcher) setLang(tx Tx, r *responder, c caller, in Inbound, lang string) error {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if !i18n.Supported(lang) {
		r.say(i18n.T(c.lang, "lang.prompt"))
		return nil
	}
	c.user.Lang, c.lang, r.lang = lang, lang, lang
	if err := tx.PutUser(c.user); err != nil {
		return err
	}
	r.say(i18n.T(lang, "lang.set"))
	sess, err := tx.Session(in.Chat)
	if err != nil {
		return d.help(tx, r, c)
	}
	sess.Lang = lang
	return d.apply(tx, r, c, in, d.Flows.Resume(sess, d.Now()), d.Now())
}

// maxListed is how many recent reports /cuatoi lists.
const maxListed = 10

// list starts a conversation over the caller's own reports: the recent
// ones, or the open mediation cases.
func (d *Dispatcher) list(tx Tx, r *responder, c caller, in Inbound, cases bool, token int, now time.Time) error {
	var items []Choice
	add := func(rep Report) {
		items = append(items, Choice{Label: d.itemLabel(rep, c.lang), Value: ButtonOpen.Value(rep.ID)})
	}
	var err error
	total := 0 // the open cases, of which at most maxCases are listed
	official := c.user.Role == RoleOfficial
	if official {
		// An official's cases are the open ones of every group in the area,
		// for an agency that follows mediation: the oldest first.
		sc, err := ScopeOf(tx, c.user)
		if err != nil {
			return err
		}
		if !sc.Follows(KindMediation) {
			r.say(i18n.T(c.lang, "agency.not_followed", d.Flows.Title(KindMediation, c.lang)))
			return tx.DeleteSession(in.Chat)
		}
		var open []Report
		err = openCasesIn(tx, sc.Area, func(rep Report) {
			if sc.Has(rep) {
				open = append(open, rep)
			}
		})
		oldestFirst(open)
		total = len(open)
		for _, rep := range open[:min(len(open), maxCases)] {
			add(rep)
		}
	} else {
		err = reportsOf(tx, c.user, func(rep Report) bool {
			if rep.Group != c.user.Group || (cases && (rep.Kind != KindMediation || !OpenCase(rep.Status))) {
				return true // a group they no longer lead, or not an open case
			}
			total++
			if !cases || len(items) < maxCases {
				add(rep)
			}
			return cases || len(items) < maxListed
		})
	}
	if err != nil {
		return err
	}
	title, none := i18n.T(c.lang, "mine.title"), "mine.none"
	if cases {
		title, none = casesTitle(c.lang, official, len(items), total), "cases.none"
	}
	if len(items) == 0 {
		r.say(i18n.T(c.lang, none))
		return tx.DeleteSession(in.Chat)
	}
	s := Session{Chat: in.Chat, Lang: c.lang, StartedAt: now, Token: token}
	return d.apply(tx, r, c, in, d.Flows.List(s, title, items, now), now)
}

// openCasesIn calls fn for the open mediation cases of every group in area.
func openCasesIn(tx Tx, area string, fn func(Report)) error {
	_, inside, err := subtree(tx, area)
	if err != nil {
		return err
	}
	codes := make([]string, 0, len(inside))
	for code := range inside {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		ids, err := tx.OpenCases(code)
		if err != nil {
			return err
		}
		for _, id := range ids {
			rep, err := tx.Report(id)
			if err != nil {
				return err
			}
			fn(rep)
		}
	}
	return nil
}

// access says whether the caller may see rep and what they may do with
// it, by the rules in Allowed.
func (d *Dispatcher) access(tx Tx, c caller, rep Report, now time.Time) (Permissions, bool, error) {
	if !c.registered {
		return Permissions{}, false, nil
	}
	var may Permissions
	for _, p := range []struct {
		act Act
		set *bool
	}{{ActSee, nil}, {ActFix, &may.Fix}, {ActUpdate, &may.Update}} {
		ok, err := Allowed(tx, c.user, rep, p.act, now)
		if err != nil {
			return may, false, err
		}
		if p.set == nil && !ok {
			return may, false, nil
		}
		if p.set != nil {
			*p.set = ok
		}
	}
	// Incidents change status through the alert's buttons, not a case update.
	may.Update = may.Update && rep.Kind == KindMediation
	return may, true, nil
}

// itemLabel is a report's line in a list: number, kind, date, status.
func (d *Dispatcher) itemLabel(rep Report, lang string) string {
	label := rep.ID + " · " + d.Flows.Title(rep.Kind, lang) + " · " + rep.CreatedAt.In(d.Location).Format("02/01")
	if rep.Status != "" {
		label += " · " + i18n.T(lang, "status."+rep.Status)
	}
	return label
}

// OpenCase reports whether a mediation status leaves the case open.
func OpenCase(status string) bool { return status == StatusReceived || status == StatusInProgress }

// reportFor loads report id for the caller, with what they may do; ok is
// false when it is missing or theirs to see it is not, which is recorded:
// a report the caller may not see is as good as missing.
func (d *Dispatcher) reportFor(tx Tx, c caller, in Inbound, id string, now time.Time) (rep Report, may Permissions, ok bool, err error) {
	rep, err = tx.Report(id)
	if IsNotFound(err) {
		return rep, may, false, nil
	} else if err != nil {
		return rep, may, false, err
	}
	if may, ok, err = d.access(tx, c, rep, now); err != nil || ok {
		return rep, may, ok, err
	}
	return rep, may, false, d.audit(tx, in, "refused.view", rep.Group, rep.ID, now)
}

// open loads a report for its reporter and shows it, with what they may do.
func (d *Dispatcher) open(tx Tx, r *responder, c caller, in Inbound, s Session, id string, now time.Time) error {
	rep, may, ok, err := d.reportFor(tx, c, in, id, now)
	if err != nil {
		return err
	}
	if !ok {
		r.say(i18n.T(c.lang, "report.not_found"))
		return tx.DeleteSession(in.Chat)
	}
	if !c.user.Has(rep.Reporter) {
		// Someone other than its author reads it, personal data included.
		if err := d.audit(tx, in, "view", rep.Group, rep.ID, now); err != nil {
			return err
		}
	}
	return d.apply(tx, r, c, in, d.Flows.Show(s, rep, may, now), now)
}

// change saves a correction or a case update, checking again on the server
// side that the caller may make it.
func (d *Dispatcher) change(tx Tx, r *responder, c caller, in Inbound, sub Submission, now time.Time) error {
	rep, may, ok, err := d.reportFor(tx, c, in, sub.FixOf+sub.UpdateOf, now)
	if err != nil {
		return err
	}
	if !ok {
		r.say(i18n.T(c.lang, "report.not_found"))
		return nil
	}
	if sub.UpdateOf != "" {
		if !may.Update {
			r.say(i18n.T(c.lang, "case.not_open", rep.ID))
			return nil
		}
		rep.Status = sub.Status
		rep.Updates = append(rep.Updates, CaseUpdate{At: now.UTC(), By: in.From, Status: sub.Status, Note: sub.Note})
		if !c.user.Has(rep.Reporter) {
			if err := d.audit(tx, in, "case.update", rep.Group, rep.ID+" "+sub.Status, now); err != nil {
				return err
			}
		}
		text := i18n.T(c.lang, "case.updated", rep.ID, i18n.T(c.lang, "status."+sub.Status))
		if !OpenCase(sub.Status) {
			text += "\n" + i18n.T(c.lang, "case.closed")
		}
		r.say(text)
		if !c.user.Has(rep.Reporter) {
			if err := d.tellReporter(tx, r, c, rep, sub.Status, now); err != nil {
				return err
			}
		}
		if err := tx.SetOpenCase(rep.Group, rep.ID, OpenCase(rep.Status)); err != nil {
			return err
		}
		return tx.PutReport(rep)
	}
	if !may.Fix {
		r.say(i18n.T(c.lang, "fix.expired", rep.ID))
		return nil
	}
	changes := Diff(rep.Answers, sub.Answers, nil)
	if len(changes) == 0 {
		r.say(i18n.T(c.lang, "fix.none"))
		return nil
	}
	rep.Answers, rep.Urgent = sub.Answers, sub.Urgent
	rep.Revisions = append(rep.Revisions, Revision{At: now.UTC(), By: in.From, Changes: changes})
	if !sub.Completes {
		r.say(i18n.T(c.lang, "fix.done", rep.ID, len(changes)))
		return tx.PutReport(rep)
	}
	// An emergency's details: to the leader, and to the officials alerted.
	r.say(i18n.T(c.lang, "emergency.completed", rep.ID))
	officials, err := Recipients(tx, rep.Group, rep.Kind)
	if err != nil {
		return err
	}
	for _, o := range officials {
		lang := d.langOf(o)
		r.msgs = append(r.msgs, Outbound{Chat: o.To(), Reply: Reply{Text: i18n.T(lang, "emergency.details", d.areaName(tx, rep.Group)) + "\n\n" + d.Flows.Describe(rep, lang)}})
	}
	return tx.PutReport(rep)
}

func (d *Dispatcher) join(tx Tx, r *responder, c caller, in Inbound, code string, now time.Time) error {
	inv, err := tx.Invite(code)
	if IsNotFound(err) {
		r.say(i18n.T(c.lang, "join.bad_code"))
		return nil
	} else if err != nil {
		return err
	}
	if c.registered {
		r.say(i18n.T(c.lang, "join.already", d.areaName(tx, c.user.Group)))
		return nil
	}
	switch ErrorCode(inv.Usable(now)) {
	case "":
		if inv.Role == RoleLink {
			return d.linkHere(tx, r, c, in, inv, now)
		}
	case EEXPIRED:
		r.say(i18n.T(c.lang, "join.expired"))
		return nil
	case EUSEDUP:
		r.say(i18n.T(c.lang, "join.used_up"))
		return nil
	case EREVOKED:
		r.say(i18n.T(c.lang, "join.revoked"))
		return nil
	}
	group, err := tx.Area(inv.Group)
	if IsNotFound(err) || group.Retired {
		r.say(i18n.T(c.lang, "join.no_group"))
		return nil
	} else if err != nil {
		return err
	}
	u := User{Address: in.From, Name: in.Name, Role: inv.Role, Group: inv.Group, Agency: inv.Agency, Lang: c.lang, CreatedAt: now.UTC()}
	if err := tx.PutUser(u); err != nil {
		return err
	}
	inv.Uses++
	if err := tx.PutInvite(inv); err != nil {
		return err
	}
	if err := d.audit(tx, in, "join", inv.Group, string(inv.Role)+" by invite "+inv.Code, now); err != nil {
		return err
	}
	name := in.Name
	if name == "" {
		name = i18n.T(c.lang, "you")
	}
	welcome := "welcome"
	if inv.Role == RoleOfficial {
		welcome = "welcome.official"
	}
	role := "leader"
	if inv.Role == RoleOfficial {
		role = "official"
	}
	r.say(i18n.T(c.lang, welcome, name, group.Name) + "\n\n" + helpLines(c.lang, role))
	r.joined = true
	return nil
}

func (d *Dispatcher) areaName(tx Tx, code string) string {
	if a, err := tx.Area(code); err == nil {
		return a.Name
	}
	return code
}

// responder collects what one update sends back.
type responder struct {
	chat Address
	lang string
	ack  Ack
	msgs []Outbound
	// pressed is the message whose button was pressed; redrawn is set when
	// the reply replaces it rather than following it.
	pressed string
	redrawn bool
	// after runs once the update is committed; what it returns is sent.
	after []func() []Outbound
	// stranger is set when the sender is neither registered nor an admin,
	// joined when they have just joined by an invite.
	stranger, joined bool
	// logs are written once the update is committed.
	logs []logLine
}

// addReplies queues a turn's replies: one that replaces the message
// whose button was pressed redraws it, others follow.
func (r *responder) addReplies(in Inbound, t Turn) {
	if t.Replace && r.pressed != "" && len(t.Replies) == 1 {
		r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Op: OpEdit, MessageID: r.pressed, Reply: t.Replies[0]})
		r.redrawn = true
		return
	}
	for _, rep := range t.Replies {
		r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Reply: rep})
	}
}

// log adds an info line to write once the update is committed.
func (r *responder) log(msg string, attrs ...any) {
	r.logs = append(r.logs, logLine{msg: msg, attrs: attrs})
}

func (r *responder) say(text string) {
	r.msgs = append(r.msgs, Outbound{Chat: r.chat, Reply: Reply{Text: text}})
}

// Sleep waits for d, or until ctx is done and then returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pressedLabel is the label of the button in pressed, from the menu its
// chat was last offered; "" when it is not on it (a stale press).
func pressedLabel(tx Tx, in Inbound) string {
	if !in.IsCallback() {
		return ""
	}
	m, err := tx.Menu(in.Chat)
	if err != nil {
		return ""
	}
	for _, c := range m.Choices {
		if c.Value == in.Callback {
			return c.Label
		}
	}
	return ""
}

// afterPress settles the keyboard that was pressed. When the reply asks
// something more, the old keyboard stays (a press on it is refused as
// stale) and the reply opens with the answer pressed, so the chat keeps a
// visible trail of answers at one message an answer. When nothing follows
// to answer, the keyboard is cleared, after the reply so as not to delay
// it.
func afterPress(msgs []Outbound, chat Address, messageID, label string) []Outbound {
	asks := false
	for _, m := range msgs {
		asks = asks || (m.Chat == chat && len(m.Choices) > 0)
	}
	if !asks {
		return append(msgs, Outbound{Chat: chat, Op: OpClearButtons, MessageID: messageID})
	}
	for i, m := range msgs {
		if m.Chat == chat && (m.Op == "" || m.Op == OpSend) && m.Document == nil && m.Text != "" {
			if label != "" {
				msgs[i].Text = "✓ " + label + "\n\n" + m.Text
			}
			break
		}
	}
	return msgs
}
