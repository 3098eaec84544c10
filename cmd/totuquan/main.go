// Command totuquan runs the bot for tổ tự quản leaders and its admin tasks.
//
//	totuquan [run]            run the bot (the training room when no token is set)
//	totuquan room             the training room in a browser, offline
//	totuquan demo -terminal   chat with the bot in the terminal, offline
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
	"strconv"
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
	// offline is set by the commands that, with no token, run on a
	// temporary store: the training room and the demo.
	offline bool
	// roomReady, set by tests, is told where the training room is served.
	roomReady func(url string, r *Room)
	// lang is the language the command line speaks (see lang.go).
	lang string
}

// NewMain returns a Main on the process's own streams and clock.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run runs the subcommand in args.
func (m *Main) Run(ctx context.Context, args []string) error {
	cmd := "run"
	m.lang = fileLanguage(configArg(args))
	// Bare, with no subcommand, the bot runs the demo when no token is set.
	bare := len(args) == 0 || strings.HasPrefix(args[0], "-")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(m.Stdout, m.T("cli.usage"))
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
	case "room":
		return m.cmdRoom(ctx, args)
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
		fmt.Fprint(m.Stdout, m.T("cli.usage"))
		return nil
	}
	fmt.Fprint(m.Stderr, m.T("cli.usage"))
	return usageError{m.T("cli.unknown_command", cmd)}
}

// cmdAreas runs "areas import" or "areas list".
func (m *Main) cmdAreas(args []string) error {
	switch {
	case len(args) > 0 && args[0] == "import":
		return m.cmdAreasImport(args[1:])
	case len(args) > 0 && args[0] == "list":
		return m.cmdAreasList(args[1:])
	}
	return usageError{m.T("cli.areas.usage")}
}

// flags returns a flag set for a subcommand with the common -config flag;
// synopsis is what the subcommand takes, in the command line's language.
func (m *Main) flags(name, synopsis string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, m.T("cli.flags.usage", synopsis))
		m.printFlags(fs)
	}
	cfg := fs.String("config", "config.yaml", m.T("cli.flag.config"))
	return fs, cfg
}

// printFlags lists the flags as flag.PrintDefaults does, with the
// default values said in the command line's language.
func (m *Main) printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 { // a one-letter flag without a value name
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		// As flag.PrintDefaults, no default for a zero value (0s: a
		// zero duration).
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "0s" {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, ok := g.Get().(string); ok {
					def = strconv.Quote(def)
				}
			}
			line += m.T("cli.flags.default", def)
		}
		fmt.Fprintln(fs.Output(), line)
	})
}

// config loads the file named by -config; only the default name may be
// missing.
func (m *Main) config(fs *flag.FlagSet, path string) (Config, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(path, !explicit, m.Getenv)
	if err != nil {
		return cfg, err
	}
	m.lang = cfg.Language
	switch {
	case cfg.source != defaultSource:
	case m.offline && cfg.Telegram.Token == "" && cfg.Zalo.Token == "":
		// The training room or the demo: their store is temporary.
		fmt.Fprintln(m.Stderr, m.T("cli.config.defaults_offline", path))
	default:
		where, _ := filepath.Abs(cfg.Store.Path)
		fmt.Fprintln(m.Stderr, m.T("cli.config.defaults_used", path, where))
	}
	return cfg, nil
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
