package bot

import (
	"fmt"
	"strings"
	"time"
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

// User is a registered person. Leaders belong to one group (an area code).
type User struct {
	Address   Address   `json:"address"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Group     string    `json:"group,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

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
}

// Invite lets whoever opens its link join Group as a leader, until it is used
// up or expires.
type Invite struct {
	Code      string    `json:"code"`
	Group     string    `json:"group"`
	Role      Role      `json:"role"`
	MaxUses   int       `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Usable reports why the invite cannot be used at now, or nil.
func (inv Invite) Usable(now time.Time) error {
	switch {
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
}
