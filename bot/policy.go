package bot

import (
	"slices"
	"time"
)

// The rules of who may see and do what with a report, in one place. Every
// read (a view, an alert, a summary's CSV, an export, a list), every
// action (a correction, a case update, an incident's acknowledgement) and
// every submission asks here, at the moment it happens, so that a person
// deactivated, moved, or of another agency since an earlier step is refused.

// Act is something a person does with a report.
type Act int

// The acts.
const (
	// ActSee is reading a report in full, personal data included.
	ActSee Act = iota
	// ActFix is correcting a report's answers.
	ActFix
	// ActUpdate is recording a new status: a mediation case's stage, an
	// incident received or handled.
	ActUpdate
)

// Active reports whether u may act at all: deactivated people may not.
func (u User) Active() bool { return !u.Deactivated }

// IsOfficial reports whether u is an active official.
func (u User) IsOfficial() bool { return u.Role == RoleOfficial && u.Active() }

// IsLeader reports whether u is an active leader with a group.
func (u User) IsLeader() bool { return u.Role == RoleLeader && u.Group != "" && u.Active() }

// Scope is what an official may see: the reports of groups inside their
// area, of the kinds their agency follows. The zero Scope holds nothing.
type Scope struct {
	Area   string
	inside map[string]bool
	kinds  []ReportKind
}

// ScopeOf returns the scope of u: empty for anyone but an active official,
// and for an official whose area is no longer in the tree.
func ScopeOf(tx Tx, u User) (Scope, error) {
	if !u.IsOfficial() {
		return Scope{}, nil
	}
	inside, err := Inside(tx, u.Group)
	if IsNotFound(err) {
		return Scope{}, nil
	} else if err != nil {
		return Scope{}, err
	}
	return Scope{Area: u.Group, inside: inside, kinds: u.Kinds()}, nil
}

// Has reports whether the scope holds rep.
func (s Scope) Has(rep Report) bool { return s.inside[rep.Group] && s.Follows(rep.Kind) }

// Follows reports whether the scope holds reports of kind.
func (s Scope) Follows(kind ReportKind) bool {
	return s.inside != nil && slices.Contains(s.kinds, kind)
}

// Kinds are the kinds the scope holds.
func (s Scope) Kinds() []ReportKind {
	if s.inside == nil {
		return nil
	}
	return s.kinds
}

// Allowed reports whether u may do act with rep at now:
//   - a leader, on the reports they made for the group they lead now:
//     see them, correct them within CorrectionWindow, update an open case;
//   - an official, on the reports in their scope: see them, update an
//     open mediation case or an incident's handling;
//   - nobody else, and nobody deactivated.
func Allowed(tx Tx, u User, rep Report, act Act, now time.Time) (bool, error) {
	switch {
	case !u.Active():
		return false, nil
	case u.Role == RoleLeader:
		if !u.Has(rep.Reporter) || u.Group != rep.Group {
			return false, nil
		}
		switch act {
		case ActFix:
			return now.Sub(rep.CreatedAt) < CorrectionWindow, nil
		case ActUpdate:
			return rep.Kind == KindMediation && OpenCase(rep.Status), nil
		}
		return true, nil
	case u.Role == RoleOfficial:
		sc, err := ScopeOf(tx, u)
		if err != nil || !sc.Has(rep) {
			return false, err
		}
		switch act {
		case ActFix:
			return false, nil
		case ActUpdate:
			return rep.Kind == KindIncident || (rep.Kind == KindMediation && OpenCase(rep.Status)), nil
		}
		return true, nil
	}
	return false, nil
}

// MaySubmit checks that u may send a new report now: an active leader of
// a group that is in the tree and not retired. The error's code says why:
// EFORBIDDEN for anyone but such a leader, ERETIRED for a retired group.
func MaySubmit(tx Tx, u User) (Area, error) {
	if !u.IsLeader() {
		return Area{}, Errorf(EFORBIDDEN, "%s is not an active leader", u.Address)
	}
	g, err := tx.Area(u.Group)
	if IsNotFound(err) {
		return g, Errorf(EFORBIDDEN, "group %s is not in the tree", u.Group)
	} else if err != nil {
		return g, err
	}
	if g.Retired {
		return g, Errorf(ERETIRED, "group %s is retired", g.Code)
	}
	return g, nil
}

// Recipients returns the active officials who must receive reports of
// kind from group (alerts), the police first.
func Recipients(tx Tx, group string, kind ReportKind) ([]User, error) {
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range users {
		if !u.IsOfficial() || !u.Follows(kind) {
			continue
		}
		ok, err := Covers(tx, u.Group, group)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, u)
		}
	}
	slices.SortStableFunc(out, func(a, b User) int {
		switch {
		case a.Agency == "police" && b.Agency != "police":
			return -1
		case b.Agency == "police" && a.Agency != "police":
			return 1
		}
		return 0
	})
	return out, nil
}
