package tickets

import (
	"context"
	"fmt"
	"testing"

	"patrondesk/mailer"
)

func TestRouteMatching(t *testing.T) {
	routes := []Route{
		{Team: "ill", To: []string{"ill@library.test"}},
		{Team: "schools", Senders: []string{"@school.test"}},
		{Team: "circulation", SubjectWords: []string{"renew", "library card"}},
		{Team: "access", BodyWords: []string{"wheelchair"}},
		{Team: "reference"},
	}
	tests := []struct {
		name string
		m    mailer.Message
		want string
	}{
		{"to address", mailer.Message{To: []mailer.Address{{Email: "ill@library.test"}}, Subject: "renew"}, "ill"},
		{"sender domain", mailer.Message{From: mailer.Address{Email: "teacher@school.test"}}, "schools"},
		{"subject word any case", mailer.Message{Subject: "RENEW please"}, "circulation"},
		{"subject phrase", mailer.Message{Subject: "Lost my library card!"}, "circulation"},
		{"whole words only", mailer.Message{Subject: "renewable energy books"}, "reference"},
		{"body word", mailer.Message{Subject: "visit", Text: "Is the entrance wheelchair friendly?"}, "access"},
		{"catch-all", mailer.Message{Subject: "hello"}, "reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routeTeam(routes, &tt.m); got != tt.want {
				t.Errorf("team = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOwnerIsFewestOpenThenRoundRobin(t *testing.T) {
	h := newHarness(t, nil)
	h.desk.opts.Routes = nil // every mail may go to Alice or Bob (Dana supervises)
	for i := 1; i <= 4; i++ {
		h.deliver(patronMail(fmt.Sprintf("p%d@example.test", i), "Question", "hello", i))
	}
	h.runOnce()
	owners := map[int64]string{}
	for _, v := range h.tickets("all") {
		owners[v.ID] = *v.Owner
	}
	want := map[int64]string{1: "alice@library.test", 2: "bob@library.test", 3: "alice@library.test", 4: "bob@library.test"}
	for id, w := range want {
		if owners[id] != w {
			t.Errorf("ticket %d owner %s, want %s (round robin)", id, owners[id], w)
		}
	}
	// Alice's two tickets are solved: she has fewer open ones, so she gets
	// the next two even though she had the last-but-one.
	if _, err := h.store.db.ExecContext(context.Background(), `UPDATE tickets SET status = 'solved' WHERE id IN (1, 3)`); err != nil {
		t.Fatal(err)
	}
	for i := 5; i <= 6; i++ {
		h.deliver(patronMail(fmt.Sprintf("p%d@example.test", i), "Question", "hello", i))
	}
	h.runOnce()
	for _, v := range h.tickets("all") {
		if v.ID >= 5 && *v.Owner != "alice@library.test" {
			t.Errorf("ticket %d went to %s; Alice had the fewest open", v.ID, *v.Owner)
		}
	}
}
