// Package store keeps totuquan's state in one bbolt file. It is the only
// package that imports bbolt; everything else sees the bot.Store and bot.Tx
// interfaces.
//
// Reports are keyed by their creation time (big-endian nanoseconds, then the
// reference number), so the reports of a week are one cursor seek and scan.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/totuquan/totuquan/bot"
)

// SchemaVersion is the layout this code reads and writes. Version 2 added
// the reports-by-reporter index, the weekly counts and the open-case index;
// version 3 people with several addresses (the aliases index).
const SchemaVersion = 3

var (
	bMeta       = []byte("meta")
	bUsers      = []byte("users")
	bAreas      = []byte("areas")
	bInvites    = []byte("invites")
	bSessions   = []byte("sessions")
	bMenus      = []byte("menus")
	bFiles      = []byte("files")
	bAliases    = []byte("aliases") // every address of a person → their first
	bSeqs       = []byte("sequences")
	bReports    = []byte("reports")
	bReportIDs  = []byte("report_ids")
	bByReporter = []byte("reports_by_reporter")
	bOutbox     = []byte("outbox")
	bBulk       = []byte("outbox_bulk")
	bKeys       = []byte("outbox_keys")
	bOutboxAt   = []byte("outbox_at") // an outbox id -> when it was queued (time key)
	bBlocked    = []byte("blocked_chats")
	bCounts     = []byte("counts")
	bOpenCases  = []byte("open_cases")
	bAudit      = []byte("audit")
	bSeen       = []byte("seen")
	bInbox      = []byte("inbox")      // time key, sequence -> inboxEntry
	bInboxKeys  = []byte("inbox_keys") // an entry's key -> its place in bInbox

	allBuckets = [][]byte{bMeta, bUsers, bAliases, bAreas, bInvites, bSessions, bMenus, bFiles, bSeqs, bReports, bReportIDs, bByReporter, bOutbox, bBulk, bKeys, bOutboxAt, bBlocked, bCounts, bOpenCases, bAudit, bSeen, bInbox, bInboxKeys}
)

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("the store file is in use by another totuquan process")

// Store is a bbolt-backed bot.Store.
type Store struct {
	db *bolt.DB
}

var _ bot.Store = (*Store)(nil)

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for another process to release the
	// file (default 1s).
	LockTimeout time.Duration
	// Migrations bring an older store forward: Migrations[i] moves it from
	// version i+1 to i+2. They come from the domain (bot.Migrations), which
	// knows what the indexes mean. A store that needs them and is opened
	// without them is refused.
	Migrations []func(bot.Tx) error
}

// Open opens or creates the store at path, creates its buckets and checks
// its schema version. A store written by a newer version is refused.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("open store %s: the folder %s does not exist: create it, or choose another store.path", path, dir)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrLocked)
	} else if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	version := 0
	err = db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bMeta); meta != nil && meta.Get([]byte("schema")) != nil {
			v := meta.Get([]byte("schema"))
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("schema version %q is not a number", v)
			}
			version = n
		}
		return nil
	})
	switch {
	case err != nil:
	case version > SchemaVersion:
		err = fmt.Errorf("the file was written by a newer totuquan (schema %d; this one reads up to %d): upgrade totuquan", version, SchemaVersion)
	case version > 0 && version < SchemaVersion && len(opts.Migrations) != SchemaVersion-1:
		err = fmt.Errorf("the file has schema %d and needs migrating to %d", version, SchemaVersion)
	case version > 0 && version < SchemaVersion:
		// Keep the file as it was before changing it.
		keep := fmt.Sprintf("%s.schema-%d-%s", path, version, time.Now().UTC().Format("20060102-150405"))
		if _, err = (&Store{db: db}).Backup(keep); err == nil {
			err = migrate(db, version, opts.Migrations)
		}
	}
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, name := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			if version == 0 {
				return tx.Bucket(bMeta).Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
			}
			return nil
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// Handlers wait at most this long for others to share their commit:
	// well under what a person notices, enough to batch a busy minute.
	db.MaxBatchDelay = 2 * time.Millisecond
	return &Store{db: db}, nil
}

// migrate runs the steps from version to SchemaVersion in one transaction:
// all of them or none.
func migrate(db *bolt.DB, version int, steps []func(bot.Tx) error) error {
	return db.Update(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := btx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		for v := version; v < SchemaVersion; v++ {
			if err := steps[v-1](&tx{btx}); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		return btx.Bucket(bMeta).Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
	})
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.db.Path() }

// Update runs fn in a read-write transaction, committed (and synced to
// disk) when fn returns nil.
func (s *Store) Update(fn func(bot.Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&tx{btx}) })
}

// Batch is Update for many goroutines at once: concurrent calls share one
// commit and one fsync. fn may run more than once and must not keep effects
// outside the transaction from a run that did not commit.
func (s *Store) Batch(fn func(bot.Tx) error) error {
	return s.db.Batch(func(btx *bolt.Tx) error { return fn(&tx{btx}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(bot.Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&tx{btx}) })
}

// Backup writes a consistent copy of the live store to path, from one
// read transaction: writers go on meanwhile. The copy is written beside
// path and renamed, so path never holds half a backup. It returns the size.
func (s *Store) Backup(path string) (int64, error) {
	tmp := path + ".partial"
	var size int64
	err := s.db.View(func(btx *bolt.Tx) error {
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if size, err = btx.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("back up to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("back up to %s: %w", path, err)
	}
	return size, nil
}

// Check verifies a store file that no process is using, such as a backup:
// bbolt's consistency check of every page, and a schema this code reads.
func Check(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("check %s: %w", path, ErrLocked)
	} else if err != nil {
		return fmt.Errorf("check %s: not a totuquan store: %w", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("check %s: %d consistency errors, the first: %w", path, len(errs), errs[0])
		}
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return fmt.Errorf("check %s: not a totuquan store (no meta bucket)", path)
		}
		n, err := strconv.Atoi(string(meta.Get([]byte("schema"))))
		if err != nil || n < 1 || n > SchemaVersion {
			return fmt.Errorf("check %s: schema %q is not one this totuquan reads (1 to %d)", path, meta.Get([]byte("schema")), SchemaVersion)
		}
		return nil
	})
}

// tx implements bot.Tx over one bbolt transaction.
type tx struct{ *bolt.Tx }

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

var (
	minTime = time.Unix(0, 0)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeKey orders by time: the big-endian nanoseconds since 1970, UTC.
// Times outside 1970–2262 are clamped, so open-ended ranges stay ordered.
func timeKey(t time.Time) []byte {
	switch {
	case t.Before(minTime):
		t = minTime
	case t.After(maxTime):
		t = maxTime
	}
	return itob(uint64(t.UnixNano()))
}

func (t *tx) getJSON(bucket []byte, key string, v any, what string) error {
	data := t.Bucket(bucket).Get([]byte(key))
	if data == nil {
		return bot.Errorf(bot.ENOTFOUND, "%s %q not found", what, key)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s %q: %w", what, key, err)
	}
	return nil
}

func (t *tx) putJSON(bucket []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.Bucket(bucket).Put([]byte(key), data)
}

func allJSON[T any](t *tx, bucket []byte) ([]T, error) {
	var out []T
	err := t.Bucket(bucket).ForEach(func(k, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s %q: %w", bucket, k, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

func (t *tx) User(a bot.Address) (u bot.User, err error) {
	key := string(a)
	if first := t.Bucket(bAliases).Get([]byte(a)); first != nil {
		key = string(first)
	}
	return u, t.getJSON(bUsers, key, &u, "user")
}

func (t *tx) PutUser(u bot.User) error {
	if first := t.Bucket(bAliases).Get([]byte(u.Address)); first != nil && string(first) != string(u.Address) {
		return fmt.Errorf("put user %s: the address belongs to %s", u.Address, first)
	}
	for _, a := range u.Addresses {
		if first := t.Bucket(bAliases).Get([]byte(a)); first != nil && string(first) != string(u.Address) {
			return bot.Errorf(bot.ECONFLICT, "%s already belongs to %s", a, first)
		}
		if a != u.Address && t.Bucket(bUsers).Get([]byte(a)) != nil {
			return bot.Errorf(bot.ECONFLICT, "%s is registered on its own", a)
		}
	}
	for _, a := range u.All() {
		if err := t.Bucket(bAliases).Put([]byte(a), []byte(u.Address)); err != nil {
			return err
		}
	}
	return t.putJSON(bUsers, string(u.Address), u)
}

func (t *tx) Users() ([]bot.User, error) { return allJSON[bot.User](t, bUsers) }

func (t *tx) Area(code string) (a bot.Area, err error) {
	return a, t.getJSON(bAreas, code, &a, "area")
}

func (t *tx) Areas() ([]bot.Area, error) { return allJSON[bot.Area](t, bAreas) }

func (t *tx) PutAreas(areas []bot.Area) error {
	for _, a := range areas {
		if err := t.putJSON(bAreas, a.Code, a); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Invite(code string) (inv bot.Invite, err error) {
	return inv, t.getJSON(bInvites, code, &inv, "invite")
}

func (t *tx) PutInvite(inv bot.Invite) error { return t.putJSON(bInvites, inv.Code, inv) }

func (t *tx) Invites() ([]bot.Invite, error) { return allJSON[bot.Invite](t, bInvites) }

func (t *tx) Session(chat bot.Address) (s bot.Session, err error) {
	return s, t.getJSON(bSessions, string(chat), &s, "session")
}

func (t *tx) PutSession(s bot.Session) error { return t.putJSON(bSessions, string(s.Chat), s) }

func (t *tx) Menu(chat bot.Address) (m bot.Menu, err error) {
	return m, t.getJSON(bMenus, string(chat), &m, "menu")
}

func (t *tx) PutMenu(chat bot.Address, m bot.Menu) error { return t.putJSON(bMenus, string(chat), m) }

func (t *tx) DeleteMenu(chat bot.Address) error { return t.Bucket(bMenus).Delete([]byte(chat)) }

func (t *tx) PutFile(f bot.StoredFile) error { return t.putJSON(bFiles, f.Token, f) }

func (t *tx) File(token string) (f bot.StoredFile, err error) {
	return f, t.getJSON(bFiles, token, &f, "file")
}

func (t *tx) ForgetFiles(before time.Time) error {
	var old [][]byte
	err := t.Bucket(bFiles).ForEach(func(k, v []byte) error {
		var f bot.StoredFile
		if json.Unmarshal(v, &f) != nil || f.Expires.Before(before) {
			old = append(old, k)
		}
		return nil
	})
	for _, k := range old {
		if err := t.Bucket(bFiles).Delete(k); err != nil {
			return err
		}
	}
	return err
}

func (t *tx) Sessions(fn func(bot.Session) error) error {
	return t.Bucket(bSessions).ForEach(func(k, v []byte) error {
		var s bot.Session
		if err := json.Unmarshal(v, &s); err != nil {
			s = bot.Session{}
		}
		s.Chat = bot.Address(k)
		return fn(s)
	})
}

func (t *tx) DeleteSession(chat bot.Address) error {
	return t.Bucket(bSessions).Delete([]byte(chat))
}

func (t *tx) NextSeq(name string) (uint64, error) {
	b := t.Bucket(bSeqs)
	var n uint64
	if v := b.Get([]byte(name)); v != nil {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put([]byte(name), itob(n))
}

func (t *tx) PutReport(r bot.Report) error {
	ids := t.Bucket(bReportIDs)
	var key []byte
	if old := ids.Get([]byte(r.ID)); old != nil {
		// A corrected report keeps its place in time.
		key = append([]byte(nil), old...)
	} else {
		key = append(timeKey(r.CreatedAt), r.ID...)
		if err := ids.Put([]byte(r.ID), key); err != nil {
			return err
		}
	}
	// reporter, NUL, then the report's key: one reporter's reports are
	// contiguous and in time order.
	if err := t.Bucket(bByReporter).Put(reporterKey(r.Reporter, key), key); err != nil {
		return err
	}
	return t.putReportAt(key, r)
}

func reporterKey(a bot.Address, key []byte) []byte {
	return append(append([]byte(a), 0), key...)
}

func (t *tx) ReportsBy(reporter bot.Address, fn func(bot.Report) bool) error {
	c := t.Bucket(bByReporter).Cursor()
	prefix := reporterKey(reporter, nil)
	// Start just past the reporter's last key and walk back.
	k, v := c.Seek(append([]byte(reporter), 1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		var r bot.Report
		if err := json.Unmarshal(t.Bucket(bReports).Get(v), &r); err != nil {
			return fmt.Errorf("decode report at %x: %w", v, err)
		}
		if !fn(r) {
			return nil
		}
	}
	return nil
}

func (t *tx) putReportAt(key []byte, r bot.Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return t.Bucket(bReports).Put(key, data)
}

func (t *tx) Report(id string) (r bot.Report, err error) {
	key := t.Bucket(bReportIDs).Get([]byte(id))
	if key == nil {
		return r, bot.Errorf(bot.ENOTFOUND, "report %q not found", id)
	}
	if err := json.Unmarshal(t.Bucket(bReports).Get(key), &r); err != nil {
		return r, fmt.Errorf("decode report %q: %w", id, err)
	}
	return r, nil
}

func (t *tx) Reports(from, to time.Time, fn func(bot.Report) error) error {
	c := t.Bucket(bReports).Cursor()
	end := timeKey(to)
	for k, v := c.Seek(timeKey(from)); k != nil && string(k[:8]) < string(end); k, v = c.Next() {
		var r bot.Report
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode report at %x: %w", k, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Enqueue(m bot.Outbound) (bool, error) {
	if t.Bucket(bBlocked).Get([]byte(m.Chat)) != nil {
		return false, nil
	}
	if m.Key != "" {
		keys := t.Bucket(bKeys)
		if keys.Get([]byte(m.Key)) != nil {
			return false, nil
		}
		if err := keys.Put([]byte(m.Key), timeKey(time.Now())); err != nil {
			return false, err
		}
	}
	// One sequence for both queues, so an id names one item.
	id, err := t.Bucket(bOutbox).NextSequence()
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	b := bOutbox
	if m.Bulk {
		b = bBulk
	}
	if err := t.Bucket(bOutboxAt).Put(itob(id), timeKey(time.Now())); err != nil {
		return false, err
	}
	return true, t.Bucket(b).Put(itob(id), data)
}

// OutboxStats counts both queues from their page headers, decoding no
// message, and finds the oldest queued time: ids rise, so it is the first
// entry of outbox_at. Messages queued before outbox_at existed have no
// time and are counted but not aged.
func (t *tx) OutboxStats() (depth int, oldest time.Time, err error) {
	for _, q := range [][]byte{bOutbox, bBulk} {
		depth += t.Bucket(q).Stats().KeyN
	}
	if k, v := t.Bucket(bOutboxAt).Cursor().First(); k != nil && len(v) >= 8 {
		oldest = time.Unix(0, int64(binary.BigEndian.Uint64(v[:8]))).UTC()
	}
	return depth, oldest, nil
}

func (t *tx) Pending(limit, bulk int) ([]bot.OutboxItem, error) {
	var urgent, out []bot.OutboxItem
	perChat := map[bot.Address]int{}
	for _, q := range []struct {
		name []byte
		max  int
	}{{bOutbox, limit}, {bBulk, bulk}} {
		c := t.Bucket(q.name).Cursor()
		// A chat over its share is skipped, not waited for; the scan stops
		// after a bounded number of items so that a huge backlog costs a
		// bounded read.
		n, scanned := 0, 0
		for k, v := c.First(); k != nil && n < q.max && scanned < 20*q.max; k, v = c.Next() {
			scanned++
			it := bot.OutboxItem{ID: binary.BigEndian.Uint64(k)}
			if err := json.Unmarshal(v, &it.Msg); err != nil {
				return nil, fmt.Errorf("decode outbox item %d: %w", it.ID, err)
			}
			if perChat[it.Msg.Chat] >= bot.PendingPerChat {
				continue
			}
			perChat[it.Msg.Chat]++
			if it.Msg.Urgent {
				urgent = append(urgent, it)
			} else {
				out = append(out, it)
			}
			n++
		}
	}
	return append(urgent, out...), nil
}

func (t *tx) Delivered(ids ...uint64) error {
	for _, id := range ids {
		for _, q := range [][]byte{bOutbox, bBulk, bOutboxAt} {
			if err := t.Bucket(q).Delete(itob(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tx) Block(chat bot.Address, at time.Time) error {
	return t.Bucket(bBlocked).Put([]byte(chat), timeKey(at))
}

func (t *tx) Unblock(chat bot.Address) error {
	b := t.Bucket(bBlocked)
	if b.Get([]byte(chat)) == nil {
		return nil // the common case: no write
	}
	return b.Delete([]byte(chat))
}

func (t *tx) ForgetKeys(before time.Time) error { return forgetOlder(t.Bucket(bKeys), before) }

func (t *tx) Seen(key string) (bool, error) {
	return t.Bucket(bSeen).Get([]byte(key)) != nil, nil
}

func (t *tx) MarkSeen(key string, at time.Time) error {
	return t.Bucket(bSeen).Put([]byte(key), timeKey(at))
}

func (t *tx) ForgetSeen(before time.Time) error { return forgetOlder(t.Bucket(bSeen), before) }

// forgetOlder deletes the entries of b whose value, a time key, is before.
func forgetOlder(b *bolt.Bucket, before time.Time) error {
	var old [][]byte // collect first: deleting while iterating skips keys
	limit := timeKey(before)
	err := b.ForEach(func(k, v []byte) error {
		if string(v) < string(limit) {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// inboxEntry is an update kept in the inbox until it is handled.
type inboxEntry struct {
	Key  string    `json:"key"`
	Data []byte    `json:"data"`
	At   time.Time `json:"at"`
}

func (t *tx) PutInbox(key string, data []byte, at time.Time) error {
	if err := t.DeleteInbox(key); err != nil {
		return err
	}
	b := t.Bucket(bInbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := json.Marshal(inboxEntry{Key: key, Data: data, At: at})
	if err != nil {
		return err
	}
	place := append(timeKey(at), itob(seq)...)
	if err := b.Put(place, v); err != nil {
		return err
	}
	return t.Bucket(bInboxKeys).Put([]byte(key), place)
}

func (t *tx) Inbox(fn func(key string, data []byte, at time.Time) error) error {
	// Decode first, so that fn may delete entries: deleting under a
	// cursor skips keys.
	var entries []inboxEntry
	err := t.Bucket(bInbox).ForEach(func(k, v []byte) error {
		var e inboxEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode inbox entry at %x: %w", k, err)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e.Key, e.Data, e.At); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) DeleteInbox(key string) error {
	keys := t.Bucket(bInboxKeys)
	place := keys.Get([]byte(key))
	if place == nil {
		return nil
	}
	place = append([]byte(nil), place...)
	if err := t.Bucket(bInbox).Delete(place); err != nil {
		return err
	}
	return keys.Delete([]byte(key))
}

func (t *tx) Meta(key string) (string, error) {
	v := t.Bucket(bMeta).Get([]byte(key))
	if v == nil {
		return "", bot.Errorf(bot.ENOTFOUND, "meta %q not found", key)
	}
	return string(v), nil
}

func (t *tx) PutMeta(key, value string) error {
	return t.Bucket(bMeta).Put([]byte(key), []byte(value))
}

func (t *tx) Count(key string) (int, error) {
	v := t.Bucket(bCounts).Get([]byte(key))
	if v == nil {
		return 0, nil
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

func (t *tx) AddCount(key string, n int) error {
	c, err := t.Count(key)
	if err != nil {
		return err
	}
	return t.Bucket(bCounts).Put([]byte(key), itob(uint64(max(0, c+n))))
}

func (t *tx) SetOpenCase(group, id string, open bool) error {
	k := append(append([]byte(group), 0), id...)
	if open {
		return t.Bucket(bOpenCases).Put(k, nil)
	}
	return t.Bucket(bOpenCases).Delete(k)
}

func (t *tx) OpenCases(group string) ([]string, error) {
	var ids []string
	prefix := append([]byte(group), 0)
	c := t.Bucket(bOpenCases).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids, nil
}

func (t *tx) Audit(e bot.AuditEntry) error {
	b := t.Bucket(bAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(append(timeKey(e.At), itob(seq)...), data)
}

func (t *tx) AuditLog(from, to time.Time, fn func(bot.AuditEntry) error) error {
	c := t.Bucket(bAudit).Cursor()
	end := timeKey(to)
	for k, v := c.Seek(timeKey(from)); k != nil && string(k[:8]) < string(end); k, v = c.Next() {
		var e bot.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode audit entry at %x: %w", k, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
