package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
)

// MustOpen opens a store in a temp dir, closed when the test ends.
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(filepath.Join(tb.TempDir(), "t.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestOpen(t *testing.T) {
	// Ensure a second process gets a clear error instead of hanging.
	t.Run("ErrLocked", func(t *testing.T) {
		s := MustOpen(t)
		_, err := store.Open(s.Path(), store.Options{LockTimeout: 50 * time.Millisecond})
		if !errors.Is(err, store.ErrLocked) {
			t.Fatalf("got %v, want ErrLocked", err)
		}
		if !strings.Contains(err.Error(), s.Path()) {
			t.Errorf("error %q does not name the file", err)
		}
	})
	// Ensure a store from a newer version is refused, not misread.
	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucketIfNotExists([]byte("meta"))
			return b.Put([]byte("schema"), []byte("99"))
		})
		db.Close()
		if _, err := store.Open(path, store.Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("got %v, want a newer-schema error", err)
		}
	})
	t.Run("Reopen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "r.db")
		s, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Update(func(tx bot.Tx) error { return tx.PutMeta("k", "v") })
		s.Close()
		s, err = store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.View(func(tx bot.Tx) error {
			if v, _ := tx.Meta("k"); v != "v" {
				t.Errorf("meta after reopen = %q", v)
			}
			return nil
		})
	})
}

func TestEntities(t *testing.T) {
	s := MustOpen(t)
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	u := bot.User{Address: "telegram:1", Name: "Lan", Role: bot.RoleLeader, Group: "G1", CreatedAt: now}
	sess := bot.Session{Chat: "telegram:1", Flow: "incident", Mode: "ask", Step: "place", Answers: map[string]string{"category": "theft"}, Token: 4}
	err := s.Update(func(tx bot.Tx) error {
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if err := tx.PutAreas([]bot.Area{{Code: "G1", Name: "Tổ 1", Level: "to"}}); err != nil {
			return err
		}
		if err := tx.PutInvite(bot.Invite{Code: "abc", Group: "G1", Role: bot.RoleLeader, MaxUses: 1}); err != nil {
			return err
		}
		return tx.PutSession(sess)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx bot.Tx) error {
		got, err := tx.User("telegram:1")
		if err != nil || got.Name != "Lan" || got.Group != "G1" || !got.CreatedAt.Equal(now) {
			t.Errorf("User = %+v, %v", got, err)
		}
		if _, err := tx.User("telegram:2"); !bot.IsNotFound(err) {
			t.Errorf("missing user: err = %v, want ENOTFOUND", err)
		}
		if a, err := tx.Area("G1"); err != nil || a.Name != "Tổ 1" {
			t.Errorf("Area = %+v, %v", a, err)
		}
		if inv, err := tx.Invite("abc"); err != nil || inv.Group != "G1" {
			t.Errorf("Invite = %+v, %v", inv, err)
		}
		if got, err := tx.Session("telegram:1"); err != nil || got.Step != "place" || got.Answers["category"] != "theft" || got.Token != 4 {
			t.Errorf("Session = %+v, %v", got, err)
		}
		return nil
	})
	s.Update(func(tx bot.Tx) error { return tx.DeleteSession("telegram:1") })
	s.View(func(tx bot.Tx) error {
		if _, err := tx.Session("telegram:1"); !bot.IsNotFound(err) {
			t.Errorf("deleted session: err = %v", err)
		}
		return nil
	})
}

// Ensure a week of reports is found by time range alone, in time order.
func TestReportsByTime(t *testing.T) {
	s := MustOpen(t)
	base := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // a Monday
	err := s.Update(func(tx bot.Tx) error {
		for i := range 30 { // one a day, from 16 Nov to 15 Dec
			seq, err := tx.NextSeq("AN-2026")
			if err != nil {
				return err
			}
			r := bot.Report{ID: bot.RefNumber(bot.KindIncident, 2026, seq), Kind: bot.KindIncident, CreatedAt: base.AddDate(0, 0, i)}
			if err := tx.PutReport(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	s.View(func(tx bot.Tx) error {
		return tx.Reports(base.AddDate(0, 0, 7), base.AddDate(0, 0, 14), func(r bot.Report) error {
			ids = append(ids, r.ID)
			return nil
		})
	})
	want := []string{"AN-2026-000008", "AN-2026-000009", "AN-2026-000010", "AN-2026-000011", "AN-2026-000012", "AN-2026-000013", "AN-2026-000014"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("week 2 = %v, want %v", ids, want)
	}
	// Open-ended ranges: the zero time and the far future.
	n := 0
	s.View(func(tx bot.Tx) error {
		return tx.Reports(time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), func(bot.Report) error { n++; return nil })
	})
	if n != 30 {
		t.Errorf("open range found %d reports, want 30", n)
	}
	s.View(func(tx bot.Tx) error {
		r, err := tx.Report("AN-2026-000030")
		if err != nil || !r.CreatedAt.Equal(base.AddDate(0, 0, 29)) {
			t.Errorf("Report by id = %+v, %v", r, err)
		}
		return nil
	})
}

func TestOutboxAndSeen(t *testing.T) {
	s := MustOpen(t)
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	s.Update(func(tx bot.Tx) error {
		for _, text := range []string{"a", "b", "c"} {
			if _, err := tx.Enqueue(bot.Outbound{Chat: "telegram:1", Reply: bot.Reply{Text: text}}); err != nil {
				return err
			}
		}
		tx.MarkSeen("telegram:update:5", now.Add(-72*time.Hour))
		return tx.MarkSeen("telegram:update:1", now)
	})
	var items []bot.OutboxItem
	s.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(10, 10); return })
	if len(items) != 3 || items[0].Msg.Text != "a" || items[2].Msg.Text != "c" {
		t.Fatalf("Pending = %+v", items)
	}
	s.Update(func(tx bot.Tx) error {
		if err := tx.Delivered(items[0].ID, items[1].ID); err != nil {
			return err
		}
		return tx.ForgetSeen(now.Add(-48 * time.Hour))
	})
	s.View(func(tx bot.Tx) error {
		items, _ := tx.Pending(10, 10)
		if len(items) != 1 || items[0].Msg.Text != "c" {
			t.Errorf("after Delivered: %+v", items)
		}
		if ok, _ := tx.Seen("telegram:update:1"); !ok {
			t.Error("recent update forgotten")
		}
		if ok, _ := tx.Seen("telegram:update:5"); ok {
			t.Error("old update still marked seen")
		}
		return nil
	})
}

// Ensure a backup taken during a write load passes bbolt's consistency
// check, opens, and holds what was committed before it began.
func TestBackupUnderLoad(t *testing.T) {
	s := MustOpen(t)
	s.Update(func(tx bot.Tx) error { return tx.PutMeta("k", "v") })
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 { // writers all along
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				s.Batch(func(tx bot.Tx) error {
					_, err := tx.Enqueue(bot.Outbound{Chat: bot.Address(fmt.Sprintf("t:%d", w)), Reply: bot.Reply{Text: strings.Repeat("x", 500)}})
					return err
				})
			}
		})
	}
	dir := t.TempDir()
	for i := range 3 {
		path := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		size, err := s.Backup(path)
		if err != nil || size == 0 {
			t.Fatalf("backup %d: %d bytes, %v", i, size, err)
		}
		if err := store.Check(path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		b, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b.View(func(tx bot.Tx) error {
			if v, _ := tx.Meta("k"); v != "v" {
				t.Errorf("backup %d: meta = %q", i, v)
			}
			return nil
		})
		b.Close()
	}
	stop()
	wg.Wait()
}

func TestCheckRefuses(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o600)
	if err := store.Check(junk); err == nil {
		t.Error("a junk file passed the check")
	}
	if err := store.Check(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a missing file passed the check")
	}
	other := filepath.Join(dir, "other.db")
	db, _ := bolt.Open(other, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
	db.Close()
	if err := store.Check(other); err == nil || !strings.Contains(err.Error(), "not a totuquan store") {
		t.Errorf("another program's bbolt file: %v", err)
	}
}

// Ensure one reporter's reports come back newest first and no one else's.
func TestReportsBy(t *testing.T) {
	s := MustOpen(t)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s.Update(func(tx bot.Tx) error {
		for i, who := range []bot.Address{"telegram:1", "telegram:12", "telegram:1", "telegram:2", "telegram:1"} {
			r := bot.Report{ID: bot.RefNumber(bot.KindIncident, 2026, uint64(i+1)), Reporter: who, CreatedAt: base.AddDate(0, 0, i)}
			if err := tx.PutReport(r); err != nil {
				return err
			}
		}
		// A correction rewrites a report in place, not a second time.
		r, _ := tx.Report("AN-2026-000003")
		r.Answers = map[string]string{"place": "mới"}
		return tx.PutReport(r)
	})
	var got []string
	s.View(func(tx bot.Tx) error {
		return tx.ReportsBy("telegram:1", func(r bot.Report) bool { got = append(got, r.ID); return true })
	})
	if strings.Join(got, ",") != "AN-2026-000005,AN-2026-000003,AN-2026-000001" {
		t.Errorf("ReportsBy = %v", got)
	}
	got = nil
	s.View(func(tx bot.Tx) error {
		return tx.ReportsBy("telegram:2", func(r bot.Report) bool { got = append(got, r.ID); return false })
	})
	if strings.Join(got, ",") != "AN-2026-000004" {
		t.Errorf("ReportsBy the last reporter, stopping at once = %v", got)
	}
	s.View(func(tx bot.Tx) error {
		if r, _ := tx.Report("AN-2026-000003"); r.Answers["place"] != "mới" {
			t.Errorf("corrected report = %+v", r)
		}
		return nil
	})
}

// Ensure keys make messages idempotent, replies go before bulk, and a
// chat that blocked the bot gets nothing until it writes again.
func TestOutboxKeysBulkBlocked(t *testing.T) {
	s := MustOpen(t)
	queued := func(m bot.Outbound) bool {
		var ok bool
		if err := s.Update(func(tx bot.Tx) (err error) { ok, err = tx.Enqueue(m); return }); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	sum := bot.Outbound{Chat: "telegram:7", Bulk: true, Key: "summary:2026-W48:telegram:7", Reply: bot.Reply{Text: "tổng hợp"}}
	if !queued(sum) || queued(sum) {
		t.Error("a keyed message was queued twice")
	}
	queued(bot.Outbound{Chat: "telegram:8", Reply: bot.Reply{Text: "trả lời"}})
	var items []bot.OutboxItem
	s.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(10, 10); return })
	if len(items) != 2 || items[0].Msg.Text != "trả lời" || items[1].Msg.Text != "tổng hợp" {
		t.Fatalf("Pending = %+v, want the reply before the bulk message", items)
	}
	s.Update(func(tx bot.Tx) error { return tx.Delivered(items[1].ID) })
	if queued(sum) {
		t.Error("a delivered keyed message was queued again")
	}
	s.Update(func(tx bot.Tx) error { return tx.Block("telegram:9", time.Now()) })
	if queued(bot.Outbound{Chat: "telegram:9", Reply: bot.Reply{Text: "x"}}) {
		t.Error("queued to a chat that blocked the bot")
	}
	s.Update(func(tx bot.Tx) error { return tx.Unblock("telegram:9") })
	if !queued(bot.Outbound{Chat: "telegram:9", Reply: bot.Reply{Text: "x"}}) {
		t.Error("not queued after the chat wrote again")
	}
}

// Ensure a store of schema 1 (reports without the indexes and counts of
// schema 2) is migrated on opening, after a backup, keeping every record.
func TestMigrateFromSchema1(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC) // Monday 10:00 in Hà Nội
	s.Update(func(tx bot.Tx) error {
		tx.PutAreas([]bot.Area{{Code: "X", Name: "Xã"}, {Code: "X-T1", Name: "Tổ 1", Parent: "X"}})
		tx.PutUser(bot.User{Address: "telegram:1", Role: bot.RoleLeader, Group: "X-T1"})
		for i := range 5 {
			kind, status := bot.KindIncident, "new"
			if i%2 == 1 {
				kind, status = bot.KindMediation, "in_progress"
			}
			r := bot.Report{ID: bot.RefNumber(kind, 2026, uint64(i+1)), Kind: kind, Status: status, Group: "X-T1", Reporter: "telegram:1",
				CreatedAt: base.Add(time.Duration(i) * 24 * time.Hour), Answers: map[string]string{"n": fmt.Sprint(i)}}
			if err := tx.PutReport(r); err != nil {
				return err
			}
		}
		return tx.PutMeta("schema", "1")
	})
	s.Close()
	// What schema 1 did not have.
	db, _ := bolt.Open(path, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"reports_by_reporter", "counts", "open_cases"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()

	if _, err := store.Open(path, store.Options{}); err == nil || !strings.Contains(err.Error(), "needs migrating") {
		t.Fatalf("opened without migrations: %v", err)
	}
	s, err = store.Open(path, store.Options{Migrations: bot.Migrations(loc)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx bot.Tx) error {
		if v, _ := tx.Meta("schema"); v != "3" {
			t.Errorf("schema = %s", v)
		}
		var ids []string
		tx.ReportsBy("telegram:1", func(r bot.Report) bool { ids = append(ids, r.ID); return true })
		if len(ids) != 5 {
			t.Errorf("reports by reporter after migration: %v", ids)
		}
		n := 0
		tx.Reports(time.Unix(0, 0), base.AddDate(1, 0, 0), func(r bot.Report) error {
			if r.Answers["n"] == "" {
				t.Errorf("report %s lost its answers", r.ID)
			}
			n++
			return nil
		})
		inc, _ := tx.Count("w|X|2026-W48|incident")
		med, _ := tx.Count("w|X-T1|2026-W48|mediation")
		open, _ := tx.OpenCases("X-T1")
		if n != 5 || inc != 3 || med != 2 || len(open) != 2 {
			t.Errorf("after migration: %d reports, %d incidents and %d cases counted, %d open", n, inc, med, len(open))
		}
		if u, err := tx.User("telegram:1"); err != nil || u.Group != "X-T1" {
			t.Errorf("user after migration: %+v, %v", u, err)
		}
		return nil
	})
	matches, _ := filepath.Glob(path + ".schema-1-*")
	if len(matches) != 1 {
		t.Fatalf("backups before migrating: %v", matches)
	}
	// The backup is a sound schema 1 store, which a restore would accept
	// and the next opening migrate.
	if err := store.Check(matches[0]); err != nil {
		t.Error(err)
	}
}

// Ensure the inbox gives back what was put, oldest first whatever the order
// it was put in, replaces an entry put again, forgets deleted ones (also
// while being read) and keeps the rest across a reopening.
func TestInbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "i.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	type entry struct {
		key, data string
		at        time.Time
	}
	list := func(s *store.Store) []entry {
		t.Helper()
		var got []entry
		err := s.View(func(tx bot.Tx) error {
			return tx.Inbox(func(key string, data []byte, at time.Time) error {
				got = append(got, entry{key, string(data), at})
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	keys := func(es []entry) string {
		var ks []string
		for _, e := range es {
			ks = append(ks, e.key)
		}
		return strings.Join(ks, ",")
	}
	err = s.Update(func(tx bot.Tx) error {
		for _, e := range []entry{
			{"zalo:c", `{"n":3}`, base.Add(2 * time.Second)},
			{"zalo:a", `{"n":1}`, base},
			{"zalo:b2", `{"n":22}`, base.Add(time.Second)},
			{"zalo:b1", `{"n":21}`, base.Add(time.Second)}, // the same time, put later
			{"zalo:x", `{"n":0}`, base.Add(-time.Hour)},
		} {
			if err := tx.PutInbox(e.key, []byte(e.data), e.at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := list(s)
	if keys(got) != "zalo:x,zalo:a,zalo:b2,zalo:b1,zalo:c" {
		t.Errorf("inbox order = %s", keys(got))
	}
	if e := got[1]; e.data != `{"n":1}` || !e.at.Equal(base) {
		t.Errorf("entry = %+v", e)
	}

	err = s.Update(func(tx bot.Tx) error {
		if err := tx.DeleteInbox("zalo:a"); err != nil {
			return err
		}
		if err := tx.DeleteInbox("zalo:never"); err != nil {
			return fmt.Errorf("deleting a missing key: %w", err)
		}
		// Put again: the entry is replaced, at its new time.
		return tx.PutInbox("zalo:x", []byte(`{"n":9}`), base.Add(time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(s); keys(got) != "zalo:b2,zalo:b1,zalo:c,zalo:x" || got[3].data != `{"n":9}` {
		t.Errorf("after delete and replace: %+v", got)
	}

	// An adapter replaying on start deletes each entry once handled.
	var replayed []string
	err = s.Update(func(tx bot.Tx) error {
		return tx.Inbox(func(key string, _ []byte, _ time.Time) error {
			replayed = append(replayed, key)
			if key == "zalo:c" {
				return nil // its handling failed: it stays
			}
			return tx.DeleteInbox(key)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(replayed, ",") != "zalo:b2,zalo:b1,zalo:c,zalo:x" {
		t.Errorf("replayed %v", replayed)
	}
	s.Close()

	s, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := list(s); keys(got) != "zalo:c" || got[0].data != `{"n":3}` {
		t.Errorf("after reopening: %+v", got)
	}
}

// Ensure a store written before the inbox existed gets it on opening.
func TestInboxAddedToOlderStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"inbox", "inbox_keys"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	s, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	if err := s.Update(func(tx bot.Tx) error { return tx.PutInbox("zalo:1", []byte("{}"), at) }); err != nil {
		t.Fatal(err)
	}
	n := 0
	s.View(func(tx bot.Tx) error {
		return tx.Inbox(func(string, []byte, time.Time) error { n++; return nil })
	})
	if n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

// Ensure a schema-2 store, whose people have one address each, migrates to
// people found by any of their addresses, with every record kept.
func TestMigrateFromSchema2(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.User{
		{Address: "telegram:1", Name: "Lan", Role: bot.RoleLeader, Group: "X-T1", Lang: "vi"},
		{Address: "telegram:2", Name: "Công", Role: bot.RoleOfficial, Group: "X", Agency: "police", Deactivated: true},
	}
	s.Update(func(tx bot.Tx) error {
		for _, u := range want {
			tx.PutUser(u)
		}
		tx.PutReport(bot.Report{ID: "AN-2026-000001", Kind: bot.KindIncident, Group: "X-T1", Reporter: "telegram:1", CreatedAt: time.Now()})
		return tx.PutMeta("schema", "2")
	})
	s.Close()
	db, _ := bolt.Open(path, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("aliases")) })
	db.Close()

	s, err = store.Open(path, store.Options{Migrations: bot.Migrations(loc)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Update(func(tx bot.Tx) error {
		if v, _ := tx.Meta("schema"); v != "3" {
			t.Errorf("schema = %s", v)
		}
		users, _ := tx.Users()
		if len(users) != len(want) {
			t.Fatalf("users = %+v", users)
		}
		for _, w := range want {
			u, err := tx.User(w.Address)
			if err != nil || u.Name != w.Name || u.Role != w.Role || u.Group != w.Group || u.Agency != w.Agency || u.Deactivated != w.Deactivated {
				t.Errorf("User(%s) = %+v, %v", w.Address, u, err)
			}
		}
		if _, err := tx.Report("AN-2026-000001"); err != nil {
			t.Errorf("report lost: %v", err)
		}
		// A second address now finds the person, and cannot be taken twice.
		u, _ := tx.User("telegram:1")
		u.Addresses = []bot.Address{"telegram:1", "zalo:abc"}
		if err := tx.PutUser(u); err != nil {
			t.Fatal(err)
		}
		if got, err := tx.User("zalo:abc"); err != nil || got.Name != "Lan" {
			t.Errorf("User(zalo:abc) = %+v, %v", got, err)
		}
		other, _ := tx.User("telegram:2")
		other.Addresses = []bot.Address{"telegram:2", "zalo:abc"}
		if err := tx.PutUser(other); bot.ErrorCode(err) != bot.ECONFLICT {
			t.Errorf("an address linked to two people: %v", err)
		}
		return nil
	})
	files, _ := filepath.Glob(path + ".schema-2-*")
	if len(files) != 1 {
		t.Errorf("the schema-2 file was not kept: %v", files)
	}
}

// Ensure OutboxStats counts both queues and ages the oldest message, and
// forgets a message's time once it is delivered.
func TestOutboxStats(t *testing.T) {
	s := MustOpen(t)
	stats := func() (n int, oldest time.Time) {
		t.Helper()
		if err := s.View(func(tx bot.Tx) (err error) { n, oldest, err = tx.OutboxStats(); return }); err != nil {
			t.Fatal(err)
		}
		return n, oldest
	}
	if n, oldest := stats(); n != 0 || !oldest.IsZero() {
		t.Fatalf("empty outbox: %d, %v", n, oldest)
	}
	before := time.Now()
	err := s.Update(func(tx bot.Tx) error {
		for _, m := range []bot.Outbound{{Chat: "telegram:1"}, {Chat: "telegram:2", Bulk: true}} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, first := stats()
	if n != 2 || first.Before(before.Add(-time.Millisecond)) || first.After(time.Now()) {
		t.Fatalf("after queuing two: %d, oldest %v (queued after %v)", n, first, before)
	}
	var items []bot.OutboxItem
	s.View(func(tx bot.Tx) (err error) { items, err = tx.Pending(10, 10); return })
	if err := s.Update(func(tx bot.Tx) error { return tx.Delivered(items[0].ID) }); err != nil {
		t.Fatal(err)
	}
	if n, oldest := stats(); n != 1 || oldest.Before(first) {
		t.Fatalf("after one delivered: %d, oldest %v (first %v)", n, oldest, first)
	}
}
