package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"patrondesk/mailer"
	"patrondesk/mailer/memserver"
	"patrondesk/tickets/testdb"
)

// distinctWords is about size bytes of different five-letter words in lines
// of ten (a pasted log, a list of barcodes): far more than one PostgreSQL
// tsvector holds (1 MB of words and positions).
func distinctWords(size int) (string, []string) {
	var b strings.Builder
	var words []string
	for i := 0; b.Len() < size; i++ {
		w := []byte("aaaaa")
		for j, n := 4, i; j >= 0; j, n = j-1, n/26 {
			w[j] = byte('a' + n%26)
		}
		words = append(words, string(w))
		b.Write(w)
		if i%10 == 9 {
			b.WriteString("\r\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String(), words
}

func TestReviewPGHugeBodyOfDistinctWordsIsTakenAndFound(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	body, words := distinctWords(900_000)
	raw := "From: Ann Lee <ann@example.test>\r\nTo: help@library.test\r\nSubject: Barcode list\r\n" +
		"Message-ID: <words@example.test>\r\n\r\nPlease check these:\r\n" + body
	out, err := h.desk.Receive(ctx, mailer.Delivery{Raw: []byte(raw)})
	if err != nil {
		t.Fatalf("a mail with a long list of words was refused, so the mailbox would stall on it: %v", err)
	}
	if out != Created {
		t.Fatalf("outcome %s, want %s", out, Created)
	}
	for _, q := range []string{"barcode", words[1]} {
		hits, err := h.store.Search(ctx, q, 0)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if len(hits) != 1 || hits[0].ID != 1 {
			t.Errorf("search %q found %+v, want ticket 1", q, hits)
		}
	}
}

// sortLikePeople gives the address columns the linguistic order most
// PostgreSQL servers use by default (a database made under en_US.UTF-8, or
// an ICU locale), where punctuation does not sort by its byte value as in
// C and SQLite. On SQLite it does nothing.
func sortLikePeople(t *testing.T, h *harness) {
	t.Helper()
	if h.store.Engine() != PostgreSQL {
		return
	}
	for _, c := range []string{"outbox.to_email", "tickets.patron_email"} {
		table, column, _ := strings.Cut(c, ".")
		if _, err := h.store.db.Exec(`ALTER TABLE ` + table + ` ALTER COLUMN ` + column + ` TYPE TEXT COLLATE "und-x-icu"`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReviewPGPlusTagsShareTheCapWhateverTheCollation(t *testing.T) {
	h := safeHarness(t)
	h.desk.opts.FirstAckLimit = 100 // only the cap per mailbox is under test
	sortLikePeople(t, h)
	for i := 0; i < 2*h.desk.opts.AutoReplyLimit; i++ {
		h.deliver(raw(fmt.Sprintf("Victim <victim+%d@patrons.test>", i), fmt.Sprintf("Question %d about my card %d", i, i*31),
			passAR, fmt.Sprintf("Hello, this is message %d. My card %d does not work at the self-checkout, what should I do? Thanks, V%d", i, i*17, i), i))
		h.clock.Advance(10 * time.Second)
	}
	h.runOnce()
	total := 0
	for k, v := range h.mailboxes() {
		if strings.HasSuffix(k, "@patrons.test") {
			total += v
		}
	}
	if total > h.desk.opts.AutoReplyLimit {
		t.Errorf("one mailbox got %d mails through +tags, want at most %d", total, h.desk.opts.AutoReplyLimit)
	}
}

// Words inside addresses, links, numbers with dashes and file names are
// words to SQLite's FTS4 (any run of letters and digits); PostgreSQL's
// parser would keep "ann.lee@example.test" or "978-0-14-143956-9" as one
// token and find none of their parts.
func TestReviewPGSearchFindsWordsInsideAddressesLinksAndNumbers(t *testing.T) {
	h := newHarness(t, nil)
	h.deliver(patronMail("Ann Lee <ann@example.test>", "Interlibrary loan", "Please send it to ann.lee@workplace.test, see "+
		"https://catalog.library.test/record/middlemarch-1871 or ISBN 978-0-14-143956-9, file scan_0042.pdf, version 2.4.1, o'brien", 1))
	h.runOnce()
	cases := []struct{ name, words string }{
		{"the name in an address", "workplace"},
		{"the host of a link", "catalog"},
		{"the path of a link", "middlemarch 1871"},
		{"a group of an ISBN", "143956"},
		{"part of a file name", "scan"},
		{"a number in a file name", "0042"},
		{"a part of a version", "4"},
		{"a name with an apostrophe", "brien"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits, err := h.store.Search(context.Background(), c.words, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 {
				t.Errorf("Search(%q) found %d tickets, want the one", c.words, len(hits))
			}
		})
	}
}

// cLocaleHarness is a harness on a PostgreSQL database of its own made
// with the C locale (initdb --locale=C, or CREATE DATABASE … LC_CTYPE 'C'),
// whose lower() and text search change the case of A to Z only.
func cLocaleHarness(t *testing.T) *harness {
	t.Helper()
	srv, err := memserver.Start(nil, helpAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return newHarnessOn(t, srv, newDatabase(t, "UTF8"))
}

// newDatabase makes a PostgreSQL database of its own for the test, in the
// C locale and the encoding given, and returns its URL.
func newDatabase(t *testing.T, encoding string) string {
	t.Helper()
	testdb.Schema(t) // skipped without PostgreSQL, failed in CI
	admin := testdb.Postgres()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("pdt_c_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := db.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING '` + encoding + `' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// initdb without a locale in its environment makes SQL_ASCII databases,
// which take any bytes and fold only A to Z, and a LATIN1 database cannot
// hold a Cyrillic name: the desk says so when it opens one, rather than
// stall later on a mail it cannot save.
func TestReviewPGRefusesADatabaseThatIsNotUTF8(t *testing.T) {
	target := newDatabase(t, "SQL_ASCII")
	s, err := Open(context.Background(), target)
	if err == nil {
		s.Close()
		t.Fatal("a SQL_ASCII database was opened")
	}
	if !strings.Contains(err.Error(), "ENCODING 'UTF8'") {
		t.Errorf("the error does not say how to make a database that works: %v", err)
	}
}

func TestReviewPGSearchFoldsCapitalsInACLocaleDatabase(t *testing.T) {
	h := cLocaleHarness(t)
	h.deliver(patronMail("Élodie Brun <elodie@example.test>", "ÉTÉ À LA BIBLIOTHÈQUE", "HORAIRES D'ÉTÉ? ДОБРЫЙ ДЕНЬ, ΚΑΛΗΜΕΡΑ", 1))
	h.runOnce()
	for _, words := range []string{"été", "ete", "bibliotheque", "horaires", "добрый", "καλημερα"} {
		hits, err := h.store.Search(context.Background(), words, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 {
			t.Errorf("Search(%q) found %d tickets, want the one in capitals", words, len(hits))
		}
	}
}

// The words a person searches for are folded in Go (fold), the text in
// PostgreSQL (pd_fold): they must fold every letter alike.
func TestReviewPGFoldAgreesWithTheDatabase(t *testing.T) {
	h := pgHarness(t)
	letters := foldFrom + strings.ToUpper(foldFrom) + " Ærø ÉTÉ Ça İstanbul"
	var got string
	if err := h.store.db.QueryRow(`SELECT pd_fold(?)`, letters).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := fold(letters); got != want {
		t.Errorf("pd_fold = %q\nfold    = %q", got, want)
	}
}
