package bot

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The admin actions, each implemented once over a transaction for every
// caller (the chat and the command line): each checks all its rules,
// records itself in the audit log under by (a chat address such as
// "telegram:900", or "cli:<os user>") and returns an *Error whose code
// says why it refused (EINVALID, ENOTFOUND, ERETIRED, EFORBIDDEN), for the
// caller to put in its own words. Whether by may run admin actions at all
// is the caller's to know (the configuration, a promoted user); nothing
// is written when an action refuses, since the caller's transaction is
// then rolled back.

// Invite bounds: what an invite is by default, and the most it may be.
const (
	DefaultInviteUses     = 1
	DefaultInviteValidity = 7 * 24 * time.Hour
	MaxInviteUses         = 1000
	MaxInviteValidity     = 1000 * 24 * time.Hour
)

// InviteSpec is what an invite is for.
type InviteSpec struct {
	// Role is RoleLeader, to lead the group Area, or RoleOfficial, to
	// follow Area (a commune, say) for Agency.
	Role   Role
	Area   string
	Agency string // an official's body, one of Agencies; empty for a leader
	// Uses is how many people may join with it, 1 to MaxInviteUses; Valid
	// how long it stays usable, up to MaxInviteValidity.
	Uses  int
	Valid time.Duration
}

// CreateInvite stores a new invite as spec says, for an area that exists
// and is not retired, and returns it with its area.
func CreateInvite(tx Tx, spec InviteSpec, by string, now time.Time) (Invite, Area, error) {
	if err := needBy(by); err != nil {
		return Invite{}, Area{}, err
	}
	switch spec.Role {
	case RoleLeader:
		if spec.Agency != "" {
			return Invite{}, Area{}, Errorf(EINVALID, "a leader's invite takes no agency (%s)", spec.Agency)
		}
	case RoleOfficial:
		if err := knownAgency(spec.Agency); err != nil {
			return Invite{}, Area{}, err
		}
	default:
		return Invite{}, Area{}, Errorf(EINVALID, "an invite is for a leader or an official, not %q", spec.Role)
	}
	if spec.Uses < 1 || spec.Uses > MaxInviteUses {
		return Invite{}, Area{}, Errorf(EINVALID, "an invite is for 1 to %d uses, not %d", MaxInviteUses, spec.Uses)
	}
	if spec.Valid <= 0 || spec.Valid > MaxInviteValidity {
		return Invite{}, Area{}, Errorf(EINVALID, "an invite is valid for up to %d days, and not %v", MaxInviteValidity/(24*time.Hour), spec.Valid)
	}
	area, err := openArea(tx, spec.Area)
	if err != nil {
		return Invite{}, area, err
	}
	if spec.Role == RoleLeader {
		// Leaders lead groups, the leaves of the tree: a leader of a
		// village would report for no group.
		areas, err := tx.Areas()
		if err != nil {
			return Invite{}, area, err
		}
		for _, a := range areas {
			if a.Parent == area.Code && !a.Retired {
				return Invite{}, area, Errorf(ENOTGROUP, "%s is not a group: it has groups inside it (%s, …)", area.Code, a.Code)
			}
		}
	}
	inv := Invite{Code: NewInviteCode(), Group: area.Code, Role: spec.Role, Agency: spec.Agency, MaxUses: spec.Uses,
		ExpiresAt: now.Add(spec.Valid).UTC(), CreatedAt: now.UTC(), CreatedBy: by}
	if err := tx.PutInvite(inv); err != nil {
		return Invite{}, area, err
	}
	return inv, area, record(tx, by, now, "invite", inv.Group, fmt.Sprintf("%s, %d uses, until %s",
		strings.TrimSpace(string(inv.Role)+" "+inv.Agency), inv.MaxUses, inv.ExpiresAt.Format(time.RFC3339)))
}

// RevokeInvite withdraws the invite with code; revoking it again changes
// nothing more.
func RevokeInvite(tx Tx, code, by string, now time.Time) (Invite, error) {
	if err := needBy(by); err != nil {
		return Invite{}, err
	}
	inv, err := tx.Invite(code)
	if IsNotFound(err) {
		return inv, Errorf(ENOTFOUND, "no invite %s", code)
	} else if err != nil {
		return inv, err
	}
	inv.Revoked = true
	if err := tx.PutInvite(inv); err != nil {
		return inv, err
	}
	return inv, record(tx, by, now, "invite.revoke", inv.Group, inv.Code)
}

// MoveLeader moves the leader at addr to group, which must exist and not
// be retired. Their draft, begun for the old group, is dropped.
func MoveLeader(tx Tx, addr Address, group, by string, now time.Time) (User, error) {
	if err := needBy(by); err != nil {
		return User{}, err
	}
	u, err := findUser(tx, addr)
	if err != nil {
		return u, err
	}
	if u.Role != RoleLeader {
		return u, Errorf(EINVALID, "%s is not a leader", addr)
	}
	g, err := openArea(tx, group)
	if err != nil {
		return u, err
	}
	from := u.Group
	u.Group = g.Code
	if err := tx.PutUser(u); err != nil {
		return u, err
	}
	if err := dropSessions(tx, u); err != nil {
		return u, err
	}
	return u, record(tx, by, now, "users.move", u.Group, fmt.Sprintf("%s from %s to %s", addr, from, u.Group))
}

// SetActive deactivates the user at addr (active false: no more reports
// or follow-up, their draft dropped, their reports kept) or reactivates
// them.
func SetActive(tx Tx, addr Address, active bool, by string, now time.Time) (User, error) {
	if err := needBy(by); err != nil {
		return User{}, err
	}
	u, err := findUser(tx, addr)
	if err != nil {
		return u, err
	}
	u.Deactivated = !active
	if err := tx.PutUser(u); err != nil {
		return u, err
	}
	action := "users.reactivate"
	if !active {
		action = "users.deactivate"
		// A draft in progress goes with the right to report.
		if err := dropSessions(tx, u); err != nil {
			return u, err
		}
	}
	return u, record(tx, by, now, action, u.Group, string(addr))
}

// SetAdmin promotes the user at addr to admin or demotes them. An admin
// named in the configuration (configAdmins) is not demoted: only editing
// the configuration does that.
func SetAdmin(tx Tx, addr Address, admin bool, configAdmins map[Address]bool, by string, now time.Time) (User, error) {
	if err := needBy(by); err != nil {
		return User{}, err
	}
	if !admin && configAdmins[addr] {
		return User{}, Errorf(EFORBIDDEN, "%s is an admin named in the configuration; only editing it removes them", addr)
	}
	u, err := findUser(tx, addr)
	if err != nil {
		return u, err
	}
	u.Admin = admin
	if err := tx.PutUser(u); err != nil {
		return u, err
	}
	action := "users.unadmin"
	if admin {
		action = "users.admin"
	}
	return u, record(tx, by, now, action, u.Group, string(addr))
}

// SetAgency sets the agency of the official at addr, and so the topics
// they follow.
func SetAgency(tx Tx, addr Address, agency, by string, now time.Time) (User, error) {
	if err := needBy(by); err != nil {
		return User{}, err
	}
	if err := knownAgency(agency); err != nil {
		return User{}, err
	}
	u, err := findUser(tx, addr)
	if err != nil {
		return u, err
	}
	if u.Role != RoleOfficial {
		return u, Errorf(EINVALID, "%s is not an official", addr)
	}
	u.Agency = agency
	if err := tx.PutUser(u); err != nil {
		return u, err
	}
	return u, record(tx, by, now, "users.agency", u.Group, string(addr)+" "+agency)
}

// HandOverGroup hands group, which must exist and not be retired, to a new
// leader: its active leaders are deactivated, their drafts dropped and
// their reports kept, and a fresh single-use invite is returned with the
// leaders it replaced.
func HandOverGroup(tx Tx, group, by string, now time.Time) (Invite, []User, error) {
	if err := needBy(by); err != nil {
		return Invite{}, nil, err
	}
	if _, err := openArea(tx, group); err != nil {
		return Invite{}, nil, err
	}
	inv, old, err := HandOver(tx, group, by, now)
	if err != nil {
		return inv, old, err
	}
	return inv, old, record(tx, by, now, "handover", group, fmt.Sprintf("%d leaders deactivated, invite %s", len(old), inv.Code))
}

// Broadcast queues text as a notice to every active leader inside area,
// in their language (defaultLang if they chose none), once for key: the
// same key again queues nothing more. It returns the area and how many
// leaders the notice was queued for.
func Broadcast(tx Tx, area, text, key, defaultLang, by string, now time.Time) (Area, int, error) {
	if err := needBy(by); err != nil {
		return Area{}, 0, err
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Area{}, 0, Errorf(EINVALID, "a notice needs a text")
	case key == "":
		return Area{}, 0, Errorf(EINVALID, "a notice needs a key, so that it goes once")
	}
	if _, err := findArea(tx, area); err != nil {
		return Area{}, 0, err
	}
	a, sent, err := QueueNotice(tx, area, text, key, defaultLang)
	if err != nil {
		return a, sent, err
	}
	return a, sent, record(tx, by, now, "broadcast", a.Code, fmt.Sprintf("%d leaders: %s", sent, text))
}

// Period is a span of whole days in a time zone: from the first day's
// midnight (From) to the midnight after the last day (To, excluded).
type Period struct {
	From, To time.Time
}

// DayAfter returns the midnight, in loc, that ends day's date in loc: the
// end of a period whose last day is day. A period "to 30/11/2026" holds
// everything before 01/12/2026 00:00.
func DayAfter(day time.Time, loc *time.Location) time.Time {
	d := day.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
}

// Days returns the period from first to last, both days included, in loc;
// EINVALID if last is before first.
func Days(first, last time.Time, loc *time.Location) (Period, error) {
	f := first.In(loc)
	p := Period{From: time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc), To: DayAfter(last, loc)}
	return p, p.check()
}

// ParseDays reads a period's first and last days written in layout (such
// as time.DateOnly or "02/01/2006") in loc; EINVALID for a day that does
// not parse or a last day before the first.
func ParseDays(first, last, layout string, loc *time.Location) (Period, error) {
	f, err := time.ParseInLocation(layout, strings.TrimSpace(first), loc)
	if err != nil {
		return Period{}, Errorf(EINVALID, "%q is not a day written as %s", first, layout)
	}
	l, err := time.ParseInLocation(layout, strings.TrimSpace(last), loc)
	if err != nil {
		return Period{}, Errorf(EINVALID, "%q is not a day written as %s", last, layout)
	}
	return Days(f, l, loc)
}

// LastDay returns the period's last day, at its midnight in loc.
func (p Period) LastDay(loc *time.Location) time.Time {
	l := p.To.Add(-time.Nanosecond).In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

func (p Period) check() error {
	if !p.From.Before(p.To) {
		return Errorf(EINVALID, "the period ends (%s) before it begins (%s)", p.To.Format(time.RFC3339), p.From.Format(time.RFC3339))
	}
	return nil
}

// ExportQuery says which reports to export.
type ExportQuery struct {
	// Area keeps the reports of the groups inside it; "" keeps every area.
	Area string
	// Kind keeps the reports of one kind; "" keeps every kind.
	Kind ReportKind
	// Period keeps the reports sent within it.
	Period Period
	// Official, if set, is the official the export is for: it then holds
	// only what they may see (their area, their agency's kinds), and
	// anyone but an active official of an area in the tree is refused.
	Official *User
	// Format is how the caller renders it ("csv", "xlsx", "json"), for the
	// audit log.
	Format string
	// Location is the zone of the exported times.
	Location *time.Location
}

// ExportResult is an export's reports, ready to render.
type ExportResult struct {
	Area    string     // the area exported, "" for all
	Kind    ReportKind // the kind exported, "" for all
	Period  Period
	Reports []Report          // oldest first
	Records []ExportRecord    // the reports as exported, in the same order
	Names   map[string]string // area names by code
	// Keys are the answer columns, in the order the forms ask them (see
	// AnswerKeys).
	Keys []string
}

// Export returns the reports q asks for and records the export, which
// carries personal data, in the audit log before anyone renders it.
func Export(tx Tx, q ExportQuery, by string, now time.Time) (ExportResult, error) {
	if err := needBy(by); err != nil {
		return ExportResult{}, err
	}
	if q.Kind != "" && !slices.Contains(Kinds, q.Kind) {
		return ExportResult{}, Errorf(EINVALID, "%q is not a kind of report (incident, meeting or mediation)", q.Kind)
	}
	if err := q.Period.check(); err != nil {
		return ExportResult{}, err
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	x := ExportResult{Area: q.Area, Kind: q.Kind, Period: q.Period, Names: map[string]string{}}
	keep := func(Report) bool { return true }
	if q.Official != nil {
		sc, err := ScopeOf(tx, *q.Official)
		if err != nil {
			return x, err
		}
		if sc.inside == nil {
			return x, Errorf(EFORBIDDEN, "%s is not an active official of an area in the tree", q.Official.Address)
		}
		if q.Area != "" && !sc.inside[q.Area] {
			return x, Errorf(EFORBIDDEN, "%s is outside the area of %s", q.Area, q.Official.Address)
		}
		if x.Area == "" {
			x.Area = sc.Area
		}
		keep = sc.Has
	}
	var inside map[string]bool
	if q.Area != "" {
		if _, err := findArea(tx, q.Area); err != nil {
			return x, err
		}
		var err error
		if inside, err = Inside(tx, q.Area); err != nil {
			return x, err
		}
	}
	areas, err := tx.Areas()
	if err != nil {
		return x, err
	}
	for _, a := range areas {
		x.Names[a.Code] = a.Name
	}
	err = tx.Reports(q.Period.From, q.Period.To, func(r Report) error {
		if (inside != nil && !inside[r.Group]) || (q.Kind != "" && r.Kind != q.Kind) || !keep(r) {
			return nil
		}
		x.Reports = append(x.Reports, r)
		x.Records = append(x.Records, NewExportRecord(r, x.Names[r.Group], loc))
		return nil
	})
	if err != nil {
		return x, err
	}
	if err := nameReporters(tx, x.Records); err != nil {
		return x, err
	}
	x.Keys = AnswerKeys(x.Records)
	what := strings.TrimSpace(q.Format + " " + string(q.Kind))
	return x, record(tx, by, now, "export", x.Area, fmt.Sprintf("%s, %d reports, %s to %s", what, len(x.Records),
		q.Period.From.In(loc).Format(time.DateOnly), q.Period.LastDay(loc).Format(time.DateOnly)))
}

// WriteCSV writes the export as CSV as people read it (see CSV), of
// x.Kind's columns alone if it is of one kind.
func (x ExportResult) WriteCSV(w io.Writer) error { return CSV{Kind: x.Kind}.Write(w, x.Records) }

// WriteCodesCSV writes the export as CSV for programs (CSV.Codes), its
// answer columns in x.Keys' order.
func (x ExportResult) WriteCodesCSV(w io.Writer) error {
	return CSV{Codes: true, Kind: x.Kind, Keys: x.Keys}.Write(w, x.Records)
}

// WriteJSON writes the export as one JSON array.
func (x ExportResult) WriteJSON(w io.Writer) error { return WriteJSON(w, x.Records) }

// Tables lays the export out as the official forms do, one table per
// kind, in lang (for an Excel workbook).
func (x ExportResult) Tables(f FlowEngine, lang string) []Table {
	return f.Tables(x.Records, lang)
}

// needBy refuses an action that does not say who does it.
func needBy(by string) error {
	if strings.TrimSpace(by) == "" {
		return Errorf(EINVALID, "an admin action needs to say who does it")
	}
	return nil
}

// knownAgency refuses an agency that is not one of Agencies.
func knownAgency(agency string) error {
	if Agencies[agency] == nil {
		return Errorf(EINVALID, "agency %q is not one of police, justice, mttq or ubnd", agency)
	}
	return nil
}

// findUser returns the user at addr, ENOTFOUND if there is none.
func findUser(tx Tx, addr Address) (User, error) {
	u, err := tx.User(addr)
	if IsNotFound(err) {
		return u, Errorf(ENOTFOUND, "no user %s", addr)
	}
	return u, err
}

// findArea returns the area with code, ENOTFOUND if there is none.
func findArea(tx Tx, code string) (Area, error) {
	a, err := tx.Area(code)
	if IsNotFound(err) || (err == nil && code == "") {
		return a, Errorf(ENOTFOUND, "no area with code %s", code)
	}
	return a, err
}

// openArea returns the area with code if it takes new invites and
// leaders: ENOTFOUND if there is none, ERETIRED if it is retired.
func openArea(tx Tx, code string) (Area, error) {
	a, err := findArea(tx, code)
	if err == nil && a.Retired {
		err = Errorf(ERETIRED, "area %s is retired", a.Code)
	}
	return a, err
}

// record writes an admin action's audit entry.
func record(tx Tx, by string, now time.Time, action, area, detail string) error {
	return tx.Audit(AuditEntry{At: now.UTC(), Who: by, Action: action, Area: area, Detail: truncate(detail, maxAuditDetail)})
}

// dropSessions drops the person's conversations in every chat they write
// from: a draft begun under rights they no longer have.
func dropSessions(tx Tx, u User) error {
	for _, a := range u.All() {
		if err := tx.DeleteSession(a); err != nil {
			return err
		}
	}
	return nil
}

// LinkAddress adds addr, not registered on its own, to the person at
// person: from then on either address finds them, and summaries and alerts
// go to the one they choose or last wrote from.
func LinkAddress(tx Tx, person, addr Address, by string, now time.Time) (User, error) {
	if err := needBy(by); err != nil {
		return User{}, err
	}
	u, err := findUser(tx, person)
	if err != nil {
		return u, err
	}
	if other, err := tx.User(addr); err == nil {
		if other.Address == u.Address {
			return u, nil // already theirs
		}
		return u, Errorf(ECONFLICT, "%s is registered as %s", addr, other.Address)
	} else if !IsNotFound(err) {
		return u, err
	}
	if addr.Platform() == "" || addr.ID() == "" {
		return u, Errorf(EINVALID, "%q is not an address such as telegram:123456 or zalo:6ede9afa", addr)
	}
	u.Addresses = append(u.All(), addr)
	if err := tx.PutUser(u); err != nil {
		return u, err
	}
	return u, record(tx, by, now, "users.link", u.Group, string(u.Address)+" + "+string(addr))
}
