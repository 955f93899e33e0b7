package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"patrondesk/mailer/memserver"
	"patrondesk/tickets/clock"
)

// deskWithTwoTickets is a config and database holding Ann's renewal and
// Marco's lost card, taken by `run --once`.
func deskWithTwoTickets(t *testing.T) string {
	t.Helper()
	srv, err := memserver.Start(nil, "help@library.test", "alice@library.test", "bob@library.test", "boss@library.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg, err := demoConfig(t.TempDir(), srv)
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, cfg)
	now := clock.System{}.Now()
	srv.Append("help@library.test", "INBOX", mail("s1@patrons.test", "Ann Lee <ann@patrons.test>", "Please renew my books", "Can I keep Middlemarch two more weeks?"), now)
	srv.Append("help@library.test", "INBOX", mail("s2@patrons.test", "Marco Ruiz <marco@patrons.test>", "Card", "I lost my library card on the bus."), now)
	if code, _, stderr := runCLI(t, "run", "--once", "--config", cfg.Path); code != 0 {
		t.Fatalf("run --once: exit %d: %s", code, stderr)
	}
	return cfg.Path
}

func TestTicketsSearchCommand(t *testing.T) {
	cfg := deskWithTwoTickets(t)
	code, out, stderr := runCLI(t, "tickets", "search", "lost", "bus", "--json", "--config", cfg)
	var hits []struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		Subject    string `json:"subject"`
		PatronName string `json:"patron_name"`
		Snippet    string `json:"snippet"`
	}
	if err := json.Unmarshal([]byte(out), &hits); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s %s", code, err, out, stderr)
	}
	if len(hits) != 1 || hits[0].Subject != "Card" || hits[0].PatronName != "Marco Ruiz" || hits[0].Status != "open" || !strings.Contains(hits[0].Snippet, "[bus]") {
		t.Errorf("hits = %+v", hits)
	}
	if strings.Contains(out, "marco@patrons.test") {
		t.Errorf("search output shows the patron's address: %s", out)
	}
	_, out, _ = runCLI(t, "tickets", "search", "middlemarch", "--config", cfg)
	if !strings.Contains(out, "Please renew my books") || !strings.Contains(out, "Ann Lee") {
		t.Errorf("table output: %s", out)
	}
	_, out, _ = runCLI(t, "tickets", "search", "dinosaur", "--config", cfg)
	if !strings.Contains(out, `No ticket mentions "dinosaur"`) {
		t.Errorf("no hits: %q", out)
	}
	if code, _, stderr := runCLI(t, "tickets", "search", "--config", cfg); code != 2 || !strings.Contains(stderr, "needs words") {
		t.Errorf("no words: exit %d %q", code, stderr)
	}
}

func TestTicketsListByPatronAndOwner(t *testing.T) {
	cfg := deskWithTwoTickets(t)
	ids := func(args ...string) []int64 {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"tickets", "list", "--json", "--config", cfg}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, stderr)
		}
		var list []struct{ ID int64 }
		json.Unmarshal([]byte(out), &list)
		var got []int64
		for _, v := range list {
			got = append(got, v.ID)
		}
		return got
	}
	if got := ids("--patron", "ANN@patrons.test"); len(got) != 1 || got[0] != 1 {
		t.Errorf("--patron ann: %v", got)
	}
	all := ids()
	var aliceIDs []int64
	_, out, _ := runCLI(t, "tickets", "list", "--json", "--config", cfg)
	var list []struct {
		ID    int64
		Owner *string
	}
	json.Unmarshal([]byte(out), &list)
	for _, v := range list {
		if v.Owner != nil && *v.Owner == "alice@library.test" {
			aliceIDs = append(aliceIDs, v.ID)
		}
	}
	if got := ids("--owner", "Alice"); len(aliceIDs) == 0 || !slices.Equal(got, aliceIDs) || len(all) != 2 {
		t.Errorf("--owner Alice: %v, want %v (all %v)", got, aliceIDs, all)
	}
	if code, _, stderr := runCLI(t, "tickets", "list", "--owner", "Zed", "--config", cfg); code != 2 || !strings.Contains(stderr, "nobody on the staff list") {
		t.Errorf("unknown owner: exit %d %q", code, stderr)
	}
}

func TestTicketsMergeCommand(t *testing.T) {
	cfg := deskWithTwoTickets(t)
	if code, _, stderr := runCLI(t, "tickets", "merge", "1", "2", "--config", cfg); code != 2 || !strings.Contains(stderr, "another patron") {
		t.Errorf("merging two patrons' tickets: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "tickets", "merge", "1", "--config", cfg); code != 2 || !strings.Contains(stderr, "two ticket numbers") {
		t.Errorf("one number: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "tickets", "merge", "9", "1", "--config", cfg); code != 1 || !strings.Contains(stderr, "no ticket 9") {
		t.Errorf("missing ticket: exit %d %q", code, stderr)
	}
}
