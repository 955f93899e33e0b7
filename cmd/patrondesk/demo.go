package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"patrondesk/config"
	"patrondesk/mailer"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

// The demo's patrons write these. The last one is a robot's.
var demoMail = []string{
	"From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Can I renew my books?\nMessage-ID: <demo-ann-1@patrons.test>\n" +
		"Date: %s\n\nHello,\nI have three books due on Friday. Can I keep them two more weeks?\nThanks, Ann\n",
	"From: =?windows-1252?Q?Marco_Ru=EDz?= <marco@patrons.test>\nTo: help@library.test\nSubject: Old photos of Main Street\nMessage-ID: <demo-marco-1@patrons.test>\n" +
		"Date: %s\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n" +
		"Do you have photos of Main Street from the 1950s? I=92m writing a short history for my grandchildren.\n",
	"From: Busy Person <busy@patrons.test>\nTo: help@library.test\nSubject: Out of office: your newsletter\nAuto-Submitted: auto-replied\nMessage-ID: <demo-busy-1@patrons.test>\n" +
		"Date: %s\n\nI am away until Monday.\n",
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := flags("demo", "demo [--keep]", stderr)
	keep := fs.Bool("keep", false, "keep the demo's folder (config and database) to explore with other commands")
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "patrondesk-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	srv, err := memserver.Start(nil, "help@library.test", "ann@patrons.test", "marco@patrons.test", "busy@patrons.test",
		"alice@library.test", "bob@library.test", "boss@library.test")
	if err != nil {
		return fmt.Errorf("start the demo's mail servers: %w", err)
	}
	defer srv.Close()
	cfg, err := demoConfig(dir, srv)
	if err != nil {
		return err
	}
	clk := clock.System{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := wire(ctx, cfg, clk, log, nil)
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintf(stdout, "patrondesk demo: mail servers on %s (IMAP) and %s (SMTP), database in %s\n\n", srv.IMAPAddr, srv.SMTPAddr, dir)
	fmt.Fprintln(stdout, "Three emails arrive at help@library.test: two from patrons, one automatic out-of-office reply.")
	for _, m := range demoMail {
		raw := fmt.Sprintf(m, clk.Now().Format(time.RFC1123Z))
		if err := srv.Append("help@library.test", "INBOX", []byte(strings.ReplaceAll(raw, "\n", "\r\n")), clk.Now()); err != nil {
			return err
		}
	}
	seen, err := demoRound(ctx, a, srv, stdout, 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n(The out-of-office reply got no answer: patrondesk never answers automated mail.)")
	fmt.Fprintln(stdout, "\nAnn answers the acknowledgement from her own mail client.")
	if err := demoReply(srv, clk, "ann@patrons.test", "One more thing: one of them is a DVD. Is that OK?", 1); err != nil {
		return err
	}
	if seen, err = demoRound(ctx, a, srv, stdout, seen); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nAlice answers from her own mail client, replying to that notice. Ann gets her words,\nfrom the library's address, without the quoted notice or Alice's address.")
	if err := demoReply(srv, clk, "alice@library.test", "Yes, DVDs can be renewed too. I have renewed all three until the 28th.\n\nAlice\n-- \nAlice Smith, Circulation desk, alice@library.test", 2); err != nil {
		return err
	}
	if _, err := demoRound(ctx, a, srv, stdout, seen); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nThe tickets now (patrondesk tickets list):")
	list, err := a.store.List(ctx, "active", clk.Now())
	if err != nil {
		return err
	}
	printTable(stdout, list, cfg.Location())
	if *keep {
		fmt.Fprintf(stdout, "\nThe demo's files are in %s. Try:\n  patrondesk tickets show 1 --config %s\n", dir, filepath.Join(dir, "patrondesk.toml"))
	}
	return nil
}

// demoConfig writes a config pointing at the in-process servers.
func demoConfig(dir string, srv *memserver.Servers) (*config.Config, error) {
	cfg := config.Default()
	if _, err := toml.Decode(string(config.Example), cfg); err != nil {
		return nil, err
	}
	cfg.Path = filepath.Join(dir, "patrondesk.toml")
	var err error
	cfg.IMAP.Host, cfg.IMAP.Port, err = splitHostPort(srv.IMAPAddr)
	if err != nil {
		return nil, err
	}
	cfg.SMTP.Host, cfg.SMTP.Port, err = splitHostPort(srv.SMTPAddr)
	if err != nil {
		return nil, err
	}
	cfg.IMAP.Password = memserver.Password
	f, err := os.OpenFile(cfg.Path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return cfg, toml.NewEncoder(f).Encode(cfg)
}

func splitHostPort(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	return h, n, err
}

// demoRound runs one `run --once` and prints every mail sent since skip.
func demoRound(ctx context.Context, a *app, srv *memserver.Servers, stdout io.Writer, skip int) (int, error) {
	fmt.Fprintln(stdout, "patrondesk takes the mail (run --once)...")
	if err := runOnce(ctx, a, io.Discard, time.Time{}); err != nil {
		return 0, err
	}
	got := srv.Received()
	for _, r := range got[skip:] {
		m, err := mailer.Parse(r.Raw)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(stdout, "\n=== To %s, from %s <%s>\n=== Subject: %s\n\n%s\n", strings.Join(r.To, ", "), m.From.Name, m.From.Email, m.Subject, indent(m.Text))
	}
	if len(got) == skip {
		fmt.Fprintln(stdout, "(no mail sent)")
	}
	return len(got), nil
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// demoReply writes who's answer to the last mail they received, threaded on
// it and quoting it below, as a mail client does.
func demoReply(srv *memserver.Servers, clk clock.Clock, who, text string, n int) error {
	got := srv.Received()
	for i := len(got) - 1; i >= 0; i-- {
		r := got[i]
		if len(r.To) != 1 || r.To[0] != who {
			continue
		}
		prev, err := mailer.Parse(r.Raw)
		if err != nil {
			return err
		}
		quoted := "> " + strings.ReplaceAll(prev.Text, "\n", "\n> ")
		raw := fmt.Sprintf("From: %s\nTo: help@library.test\nSubject: Re: %s\nIn-Reply-To: <%s>\nReferences: <%s>\nMessage-ID: <demo-%d@mail.test>\nDate: %s\n\n%s\n\nOn %s, %s wrote:\n%s\n",
			who, prev.Subject, prev.MessageID, prev.MessageID, n, clk.Now().Format(time.RFC1123Z), text,
			clk.Now().Format("Mon 2 Jan 2006"), prev.From.Name, quoted)
		return srv.Append("help@library.test", "INBOX", []byte(strings.ReplaceAll(raw, "\n", "\r\n")), clk.Now())
	}
	return fmt.Errorf("%s got no mail to answer", who)
}
