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
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
	"github.com/totuquan/totuquan/xlsx"
)

// The CSV exports lay their answer columns out in the forms' order, here,
// in the chat's /xuat and in the weekly summaries: the forms are the
// flows', which package bot cannot import.
func init() {
	var forms []bot.FormKeys
	for _, f := range flows.New(time.UTC, 0).Flows {
		form := bot.FormKeys{Kind: f.Kind}
		for _, st := range f.Steps {
			form.Keys = append(form.Keys, st.Key)
		}
		forms = append(forms, form)
	}
	bot.SetForms(forms)
}

// open loads the configuration named by -config and opens its store.
func (m *Main) open(fs *flag.FlagSet, path string) (Config, *store.Store, error) {
	cfg, err := m.config(fs, path)
	if err != nil {
		return cfg, nil, err
	}
	st, err := m.openStore(cfg)
	return cfg, st, err
}

func (m *Main) openStore(cfg Config) (*store.Store, error) {
	st, err := store.Open(cfg.Store.Path, cfg.storeOptions())
	if err != nil {
		return nil, fmt.Errorf("%w (stop the running bot first: the store file is used by one process at a time)", err)
	}
	return st, nil
}

func (m *Main) cmdAreasImport(args []string) error {
	fs, path := m.flags("areas import", "areas import [-config FILE] FILE.csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"areas import takes one CSV file"}
	}
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
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
		return fmt.Errorf("%s: %w; nothing was imported", fs.Arg(0), err)
	}
	fmt.Fprintf(m.Stdout, "imported %d areas (%d new, %d updated) from %s\n", added+updated, added, updated, fs.Arg(0))
	return nil
}

func (m *Main) cmdInvite(args []string) error {
	fs, path := m.flags("invite", "invite (-group CODE | -official CODE [-agency BODY]) [-uses N] [-valid DURATION] [-config FILE]")
	group := fs.String("group", "", "`code` of the group a leader will lead")
	official := fs.String("official", "", "`code` of the area (a commune, say) an official will follow")
	agency := fs.String("agency", "ubnd", "an official's `body`: police (incidents), justice (mediation), mttq or ubnd (everything)")
	uses := fs.Int("uses", 1, "how many people may join with this invite")
	valid := fs.Duration("valid", 7*24*time.Hour, "how long the invite stays valid")
	revoke := fs.String("revoke", "", "withdraw the invite with this `code` instead")
	qr := fs.String("qr", "", "also write the link as a QR code to this PNG `file`, to print")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *revoke != "" {
		return m.revokeInvite(fs, *path, *revoke)
	}
	if (*group == "") == (*official == "") || fs.NArg() > 0 || *uses < 1 || *valid <= 0 {
		fs.Usage()
		return usageError{"invite needs one of -group CODE or -official CODE, -uses of at least 1 and a positive -valid"}
	}
	role := bot.RoleLeader
	if *official != "" {
		role, group = bot.RoleOfficial, official
		if _, ok := bot.Agencies[*agency]; !ok {
			return usageError{fmt.Sprintf("-agency %q is not one of police, justice, mttq, ubnd", *agency)}
		}
	} else {
		*agency = ""
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	now := m.Now()
	inv := bot.Invite{Code: bot.NewInviteCode(), Group: *group, Role: role, Agency: *agency, MaxUses: *uses,
		ExpiresAt: now.Add(*valid).UTC(), CreatedAt: now.UTC(), CreatedBy: "cli"}
	var area bot.Area
	username := cfg.Telegram.BotUsername
	err = st.Update(func(tx bot.Tx) error {
		if area, err = tx.Area(*group); bot.IsNotFound(err) {
			return fmt.Errorf("no area with code %s: import the area tree first (totuquan areas import)", *group)
		} else if err != nil {
			return err
		}
		if area.Retired {
			return fmt.Errorf("area %s is retired", *group)
		}
		if username == "" {
			username, _ = tx.Meta("telegram.username")
		}
		if err := tx.PutInvite(inv); err != nil {
			return err
		}
		return tx.Audit(bot.AuditEntry{At: now.UTC(), Who: cliUser(), Action: "invite", Area: inv.Group,
			Detail: fmt.Sprintf("%s, %d uses, until %s", strings.TrimSpace(string(inv.Role)+" "+inv.Agency), inv.MaxUses, inv.ExpiresAt.Format(time.RFC3339))})
	})
	if err != nil {
		return err
	}
	if username == "" {
		username = "<bot>"
		fmt.Fprintln(m.Stderr, "note: the bot's username is not known yet; set telegram.bot_username or run the bot once.")
	}
	fmt.Fprintln(m.Stdout, inv.Code)
	fmt.Fprintln(m.Stdout, bot.InviteLink(username, inv.Code))
	if *qr != "" {
		png, err := inviteQR(bot.InviteLink(username, inv.Code))
		if err == nil {
			err = writePrivate(*qr, png)
		}
		if err != nil {
			return fmt.Errorf("write the QR code: %w", err)
		}
	}
	who := "the leader of"
	if role == bot.RoleOfficial {
		who = "an official of"
	}
	fmt.Fprintf(m.Stderr, "Invite for %s %s (%s): %d use(s), valid until %s.\n",
		who, area.Name, area.Code, inv.MaxUses, inv.ExpiresAt.In(cfg.location).Format("15:04 02/01/2006"))
	return nil
}

func (m *Main) cmdExport(args []string) error {
	fs, path := m.flags("export", "export [-format json|csv|xlsx] [-area CODE] [-kind KIND] [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-o FILE] [-config FILE]")
	format := fs.String("format", "json", "json, csv or xlsx (one sheet per kind, Vietnamese headers)")
	areaF := fs.String("area", "", "only the reports of this area and the areas inside it")
	kindF := fs.String("kind", "", "only incident, meeting or mediation reports")
	fromS := fs.String("from", "", "first `day` to include, YYYY-MM-DD (default: the first report)")
	toS := fs.String("to", "", "last `day` to include, YYYY-MM-DD (default: today)")
	out := fs.String("o", "", "write to `file` instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*format != "json" && *format != "csv" && *format != "xlsx") {
		fs.Usage()
		return usageError{"export -format must be json, csv or xlsx"}
	}
	switch bot.ReportKind(*kindF) {
	case "", bot.KindIncident, bot.KindMeeting, bot.KindMediation:
	default:
		return usageError{fmt.Sprintf("-kind %q is not incident, meeting or mediation", *kindF)}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	from, to, err := dayRange(*fromS, *toS, m.Now(), cfg.location)
	if err != nil {
		return err
	}
	var (
		recs  []bot.ExportRecord
		reps  []bot.Report
		names = map[string]string{}
	)
	err = st.View(func(tx bot.Tx) error {
		areas, err := tx.Areas()
		if err != nil {
			return err
		}
		for _, a := range areas {
			names[a.Code] = a.Name
		}
		var inside map[string]bool
		if *areaF != "" {
			if inside, err = bot.Inside(tx, *areaF); bot.IsNotFound(err) {
				return fmt.Errorf("no area with code %s", *areaF)
			} else if err != nil {
				return err
			}
		}
		return tx.Reports(from, to, func(r bot.Report) error {
			if (inside != nil && !inside[r.Group]) || (*kindF != "" && string(r.Kind) != *kindF) {
				return nil
			}
			reps = append(reps, r)
			recs = append(recs, bot.NewExportRecord(r, names[r.Group], cfg.location))
			return nil
		})
	})
	if err != nil {
		return err
	}
	// An export carries personal data: recorded before it is written.
	what := strings.TrimSpace(*format + " " + *kindF)
	if err := m.audit(st, "export", *areaF, fmt.Sprintf("%s, %d reports, %s to %s", what, len(recs), from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))); err != nil {
		return err
	}
	write := func(f io.Writer) error {
		if *format == "xlsx" {
			return xlsx.Write(f, flows.New(cfg.location, cfg.sessionTimeout).Tables(reps, names, cfg.Language))
		}
		if *format == "csv" {
			var keys []string // the report forms' own order, incident first
			for _, f := range []*flows.Flow{flows.Incident, flows.Meeting, flows.Mediation} {
				for _, st := range f.Steps {
					if !slices.Contains(keys, st.Key) {
						keys = append(keys, st.Key)
					}
				}
			}
			return bot.WriteCSV(f, recs, keys)
		}
		return bot.WriteJSON(f, recs)
	}
	if *out == "" {
		return write(m.Stdout)
	}
	// Write beside the target and rename, so a reader never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
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
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d reports written to %s\n", len(recs), strings.TrimSpace(*out))
	return nil
}

func (m *Main) cmdSummary(args []string) error {
	fs, path := m.flags("summary", "summary -area CODE [-week 2026-W48] [-lang vi|en] [-config FILE]")
	area := fs.String("area", "", "`code` of the area (required)")
	week := fs.String("week", "", "ISO `week` such as 2026-W48 (default: this week so far)")
	lang := fs.String("lang", "", "language, vi or en (default: the config's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *area == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"summary needs -area CODE"}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang, err = langFlag(*lang, cfg); err != nil {
		return err
	}
	now := m.Now()
	monday, until := bot.WeekStart(now, cfg.location), now
	if *week != "" {
		if monday, err = bot.ParseWeek(*week, cfg.location); err != nil {
			return usageError{err.Error()}
		}
		until = monday.AddDate(0, 0, 7)
	}
	engine := flows.New(cfg.location, cfg.sessionTimeout)
	return st.View(func(tx bot.Tx) error {
		sum, err := bot.BuildSummary(tx, *area, monday, until, cfg.location)
		if bot.IsNotFound(err) {
			return fmt.Errorf("no area with code %s", *area)
		} else if err != nil {
			return err
		}
		_, err = fmt.Fprintln(m.Stdout, sum.Text(*lang, cfg.location, engine.Title))
		return err
	})
}

func (m *Main) cmdBackup(args []string) error {
	fs, path := m.flags("backup", "backup -o FILE [-config FILE]")
	out := fs.String("o", "", "write the copy to `file` (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"backup needs -o FILE"}
	}
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.Store.Path, cfg.storeOptions())
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w: while the bot runs, an admin backs up from the chat with /saoluu", err)
	} else if err != nil {
		return err
	}
	defer st.Close()
	if err := m.audit(st, "backup", "", *out); err != nil {
		return err
	}
	size, err := st.Backup(*out)
	if err != nil {
		return err
	}
	if err := store.Check(*out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backed up %s to %s (%d bytes), checked\n", cfg.Store.Path, *out, size)
	return nil
}

func (m *Main) cmdRestore(args []string) error {
	fs, path := m.flags("restore", "restore [-config FILE] BACKUP")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"restore takes one backup file"}
	}
	backup := fs.Arg(0)
	cfg, err := m.config(fs, *path)
	if err != nil {
		return err
	}
	// Check the backup before touching anything.
	if err := store.Check(backup); err != nil {
		return fmt.Errorf("%w; nothing was restored", err)
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
			return err
		}
	}
	if err := copyFile(backup, cfg.Store.Path); err != nil {
		if kept != "" {
			os.Rename(kept, cfg.Store.Path)
		}
		return fmt.Errorf("restore %s: %w; the store was left as it was", backup, err)
	}
	if st, err := store.Open(cfg.Store.Path, cfg.storeOptions()); err == nil {
		m.audit(st, "restore", "", backup)
		st.Close()
	}
	fmt.Fprintf(m.Stdout, "restored %s from %s", cfg.Store.Path, backup)
	if kept != "" {
		fmt.Fprintf(m.Stdout, "; the store it replaced is kept as %s", kept)
	}
	fmt.Fprintln(m.Stdout)
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
	fs, path := m.flags("audit", "audit [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-config FILE]")
	fromS := fs.String("from", "", "first `day`, YYYY-MM-DD (default: the beginning)")
	toS := fs.String("to", "", "last `day`, YYYY-MM-DD (default: today)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	from, to, err := dayRange(*fromS, *toS, m.Now(), cfg.location)
	if err != nil {
		return err
	}
	return st.View(func(tx bot.Tx) error {
		return tx.AuditLog(from, to, func(e bot.AuditEntry) error {
			_, err := fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\t%s\n", e.At.In(cfg.location).Format("2006-01-02 15:04:05"), e.Who, e.Action, e.Area, e.Detail)
			return err
		})
	})
}

// dayRange reads -from and -to days (inclusive) in loc.
func dayRange(fromS, toS string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	from, to = time.Unix(0, 0), now.Add(24*time.Hour)
	if fromS != "" {
		if from, err = time.ParseInLocation(time.DateOnly, fromS, loc); err != nil {
			return from, to, usageError{fmt.Sprintf("-from %q is not a date YYYY-MM-DD", fromS)}
		}
	}
	if toS != "" {
		if to, err = time.ParseInLocation(time.DateOnly, toS, loc); err != nil {
			return from, to, usageError{fmt.Sprintf("-to %q is not a date YYYY-MM-DD", toS)}
		}
		to = to.AddDate(0, 0, 1)
	}
	return from, to, nil
}

func (m *Main) cmdUsers(args []string) error {
	if len(args) == 0 {
		return usageError{"usage: totuquan users list [-area CODE] | move -group CODE ADDRESS | deactivate ADDRESS | handover -group CODE | admin ADDRESS | unadmin ADDRESS"}
	}
	sub, args := args[0], args[1:]
	fs, path := m.flags("users "+sub, "users list [-area CODE] | users move [-config FILE] -group CODE ADDRESS | users deactivate [-config FILE] ADDRESS")
	area := fs.String("area", "", "with list: only users of this area and inside it")
	group := fs.String("group", "", "with move and handover: the group")
	agency := fs.String("agency", "", "with agency: police, justice, mttq or ubnd")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
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
				if *area != "" {
					if ok, err := bot.Covers(tx, *area, u.Group); err != nil || !ok {
						continue
					}
				}
				state := "active"
				if u.Deactivated {
					state = "deactivated"
				}
				fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Address, u.Role, u.Group, u.Agency, state, u.Name)
			}
			return nil
		})
	case "handover":
		if *group == "" || fs.NArg() != 0 {
			fs.Usage()
			return usageError{"users handover takes -group CODE"}
		}
		var inv bot.Invite
		var old []bot.User
		err := st.Update(func(tx bot.Tx) (err error) {
			if inv, old, err = bot.HandOver(tx, *group, cliUser(), m.Now()); bot.IsNotFound(err) {
				return fmt.Errorf("no area with code %s", *group)
			} else if err != nil {
				return err
			}
			return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: "handover", Area: *group,
				Detail: fmt.Sprintf("%d leaders deactivated, invite %s", len(old), inv.Code)})
		})
		if err != nil {
			return err
		}
		for _, u := range old {
			fmt.Fprintf(m.Stderr, "deactivated %s (%s)\n", u.Address, u.Name)
		}
		username := cfg.Telegram.BotUsername
		if username == "" {
			st.View(func(tx bot.Tx) error { username, _ = tx.Meta("telegram.username"); return nil })
		}
		fmt.Fprintln(m.Stdout, inv.Code)
		fmt.Fprintln(m.Stdout, bot.InviteLink(username, inv.Code))
		return nil
	case "move", "deactivate", "admin", "unadmin", "agency":
		if sub == "agency" {
			if _, ok := bot.Agencies[*agency]; !ok {
				return usageError{"users agency needs -agency police, justice, mttq or ubnd"}
			}
		}
		if fs.NArg() != 1 || (sub == "move") != (*group != "") {
			fs.Usage()
			return usageError{"users " + sub + " takes one ADDRESS such as telegram:123456" + map[bool]string{true: " and -group CODE"}[sub == "move"]}
		}
		addr := bot.Address(fs.Arg(0))
		err := st.Update(func(tx bot.Tx) error {
			u, err := tx.User(addr)
			if bot.IsNotFound(err) {
				return fmt.Errorf("no user %s (totuquan users list shows them)", addr)
			} else if err != nil {
				return err
			}
			detail := ""
			if sub == "move" {
				if u.Role != bot.RoleLeader {
					return fmt.Errorf("%s is not a leader", addr)
				}
				if _, err := tx.Area(*group); bot.IsNotFound(err) {
					return fmt.Errorf("no area with code %s", *group)
				}
				detail = fmt.Sprintf("%s from %s to %s", addr, u.Group, *group)
				u.Group = *group
			} else if sub == "admin" || sub == "unadmin" {
				u.Admin, detail = sub == "admin", string(addr)
			} else if sub == "agency" {
				if u.Role != bot.RoleOfficial {
					return fmt.Errorf("%s is not an official", addr)
				}
				u.Agency, detail = *agency, string(addr)+" "+*agency
			} else {
				u.Deactivated = true
				detail = string(addr)
				// A draft in progress goes with the right to report.
				if err := tx.DeleteSession(addr); err != nil {
					return err
				}
			}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: "users." + sub, Area: u.Group, Detail: detail})
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: done\n", sub)
		return nil
	}
	return usageError{fmt.Sprintf("unknown users command %q: list, move, deactivate, handover, admin, unadmin or agency", sub)}
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
		inv, err := tx.Invite(code)
		if bot.IsNotFound(err) {
			return fmt.Errorf("no invite %s", code)
		} else if err != nil {
			return err
		}
		inv.Revoked = true
		if err := tx.PutInvite(inv); err != nil {
			return err
		}
		return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: "invite.revoke", Area: inv.Group, Detail: code})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "invite %s revoked\n", code)
	return nil
}

func (m *Main) cmdAreasList(args []string) error {
	fs, path := m.flags("areas list", "areas list [-config FILE]")
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
	fs, path := m.flags("stats", "stats -area CODE [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-lang vi|en] [-config FILE]")
	area := fs.String("area", "", "`code` of the area (required)")
	fromS := fs.String("from", "", "first `day`, YYYY-MM-DD (default: six months before -to)")
	toS := fs.String("to", "", "last `day`, YYYY-MM-DD (default: today)")
	lang := fs.String("lang", "", "language, vi or en (default: the config's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *area == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"stats needs -area CODE"}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang, err = langFlag(*lang, cfg); err != nil {
		return err
	}
	from, to, err := dayRange(*fromS, *toS, m.Now(), cfg.location)
	if err != nil {
		return err
	}
	if *toS == "" {
		today := m.Now().In(cfg.location)
		to = time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, cfg.location)
	}
	if *fromS == "" {
		from = to.AddDate(0, -6, 0)
	}
	return st.View(func(tx bot.Tx) error {
		s, err := bot.BuildMediationStats(tx, *area, from, to)
		if bot.IsNotFound(err) {
			return fmt.Errorf("no area with code %s", *area)
		} else if err != nil {
			return err
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

// inviteQR draws an invite link as a QR code large enough to print.
func inviteQR(link string) ([]byte, error) {
	return qrcode.Encode(link, qrcode.Medium, 512)
}

// workbook writes tables as an XLSX file in memory.
func workbook(tables []bot.Table) ([]byte, error) {
	var buf bytes.Buffer
	err := xlsx.Write(&buf, tables)
	return buf.Bytes(), err
}

func (m *Main) cmdBroadcast(args []string) error {
	fs, path := m.flags("broadcast", "broadcast -area CODE [-config FILE] TEXT")
	area := fs.String("area", "", "`code` of the area whose leaders get the notice (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if *area == "" || text == "" {
		fs.Usage()
		return usageError{"broadcast needs -area CODE and the text"}
	}
	cfg, st, err := m.open(fs, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	var sent int
	err = st.Update(func(tx bot.Tx) error {
		var err error
		key := "cli:" + m.Now().UTC().Format(time.RFC3339Nano)
		if _, sent, err = bot.QueueNotice(tx, *area, text, key, cfg.Language); bot.IsNotFound(err) {
			return fmt.Errorf("no area with code %s", *area)
		} else if err != nil {
			return err
		}
		return tx.Audit(bot.AuditEntry{At: m.Now().UTC(), Who: cliUser(), Action: "broadcast", Area: *area, Detail: fmt.Sprintf("%d leaders: %s", sent, text)})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "the notice is queued for %d leaders; it goes out when the bot runs\n", sent)
	return nil
}

// langFlag checks a -lang flag; empty means the configured language.
func langFlag(lang string, cfg Config) (string, error) {
	if lang == "" {
		return cfg.Language, nil
	}
	if !i18n.Supported(lang) {
		return "", usageError{fmt.Sprintf("-lang %q is not vi or en", lang)}
	}
	return lang, nil
}
