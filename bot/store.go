package bot

import "time"

// Store runs transactions over the persistent state. Update transactions
// are atomic and durable when they return nil: an update's effects, its
// de-duplication mark and its replies (in the outbox) commit together.
type Store interface {
	Update(fn func(Tx) error) error
	// Batch is Update where concurrent calls may share one commit; fn may
	// then run more than once, so it must only touch the transaction and
	// reset anything it captures at its start.
	Batch(fn func(Tx) error) error
	View(fn func(Tx) error) error
}

// Tx is one transaction. Values it returns are copies, valid after it ends.
// Lookups of a missing record return an error with code ENOTFOUND.
type Tx interface {
	// User returns the person who writes from a (any of their
	// addresses); PutUser stores them under their first address and makes
	// each of their addresses find them.
	User(a Address) (User, error)
	PutUser(u User) error
	Users() ([]User, error)

	Area(code string) (Area, error)
	Areas() ([]Area, error)
	// PutAreas adds or replaces the given areas.
	PutAreas(areas []Area) error

	Invite(code string) (Invite, error)
	PutInvite(inv Invite) error
	// Invites returns every invite kept, used up, expired and revoked
	// ones too.
	Invites() ([]Invite, error)

	Session(chat Address) (Session, error)
	PutSession(s Session) error
	DeleteSession(chat Address) error
	// Menu is the choices last offered in chat (ENOTFOUND when the last
	// message had none); PutMenu replaces it, DeleteMenu clears it.
	Menu(chat Address) (Menu, error)
	PutMenu(chat Address, m Menu) error
	DeleteMenu(chat Address) error
	// PutFile keeps a file to be fetched by its token (a link for a
	// platform that cannot send files); File returns it; ForgetFiles drops
	// those expired before.
	PutFile(f StoredFile) error
	File(token string) (StoredFile, error)
	ForgetFiles(before time.Time) error
	// Sessions calls fn for every stored session; one that cannot be
	// decoded is passed with only its Chat set.
	Sessions(fn func(Session) error) error

	// NextSeq returns the next number of the named sequence, from 1.
	NextSeq(name string) (uint64, error)
	PutReport(r Report) error
	Report(id string) (Report, error)
	// Reports calls fn for the reports created in [from, to), oldest first.
	Reports(from, to time.Time, fn func(Report) error) error
	// ReportsBy calls fn for the reports of one reporter, newest first,
	// until fn returns false.
	ReportsBy(reporter Address, fn func(Report) bool) error

	// Enqueue appends a message to the persistent outbox. It reports false,
	// and queues nothing, when the message's Key was queued before or its
	// chat blocked the bot.
	Enqueue(m Outbound) (bool, error)
	// Pending returns up to limit interactive outbox items, urgent ones
	// first, then oldest first, then up to bulk bulk ones, oldest first; at
	// most PendingPerChat of any one chat, so that one chat's backlog
	// cannot hide the others'.
	Pending(limit, bulk int) ([]OutboxItem, error)
	// Delivered removes the items from the outbox.
	Delivered(ids ...uint64) error
	// OutboxStats is how many messages wait in the outbox, both queues,
	// and when the oldest of them was queued (zero when none, or when it
	// was queued before times were kept); cheap enough for every scrape.
	OutboxStats() (depth int, oldest time.Time, err error)
	// Block marks a chat that refused the bot (it blocked it); Unblock
	// clears the mark when the user writes again.
	Block(chat Address, at time.Time) error
	Unblock(chat Address) error
	// ForgetKeys drops idempotency keys older than before.
	ForgetKeys(before time.Time) error

	// Seen reports whether an update key was already applied; MarkSeen
	// records it. Keys are compared for equality only, never by order.
	Seen(key string) (bool, error)
	MarkSeen(key string, at time.Time) error
	// ForgetSeen drops marks older than before.
	ForgetSeen(before time.Time) error

	// PutInbox, Inbox and DeleteInbox keep the updates of a platform whose
	// poll removes what it reads, so that none is lost in a crash: an
	// adapter stores an update it has read before handling it, deletes it
	// once handled, and on start replays what is left (the handler's
	// de-duplication marks make a replay harmless). Keys are the adapter's
	// own, prefixed with its platform ("zalo:..."); putting a key again
	// replaces its entry. Inbox calls fn for every entry, oldest first (by
	// at, then by when it was put); fn may delete entries as it goes.
	PutInbox(key string, data []byte, at time.Time) error
	Inbox(fn func(key string, data []byte, at time.Time) error) error
	DeleteInbox(key string) error

	// Meta and PutMeta keep small named values: a schedule's last run, an
	// adapter's own state under keys that name its platform (Telegram's
	// offset, its bot's username).
	Meta(key string) (string, error)
	PutMeta(key, value string) error

	// Count and AddCount keep named counters (reports per area, week and
	// kind), so that summaries need not scan old reports.
	Count(key string) (int, error)
	AddCount(key string, n int) error
	// Audit appends an entry to the audit log; AuditLog calls fn for the
	// entries in [from, to), oldest first.
	Audit(e AuditEntry) error
	AuditLog(from, to time.Time, fn func(AuditEntry) error) error

	// SetOpenCase adds or removes a case in its group's open-case index;
	// OpenCases lists a group's open case ids.
	SetOpenCase(group, id string, open bool) error
	OpenCases(group string) ([]string, error)
}

// Menu is what a chat was last offered to choose from, so that a typed
// number or label answers it on any platform, buttons or not.
type Menu struct {
	Choices []Choice `json:"choices"`
	// FreeInput means a typed number is an answer, not a pick.
	FreeInput bool `json:"free_input,omitempty"`
}

// PendingPerChat is the most items of one chat that Pending returns: more
// than its send limit lets out in one round of the sender.
const PendingPerChat = 8

// OutboxItem is a stored Outbound with its outbox id.
type OutboxItem struct {
	ID  uint64   `json:"id"`
	Msg Outbound `json:"msg"`
}
