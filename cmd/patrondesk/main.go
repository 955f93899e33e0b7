// Command patrondesk is the help desk daemon and its admin commands. It is
// thin: it reads the config, wires the packages together and reports.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on servers without tzdata installed

	"patrondesk/config"
)

const usage = `patrondesk - an email help desk for libraries

Usage:
  patrondesk COMMAND [options]

Commands:
  demo                  run the whole loop on this machine with sample mail (no set-up)
  init                  write an example config file and create the database
  check                 check the config, database, disk, every mailbox, SMTP and the
                        templates' plain language (--send-test: also send a test mail)
  login [--mailbox N]   consent once for an OAuth2 mailbox (flow "device") and keep the token
  run [--once]          watch the mailbox, answer patrons, send reminders and summaries
                        (--once: one round, then exit; --once --dry-run: a drill that prints
                        what would go out and changes nothing; --once --at TIME: the same
                        drill as if it were TIME, --commit to do it for real)
  tickets list          list tickets (--status S, --patron ADDR, --owner WHO, --json)
  tickets show N        show one ticket with its messages and history (--json)
  tickets search WORDS  find tickets by words in subjects and messages (--json)
  tickets merge KEEP OTHER  make ticket OTHER part of ticket KEEP (nobody is mailed)
  tickets assign N WHO  give a ticket to a person or a team
  tickets take N WHO    give a ticket to a person
  tickets close N       mark a ticket solved (the patron is not written to)
  tickets reopen N      open a solved or closed ticket again (the patron is told)
  tickets priority N P  low, normal or urgent
  tickets wait N UNTIL  no reminders until then (3d, 2 weeks, 2026-12-24)
  tickets note N TEXT   add a note for staff to a ticket
  tickets attachment N NAME  write one file of a ticket to stdout (> FILE)
  deliver               take one message from standard input (for Postfix pipe or sieve;
                        exits 75 on any failure so the mail server tries again)
  report                received, answered, solved, times and promises kept
                        (--since 2026-11-01, --until, --json)
  backup FILE           a consistent copy of the live database (the daemon keeps running)
  migrate --to URL      copy the SQLite database into a new PostgreSQL one (stop the daemon
                        first; --from URL --to FILE is the way back)
  purge [--dry-run]     anonymise closed requests older than policy.retention
  templates list        the mail templates, who gets them and in which languages
  templates preview N   one template rendered with sample data (--lang es)
  templates lint        the plain-language check of every template and saved answer
  answers list          the saved answers staff send with #answer NAME
  answers preview NAME  one saved answer as the patron reads it (--lang es)
  spam list             mail kept as spam, with no answer (--json); also show ID, release ID
  held list|release|drop  acknowledgements held over policy.first_ack_limit (see README, Safety)
  keys rotate           a new key for signed Message-IDs; the old one works for token_lifetime
  quarantine list       mail that could not be read (--all, --json); also show ID, export ID,
                        release ID (take it again), delete ID
  version               the version and commit of this build (also --version)
  link EMAIL            print a supervisor's personal sign-in link to the desk page (/desk)

Every command takes --config FILE, before or after the command; without it,
$PATRONDESK_CONFIG, else ./patrondesk.toml, else /etc/patrondesk/patrondesk.toml.
Run "patrondesk COMMAND --help" for a command's options.

Exit codes: 0 success, 1 something failed while running, 2 bad usage or bad config
(deliver: 75 for any failure, so the mail server keeps the message).
`

// exitError carries the exit code for an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{2, fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	args = globalOptionsLast(args)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"demo": cmdDemo, "init": cmdInit, "check": cmdCheck, "run": cmdRun, "tickets": cmdTickets, "purge": cmdPurge, "templates": cmdTemplates,
		"deliver": cmdDeliver, "report": cmdReport, "backup": cmdBackup,
		"answers":    cmdAnswers,
		"spam":       cmdSpam,
		"held":       cmdHeld,
		"keys":       cmdKeys,
		"version":    cmdVersion,
		"--version":  cmdVersion,
		"quarantine": cmdQuarantine,
		"link":       cmdLink,
	}
	cmds["login"] = cmdLogin
	cmds["migrate"] = cmdMigrate
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "patrondesk: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "patrondesk:", err)
	var ee *exitError
	var probs config.Problems
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &probs):
		return 2
	}
	return 1
}

// flags returns a FlagSet for a command with the shared --config option.
func flags(name, synopsis string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "", "config file (default $PATRONDESK_CONFIG, else ./patrondesk.toml, else /etc/patrondesk/patrondesk.toml)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: patrondesk %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs, cfg
}

// parse parses args, turning flag errors into usage errors (exit 2).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{2, err}
	}
	return nil
}

// parseAround parses options that may come before or after the positional
// arguments ("tickets show 42 --json" and "tickets show --json 42"), and
// returns the positional ones.
func parseAround(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return append(pos, fs.Args()...), nil
}

// configPlaces are where a config is looked for when neither --config nor
// $PATRONDESK_CONFIG names one, in order.
var configPlaces = []string{"patrondesk.toml", "/etc/patrondesk/patrondesk.toml"}

// configPath is --config, else $PATRONDESK_CONFIG, else the first of
// configPlaces that exists (else the first, for init and the error).
func configPath(flagValue string) string {
	return findConfig(flagValue, os.Getenv("PATRONDESK_CONFIG"), configPlaces)
}

func findConfig(flagValue, env string, places []string) string {
	if flagValue != "" {
		return flagValue
	}
	if env != "" {
		return env
	}
	for _, p := range places {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return places[0]
}

func loadConfig(flagValue string) (*config.Config, error) {
	path := configPath(flagValue)
	cfg, err := config.Load(path)
	if errors.Is(err, os.ErrNotExist) {
		if flagValue == "" && os.Getenv("PATRONDESK_CONFIG") == "" {
			return nil, usageErr("no config file at ./%s or %s: write one with \"patrondesk init\", or name it with --config or $PATRONDESK_CONFIG",
				configPlaces[0], configPlaces[1])
		}
		if flagValue == "" {
			return nil, usageErr("no config file at %s, the file $PATRONDESK_CONFIG names: correct the variable, name another file with --config, or write this one with \"patrondesk init\"", path)
		}
		return nil, usageErr("no config file at %s: write one with \"patrondesk init\" or name it with --config", path)
	}
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		return nil, usageErr("%s is a folder; name the config file in it, such as %s", path, filepath.Join(path, "patrondesk.toml"))
	}
	if errors.Is(err, os.ErrPermission) {
		return nil, unreadableConfig(path, flagValue == "" && os.Getenv("PATRONDESK_CONFIG") == "" && path == configPlaces[0])
	}
	return cfg, err
}

// unreadableConfig says what to do about a config this user may not read.
// Found in the current folder, it is likely not the one meant: an admin who
// built and tried patrondesk in a folder, then runs `sudo -u patrondesk
// patrondesk check` there, gets that folder's file before /etc's.
func unreadableConfig(path string, here bool) error {
	hint := "run the command as the user who owns it (on a systemd install: sudo -u patrondesk patrondesk ...)"
	if here {
		hint = "this folder's patrondesk.toml is used before /etc/patrondesk/patrondesk.toml: run the command from another folder, name the file with --config, or " + hint
	}
	return usageErr("cannot read the config file %s (permission denied); %s", path, hint)
}

// globalOptionsLast moves options written before the command to the end, so
// "patrondesk --config F run --once" is "patrondesk run --once --config F".
func globalOptionsLast(args []string) []string {
	var lead []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case a == "--version" || a == "-version":
			return append([]string{"version"}, append(lead, args[1:]...)...)
		case a == "-h" || a == "--help":
			return args
		case (a == "--config" || a == "-config") && len(args) > 1:
			lead, args = append(lead, a, args[1]), args[2:]
		default:
			lead, args = append(lead, a), args[1:]
		}
	}
	if len(args) > 0 {
		// "patrondesk tickets --config F list": a --config between a command
		// and its subcommand goes to the end too.
		var mid []string
		rest := args[1:]
		for len(rest) > 0 {
			a := rest[0]
			if (a == "--config" || a == "-config") && len(rest) > 1 {
				mid, rest = append(mid, a, rest[1]), rest[2:]
			} else if strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config=") {
				mid, rest = append(mid, a), rest[1:]
			} else {
				break
			}
		}
		if len(mid) > 0 {
			args = append(append([]string{args[0]}, rest...), mid...)
		}
	}
	return append(args, lead...)
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	if strings.EqualFold(os.Getenv("PATRONDESK_LOG_FORMAT"), "json") {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
