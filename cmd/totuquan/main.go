// Command totuquan runs the bot for tổ tự quản leaders and its admin tasks.
//
//	totuquan [run]            run the bot (the local demo when no token is set)
//	totuquan demo             chat with the bot in the terminal, offline
//	totuquan areas import F   import the area tree from CSV or Excel
//	totuquan invite -group C  create a leader invite
//	totuquan export           write the reports as JSON or CSV
//
// This is the only package that wires the store, the flows and the chat
// platforms together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even where the system has no zoneinfo

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/schedule"
	"github.com/totuquan/totuquan/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "totuquan:", err)
		}
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// Main is the program, with its outside world injected so that tests drive
// the same code as the binary.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	// wrap, set by tests, wraps the update handler (to stop at a chosen
	// moment, say).
	wrap func(bot.Handler) bot.Handler
	// ready, set by tests and the demo, is called with the open store once
	// the bot is polling.
	ready func(*store.Store)
	// demoLog shows the bot's log during the demo.
	demoLog bool
	// clock, set by tests, drives the schedules (default: real time).
	clock schedule.Clock
	// metricsAddr, set by tests, is told where /metrics is served.
	metricsAddr func(net.Addr)
}

// NewMain returns a Main on the process's own streams and clock.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `totuquan: a reporting bot for tổ tự quản (residential self-management groups)

Usage:
  totuquan [run] [-config FILE]      run the bot; with no token, the local demo
  totuquan demo [-script] [-lang vi|en] [-config FILE]
                                     chat with the bot offline in this terminal
  totuquan areas import [-config FILE] FILE.csv|FILE.xlsx
                                     import the area tree (code,name,level,parent_code)
  totuquan areas list [-config FILE]
                                     the tree, with its groups, leaders and officials
  totuquan invite (-group CODE | -official CODE [-agency police|justice|mttq|ubnd]) [-uses 1..1000] [-valid 168h] [-config FILE]
  totuquan invite -revoke CODE [-config FILE]
                                     create an invite for a group's leader or an area's
                                     official; prints the code, then the link
  totuquan export [-format json|csv|xlsx] [-area CODE] [-kind KIND] [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-o FILE] [-config FILE]
                                     write the stored reports
  totuquan summary -area CODE [-week 2026-W48] [-lang vi|en] [-config FILE]
                                     an area's weekly summary (default: this week so far)
  totuquan stats -area CODE [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-lang vi|en] [-config FILE]
                                     mediation statistics in the periodic report's buckets
                                     (default: the last six months)
  totuquan backup -o FILE [-config FILE]
                                     copy the store (bot stopped; while it runs, /saoluu)
  totuquan restore [-config FILE] BACKUP
                                     check a backup, then put it in the store's place
  totuquan users list [-area CODE] | users move -group CODE ADDRESS
  totuquan users deactivate ADDRESS | users reactivate ADDRESS
  totuquan users handover -group CODE | users admin ADDRESS | users unadmin ADDRESS
  totuquan users agency -agency police|justice|mttq|ubnd ADDRESS
                                     the people: list them, move a leader, deactivate one
                                     or reactivate them, hand a group to a new leader,
                                     promote or demote an admin (not one the configuration
                                     names), change the topics an official follows
  totuquan broadcast -area CODE TEXT
                                     a notice to the leaders of an area, sent when the bot runs
  totuquan audit [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-config FILE]
                                     who did what and when: admin actions, exports,
                                     views of personal data, refused attempts
  totuquan loadtest [-leaders N] [-think D|exp:D] [-duration D] [-limits telegram|off] [-json]  the bot under simulated leaders, offline

Each command takes -h for its flags. The configuration defaults to
config.yaml; see config.example.yaml. TELEGRAM_BOT_TOKEN overrides
telegram.token.
`

// Run runs the subcommand in args.
func (m *Main) Run(ctx context.Context, args []string) error {
	cmd := "run"
	// Bare, with no subcommand, the bot runs the demo when no token is set.
	bare := len(args) == 0 || strings.HasPrefix(args[0], "-")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return m.cmdRun(ctx, args, !bare)
	case "demo":
		return m.cmdDemo(ctx, args)
	case "areas":
		return m.cmdAreas(args)
	case "invite":
		return m.cmdInvite(args)
	case "export":
		return m.cmdExport(args)
	case "summary":
		return m.cmdSummary(args)
	case "stats":
		return m.cmdStats(args)
	case "backup":
		return m.cmdBackup(args)
	case "restore":
		return m.cmdRestore(args)
	case "audit":
		return m.cmdAudit(args)
	case "users":
		return m.cmdUsers(args)
	case "broadcast":
		return m.cmdBroadcast(args)
	case "loadtest":
		return m.cmdLoadtest(ctx, args)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// cmdAreas runs "areas import" or "areas list".
func (m *Main) cmdAreas(args []string) error {
	switch {
	case len(args) > 0 && args[0] == "import":
		return m.cmdAreasImport(args[1:])
	case len(args) > 0 && args[0] == "list":
		return m.cmdAreasList(args[1:])
	}
	return usageError{"usage: totuquan areas import [-config FILE] FILE.csv | totuquan areas list [-config FILE]"}
}

// flags returns a flag set for a subcommand with the common -config flag.
func (m *Main) flags(name, synopsis string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: totuquan %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	cfg := fs.String("config", "config.yaml", "configuration `file`")
	return fs, cfg
}

// config loads the file named by -config; only the default name may be
// missing.
func (m *Main) config(fs *flag.FlagSet, path string) (Config, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(path, !explicit, m.Getenv)
	if err == nil && cfg.source == defaultSource {
		where, _ := filepath.Abs(cfg.Store.Path)
		fmt.Fprintf(m.Stderr, "No %s here: using the built-in defaults (see config.example.yaml); the store is %s.\n", path, where)
	}
	return cfg, err
}

// logger writes to standard error at level, as key=value text or, with
// format "json", one JSON object a line.
func (m *Main) logger(level, format string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(m.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(m.Stderr, opts))
}
