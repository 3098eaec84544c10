package bot_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

var hanoi, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

// Addresses of the people in servicesStore.
const (
	lan    = bot.Address("telegram:1") // leader of G1, with a draft
	hoa    = bot.Address("telegram:2") // leader of G1
	police = bot.Address("telegram:3") // official of C, police
	owner  = bot.Address("telegram:900")
	byCLI  = "cli:root"
)

// servicesStore is a store with a commune C, its groups G1 and G2 (retired),
// another commune D with its group H1, two leaders of G1 (Lan with a
// draft), a police officer of C and a user the configuration names admin.
func servicesStore(t *testing.T) bot.Store {
	t.Helper()
	st := mustOpen(t)
	err := st.Update(func(tx bot.Tx) error {
		if err := tx.PutAreas([]bot.Area{
			{Code: "C", Name: "Xã C", Level: "xa"},
			{Code: "G1", Name: "Tổ 1", Level: "to", Parent: "C"},
			{Code: "G2", Name: "Tổ 2", Level: "to", Parent: "C", Retired: true},
			{Code: "D", Name: "Xã D", Level: "xa"},
			{Code: "H1", Name: "Tổ H1", Level: "to", Parent: "D"},
		}); err != nil {
			return err
		}
		for _, u := range []bot.User{
			{Address: lan, Name: "Lan", Role: bot.RoleLeader, Group: "G1"},
			{Address: hoa, Name: "Hoa", Role: bot.RoleLeader, Group: "G1"},
			{Address: police, Name: "Công", Role: bot.RoleOfficial, Group: "C", Agency: "police"},
			{Address: owner, Name: "Chủ", Role: bot.RoleLeader, Group: "H1"},
		} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return tx.PutSession(bot.Session{Chat: lan, Flow: "incident", Mode: "ask", Step: "place", Answers: map[string]string{"category": "theft"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// auditLog returns the store's audit entries.
func auditLog(t *testing.T, st bot.Store) []bot.AuditEntry {
	t.Helper()
	var out []bot.AuditEntry
	st.View(func(tx bot.Tx) error {
		return tx.AuditLog(time.Time{}, now.Add(time.Hour), func(e bot.AuditEntry) error { out = append(out, e); return nil })
	})
	return out
}

// refused checks that fn, run in a transaction, fails with code and leaves
// no audit entry behind.
func refused(t *testing.T, st bot.Store, code string, fn func(tx bot.Tx) error) {
	t.Helper()
	before := len(auditLog(t, st))
	err := st.Update(fn)
	if got := bot.ErrorCode(err); got != code {
		t.Errorf("error %v has code %q, want %q", err, got, code)
	}
	if n := len(auditLog(t, st)); n != before {
		t.Errorf("a refused action left %d audit entries", n-before)
	}
}

// lastAudit returns the latest audit entry.
func lastAudit(t *testing.T, st bot.Store) bot.AuditEntry {
	t.Helper()
	log := auditLog(t, st)
	if len(log) == 0 {
		t.Fatal("no audit entry")
	}
	return log[len(log)-1]
}

func user(t *testing.T, st bot.Store, a bot.Address) bot.User {
	t.Helper()
	var u bot.User
	if err := st.View(func(tx bot.Tx) (err error) { u, err = tx.User(a); return }); err != nil {
		t.Fatal(err)
	}
	return u
}

func hasSession(t *testing.T, st bot.Store, a bot.Address) bool {
	t.Helper()
	var err error
	st.View(func(tx bot.Tx) error { _, err = tx.Session(a); return nil })
	if err != nil && !bot.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// Ensure an invite is made only for an area that exists and is not
// retired, a leader's without an agency and an official's with a known
// one, within the bounds of uses and validity, and is recorded by whom.
func TestCreateInvite(t *testing.T) {
	st := servicesStore(t)
	week := bot.DefaultInviteValidity
	for _, c := range []struct {
		spec bot.InviteSpec
		by   string
		code string
	}{
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "NOPE", Uses: 1, Valid: week}, byCLI, bot.ENOTFOUND},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G2", Uses: 1, Valid: week}, byCLI, bot.ERETIRED},
		{bot.InviteSpec{Role: bot.RoleOfficial, Area: "G2", Agency: "police", Uses: 1, Valid: week}, byCLI, bot.ERETIRED},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Uses: 0, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Uses: bot.MaxInviteUses + 1, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Uses: 1, Valid: 0}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Uses: 1, Valid: bot.MaxInviteValidity + time.Hour}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Agency: "police", Uses: 1, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleOfficial, Area: "C", Agency: "army", Uses: 1, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleOfficial, Area: "C", Uses: 1, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleAdmin, Area: "C", Uses: 1, Valid: week}, byCLI, bot.EINVALID},
		{bot.InviteSpec{Role: bot.RoleLeader, Area: "G1", Uses: 1, Valid: week}, "", bot.EINVALID},
	} {
		refused(t, st, c.code, func(tx bot.Tx) error { _, _, err := bot.CreateInvite(tx, c.spec, c.by, now); return err })
	}

	var inv bot.Invite
	var area bot.Area
	err := st.Update(func(tx bot.Tx) (err error) {
		inv, area, err = bot.CreateInvite(tx, bot.InviteSpec{Role: bot.RoleOfficial, Area: "C", Agency: "justice", Uses: bot.MaxInviteUses, Valid: bot.MaxInviteValidity}, "telegram:900", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if area.Name != "Xã C" || inv.Group != "C" || inv.Role != bot.RoleOfficial || inv.Agency != "justice" || inv.MaxUses != bot.MaxInviteUses ||
		!inv.ExpiresAt.Equal(now.Add(bot.MaxInviteValidity)) || inv.CreatedBy != "telegram:900" || bot.ErrorCode(inv.Usable(now)) != "" {
		t.Errorf("invite %+v for %+v", inv, area)
	}
	var stored bot.Invite
	st.View(func(tx bot.Tx) (err error) { stored, err = tx.Invite(inv.Code); return })
	if stored.Code != inv.Code {
		t.Errorf("stored invite %+v", stored)
	}
	if e := lastAudit(t, st); e.Who != "telegram:900" || e.Action != "invite" || e.Area != "C" || !strings.HasPrefix(e.Detail, "official justice, 1000 uses, until ") {
		t.Errorf("audit %+v", e)
	}

	// Revoked, once or twice; an unknown code is not found.
	refused(t, st, bot.ENOTFOUND, func(tx bot.Tx) error { _, err := bot.RevokeInvite(tx, "nope", byCLI, now); return err })
	for range 2 {
		if err := st.Update(func(tx bot.Tx) error { _, err := bot.RevokeInvite(tx, inv.Code, byCLI, now); return err }); err != nil {
			t.Fatal(err)
		}
	}
	st.View(func(tx bot.Tx) (err error) { stored, err = tx.Invite(inv.Code); return })
	if bot.ErrorCode(stored.Usable(now)) != bot.EREVOKED {
		t.Errorf("revoked invite %+v", stored)
	}
	if e := lastAudit(t, st); e.Who != byCLI || e.Action != "invite.revoke" || e.Area != "C" || e.Detail != inv.Code {
		t.Errorf("audit %+v", e)
	}
}

// Ensure only a leader is moved, only to a group in use, and loses the
// draft begun for the old group.
func TestMoveLeader(t *testing.T) {
	st := servicesStore(t)
	move := func(a bot.Address, group string) func(bot.Tx) error {
		return func(tx bot.Tx) error { _, err := bot.MoveLeader(tx, a, group, byCLI, now); return err }
	}
	refused(t, st, bot.ENOTFOUND, move("telegram:404", "H1"))
	refused(t, st, bot.EINVALID, move(police, "H1"))
	refused(t, st, bot.ENOTFOUND, move(lan, "NOPE"))
	refused(t, st, bot.ERETIRED, move(lan, "G2"))
	if u := user(t, st, lan); u.Group != "G1" || !hasSession(t, st, lan) {
		t.Fatalf("a refused move changed %+v", u)
	}
	if err := st.Update(move(lan, "H1")); err != nil {
		t.Fatal(err)
	}
	if u := user(t, st, lan); u.Group != "H1" || hasSession(t, st, lan) {
		t.Errorf("moved leader %+v, draft kept %v", u, hasSession(t, st, lan))
	}
	if e := lastAudit(t, st); e.Action != "users.move" || e.Area != "H1" || e.Detail != "telegram:1 from G1 to H1" {
		t.Errorf("audit %+v", e)
	}
}

// Ensure deactivating drops the draft and reactivating gives the right to
// report back; an admin named in the configuration is not demoted; only an
// official gets an agency, and only a known one.
func TestSetActiveAdminAgency(t *testing.T) {
	st := servicesStore(t)
	refused(t, st, bot.ENOTFOUND, func(tx bot.Tx) error { _, err := bot.SetActive(tx, "telegram:404", false, byCLI, now); return err })
	if err := st.Update(func(tx bot.Tx) error { _, err := bot.SetActive(tx, lan, false, byCLI, now); return err }); err != nil {
		t.Fatal(err)
	}
	if u := user(t, st, lan); u.Active() || hasSession(t, st, lan) {
		t.Errorf("deactivated %+v, draft kept %v", u, hasSession(t, st, lan))
	}
	if e := lastAudit(t, st); e.Action != "users.deactivate" || e.Area != "G1" || e.Detail != string(lan) {
		t.Errorf("audit %+v", e)
	}
	if err := st.Update(func(tx bot.Tx) error { _, err := bot.SetActive(tx, lan, true, byCLI, now); return err }); err != nil {
		t.Fatal(err)
	}
	if u := user(t, st, lan); !u.IsLeader() || lastAudit(t, st).Action != "users.reactivate" {
		t.Errorf("reactivated %+v", u)
	}

	config := map[bot.Address]bool{owner: true}
	setAdmin := func(a bot.Address, admin bool) func(bot.Tx) error {
		return func(tx bot.Tx) error { _, err := bot.SetAdmin(tx, a, admin, config, byCLI, now); return err }
	}
	if err := st.Update(setAdmin(owner, true)); err != nil {
		t.Fatal(err)
	}
	refused(t, st, bot.EFORBIDDEN, setAdmin(owner, false))
	refused(t, st, bot.EFORBIDDEN, setAdmin(owner, false)) // whether stored or not
	if !user(t, st, owner).Admin {
		t.Error("an admin named in the configuration was demoted")
	}
	refused(t, st, bot.ENOTFOUND, setAdmin("telegram:404", true))
	for _, admin := range []bool{true, false} {
		if err := st.Update(setAdmin(hoa, admin)); err != nil {
			t.Fatal(err)
		}
		if u := user(t, st, hoa); u.Admin != admin {
			t.Errorf("admin %v: %+v", admin, u)
		}
	}
	if e := lastAudit(t, st); e.Action != "users.unadmin" || e.Detail != string(hoa) {
		t.Errorf("audit %+v", e)
	}

	agency := func(a bot.Address, body string) func(bot.Tx) error {
		return func(tx bot.Tx) error { _, err := bot.SetAgency(tx, a, body, byCLI, now); return err }
	}
	refused(t, st, bot.EINVALID, agency(police, "army"))
	refused(t, st, bot.EINVALID, agency(lan, "justice"))
	refused(t, st, bot.ENOTFOUND, agency("telegram:404", "justice"))
	if err := st.Update(agency(police, "justice")); err != nil {
		t.Fatal(err)
	}
	if u := user(t, st, police); u.Agency != "justice" || lastAudit(t, st).Detail != "telegram:3 justice" {
		t.Errorf("agency: %+v, audit %+v", u, lastAudit(t, st))
	}
}

// Ensure a group in use is handed over: its leaders deactivated, their
// drafts dropped, a fresh invite made and the handover recorded.
func TestHandOverGroup(t *testing.T) {
	st := servicesStore(t)
	refused(t, st, bot.ENOTFOUND, func(tx bot.Tx) error { _, _, err := bot.HandOverGroup(tx, "NOPE", byCLI, now); return err })
	refused(t, st, bot.ERETIRED, func(tx bot.Tx) error { _, _, err := bot.HandOverGroup(tx, "G2", byCLI, now); return err })
	var inv bot.Invite
	var old []bot.User
	if err := st.Update(func(tx bot.Tx) (err error) { inv, old, err = bot.HandOverGroup(tx, "G1", byCLI, now); return }); err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || user(t, st, lan).Active() || user(t, st, hoa).Active() || hasSession(t, st, lan) {
		t.Errorf("replaced %+v", old)
	}
	if inv.Group != "G1" || inv.Role != bot.RoleLeader || inv.MaxUses != 1 || inv.CreatedBy != byCLI {
		t.Errorf("invite %+v", inv)
	}
	if e := lastAudit(t, st); e.Action != "handover" || e.Area != "G1" || e.Detail != "2 leaders deactivated, invite "+inv.Code {
		t.Errorf("audit %+v", e)
	}
}

// Ensure a notice needs a text and an area, goes to the active leaders
// inside it once per key, and is recorded with its text.
func TestBroadcastService(t *testing.T) {
	st := servicesStore(t)
	send := func(area, text, key string) (n int, err error) {
		err = st.Update(func(tx bot.Tx) (err error) { _, n, err = bot.Broadcast(tx, area, text, key, "vi", byCLI, now); return })
		return n, err
	}
	refused(t, st, bot.EINVALID, func(tx bot.Tx) error { _, _, err := bot.Broadcast(tx, "C", "  ", "k", "vi", byCLI, now); return err })
	refused(t, st, bot.EINVALID, func(tx bot.Tx) error { _, _, err := bot.Broadcast(tx, "C", "Họp", "", "vi", byCLI, now); return err })
	refused(t, st, bot.ENOTFOUND, func(tx bot.Tx) error {
		_, _, err := bot.Broadcast(tx, "NOPE", "Họp", "k", "vi", byCLI, now)
		return err
	})
	if n, err := send("C", " Họp giao ban ", "k1"); n != 2 || err != nil {
		t.Errorf("notice to C: %d, %v; want Lan and Hoa", n, err)
	}
	if n, _ := send("C", "Họp giao ban", "k1"); n != 0 {
		t.Errorf("the same key queued %d more", n)
	}
	if e := lastAudit(t, st); e.Action != "broadcast" || e.Area != "C" || e.Detail != "0 leaders: Họp giao ban" {
		t.Errorf("audit %+v", e)
	}
	long := strings.Repeat("chữ ", 500)
	if _, err := send("C", long, "k2"); err != nil {
		t.Fatal(err)
	}
	if d := lastAudit(t, st).Detail; len([]rune(d)) > 200 {
		t.Errorf("audit detail of %d characters", len([]rune(d)))
	}
}

// Ensure a period's last day ends at the midnight after it in the zone,
// and a period cannot end before it begins.
func TestPeriod(t *testing.T) {
	day := time.Date(2026, 11, 30, 23, 59, 0, 0, hanoi)
	if got, want := bot.DayAfter(day, hanoi), time.Date(2026, 12, 1, 0, 0, 0, 0, hanoi); !got.Equal(want) {
		t.Errorf("DayAfter(%v) = %v, want %v", day, got, want)
	}
	// 30/11 18:00 UTC is already 01/12 in Hà Nội.
	if got, want := bot.DayAfter(time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC), hanoi), time.Date(2026, 12, 2, 0, 0, 0, 0, hanoi); !got.Equal(want) {
		t.Errorf("DayAfter in the zone = %v, want %v", got, want)
	}
	if got := bot.DayAfter(time.Date(2026, 12, 31, 12, 0, 0, 0, hanoi), hanoi); got.Year() != 2027 || got.Month() != 1 || got.Day() != 1 {
		t.Errorf("DayAfter of the year's last day = %v", got)
	}
	p, err := bot.ParseDays("01/11/2026", "30/11/2026", "02/01/2006", hanoi)
	if err != nil || !p.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, hanoi)) || !p.To.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, hanoi)) {
		t.Errorf("ParseDays = %+v, %v", p, err)
	}
	if last := p.LastDay(hanoi); last.Day() != 30 || last.Month() != 11 {
		t.Errorf("LastDay = %v", last)
	}
	if p, err := bot.ParseDays("2026-11-25", "2026-11-25", time.DateOnly, hanoi); err != nil || p.To.Sub(p.From) != 24*time.Hour {
		t.Errorf("one day = %+v, %v", p, err)
	}
	for _, c := range [][2]string{{"2026-11-26", "2026-11-25"}, {"25/11/2026", "2026-11-25"}, {"2026-11-25", ""}} {
		if _, err := bot.ParseDays(c[0], c[1], time.DateOnly, hanoi); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("ParseDays(%q, %q) = %v, want EINVALID", c[0], c[1], err)
		}
	}
}

// Ensure an export holds the reports of its area, kind and period, and for
// an official only what their agency follows, with the answer columns in
// the forms' order, and is recorded before it is rendered.
func TestExportService(t *testing.T) {
	forms := flows.New(hanoi, time.Hour).Forms()
	bot.SetForms(forms)
	t.Cleanup(func() { bot.SetForms(nil) })

	st := servicesStore(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, hanoi) }
	reps := []bot.Report{
		{ID: "AN-2026-000001", Kind: bot.KindIncident, Group: "G1", Reporter: lan, CreatedAt: at(25, 23, 59),
			Answers: map[string]string{"urgent": "no", "category": "theft", "description": "Mất xe đạp", "place": "Ngõ 3"}},
		{ID: "HG-2026-000001", Kind: bot.KindMediation, Group: "G1", Reporter: lan, CreatedAt: at(25, 10, 0),
			Answers: map[string]string{"received": "2026-11-25", "parties": "A và B"}},
		{ID: "AN-2026-000002", Kind: bot.KindIncident, Group: "G1", Reporter: lan, CreatedAt: at(26, 0, 0), Answers: map[string]string{"category": "fire"}},
		{ID: "AN-2026-000003", Kind: bot.KindIncident, Group: "H1", Reporter: owner, CreatedAt: at(25, 12, 0), Answers: map[string]string{"category": "fire"}},
	}
	st.Update(func(tx bot.Tx) error {
		for _, r := range reps {
			if err := tx.PutReport(r); err != nil {
				return err
			}
		}
		return nil
	})
	day, _ := bot.Days(at(25, 12, 0), at(25, 12, 0), hanoi)
	export := func(q bot.ExportQuery) (x bot.ExportResult, err error) {
		q.Location = hanoi
		err = st.Update(func(tx bot.Tx) (err error) { x, err = bot.Export(tx, q, byCLI, now); return })
		return x, err
	}
	ids := func(x bot.ExportResult) (out []string) {
		for _, r := range x.Records {
			out = append(out, r.ID)
		}
		return out
	}

	x, err := export(bot.ExportQuery{Area: "C", Period: day, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(x); !slices.Equal(got, []string{"HG-2026-000001", "AN-2026-000001"}) {
		t.Errorf("25/11 in C: %v; want the two of that day, up to its last minute", got)
	}
	if e := lastAudit(t, st); e.Action != "export" || e.Area != "C" || e.Who != byCLI || e.Detail != "csv, 2 reports, 2026-11-25 to 2026-11-25" {
		t.Errorf("audit %+v", e)
	}
	// The answer columns: the incident form's, then the mediation form's.
	var want []string
	for _, f := range forms {
		if f.Kind != bot.KindMeeting {
			for _, k := range f.Keys {
				if !slices.Contains(want, k) {
					want = append(want, k)
				}
			}
		}
	}
	if !slices.Equal(x.Keys, want) {
		t.Errorf("keys %v, want %v", x.Keys, want)
	}
	checkCodesCSV(t, x, want)

	whole, _ := bot.Days(at(1, 0, 0), at(30, 0, 0), hanoi)
	if x, _ := export(bot.ExportQuery{Kind: bot.KindIncident, Period: whole, Format: "json"}); !slices.Equal(ids(x), []string{"AN-2026-000003", "AN-2026-000001", "AN-2026-000002"}) {
		t.Errorf("every area's incidents: %v", ids(x))
	}
	if e := lastAudit(t, st); e.Area != "" || e.Detail != "json incident, 3 reports, 2026-11-01 to 2026-11-30" {
		t.Errorf("audit %+v", e)
	}
	// The police officer of C: the incidents of C only.
	cong := user(t, st, police)
	if x, err := export(bot.ExportQuery{Official: &cong, Period: whole, Format: "xlsx"}); err != nil || !slices.Equal(ids(x), []string{"AN-2026-000001", "AN-2026-000002"}) || x.Area != "C" {
		t.Errorf("the police officer's export: %v, %v", ids(x), err)
	}
	if e := lastAudit(t, st); e.Area != "C" || e.Who != byCLI {
		t.Errorf("audit %+v", e)
	}
	if x, _ := export(bot.ExportQuery{Official: &cong, Kind: bot.KindMediation, Period: whole}); len(x.Records) != 0 {
		t.Errorf("the police officer got mediation cases: %v", ids(x))
	}
	q := func(q bot.ExportQuery) func(bot.Tx) error {
		q.Location = hanoi
		return func(tx bot.Tx) error { _, err := bot.Export(tx, q, byCLI, now); return err }
	}
	leader := user(t, st, lan)
	refused(t, st, bot.EFORBIDDEN, q(bot.ExportQuery{Official: &leader, Period: whole}))
	refused(t, st, bot.EFORBIDDEN, q(bot.ExportQuery{Official: &cong, Area: "D", Period: whole}))
	cong.Deactivated = true
	refused(t, st, bot.EFORBIDDEN, q(bot.ExportQuery{Official: &cong, Period: whole}))
	refused(t, st, bot.ENOTFOUND, q(bot.ExportQuery{Area: "NOPE", Period: whole}))
	refused(t, st, bot.EINVALID, q(bot.ExportQuery{Kind: "party", Period: whole}))
	refused(t, st, bot.EINVALID, q(bot.ExportQuery{Period: bot.Period{From: whole.To, To: whole.From}}))
	refused(t, st, bot.EINVALID, func(tx bot.Tx) error {
		_, err := bot.Export(tx, bot.ExportQuery{Period: whole, Location: hanoi}, "", now)
		return err
	})
}

// checkCodesCSV checks the CSV for programs of x: the fixed columns, then
// the answer keys, less those the fixed columns hold (the status, whether
// urgent); the same as WriteCSV with no order.
func checkCodesCSV(t *testing.T, x bot.ExportResult, keys []string) {
	t.Helper()
	var buf bytes.Buffer
	if err := x.WriteCodesCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	answers := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == bot.KeyStatus || k == bot.KeyUrgent })
	if err != nil || len(rows) != len(x.Records)+1 || !slices.Equal(rows[0][10:], answers) || rows[0][5] != "reporter_name" {
		t.Errorf("CSV header %q, %v", rows[0], err)
	}
	var plain bytes.Buffer
	bot.WriteCSV(&plain, x.Records, nil)
	if plain.String() != buf.String() {
		t.Error("WriteCSV with no order differs from the export's own")
	}
}
