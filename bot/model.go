package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/totuquan/totuquan/vntext"
)

// Address names a chat or a user on a platform as "platform:id", for example
// "telegram:123456". Platforms with string ids (Zalo) fit the same type.
type Address string

// NewAddress joins a platform name and a platform id.
func NewAddress(platform, id string) Address { return Address(platform + ":" + id) }

// Platform returns the part before the first colon.
func (a Address) Platform() string {
	p, _, _ := strings.Cut(string(a), ":")
	return p
}

// ID returns the platform's own id, the part after the first colon.
func (a Address) ID() string {
	_, id, _ := strings.Cut(string(a), ":")
	return id
}

// Role is what a user may do.
type Role string

// The roles. Admins listed in the configuration need no stored user.
const (
	RoleAdmin    Role = "admin"
	RoleOfficial Role = "official"
	RoleLeader   Role = "leader"
)

// User is a registered person, who may write from several addresses (a
// Telegram and a Zalo account). Role, area, language and reports belong
// to the person; summaries and alerts go to the address they chose, or
// the one they last wrote from. Leaders belong to one group (an area code).
type User struct {
	// Address is the person's first address, which names them in the
	// store; Addresses holds it and every address linked since.
	Address   Address   `json:"address"`
	Addresses []Address `json:"addresses,omitempty"`
	// Notify is the address the person chose for summaries and alerts;
	// LastSeen the one they last wrote from.
	Notify   Address `json:"notify,omitempty"`
	LastSeen Address `json:"last_seen,omitempty"`
	Name     string  `json:"name"`
	Role     Role    `json:"role"`
	Group    string  `json:"group,omitempty"`
	Lang     string  `json:"lang,omitempty"`
	// Agency is an official's body: police, justice, mttq or ubnd.
	Agency    string    `json:"agency,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Deactivated users can no longer report or follow up; their reports
	// stay.
	Deactivated bool `json:"deactivated,omitempty"`
	// Admin is set for a user promoted from the chat (the configuration
	// names the others).
	Admin bool `json:"admin,omitempty"`
}

// Has reports whether a is one of the person's addresses.
func (u User) Has(a Address) bool {
	return a == u.Address || slices.Contains(u.Addresses, a)
}

// All returns every address of the person, the first one first.
func (u User) All() []Address {
	out := []Address{u.Address}
	for _, a := range u.Addresses {
		if a != u.Address {
			out = append(out, a)
		}
	}
	return out
}

// To is where messages for the person go: the address they chose, else
// the one they last wrote from, else their first.
func (u User) To() Address {
	switch {
	case u.Notify != "" && u.Has(u.Notify):
		return u.Notify
	case u.LastSeen != "" && u.Has(u.LastSeen):
		return u.LastSeen
	}
	return u.Address
}

// Agencies an official may belong to, and the report kinds each follows:
// the police incidents, the justice officer mediation, the Fatherland
// Front and the commune committee everything.
var Agencies = map[string][]ReportKind{
	"police":  {KindIncident},
	"justice": {KindMediation},
	"mttq":    {KindIncident, KindMediation, KindMeeting},
	"ubnd":    {KindIncident, KindMediation, KindMeeting},
}

// ParseAgency reads an agency as an admin types it, by its code or its
// Vietnamese name, with or without diacritics: "cong an", "tư pháp",
// "mat tran", "uy ban". ok is false for anything else.
func ParseAgency(s string) (string, bool) {
	f := strings.Join(strings.Fields(strings.ToLower(vntext.Fold(s))), " ")
	for code, names := range agencyNames {
		if f == code || slices.Contains(names, f) {
			return code, true
		}
	}
	return "", false
}

var agencyNames = map[string][]string{
	"police":  {"cong an", "ca", "cong an xa", "cong an phuong"},
	"justice": {"tu phap", "tp", "can bo tu phap"},
	"mttq":    {"mat tran", "mat tran to quoc", "mt"},
	"ubnd":    {"uy ban", "uy ban nhan dan", "ubnd xa", "ubnd phuong"},
}

// Kinds are the report kinds an official follows; an official of no known
// agency follows everything.
func (u User) Kinds() []ReportKind {
	if kinds, ok := Agencies[u.Agency]; ok {
		return kinds
	}
	return Kinds
}

// Follows reports whether an official follows reports of kind.
func (u User) Follows(kind ReportKind) bool { return slices.Contains(u.Kinds(), kind) }

// Area is one node of the administrative tree: a province, a commune, a
// village or a self-management group. Level names are free text from the
// imported file; the tree is never hard-coded.
type Area struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  string `json:"level"`
	Parent string `json:"parent,omitempty"`
	// Households is the group's size when the area file gives it, else 0.
	Households int `json:"households,omitempty"`
	// Retired areas take no new invites or reports and are left out of
	// reminders and of "groups that sent nothing"; their reports stay.
	Retired bool `json:"retired,omitempty"`
}

// RoleLink is the role of a one-time code that links another address to
// a person already registered (Invite.Person).
const RoleLink Role = "link"

// Invite lets whoever opens its link join Group as a leader, until it is used
// up or expires; a link code (RoleLink) adds the address it is used from to
// Person.
type Invite struct {
	Code      string    `json:"code"`
	Group     string    `json:"group"`
	Role      Role      `json:"role"`
	Person    Address   `json:"person,omitempty"`
	Agency    string    `json:"agency,omitempty"`
	MaxUses   int       `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// Usable reports why the invite cannot be used at now, or nil.
func (inv Invite) Usable(now time.Time) error {
	switch {
	case inv.Revoked:
		return Errorf(EREVOKED, "invite %s revoked", inv.Code)
	case !inv.ExpiresAt.IsZero() && !now.Before(inv.ExpiresAt):
		return Errorf(EEXPIRED, "invite %s expired", inv.Code)
	case inv.MaxUses > 0 && inv.Uses >= inv.MaxUses:
		return Errorf(EUSEDUP, "invite %s used up", inv.Code)
	}
	return nil
}

// ReportKind is one of the three things a leader reports.
type ReportKind string

// The report kinds, as exported.
const (
	KindIncident  ReportKind = "incident"
	KindMeeting   ReportKind = "meeting"
	KindMediation ReportKind = "mediation"
)

// Prefix returns the reference-number prefix of the kind: AN (an ninh),
// HG (hòa giải), HP (họp).
func (k ReportKind) Prefix() string {
	switch k {
	case KindIncident:
		return "AN"
	case KindMediation:
		return "HG"
	case KindMeeting:
		return "HP"
	}
	return "XX"
}

// RefNumber formats the reference number that officials and leaders quote:
// AN-2026-000123, numbered per kind and year.
func RefNumber(k ReportKind, year int, seq uint64) string {
	return fmt.Sprintf("%s-%04d-%06d", k.Prefix(), year, seq)
}

// Report is a sent report. Answers hold canonical values keyed by step
// (category codes, dates as 2006-01-02, times as 15:04), never display text.
type Report struct {
	ID        string            `json:"id"`
	Kind      ReportKind        `json:"kind"`
	Group     string            `json:"group"`
	Reporter  Address           `json:"reporter"`
	CreatedAt time.Time         `json:"created_at"`
	Answers   map[string]string `json:"answers"`
	Urgent    bool              `json:"urgent,omitempty"`
	// Status is where the report stands: a mediation case's stage, an
	// incident's handling. Empty for kinds without one.
	Status string `json:"status,omitempty"`
	// Updates are the case's status changes after it was sent, oldest first.
	Updates []CaseUpdate `json:"updates,omitempty"`
	// Revisions are the corrections made after it was sent, oldest first;
	// each keeps the answers it replaced.
	Revisions []Revision `json:"revisions,omitempty"`
}

// CorrectionWindow is how long after sending a leader may correct a report.
const CorrectionWindow = 48 * time.Hour

// CaseUpdate is one change of a case's status.
type CaseUpdate struct {
	At     time.Time `json:"at"`
	By     Address   `json:"by"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

// Revision is one correction of a report.
type Revision struct {
	At      time.Time `json:"at"`
	By      Address   `json:"by"`
	Changes []Change  `json:"changes"`
}

// Change is one answer changed by a correction; an empty side means the
// answer was absent.
type Change struct {
	Key string `json:"key"`
	Old string `json:"old"`
	New string `json:"new"`
}

// Diff lists the answers that differ between old and new, by key order of
// keys, then any other keys in sorted order.
func Diff(old, new map[string]string, keys []string) []Change {
	seen := map[string]bool{}
	var out []Change
	add := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		if old[k] != new[k] {
			out = append(out, Change{Key: k, Old: old[k], New: new[k]})
		}
	}
	for _, k := range keys {
		add(k)
	}
	var rest []string
	for k := range old {
		rest = append(rest, k)
	}
	for k := range new {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for _, k := range rest {
		add(k)
	}
	return out
}

// AuditEntry records who did what, when and in which area: admin actions,
// exports, views of personal data, refused attempts. The store only
// appends them; nothing in the bot edits or deletes one.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Who    string    `json:"who"` // a chat address, or "cli:<user>"
	Action string    `json:"action"`
	Area   string    `json:"area,omitempty"`
	Detail string    `json:"detail,omitempty"`
}
