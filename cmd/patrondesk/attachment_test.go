package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTicketsAttachment: a patron's file taken by `deliver` is listed by
// `tickets show` and written out byte for byte by `tickets attachment`.
func TestTicketsAttachment(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "patrondesk.toml")
	if code, _, stderr := runCLI(t, "init", "--config", p); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	scan := make([]byte, 3000)
	for i := range scan {
		scan[i] = byte(i * 13)
	}
	msg := "From: Ann Lee <ann@patrons.test>\r\nTo: help@library.test\r\nSubject: My card\r\nMessage-ID: <cli-att@patrons.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nMy card, scanned.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"card scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(scan) + "\r\n--b--\r\n"
	file := filepath.Join(dir, "msg.eml")
	if err := os.WriteFile(file, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "deliver", "--file", file, "--config", p); code != 0 {
		t.Fatalf("deliver: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "tickets", "show", "1", "--config", p)
	if code != 0 || !strings.Contains(out, "card scan.pdf  application/pdf, 3 KB, from ann@patrons.test") {
		t.Errorf("tickets show: exit %d, %s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "tickets", "attachment", "1", "card scan.pdf", "--config", p); code != 0 || out != string(scan) {
		t.Errorf("tickets attachment: exit %d, %d bytes (want %d), %s", code, len(out), len(scan), stderr)
	}
	if code, _, stderr := runCLI(t, "tickets", "attachment", "1", "other.pdf", "--config", p); code != 1 || !strings.Contains(stderr, `no attachment named "other.pdf"`) || !strings.Contains(stderr, "tickets show 1") {
		t.Errorf("a missing name: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "tickets", "attachment", "1", "--config", p); code != 2 || !strings.Contains(stderr, "tickets attachment N NAME") {
		t.Errorf("no name: exit %d, %s", code, stderr)
	}
}
