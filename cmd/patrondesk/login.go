package main

import (
	"context"
	"fmt"
	"io"

	"patrondesk/mailer"
)

// cmdLogin runs the device-code flow for one mailbox whose administrator
// must consent interactively, and keeps the refresh token for the daemon.
func cmdLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("login", "login [--mailbox NAME]", stderr)
	box := fs.String("mailbox", "", "the [[mailbox]] to log in; default [imap]'s (and [smtp]'s)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	o, ok := cfg.IMAPOAuth2()
	if !ok {
		o, ok = cfg.SMTPOAuth2()
	}
	if *box != "" {
		ok = false
		for i, m := range cfg.Mailboxes {
			if m.Name == *box {
				o, ok = cfg.MailboxOAuth2(i)
			}
		}
		if !ok {
			return usageErr("no [[mailbox]] named %q with auth = \"oauth2\"", *box)
		}
	}
	if !ok {
		return usageErr("no login uses OAuth2: set auth = \"oauth2\" in [imap] or [smtp] and fill in [oauth2]")
	}
	if o.Flow != mailer.FlowDevice {
		return usageErr("oauth2.flow is %q: only flow = \"device\" needs `patrondesk login`; `patrondesk check` tests the others", o.Flow)
	}
	err = mailer.DeviceLogin(ctx, oauthOptions(o), func(url, code string) {
		fmt.Fprintf(stdout, "To let patrondesk read and send mail as %s:\n  1. open %s\n  2. type the code %s\n  3. sign in as %s and accept.\nWaiting...\n", o.User, url, code, o.User)
	})
	if err != nil {
		return err
	}
	// Never the token itself: it is a password.
	fmt.Fprintf(stdout, "Done. The consent is kept in %s (readable by this user only).\nNext: patrondesk check\n", o.TokenFile)
	return nil
}
