package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	osuser "os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/telegram"
	"github.com/totuquan/totuquan/xlsx"
	"github.com/totuquan/totuquan/zalo"
)

// The CSV exports lay their columns out as the forms do (their order,
// headers and labels), here, in the chat's /xuat and in the weekly
// summaries: the forms are the flows', which package bot cannot import. Area files kept as Excel
// workbooks are read, here and in the chat, by package xlsx, which imports
// package bot.
func init() {
	bot.SetSheetReader(xlsx.ReadRows)
	bot.SetForms(flows.New(time.UTC, 0).Forms())
}

// errorWords are the keys of the command line's words for the codes of the
// errors the bot's services return; each text takes the service's own
// message. A code not here (a failing store) is reported as it is.
var errorWords = map[string]string{
	bot.EINVALID:   "cli.svc.invalid",
	bot.ENOTFOUND:  "cli.svc.not_found",
	bot.ERETIRED:   "cli.svc.retired",
	bot.EFORBIDDEN: "cli.svc.forbidden",
	bot.ENOTGROUP:  "cli.svc.not_group",
	bot.ECONFLICT:  "cli.svc.conflict",
}

// cliError puts a service's error in the command line's words. An invalid
// request is a usage error (exit status 2); any other error exits with 1
// and keeps the service's error in its chain.
func (m *Main) cliError(err error) error {
	var e *bot.Error
	if !errors.As(err, &e) {
		return err
	}
	key, ok := errorWords[e.Code]
	if !ok {
		return err
	}
	msg := m.T(key, e.Message)
	if e.Code == bot.EINVALID {
		return usageError{msg}
	}
	return wordedError{msg, err}
}

// wordedError is a service's error in the command line's words.
type wordedError struct {
	msg string
	err error
}

func (e wordedError) Error() string { return e.msg }
func (e wordedError) Unwrap() error { return e.err }

// open loads the configuration named by -config and opens its store.
func (m *Main) open(fs *flag.FlagSet, path string) (Config, *store.Store, error) {
	cfg, err := m.config(fs, path)
	if err != nil {
		return cfg, nil, err
	}
	st, err := m.openStore(cfg)
	return cfg, st, err
}

// openStore opens the configured store, saying so when another process
// (the running bot) holds it or its folder does not exist.
func (m *Main) openStore(cfg Config) (*store.Store, error) {
	return m.openStoreSaying(cfg, "cli.store.locked")
}

// openStoreSaying is openStore with locked, the key of what to say when
// another process holds the store; it takes the store's path.
func (m *Main) openStoreSaying(cfg Config, locked string) (*store.Store, error) {
	path := cfg.Store.Path
	if dir := filepath.Dir(path); !isDir(dir) {
		return nil, errors.New(m.T("cli.store.no_folder", path, dir))
	}
	st, err := store.Open(path, cfg.storeOptions())
	if errors.Is(err, store.ErrLocked) {
		return nil, m.fail(err, locked, path)
	}
	return st, err
}

// isDir reports whether path is a folder.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

func (m *Main) cmdAreasImport(args []string) error {
	fs, path := m.flags("areas import", m.T("cli.synopsis.areas_import"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{m.T("cli.areas.import.needs")}
	}
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return m.fail(err, "cli.areas.import.open", err)
	}
	defer f.Close()
	st, err := m.openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// Read and checked before the write transaction, audited in it.
	added, updated, err := bot.ImportAreas(st, f, func(tx bot.Tx, added, updated int) error {
		return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: "areas.import",
			Detail: fmt.Sprintf("%s: %d new, %d updated", fs.Arg(0), added, updated)})
	})
	if err != nil {
		return m.fail(err, "cli.areas.import.failed", fs.Arg(0), err)
	}
	fmt.Fprintln(m.Stdout, m.N("cli.areas.imported", added+updated, added+updated, added, updated, fs.Arg(0)))
	return nil
}

func (m *Main) cmdInvite(args []string) error {
	fs, path := m.flags("invite", m.T("cli.synopsis.invite"))
	group := fs.String("group", "", m.T("cli.flag.invite.group"))
	official := fs.String("official", "", m.T("cli.flag.invite.official"))
	agency := fs.String("agency", "ubnd", m.T("cli.flag.invite.agency"))
	uses := fs.Int("uses", bot.DefaultInviteUses, m.T("cli.flag.invite.uses", bot.MaxInviteUses))
	valid := &daysValue{d: bot.DefaultInviteValidity, lang: m.language()}
	fs.Var(valid, "valid", m.T("cli.flag.invite.valid", int(bot.MaxInviteValidity.Hours()/24)))
	revoke := fs.String("revoke", "", m.T("cli.flag.invite.revoke"))
	qr := fs.String("qr", "", m.T("cli.flag.invite.qr"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *revoke != "" {
		return m.revokeInvite(fs, *path, *revoke)
	}
	if (*group == "") == (*official == "") || fs.NArg() > 0 {
		fs.Usage()
		return usageError{m.T("cli.invite.needs")}
	}
	spec := bot.InviteSpec{Role: bot.RoleLeader, Area: *group, Uses: *uses, Valid: valid.d}
	if *official != "" {
		spec.Role, spec.Area, spec.Agency = bot.RoleOfficial, *official, agencyArg(*agency)
	}
	if *qr != "" {
		// Before the invite exists: a QR that cannot be written must not
		// leave a code nobody has.
		if err := writable(*qr); err != nil {
			return m.fail(err, "cli.invite.qr_unwritable", *qr, err)
		}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	var (
		inv     bot.Invite
		area    bot.Area
		account string
	)
	username := cfg.Telegram.BotUsername
	st.View(func(tx bot.Tx) error {
		if username == "" {
			username, _ = tx.Meta("telegram.username")
		}
		account, _ = tx.Meta("zalo.account_name")
		return nil
	})
	link := ""
	switch {
	case username != "":
		link = telegram.JoinLink(username, "")
	case account != "":
		link = zalo.ChatLink(account)
	case *qr != "":
		return errors.New(m.T("cli.invite.qr_no_name"))
	}
	err = st.Update(func(tx bot.Tx) (err error) {
		inv, area, err = bot.CreateInvite(tx, spec, cliUser(), m.Now())
		return err
	})
	if err != nil {
		return m.cliError(err)
	}
	fmt.Fprintln(m.Stdout, inv.Code)
	if username != "" {
		link = telegram.JoinLink(username, inv.Code)
		fmt.Fprintln(m.Stdout, link)
	}
	if account != "" {
		fmt.Fprintln(m.Stdout, m.T("cli.invite.zalo", zalo.ChatLink(account)))
	}
	if username == "" && account == "" {
		fmt.Fprintln(m.Stderr, m.T("cli.invite.no_link"))
	}
	if *qr != "" {
		png, err := inviteQR(link)
		if err == nil {
			err = writePrivate(*qr, png)
		}
		if err != nil {
			return m.fail(err, "cli.invite.qr_failed", err)
		}
	}
	made := "cli.invite.made.leader"
	if inv.Role == bot.RoleOfficial {
		made = "cli.invite.made.official"
	}
	fmt.Fprintln(m.Stderr, m.N(made, inv.MaxUses, area.Name, area.Code, inv.MaxUses, inv.ExpiresAt.In(cfg.location).Format("15:04 02/01/2006")))
	return nil
}

func (m *Main) cmdExport(args []string) error {
	fs, path := m.flags("export", m.T("cli.synopsis.export"))
	format := fs.String("format", "json", m.T("cli.flag.export.format"))
	codes := fs.Bool("codes", false, m.T("cli.flag.export.codes"))
	areaF := fs.String("area", "", m.T("cli.flag.export.area"))
	kindF := fs.String("kind", "", m.T("cli.flag.export.kind"))
	fromS := fs.String("from", "", m.T("cli.flag.export.from"))
	toS := fs.String("to", "", m.T("cli.flag.to"))
	out := fs.String("o", "", m.T("cli.flag.export.o"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*format != "json" && *format != "csv" && *format != "xlsx") {
		fs.Usage()
		return usageError{m.T("cli.export.format")}
	}
	if *codes && *format != "csv" {
		return usageError{m.T("cli.export.codes")}
	}
	if *format == "xlsx" && *out == "" && isTerminal(m.Stdout) {
		return usageError{m.T("cli.export.terminal")}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	period, err := m.dayRange(*fromS, *toS, cfg.location)
	if err != nil {
		return err
	}
	q := bot.ExportQuery{Area: *areaF, Kind: bot.ReportKind(*kindF), Period: period, Format: *format, Location: cfg.location}
	var x bot.ExportResult
	// An export carries personal data: recorded before it is written.
	err = st.Update(func(tx bot.Tx) (err error) { x, err = bot.Export(tx, q, cliUser(), m.Now()); return err })
	if err != nil {
		return m.cliError(err)
	}
	write := func(f io.Writer) error {
		switch {
		case *format == "xlsx":
			return xlsx.Write(f, x.Tables(flows.New(cfg.location, cfg.sessionTimeout), cfg.Language))
		case *format == "csv" && *codes:
			return x.WriteCodesCSV(f)
		case *format == "csv":
			return x.WriteCSV(f)
		}
		return x.WriteJSON(f)
	}
	if *out == "" {
		return write(m.Stdout)
	}
	if err := writeWhole(*out, write); err != nil {
		return m.fail(err, "cli.export.write_failed", *out, err)
	}
	fmt.Fprintln(m.Stderr, m.N("cli.export.written", len(x.Records), len(x.Records), strings.TrimSpace(*out)))
	return nil
}

// writeWhole writes a file beside path and renames it to path, so that a
// reader never sees half a file.
func writeWhole(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (m *Main) cmdSummary(args []string) error {
	fs, path := m.flags("summary", m.T("cli.synopsis.summary"))
	area := fs.String("area", "", m.T("cli.flag.area_required"))
	week := fs.String("week", "", m.T("cli.flag.summary.week"))
	lang := fs.String("lang", "", m.T("cli.flag.lang"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *area == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{m.T("cli.summary.needs")}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang, err = m.langFlag(*lang, cfg); err != nil {
		return err
	}
	now := m.Now()
	monday, until := bot.WeekStart(now, cfg.location), now
	if *week != "" {
		if monday, err = bot.ParseWeek(*week, cfg.location); err != nil {
			return usageError{m.T("cli.summary.week", *week)}
		}
		until = monday.AddDate(0, 0, 7)
	}
	engine := flows.New(cfg.location, cfg.sessionTimeout)
	return st.View(func(tx bot.Tx) error {
		sum, err := bot.BuildSummary(tx, *area, monday, until, cfg.location)
		if err != nil {
			return m.cliError(err)
		}
		_, err = fmt.Fprintln(m.Stdout, sum.Text(*lang, cfg.location, engine.Title))
		return err
	})
}

func (m *Main) cmdBackup(args []string) error {
	fs, path := m.flags("backup", m.T("cli.synopsis.backup"))
	out := fs.String("o", "", m.T("cli.flag.backup.o"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{m.T("cli.backup.needs")}
	}
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	st, err := m.openStoreSaying(cfg, "cli.backup.locked")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := m.audit(st, "backup", "", *out); err != nil {
		return err
	}
	size, err := st.Backup(*out)
	if err != nil {
		return m.fail(err, "cli.backup.failed", *out, err)
	}
	if err := store.Check(*out); err != nil {
		return m.fail(err, "cli.backup.unchecked", *out, err)
	}
	fmt.Fprintln(m.Stdout, m.T("cli.backup.done", cfg.Store.Path, *out, size))
	return nil
}

func (m *Main) cmdRestore(args []string) error {
	fs, path := m.flags("restore", m.T("cli.synopsis.restore"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{m.T("cli.restore.needs")}
	}
	backup := fs.Arg(0)
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	// Check the backup before touching anything.
	if err := store.Check(backup); err != nil {
		return m.fail(err, "cli.restore.bad_backup", err)
	}
	// Hold the store's lock while replacing it: the bot must be stopped.
	if _, err := os.Stat(cfg.Store.Path); err == nil {
		st, err := m.openStore(cfg)
		if err != nil {
			return err
		}
		st.Close()
	}
	var kept string
	if _, err := os.Stat(cfg.Store.Path); err == nil {
		kept = cfg.Store.Path + ".before-restore-" + m.Now().In(cfg.location).Format("20060102-150405")
		if err := os.Rename(cfg.Store.Path, kept); err != nil {
			return m.fail(err, "cli.restore.failed", backup, err)
		}
	}
	if err := copyFile(backup, cfg.Store.Path); err != nil {
		if kept != "" {
			os.Rename(kept, cfg.Store.Path)
		}
		return m.fail(err, "cli.restore.failed", backup, err)
	}
	if st, err := store.Open(cfg.Store.Path, cfg.storeOptions()); err == nil {
		m.audit(st, "restore", "", backup)
		st.Close()
	}
	if kept != "" {
		fmt.Fprintln(m.Stdout, m.T("cli.restore.done_kept", cfg.Store.Path, backup, kept))
	} else {
		fmt.Fprintln(m.Stdout, m.T("cli.restore.done", cfg.Store.Path, backup))
	}
	return nil
}

// copyFile copies src to dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cliUser names whoever runs a command, for the audit log.
func cliUser() string {
	if u, err := osuser.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// audit records a command-line action in st.
func (m *Main) audit(st *store.Store, action, area, detail string) error {
	return st.Update(func(tx bot.Tx) error {
		return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: action, Area: area, Detail: detail})
	})
}

func (m *Main) cmdAudit(args []string) error {
	fs, path := m.flags("audit", m.T("cli.synopsis.audit"))
	fromS := fs.String("from", "", m.T("cli.flag.audit.from"))
	toS := fs.String("to", "", m.T("cli.flag.to"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	period, err := m.dayRange(*fromS, *toS, cfg.location)
	if err != nil {
		return err
	}
	return st.View(func(tx bot.Tx) error {
		return tx.AuditLog(period.From, period.To, func(e bot.AuditEntry) error {
			_, err := fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\t%s\n", e.At.In(cfg.location).Format("2006-01-02 15:04:05"), e.Who, e.Action, e.Area, e.Detail)
			return err
		})
	})
}

// dayRange reads -from and -to days (inclusive) in loc: from the first
// day's midnight (default: the beginning) to the midnight after the last
// (default: today, or the first day if it is later: nothing yet).
func (m *Main) dayRange(fromS, toS string, loc *time.Location) (bot.Period, error) {
	first, last := time.Unix(0, 0).In(loc), m.Now()
	var err error
	if fromS != "" {
		if first, err = time.ParseInLocation(time.DateOnly, fromS, loc); err != nil {
			return bot.Period{}, usageError{m.T("cli.day.bad", "-from", fromS)}
		}
		if first.After(last) {
			last = first
		}
	}
	if toS != "" {
		if last, err = time.ParseInLocation(time.DateOnly, toS, loc); err != nil {
			return bot.Period{}, usageError{m.T("cli.day.bad", "-to", toS)}
		}
	}
	p, err := bot.Days(first, last, loc)
	if err != nil {
		return p, usageError{m.T("cli.day.after", day(m.language(), first), day(m.language(), last))}
	}
	return p, nil
}

// givenAsTaken reports whether each flag and the address are given exactly
// when the command takes them (-area may be left out).
func givenAsTaken(takes string, args int, flags map[string]string, area string) bool {
	if args != map[bool]int{true: 1}[strings.HasSuffix(takes, "ADDRESS")] || (area != "" && !strings.Contains(takes, "-area")) {
		return false
	}
	for name, v := range flags {
		if (v != "") != strings.Contains(takes, name) {
			return false
		}
	}
	return true
}

// usersCommand is a users subcommand: what it takes (checked by
// givenAsTaken), the key of how that reads in the command line's language,
// and the key of what it says when done, of the address and then of
// -group, -agency or -to where it takes one.
type usersCommand struct{ name, takes, shown, done string }

// usersCommands are the users subcommands.
var usersCommands = []usersCommand{
	{"list", "[-area CODE]", "cli.users.takes.list", ""},
	{"move", "-group CODE ADDRESS", "cli.users.takes.move", "cli.users.done.move"},
	{"deactivate", "ADDRESS", "cli.users.takes.address", "cli.users.done.deactivate"},
	{"reactivate", "ADDRESS", "cli.users.takes.address", "cli.users.done.reactivate"},
	{"handover", "-group CODE", "cli.users.takes.handover", ""},
	{"admin", "ADDRESS", "cli.users.takes.address", "cli.users.done.admin"},
	{"unadmin", "ADDRESS", "cli.users.takes.address", "cli.users.done.unadmin"},
	{"agency", "-agency police|justice|mttq|ubnd ADDRESS", "cli.users.takes.agency", "cli.users.done.agency"},
	{"link", "-to NEW_ADDRESS ADDRESS", "cli.users.takes.link", "cli.users.done.link"},
}

func (m *Main) cmdUsers(args []string) error {
	var all []string
	for _, c := range usersCommands {
		all = append(all, "users "+c.name+" "+m.T(c.shown))
	}
	if len(args) == 0 {
		return usageError{m.T("cli.users.usage", strings.Join(all, " | "))}
	}
	sub, args := args[0], args[1:]
	i := slices.IndexFunc(usersCommands, func(c usersCommand) bool { return c.name == sub })
	if i < 0 {
		return usageError{m.T("cli.users.unknown", sub, strings.Join(all, " | "))}
	}
	c := usersCommands[i]
	fs, path := m.flags("users "+sub, m.T("cli.synopsis.users", sub, m.T(c.shown)))
	area := fs.String("area", "", m.T("cli.flag.users.area"))
	group := fs.String("group", "", m.T("cli.flag.users.group"))
	agency := fs.String("agency", "", m.T("cli.flag.users.agency"))
	to := fs.String("to", "", m.T("cli.flag.users.to"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !givenAsTaken(c.takes, fs.NArg(), map[string]string{"-group": *group, "-agency": *agency, "-to": *to}, *area) {
		fs.Usage()
		return usageError{m.T("cli.users.usage", "users "+sub+" "+m.T(c.shown))}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "list" {
		return m.listUsers(st, *area)
	}
	by, now, addr := cliUser(), m.Now(), bot.Address(fs.Arg(0))
	var (
		inv bot.Invite
		old []bot.User
	)
	username := cfg.Telegram.BotUsername
	err = st.Update(func(tx bot.Tx) (err error) {
		switch sub {
		case "move":
			_, err = bot.MoveLeader(tx, addr, *group, by, now)
		case "deactivate", "reactivate":
			_, err = bot.SetActive(tx, addr, sub == "reactivate", by, now)
		case "admin", "unadmin":
			_, err = bot.SetAdmin(tx, addr, sub == "admin", configAdmins(cfg), by, now)
		case "agency":
			_, err = bot.SetAgency(tx, addr, agencyArg(*agency), by, now)
		case "link":
			_, err = bot.LinkAddress(tx, addr, bot.Address(*to), by, now)
		case "handover":
			inv, old, err = bot.HandOverGroup(tx, *group, by, now)
			if err == nil && username == "" {
				username, _ = tx.Meta("telegram.username")
			}
		}
		return err
	})
	if err != nil {
		return m.cliError(err)
	}
	if sub != "handover" {
		// What the command took beside the address, if anything.
		said := []any{addr}
		if v := *group + agencyArg(*agency) + *to; v != "" {
			said = append(said, v)
		}
		fmt.Fprintln(m.Stdout, m.T(c.done, said...))
		return nil
	}
	for _, u := range old {
		fmt.Fprintln(m.Stderr, m.T("cli.users.deactivated", u.Address, u.Name))
	}
	fmt.Fprintln(m.Stdout, inv.Code)
	fmt.Fprintln(m.Stdout, m.inviteLink(username, inv.Code))
	return nil
}

// listUsers prints the users, of area and inside it if area is set.
func (m *Main) listUsers(st *store.Store, area string) error {
	return st.View(func(tx bot.Tx) error {
		users, err := tx.Users()
		if err != nil {
			return err
		}
		sort.Slice(users, func(i, j int) bool {
			if users[i].Group != users[j].Group {
				return users[i].Group < users[j].Group
			}
			return users[i].Address < users[j].Address
		})
		for _, u := range users {
			if area != "" {
				if ok, err := bot.Covers(tx, area, u.Group); err != nil || !ok {
					continue
				}
			}
			state := "active"
			if u.Deactivated {
				state = "deactivated"
			}
			addrs := make([]string, 0, len(u.All()))
			for _, a := range u.All() {
				addrs = append(addrs, string(a))
			}
			fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", strings.Join(addrs, ","), u.Role, u.Group, u.Agency, state, u.Name)
		}
		return nil
	})
}

// configAdmins are the addresses of the admins the configuration names.
func configAdmins(cfg Config) map[bot.Address]bool {
	admins := map[bot.Address]bool{}
	for _, id := range cfg.Admins.Telegram {
		admins[bot.NewAddress(telegram.Platform, strconv.FormatInt(id, 10))] = true
	}
	for _, id := range cfg.Admins.Zalo {
		admins[bot.NewAddress("zalo", id)] = true
	}
	return admins
}

func (m *Main) revokeInvite(fs *flag.FlagSet, path, code string) error {
	cfg, err := m.config(fs, path)
	if err != nil {
		return err
	}
	st, err := m.openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.Update(func(tx bot.Tx) error {
		_, err := bot.RevokeInvite(tx, code, cliUser(), m.Now())
		return err
	})
	if err != nil {
		return m.cliError(err)
	}
	fmt.Fprintln(m.Stdout, m.T("cli.invite.revoked", code))
	return nil
}

func (m *Main) cmdAreasList(args []string) error {
	fs, path := m.flags("areas list", m.T("cli.synopsis.areas_list"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.View(func(tx bot.Tx) error {
		text, err := bot.AreaTree(tx, cfg.Language)
		if err == nil {
			_, err = fmt.Fprintln(m.Stdout, text)
		}
		return err
	})
}

func (m *Main) cmdStats(args []string) error {
	fs, path := m.flags("stats", m.T("cli.synopsis.stats"))
	area := fs.String("area", "", m.T("cli.flag.area_required"))
	fromS := fs.String("from", "", m.T("cli.flag.stats.from"))
	toS := fs.String("to", "", m.T("cli.flag.to"))
	lang := fs.String("lang", "", m.T("cli.flag.lang"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *area == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{m.T("cli.stats.needs")}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang, err = m.langFlag(*lang, cfg); err != nil {
		return err
	}
	period, err := m.dayRange(*fromS, *toS, cfg.location)
	if err != nil {
		return err
	}
	if *fromS == "" {
		period.From = period.To.AddDate(0, -6, 0)
	}
	return st.View(func(tx bot.Tx) error {
		s, err := bot.BuildMediationStats(tx, *area, period.From, period.To)
		if err != nil {
			return m.cliError(err)
		}
		_, err = fmt.Fprintln(m.Stdout, s.Text(*lang, cfg.location))
		return err
	})
}

// writePrivate writes data to path readable by its owner only (0600, like
// the store), also over an existing file that others could read: it is
// written beside path and renamed over it.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// inviteLink is the t.me link of an invite code for the bot called
// username; "<bot>" stands for a name not known yet, with a note.
func (m *Main) inviteLink(username, code string) string {
	if username == "" {
		username = "<bot>"
		fmt.Fprintln(m.Stderr, m.T("cli.invite.no_username"))
	}
	return telegram.JoinLink(username, code)
}

// inviteQR draws an invite link as a QR code large enough to print.
func inviteQR(link string) ([]byte, error) {
	return qrcode.Encode(link, qrcode.Medium, 512)
}

// isTerminal reports whether w is a terminal (a character device), where
// a binary file would only garble the screen; a pipe or a file is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// workbook writes tables as an XLSX file in memory.
func workbook(tables []bot.Table) ([]byte, error) {
	var buf bytes.Buffer
	err := xlsx.Write(&buf, tables)
	return buf.Bytes(), err
}

func (m *Main) cmdBroadcast(args []string) error {
	fs, path := m.flags("broadcast", m.T("cli.synopsis.broadcast"))
	area := fs.String("area", "", m.T("cli.flag.broadcast.area"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if *area == "" || text == "" {
		fs.Usage()
		return usageError{m.T("cli.broadcast.needs")}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	var sent int
	err = st.Update(func(tx bot.Tx) (err error) {
		// The key makes the notice go once, however often the bot restarts.
		key := "cli:" + m.Now().UTC().Format(time.RFC3339Nano)
		_, sent, err = bot.Broadcast(tx, *area, text, key, cfg.Language, cliUser(), m.Now())
		return err
	})
	if err != nil {
		return m.cliError(err)
	}
	fmt.Fprintln(m.Stdout, m.N("cli.broadcast.queued", sent, sent))
	return nil
}

// langFlag checks a -lang flag; empty means the configured language.
func (m *Main) langFlag(lang string, cfg Config) (string, error) {
	if lang == "" {
		return cfg.Language, nil
	}
	if !i18n.Supported(lang) {
		return "", usageError{m.T("cli.lang.bad", lang, strings.Join(i18n.Languages, ", "))}
	}
	return lang, nil
}

// agencyArg reads -agency by its code or its Vietnamese name ("cong an");
// anything else is passed on for the service to refuse by name.
func agencyArg(s string) string {
	if a, ok := bot.ParseAgency(s); ok {
		return a
	}
	return s
}

// daysValue is a flag of days ("7d") or a Go duration ("72h"); lang is
// the language of its errors.
type daysValue struct {
	d    time.Duration
	lang string
}

func (v *daysValue) String() string {
	if v.d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(v.d/(24*time.Hour))) + "d"
	}
	return v.d.String()
}

func (v *daysValue) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 {
			return errors.New(i18n.T(v.lang, "cli.days.bad", s))
		}
		v.d = time.Duration(days) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New(i18n.T(v.lang, "cli.days.neither", s))
	}
	v.d = d
	return nil
}

// writable checks that path can be written, leaving nothing behind.
func writable(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".totuquan-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}
