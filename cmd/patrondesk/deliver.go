package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"patrondesk/mailer"
	"patrondesk/tickets/clock"
)

// exTempFail is sysexits' EX_TEMPFAIL: the mail server keeps the message
// and tries again later.
const exTempFail = 75

// cmdDeliver takes one message from standard input (or --file) exactly as
// intake would: one transaction, the same dedupe. For Postfix's pipe or
// Dovecot's sieve instead of IMAP. Every failure exits 75 so the message
// is never lost; an unreadable message is quarantined, which is success.
func cmdDeliver(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("deliver", "deliver [--mailbox NAME] [--file FILE] [--send] < message", stderr)
	box := fs.String("mailbox", "deliver", "name to file the message under; a [[mailbox]] name gives it that mailbox's team")
	file := fs.String("file", "", "read the message from this file instead of standard input")
	send := fs.Bool("send", false, "also send the outbox now (the acknowledgement), instead of leaving it to the daemon")
	if err := parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err // --help is not a failure: exit 0
		}
		return &exitError{exTempFail, err}
	}
	in := io.Reader(os.Stdin)
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return &exitError{exTempFail, err}
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 64<<20))
	if err != nil {
		return &exitError{exTempFail, fmt.Errorf("read the message: %w", err)}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return &exitError{exTempFail, err}
	}
	limitMemory()
	clk := clock.System{}
	a, err := wire(ctx, cfg, clk, newLogger(stderr, false), nil)
	if err != nil {
		return &exitError{exTempFail, err}
	}
	defer a.Close()
	out, err := a.desk.Receive(ctx, mailer.Delivery{Mailbox: *box, Raw: raw})
	if err != nil {
		return &exitError{exTempFail, err}
	}
	fmt.Fprintf(stdout, "%s\n", out)
	if *send {
		if _, err := a.sender.Drain(ctx); err != nil {
			fmt.Fprintf(stderr, "patrondesk: the message is taken; sending waits for later: %v\n", err)
		}
	}
	return nil
}
