package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

func cmdInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("init", "init [--config FILE] [--force]", stderr)
	force := fs.Bool("force", false, "overwrite an existing config file")
	if err := parse(fs, args); err != nil {
		return err
	}
	path := configPath(*cfgPath)
	if _, err := os.Stat(path); err == nil && !*force {
		return initDatabaseOnly(ctx, path, stdout)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return usageErr("there is no folder %s for the config; make it first: mkdir -p -m 0700 %s", filepath.Dir(path), filepath.Dir(path))
	}
	// Owner-only: the file holds passwords, whatever mode an old file had.
	if err := writePrivate(path, config.Example); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	store, err := tickets.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintf(stdout, "Wrote %s and created the database %s.\nNext: edit the file (library, imap, smtp, staff), then run \"patrondesk check\".\n",
		path, cfg.DatabaseName())
	return nil
}

// initDatabaseOnly is init where the config is already written: it keeps
// the file and creates the database it names if there is none, which is what
// `check` asks for when database.path leads nowhere.
func initDatabaseOnly(ctx context.Context, path string, stdout io.Writer) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if cfg.Database.URL != "" {
		return initPostgres(ctx, cfg, stdout)
	}
	db := cfg.Rel(cfg.Database.Path)
	if _, err := os.Stat(db); err == nil {
		return usageErr("%s and its database %s already exist; edit the file, or use --force to replace it with the example", path, db)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return fmt.Errorf("create the database's folder: %w", err)
	}
	store, err := tickets.Open(ctx, db)
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintf(stdout, "Kept %s as it is and created the database %s.\nNext: run \"patrondesk check\".\n", path, db)
	return nil
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("check", "check [--send-test [--to ADDRESS]]", stderr)
	sendTest := fs.Bool("send-test", false, "also send a test message (to library.admin, or --to)")
	to := fs.String("to", "", "where --send-test sends its message")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK    config %s\n", cfg.Path)
	if warn := configPermissions(cfg.Path); warn != "" {
		fmt.Fprintln(stdout, "WARN  "+warn)
	}
	failed := 0
	report := func(what string, err error, hint string) {
		if err == nil {
			fmt.Fprintf(stdout, "OK    %s\n", what)
			return
		}
		failed++
		fmt.Fprintf(stdout, "FAIL  %s: %v\n      %s\n", what, err, hint)
	}
	checkDatabase(ctx, cfg, stdout, report)
	checkOAuth2(ctx, cfg, report)
	for i, b := range mailboxes(cfg) {
		opts := b.imap
		opts.Processed = "" // check creates nothing; run makes the processed folder
		mb, err := mailer.DialMailbox(ctx, opts)
		if err != nil {
			report(fmt.Sprintf("mailbox %s (%s@%s:%d folder %q)", b.name, b.imap.Username, b.imap.Host, b.imap.Port, b.imap.Mailbox), err,
				mailboxHint(err, i, b.name))
			continue
		}
		idle := "no IDLE: will check every " + cfg.Intake.PollInterval.String()
		if mb.CanIdle() {
			idle = "IDLE: new mail is noticed at once"
		}
		mb.Close()
		report(fmt.Sprintf("mailbox %s: %s@%s:%d folder %q (%s)", b.name, b.imap.Username, b.imap.Host, b.imap.Port, b.imap.Mailbox, idle), nil, "")
	}
	sess, err := mailer.DialSMTP(ctx, smtpOptions(cfg))
	what := fmt.Sprintf("SMTP %s:%d", cfg.SMTP.Host, cfg.SMTP.Port)
	if *sendTest && firstNonEmpty(*to, cfg.Library.Admin) == "" {
		// Nowhere to send it: say so on its own line, not as an SMTP fault.
		report("test message", errors.New("no address to send it to"), "set library.admin in the config, or give one: patrondesk check --send-test --to ADDRESS")
		*sendTest = false
	}
	if err == nil && *sendTest {
		err = sendTestMail(sess, cfg, *to)
		what += " (test message sent to " + firstNonEmpty(*to, cfg.Library.Admin) + ")"
	}
	if sess != nil {
		sess.Close()
	}
	report(what, err, firstNonEmpty(mailer.Problem(err), "check [smtp] host, port, security, username and password (and --to or library.admin for --send-test)"))
	set := templates.New(cfg.Rel(cfg.Templates.Dir))
	var lint strings.Builder
	warnings, err := lintAll(set, &lint, false)
	switch {
	case err != nil:
		report("templates", err, "fix the template named above; `patrondesk templates preview NAME` shows it")
	case warnings > 0:
		fmt.Fprintf(stdout, "WARN  templates: %d patron template(s) miss the plain-language targets (they are still sent):\n%s", warnings, lint.String())
	default:
		fmt.Fprintf(stdout, "OK    templates: every patron template reads at grade %.0f or easier\n", templates.MaxGrade)
	}
	if failed > 0 {
		return errors.New("some checks failed (see above)")
	}
	return nil
}

// checkDatabase opens the database, runs SQLite's integrity check and looks
// at the free disk space beside it.
func checkDatabase(ctx context.Context, cfg *config.Config, stdout io.Writer, report func(string, error, string)) {
	path := cfg.DatabaseName()
	store, err := tickets.OpenReadOnly(ctx, cfg.DatabaseTarget())
	switch {
	case errors.Is(err, tickets.ErrNoDatabase):
		report("database "+path, err, "check database.path; for a new install run \"patrondesk init\" (it keeps your config and creates the database) or start \"patrondesk run\"; to recover, restore the newest backup (README, Operation)")
		return
	case err != nil:
		report("database "+path, err, "check that the file and its folder exist and this user may read and write them")
		return
	}
	defer store.Close()
	h, err := store.Check(ctx)
	if err == nil && h.Integrity != "ok" {
		err = fmt.Errorf("integrity check says: %s", h.Integrity)
	}
	report(fmt.Sprintf("database %s (schema %d, %d tickets, integrity ok)", path, h.Migration, h.Tickets), err,
		"restore the newest backup (see README, Operation) and run patrondesk check again")
	if err == nil && h.Migration < tickets.LatestMigration() {
		fmt.Fprintf(stdout, "WARN  database schema %d is older than this version's %d; the next \"patrondesk run\" brings it up to date (take a backup first)\n",
			h.Migration, tickets.LatestMigration())
	}
	var st syscall.Statfs_t
	if cfg.Database.URL != "" {
		// Several daemons may share the database: say who watches what.
		if leases, err := store.Leases(ctx); err == nil {
			for _, l := range leaseLines(leases, mailboxes(cfg), time.Now()) {
				fmt.Fprintf(stdout, "OK    %s\n", l)
			}
		}
		return // the disk is the PostgreSQL server's
	}
	if err := syscall.Statfs(filepath.Dir(path), &st); err == nil {
		free := st.Bavail * uint64(st.Bsize)
		switch {
		case free < 1<<30:
			fmt.Fprintf(stdout, "WARN  disk: only %d MB free beside the database; mail and backups need room\n", free>>20)
		default:
			fmt.Fprintf(stdout, "OK    disk: %d GB free beside the database\n", free>>30)
		}
	}
}

// mailboxHint says what to do about a mailbox check that failed. The server
// refusing something after the login went through means the folder: say
// which key names it (the first mailbox is [imap]'s, the others [[mailbox]]es).
func mailboxHint(err error, i int, name string) string {
	var ie *imap.Error
	var le *mailer.LoginError
	if errors.As(err, &ie) && !mailer.IsLoginRefused(err) && !errors.As(err, &le) {
		key := "imap.mailbox"
		if i > 0 {
			key = "folder in the [[mailbox]] named " + strconv.Quote(name)
		}
		how := key + ", written as your mail client shows the folder (names are case-sensitive; a subfolder is written like \"INBOX/Help\" or \"INBOX.Help\")"
		if p := mailer.Problem(err); strings.HasPrefix(p, "missing folder") {
			return p + "; that is " + how
		}
		return "the login worked but the server would not open the folder; check " + how
	}
	return firstNonEmpty(mailer.Problem(err), "check the host, port, security, login and folder of this mailbox")
}

var passwordLine = regexp.MustCompile(`(?m)^\s*(password\s*=\s*["'][^"']+["']|url\s*=\s*["']postgres(ql)?://[^:@/"']+:[^@"']+@)`)

// configPermissions warns when others may read a config file that holds a
// password, and says what to run.
func configPermissions(path string) string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		return ""
	}
	src, err := os.ReadFile(path)
	if err != nil || !passwordLine.Match(src) {
		return ""
	}
	return fmt.Sprintf("config %s holds a password and other users can read it (mode %04o); run: chmod 600 %s", path, st.Mode().Perm(), path)
}

// sendTestMail sends a short message through the open SMTP session.
func sendTestMail(sess *mailer.SMTPSession, cfg *config.Config, to string) error {
	to = firstNonEmpty(to, cfg.Library.Admin)
	if to == "" {
		return errors.New("no address for the test message: set library.admin or give --to")
	}
	now := clock.System{}.Now()
	_, domain, _ := strings.Cut(cfg.Library.Address, "@")
	return sess.Send(&mailer.Outgoing{FromName: cfg.Library.Name, FromAddress: cfg.Library.Address, ToAddress: to,
		Subject: "patrondesk test message", Text: "This is a test message from patrondesk check. Mail from patrondesk can reach you.\n",
		MessageID: fmt.Sprintf("check.%d@%s", now.UnixNano(), domain), Date: now, AutoSubmitted: "auto-generated"})
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// writePrivate writes data to path readable by the owner only. os.WriteFile
// keeps an existing file's mode, so a 0644 file would stay readable by all:
// the data goes to a new 0600 file beside it, renamed over the old one.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".patrondesk-*.toml")
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
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
