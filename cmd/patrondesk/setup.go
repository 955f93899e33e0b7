package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/templates"
	"patrondesk/tickets"
)

func cmdInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("init", "init [--config FILE] [--force]", stderr)
	force := fs.Bool("force", false, "overwrite an existing config file")
	if err := parse(fs, args); err != nil {
		return err
	}
	path := configPath(*cfgPath)
	if _, err := os.Stat(path); err == nil && !*force {
		return usageErr("%s already exists; edit it, or use --force to replace it", path)
	}
	// Owner-only: the file holds passwords.
	if err := os.WriteFile(path, config.Example, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	store, err := tickets.Open(ctx, cfg.Rel(cfg.Database.Path))
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintf(stdout, "Wrote %s and created the database %s.\nNext: edit the file (library, imap, smtp, staff), then run \"patrondesk check\".\n",
		path, cfg.Rel(cfg.Database.Path))
	return nil
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("check", "check [--config FILE]", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK    config %s\n", configPath(*cfgPath))
	failed := 0
	report := func(what string, err error, hint string) {
		if err == nil {
			fmt.Fprintf(stdout, "OK    %s\n", what)
			return
		}
		failed++
		fmt.Fprintf(stdout, "FAIL  %s: %v\n      %s\n", what, err, hint)
	}
	store, err := tickets.Open(ctx, cfg.Rel(cfg.Database.Path))
	if err == nil {
		store.Close()
	}
	report("database "+cfg.Rel(cfg.Database.Path), err, "check that the folder exists and this user may write to it")
	mb, err := mailer.DialMailbox(ctx, imapOptions(cfg))
	if err == nil {
		idle := "no IDLE: will check every " + cfg.Intake.PollInterval.String()
		if mb.CanIdle() {
			idle = "IDLE: new mail is noticed at once"
		}
		mb.Close()
		report(fmt.Sprintf("IMAP %s@%s:%d folder %q (%s)", cfg.IMAP.Username, cfg.IMAP.Host, cfg.IMAP.Port, cfg.IMAP.Mailbox, idle), nil, "")
	} else {
		report(fmt.Sprintf("IMAP %s:%d", cfg.IMAP.Host, cfg.IMAP.Port), err, "check [imap] host, port, security, username and password")
	}
	sess, err := mailer.DialSMTP(ctx, smtpOptions(cfg))
	if err == nil {
		sess.Close()
	}
	report(fmt.Sprintf("SMTP %s:%d", cfg.SMTP.Host, cfg.SMTP.Port), err, "check [smtp] host, port, security, username and password")
	set := templates.New(cfg.Rel(cfg.Templates.Dir))
	if cfg.Templates.Dir == "" {
		set = templates.New("")
	}
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
