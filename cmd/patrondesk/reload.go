package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"syscall"

	"patrondesk/config"
	"patrondesk/templates"
)

// reloadOnHangup reads the config again on each SIGHUP and gives the desk
// what can change while running (staff, routes, hours, policy, templates,
// the library's name and languages). It logs which changes wait for a
// restart. A config with problems is not loaded; the old one stays.
func reloadOnHangup(ctx context.Context, a *app, path string, current *config.Config, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		next, err := loadConfig(path)
		if err != nil {
			log.Error("config not reloaded; still running with the old one", "err", err)
			continue
		}
		opts, err := deskOptions(next)
		if err != nil {
			log.Error("config not reloaded; still running with the old one", "err", err)
			continue
		}
		a.desk.Reload(opts, templates.New(next.Rel(next.Templates.Dir)))
		if waits := needsRestart(current, next); len(waits) > 0 {
			log.Warn("config reloaded; these changes need a restart to take effect", "sections", waits)
		} else {
			log.Info("config reloaded")
		}
	}
}

// needsRestart names the changed parts of the config that only a restart
// applies: connections, the database, the listener, and the address that
// signs Message-IDs.
func needsRestart(old, next *config.Config) []string {
	var out []string
	for name, pair := range map[string][2]any{
		"imap": {old.IMAP, next.IMAP}, "smtp": {old.SMTP, next.SMTP}, "database": {old.Database, next.Database},
		"intake": {old.Intake, next.Intake}, "mailbox": {old.Mailboxes, next.Mailboxes}, "http": {old.HTTP, next.HTTP},
		"library.address": {old.Library.Address, next.Library.Address},
		"oauth2":          {old.OAuth2, next.OAuth2},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
