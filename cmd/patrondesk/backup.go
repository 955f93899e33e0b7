package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

const backupHelp = `backup FILE

Writes a consistent copy of the live database into FILE, a new SQLite file
readable by this user only, while the daemon keeps running.
On PostgreSQL (database.url) the file is an SQLite copy of the whole desk at
one moment: restore it into a new, empty database with
  patrondesk migrate --from FILE --to URL
The server's own tools (pg_dump --format=custom) back it up too.`

// cmdBackup writes a consistent copy of the live database.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("backup", backupHelp, stderr)
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	file := first(pos)
	if file == "" {
		return usageErr("backup needs a file to write, such as: patrondesk backup /var/backups/patrondesk-2026-12-07.db")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Dir(file)); err != nil || !st.IsDir() {
		return usageErr("there is no folder %s to write the backup into; make it first: mkdir -p -m 0700 %s", filepath.Dir(file), filepath.Dir(file))
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, file); err != nil {
		return err
	}
	if cfg.Database.URL != "" {
		fmt.Fprintf(stdout, "Wrote %s, an SQLite copy of the PostgreSQL database %s as of now (readable by this user only). To restore: stop patrondesk, then patrondesk migrate --from %s --to URL, into a new, empty database.\n",
			file, cfg.DatabaseName(), file)
		return nil
	}
	fmt.Fprintf(stdout, "Wrote %s (readable by this user only). To restore: stop patrondesk, copy it over %s, remove %s-wal and %s-shm if present, start patrondesk.\n",
		file, cfg.Rel(cfg.Database.Path), cfg.Rel(cfg.Database.Path), cfg.Rel(cfg.Database.Path))
	return nil
}
