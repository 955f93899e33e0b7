//go:build e2e

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EDeskPage: the built binary's daily summary reaches a supervisor
// through Postfix and Dovecot with her link; the running daemon's /desk
// answers 403 without a session and shows the desk after the link; and
// `patrondesk link` prints one line that does the same.
func TestE2EDeskPage(t *testing.T) {
	e := newE2E(t)
	emptyMailbox(t, "boss@library.test")
	listen := "127.0.0.1:" + env("E2E_DESK_HTTP_PORT", "18026")
	cfg, _ := os.ReadFile(e.cfg)
	text := string(cfg) + fmt.Sprintf("\n[http]\nlisten = %q\n\n[[staff]]\nname = \"Dana Boss\"\nemail = \"boss@library.test\"\nsupervisor = true\n", listen)
	if err := os.WriteFile(e.cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	send(t, "ann@patrons.test", "From: Ann Lee <ann@patrons.test>\nTo: help@library.test\nSubject: Please renew my books\nMessage-ID: <e2e-desk-1@patrons.test>\nDate: "+time.Now().Format(time.RFC1123Z)+"\n\nCan I keep Middlemarch two more weeks?\n")
	waitInbox(t, "help@library.test", 1)
	e.patrondesk("run", "--once")

	// The summary of the next weekday at 08:30 (the default hours), sent now.
	chicago, _ := time.LoadLocation("America/Chicago")
	at := time.Now().In(chicago).AddDate(0, 0, 1)
	for at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
		at = at.AddDate(0, 0, 1)
	}
	moment := time.Date(at.Year(), at.Month(), at.Day(), 8, 30, 0, 0, chicago).Format(time.RFC3339)
	if out := e.patrondesk("run", "--once", "--at", moment, "--commit"); !strings.Contains(out, "daily summary to boss@library.test") {
		t.Fatalf("run --once --at %s said:\n%s", moment, out)
	}
	summary := waitInbox(t, "boss@library.test", 1)[0]
	link := regexp.MustCompile(`http://\S+/desk/login\?t=\S+`).FindString(summary.msg.Text)
	if !strings.HasPrefix(link, "http://"+listen+"/desk/login?t=") {
		t.Fatalf("the summary's link %q is not on %s:\n%s", link, listen, summary.msg.Text)
	}

	cmd := exec.Command(e.bin, "run", "--config", e.cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	var resp *http.Response
	for i := 0; i < 50; i++ { // the listener starts with the daemon
		var err error
		if resp, err = http.Get("http://" + listen + "/desk"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/desk without a session: %v", resp)
	}
	for name, l := range map[string]string{"the summary's link": link, "patrondesk link": strings.TrimSpace(e.patrondesk("link", "boss@library.test"))} {
		if strings.Contains(l, "\n") {
			t.Errorf("%s is more than one line: %q", name, l)
		}
		jar, _ := cookiejar.New(nil)
		resp, err := (&http.Client{Jar: jar}).Get(l)
		if err != nil {
			t.Fatal(err)
		}
		page := httpBody(resp)
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/desk" || !strings.Contains(page, "Signed in as boss@library.test") ||
			!strings.Contains(page, `<th scope="row">Alice Smith</th><td>1</td>`) || strings.Contains(page, "ann@patrons.test") {
			t.Errorf("%s: %d at %s:\n%s", name, resp.StatusCode, resp.Request.URL, page)
		}
	}
}

func httpBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
