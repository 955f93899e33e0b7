package tickets

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestSearchFindsWordsInBodiesAndSubjects(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Please renew my books", "Can I keep Middlemarch two more weeks?", 1))
	h.deliver(patronMail("Marco Ruiz <marco@example.test>", "Lost card", "I lost my library card at the café yesterday.", 2))
	h.deliver(patronMail("Kim Park <kim@example.test>", "Middlemarch audiobook", "Is there an audiobook of Middlemarch? I loved the Middlemarch film.", 3))
	h.runOnce()
	ctx := context.Background()

	cases := []struct {
		name  string
		words string
		want  []int64
	}{
		{"a word only in a body", "café", []int64{2}},
		{"diacritics folded", "cafe", []int64{2}},
		{"subject matches rank first", "middlemarch", []int64{3, 1}},
		{"every word is required", "middlemarch weeks", []int64{1}},
		{"a prefix finds the word", "renew", []int64{1}},
		{"punctuation is ignored", `"lost" card!`, []int64{2}},
		{"nothing matches", "dinosaur", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits, err := h.store.Search(ctx, c.words, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, hit := range hits {
				got = append(got, hit.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Search(%q) = %v, want %v", c.words, got, c.want)
			}
		})
	}

	hits, _ := h.store.Search(ctx, "audiobook", 0)
	if len(hits) != 1 || hits[0].PatronName != "Kim Park" || hits[0].Status != "open" || !strings.Contains(hits[0].Snippet, "[audiobook]") {
		t.Errorf("hit = %+v", hits)
	}
	if _, err := h.store.Search(ctx, "!!!", 0); err == nil {
		t.Error("a search without words should say so")
	}
}

func TestSearchForgetsPurgedTickets(t *testing.T) {
	h := newHarness(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Renew", "My library card number is 29990001234567.", 1))
	h.runOnce()
	if hits, _ := h.store.Search(context.Background(), "29990001234567", 0); len(hits) != 1 {
		t.Fatalf("before purge: %d hits", len(hits))
	}
	if _, err := h.store.db.Exec(`UPDATE messages SET body = '', subject = '' WHERE ticket_id = 1`); err != nil {
		t.Fatal(err)
	}
	if hits, _ := h.store.Search(context.Background(), "29990001234567", 0); len(hits) != 0 {
		t.Errorf("after the bodies were blanked the number is still found: %+v", hits)
	}
}
