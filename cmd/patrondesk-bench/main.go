// Command patrondesk-bench measures patrondesk against the real mail stack
// and prints each figure beside the physical floor of the same work,
// measured in the same run: ingest against a bare IMAP fetch, sending
// against go-mail on one connection, pickup latency against Dovecot's own
// IDLE notice, plus scale (a million tickets) and memory. Start the mail
// stack first (.ci/bench does it all in one line).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"
)

// bench is one run's settings and results.
type bench struct {
	imapHost, smtpHost string
	imapPort, smtpPort int
	password           string
	n, send, latency   int
	passN, connections int
	rate               float64
	tickets            int
	moveTickets        int
	dir                string
	engine             string   // the database the part runs on: sqlite or postgres
	postgres           string   // PostgreSQL admin URL; each part gets a schema
	schemas            []string // made in PostgreSQL, dropped at the end
	log                *slog.Logger
	rows               []row
}

// row is one line of the results table.
type row struct{ what, engine, floor, patrondesk, ratio, target string }

func (b *bench) add(r row) {
	r.engine = b.engine
	b.rows = append(b.rows, r)
	fmt.Fprintf(os.Stderr, "  %s on %s: patrondesk %s, floor %s, %s\n", r.what, r.engine, r.patrondesk, r.floor, r.ratio)
}

func main() {
	b := &bench{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	imap := flag.String("imap", "127.0.0.1:"+env("MAILSTACK_IMAP_PORT", "1143"), "Dovecot IMAP address")
	smtp := flag.String("smtp", "127.0.0.1:"+env("MAILSTACK_SMTP_PORT", "2525"), "Postfix SMTP address")
	flag.StringVar(&b.password, "password", env("MAILSTACK_PASSWORD", "secret"), "every test user's password")
	flag.IntVar(&b.n, "n", 10000, "messages in the ingest backlog")
	flag.IntVar(&b.send, "send", 2000, "mails to send in the send test")
	flag.IntVar(&b.latency, "latency", 200, "messages in the pickup latency test")
	flag.Float64Var(&b.rate, "rate", 5, "messages a second in the pickup latency test")
	flag.IntVar(&b.tickets, "tickets", 1000000, "tickets in the scale test's database")
	flag.IntVar(&b.moveTickets, "move", 100000, "tickets in the desk the migrate test copies to PostgreSQL")
	flag.IntVar(&b.passN, "pass", 500, "messages taken in the whole-pass test (each sends two mails)")
	flag.IntVar(&b.connections, "connections", 3, "SMTP connections in the whole-pass test (smtp.connections)")
	only := flag.String("only", "pass,ingest,send,latency,scale,memory,migrate", "which parts to run")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the run here")
	engine := flag.String("engine", "", "database for ingest, send and latency: sqlite, postgres or both (default both when a PostgreSQL URL is given, else sqlite)")
	flag.StringVar(&b.postgres, "postgres", os.Getenv("PATRONDESK_TEST_POSTGRES"), "PostgreSQL admin URL (bash .ci/postgres start prints one)")
	flag.Parse()
	engs, err := engines(*engine, b.postgres)
	if err != nil {
		fail(err)
	}
	b.imapHost, b.imapPort = splitHostPort(*imap)
	b.smtpHost, b.smtpPort = splitHostPort(*smtp)
	dir, err := os.MkdirTemp("", "patrondesk-bench-")
	defer b.dropSchemas()
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	b.dir = dir
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	parts := map[string]func(context.Context) error{
		"pass": b.pass, "ingest": b.ingest, "send": b.sendTest, "latency": b.pickup, "scale": b.scale, "memory": b.memory, "migrate": b.migrate,
	}
	for _, name := range strings.Split(*only, ",") {
		run := parts[name]
		if run == nil {
			fail(fmt.Errorf("no part named %q", name))
		}
		on := []string{"sqlite"}
		if perEngine[name] {
			on = engs
		}
		for _, e := range on {
			b.engine = e
			if perEngine[name] {
				fmt.Fprintf(os.Stderr, "== %s on %s\n", name, e)
			} else {
				fmt.Fprintf(os.Stderr, "== %s\n", name)
			}
			if err := run(ctx); err != nil {
				b.dropSchemas()
				fail(fmt.Errorf("%s on %s: %w", name, e, err))
			}
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WHAT\tENGINE\tPATRONDESK\tFLOOR\tRATIO\tTARGET")
	for _, r := range b.rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.what, r.engine, r.patrondesk, r.floor, r.ratio, r.target)
	}
	w.Flush()
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "patrondesk-bench:", err)
	os.Exit(1)
}

func rate(n int, d time.Duration) string { return fmt.Sprintf("%.0f msg/s", float64(n)/d.Seconds()) }
