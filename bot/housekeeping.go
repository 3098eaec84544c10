package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/totuquan/totuquan/i18n"
)

// keyMemory is how long an outbox idempotency key is kept. The jobs that
// use keys only ever queue for the current period or one caught up after
// downtime, never for one this old, so an older key can never match again.
const keyMemory = 90 * 24 * time.Hour

// draftWarning is how long before a draft expires its leader is told.
const draftWarning = 3 * 24 * time.Hour

// Housekeeping clears what would otherwise grow without end: idempotency
// keys older than keyMemory, file links expired, and drafts unchanged for
// DraftExpiry, which
// may hold parties' details. A leader is told draftWarning before their
// draft goes, and again when it has gone. Other sessions (a list being
// browsed, a report being viewed) that old are dropped silently.
//
// It measures from now, not from the due time it is given: a run caught up
// after downtime must judge the drafts as they are.
func (d *Dispatcher) Housekeeping(context.Context, time.Time) error {
	if d.DraftExpiry <= 0 {
		return nil
	}
	at := d.Now()
	expired, warned := 0, 0
	err := d.queueAll("housekeeping", func(tx Tx, put func(Outbound) error) error {
		expired, warned = 0, 0
		if err := tx.ForgetKeys(at.Add(-keyMemory)); err != nil {
			return err
		}
		if err := tx.ForgetFiles(at); err != nil {
			return err
		}
		var drop []Address
		err := tx.Sessions(func(s Session) error {
			idle := at.Sub(s.UpdatedAt)
			switch {
			case idle >= d.DraftExpiry:
				drop = append(drop, s.Chat)
				if !s.IsDraft() {
					return nil
				}
				expired++
				lang := d.sessionLang(tx, s)
				return put(Outbound{Chat: s.Chat, Bulk: true, Key: fmt.Sprintf("draft-expired:%s:%d", s.Chat, s.UpdatedAt.Unix()),
					Reply: Reply{Text: i18n.T(lang, "draft.expired", d.Flows.Title(ReportKind(s.Flow), lang),
						s.StartedAt.In(d.Location).Format("02/01/2006"), int(d.DraftExpiry.Hours()/24))}})
			case idle >= d.DraftExpiry-draftWarning && s.IsDraft():
				warned++
				lang := d.sessionLang(tx, s)
				return put(Outbound{Chat: s.Chat, Bulk: true, Key: fmt.Sprintf("draft-expiring:%s:%d", s.Chat, s.UpdatedAt.Unix()),
					Reply: Reply{Text: i18n.T(lang, "draft.expiring", d.Flows.Title(ReportKind(s.Flow), lang),
						s.StartedAt.In(d.Location).Format("02/01/2006"), s.UpdatedAt.Add(d.DraftExpiry).In(d.Location).Format("02/01/2006"))}})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, chat := range drop {
			if err := tx.DeleteSession(chat); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && (expired > 0 || warned > 0) {
		d.Log.Info("drafts expired and warned", "expired", expired, "warned", warned)
	}
	return err
}

func (d *Dispatcher) sessionLang(tx Tx, s Session) string {
	if s.Lang != "" {
		return s.Lang
	}
	if u, err := tx.User(s.Chat); err == nil {
		return d.langOf(u)
	}
	return d.Lang
}
