package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"patrondesk/tickets/clock"
)

// memory runs the built binary (`run --once`) over the ingest backlog with
// one 25 MB message added, and reads its peak resident memory. Sending is
// pointed at a closed port: only taking the mail is measured.
func (b *bench) memory(ctx context.Context) error {
	bin := filepath.Join(b.dir, "patrondesk")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/patrondesk").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	if err := b.refill(); err != nil {
		return err
	}
	cfg := filepath.Join(b.dir, "memory.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[library]
name = "Seymour Library"
address = "help@library.test"
timezone = "UTC"
tag = "Seymour"
[imap]
host = %q
port = %d
security = "none"
username = "help@library.test"
password = %q
[smtp]
host = "127.0.0.1"
port = 9
security = "none"
[database]
path = "memory.db"
[policy]
auto_reply_limit = 1000000000
[[staff]]
name = "Alice Smith"
email = "alice@library.test"
`, b.imapHost, b.imapPort, b.password)), 0o600)
	cmd := exec.Command(bin, "run", "--once", "--config", cfg)
	cmd.Env = append(os.Environ(), os.Getenv("BENCH_CHILD_ENV"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := clock.System{}.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	// The kernel's high-water mark of the process's own memory, read until
	// it exits. (wait4's ru_maxrss would count the bench's own memory too:
	// the child shares it between fork and exec.)
	peak := make(chan int)
	go func() {
		hwm := 0
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			v, ok := vmHWM(status)
			if !ok {
				peak <- hwm
				return
			}
			hwm = max(hwm, v)
			time.Sleep(time.Millisecond)
		}
	}()
	cmd.Wait() // sending fails by design: exit 1
	took := clock.System{}.Now().Sub(start)
	kb := <-peak
	if os.Getenv("BENCH_CHILD_ENV") != "" {
		os.Stderr.Write(out.Bytes())
	}
	b.add(row{what: fmt.Sprintf("peak memory taking %d messages + one of 25 MB (run --once, %v)", b.n+1, took.Round(time.Second)),
		patrondesk: fmt.Sprintf("%d MB", kb/1024), floor: "-", ratio: "-", target: "<= 100 MB"})
	return nil
}

// vmHWM reads VmHWM (peak resident memory, kB) from a /proc status file;
// false once the process is gone.
func vmHWM(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb, true
		}
	}
	return 0, false
}

// refill makes the backlog again in help@'s INBOX (empty before) and adds
// one message with a 25 MB attachment.
func (b *bench) refill() error {
	if err := b.empty(helpAddr, "INBOX", "Processed"); err != nil {
		return err
	}
	if _, err := b.fill(b.n); err != nil {
		return err
	}
	c, err := b.dial(helpAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	big := make([]byte, 18<<20) // 25 MB once base64-encoded
	rand.Read(big)
	raw := []byte("From: Ann Lee <ann@patrons.test>\r\nTo: help@library.test\r\nSubject: My thesis\r\nMessage-ID: <big@patrons.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHere it is.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=thesis.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrap(base64.StdEncoding.EncodeToString(big)) + "\r\n--b--\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	cmd.Write(raw)
	cmd.Close()
	_, err = cmd.Wait()
	return err
}
