package main

import (
	"context"
	"fmt"
	"io"

	"patrondesk/tickets/clock"
)

// cmdKeys rotates the key that signs patrondesk's Message-IDs. Replies to
// mail signed with the previous key keep working for
// staff_mail.token_lifetime.
func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("keys", "keys rotate", stderr)
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "rotate" {
		fs.Usage()
		return usageErr("keys: the one action is \"rotate\"")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.RotateSigningKey(ctx, clock.System{}.Now()); err != nil {
		return err
	}
	life := "for good (staff_mail.token_lifetime is 0)"
	if lt := cfg.StaffMail.TokenLifetime.Duration; lt > 0 {
		life = fmt.Sprintf("for %d days (staff_mail.token_lifetime)", int(lt.Hours()/24))
	}
	fmt.Fprintf(stdout, "New signing key made. Replies to mail signed with the previous key keep working %s.\nRestart the daemon so it signs with the new key (a reload with SIGHUP is not enough).\n", life)
	return nil
}
