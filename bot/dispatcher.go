package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
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
}

// errPanic marks an update whose handling panicked; it is not retried.
var errPanic = errors.New("handler panicked")

// Handle applies in and returns the acknowledgement for a button press. It
// returns an error only when the store failed; the update should then be
// offered again. An update already applied is acknowledged and ignored.
func (d *Dispatcher) Handle(ctx context.Context, in Inbound) (Ack, error) {
	now := d.Now()
	var ack Ack
	var queued int
	// Batch: concurrent chats share a commit; the function resets what it
	// captures because it may run again.
	err := d.Store.Batch(func(tx Tx) (err error) {
		ack, queued = Ack{}, 0
		if in.UpdateKey != "" {
			seen, err := tx.Seen(in.UpdateKey)
			if err != nil || seen {
				return err
			}
		}
		out, err := d.safeRoute(tx, in, now)
		if err != nil {
			return err
		}
		ack = out.ack
		msgs := out.msgs
		if out.pressed != "" && !out.redrawn {
			// A pressed keyboard is finished with: clear it so that old
			// buttons do not invite stale presses.
			msgs = append([]Outbound{{Chat: in.Chat, Op: OpClearButtons, MessageID: out.pressed}}, msgs...)
		}
		for _, m := range msgs {
			if err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		queued = len(msgs)
		if in.UpdateKey != "" {
			return tx.MarkSeen(in.UpdateKey, now)
		}
		return nil
	})
	if errors.Is(err, errPanic) {
		// The update's own effects were rolled back; keep it from being
		// offered forever and tell the user, in one transaction.
		err = d.Store.Update(func(tx Tx) error {
			lang := d.Lang
			if u, err := tx.User(in.From); err == nil && u.Lang != "" {
				lang = u.Lang
			}
			queued = 1
			if err := tx.Enqueue(Outbound{Chat: in.Chat, Reply: Reply{Text: i18n.T(lang, "error.internal")}}); err != nil {
				return err
			}
			if in.UpdateKey == "" {
				return nil
			}
			return tx.MarkSeen(in.UpdateKey, now)
		})
	}
	if err != nil {
		return Ack{}, fmt.Errorf("handle %s: %w", in.UpdateKey, err)
	}
	if queued > 0 && d.Notify != nil {
		d.Notify()
	}
	return ack, nil
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
	case err == nil:
		c.user, c.registered = u, true
		if u.Lang != "" {
			c.lang = u.Lang
		}
	case !IsNotFound(err):
		return nil, err
	}

	r := &responder{chat: in.Chat, lang: c.lang}
	if in.IsCallback() {
		r.pressed = in.MessageID
	}

	cmd, arg := in.Command()
	switch cmd {
	case "start":
		if arg != "" {
			return r, d.join(tx, r, c, in, arg, now)
		}
		return r, d.help(tx, r, c)
	case "trogiup", "help":
		return r, d.help(tx, r, c)
	}

	if !c.registered {
		switch {
		case c.admin && (cmd == "baocao" || cmd == "report"):
			r.say(i18n.T(c.lang, "not_leader"))
		case c.admin:
			return r, d.help(tx, r, c)
		default:
			r.say(i18n.T(c.lang, "help.unregistered"))
		}
		return r, nil
	}

	sess, err := tx.Session(in.Chat)
	active := err == nil
	if err != nil && !IsNotFound(err) {
		// An unreadable draft must not block the chat (and the updates
		// queued behind it) forever: drop it and carry on without it.
		d.Log.Error("dropping an unreadable session", "chat", in.Chat, "err", err)
		if err := tx.DeleteSession(in.Chat); err != nil {
			return nil, err
		}
	}

	switch cmd {
	case "huy", "cancel":
		if !active {
			r.say(i18n.T(c.lang, "cancel.nothing"))
			return r, nil
		}
		r.say(i18n.T(c.lang, "cancel.done"))
		return r, tx.DeleteSession(in.Chat)
	case "baocao", "report":
		if c.user.Role != RoleLeader || c.user.Group == "" {
			r.say(i18n.T(c.lang, "not_leader"))
			return r, nil
		}
		if active && sess.Flow != "" && len(sess.Answers) > 0 {
			return r, d.apply(tx, r, c, in, d.Flows.Resume(sess, now), now)
		}
		fresh := Session{Chat: in.Chat, Lang: c.lang, StartedAt: now}
		if g, err := tx.Area(c.user.Group); err == nil && g.Households > 0 {
			fresh.Limits = map[string]int{"group_size": g.Households}
		}
		if active {
			fresh.Token = sess.Token // keep tokens moving so old buttons stay stale
		}
		return r, d.apply(tx, r, c, in, d.Flows.Begin(fresh, now), now)
	case "":
	default:
		r.say(i18n.T(c.lang, "unknown"))
		return r, nil
	}

	if !active {
		if in.IsCallback() {
			// A button from a report that is finished or cancelled.
			r.ack = Ack{Text: i18n.T(c.lang, "stale")}
			r.say(i18n.T(c.lang, "stale"))
			return r, nil
		}
		r.say(i18n.T(c.lang, "unknown"))
		return r, nil
	}
	if c.user.Role != RoleLeader {
		// A leader who was moved to another role keeps no reporting rights.
		r.say(i18n.T(c.lang, "not_leader"))
		return r, tx.DeleteSession(in.Chat)
	}
	return r, d.apply(tx, r, c, in, d.Flows.Handle(sess, in, now), now)
}

// apply stores what a flow turn produced.
func (d *Dispatcher) apply(tx Tx, r *responder, c caller, in Inbound, t Turn, now time.Time) error {
	r.ack = t.Ack
	if t.Replace && r.pressed != "" && len(t.Replies) == 1 {
		r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Op: OpEdit, MessageID: r.pressed, Reply: t.Replies[0]})
		r.redrawn = true
	} else {
		for _, rep := range t.Replies {
			r.msgs = append(r.msgs, Outbound{Chat: in.Chat, Reply: rep})
		}
	}
	if t.Submit != nil {
		rep, err := d.submit(tx, c, in, *t.Submit, now)
		if err != nil {
			return err
		}
		text := i18n.T(c.lang, "receipt", d.Flows.Title(rep.Kind, c.lang), rep.ID, now.In(d.Location).Format("15:04 02/01/2006"))
		if t.Submit.Urgent {
			text += "\n" + i18n.T(c.lang, "receipt.urgent")
		}
		r.say(text)
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
	return rep, tx.PutReport(rep)
}

func (d *Dispatcher) join(tx Tx, r *responder, c caller, in Inbound, code string, now time.Time) error {
	inv, err := tx.Invite(code)
	if IsNotFound(err) {
		r.say(i18n.T(c.lang, "join.bad_code"))
		return nil
	} else if err != nil {
		return err
	}
	if c.registered && c.user.Role == RoleLeader {
		r.say(i18n.T(c.lang, "join.already", d.areaName(tx, c.user.Group)))
		return nil
	}
	switch ErrorCode(inv.Usable(now)) {
	case EEXPIRED:
		r.say(i18n.T(c.lang, "join.expired"))
		return nil
	case EUSEDUP:
		r.say(i18n.T(c.lang, "join.used_up"))
		return nil
	}
	group, err := tx.Area(inv.Group)
	if IsNotFound(err) {
		r.say(i18n.T(c.lang, "join.no_group"))
		return nil
	} else if err != nil {
		return err
	}
	u := User{Address: in.From, Name: in.Name, Role: inv.Role, Group: inv.Group, Lang: c.lang, CreatedAt: now.UTC()}
	if err := tx.PutUser(u); err != nil {
		return err
	}
	inv.Uses++
	if err := tx.PutInvite(inv); err != nil {
		return err
	}
	name := in.Name
	if name == "" {
		name = "anh/chị"
	}
	r.say(i18n.T(c.lang, "welcome", name, group.Name))
	c.user, c.registered = u, true
	return d.help(tx, r, c)
}

func (d *Dispatcher) help(tx Tx, r *responder, c caller) error {
	switch {
	case c.registered && c.user.Role == RoleLeader:
		r.say(i18n.T(c.lang, "help.leader", d.areaName(tx, c.user.Group)))
	case c.admin || (c.registered && c.user.Role == RoleAdmin):
		r.say(i18n.T(c.lang, "help.admin"))
	case c.registered && c.user.Role == RoleOfficial:
		r.say(i18n.T(c.lang, "help.official", d.areaName(tx, c.user.Group)))
	default:
		r.say(i18n.T(c.lang, "help.unregistered"))
	}
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
}

func (r *responder) say(text string) {
	r.msgs = append(r.msgs, Outbound{Chat: r.chat, Reply: Reply{Text: text}})
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
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
