package mailer

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the shared corpus of real-world mail, beside the checkout.
func corpusDir(t testing.TB) string {
	dir := os.Getenv("PATRONDESK_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus not found at %s (set PATRONDESK_CORPUS); CI must have it", dir)
		}
		t.Skipf("corpus not found at %s: set PATRONDESK_CORPUS to walk it", dir)
	}
	return dir
}

type corpusEntry struct{ path, class, note string }

func readManifest(t testing.TB, dir string) []corpusEntry {
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusEntry
	for _, row := range rows[1:] {
		out = append(out, corpusEntry{row[0], row[4], row[5]})
	}
	return out
}

// wantKind maps the MANIFEST's classes onto Classify's kinds: replies and
// malformed-but-readable mail are people writing.
func wantKind(class string) Kind {
	switch class {
	case "auto_reply":
		return AutoReply
	case "bounce":
		return Bounce
	case "list_or_bulk":
		return Bulk
	}
	return Personal
}

// knownMisses are corpus messages whose class cannot be told from the mail
// itself: spam with no list or spam header, and list mail whose list headers
// were stripped upstream. Each is answered like a person's mail would be, which
// is what a human-run help desk would do too. A new miss fails the test.
var knownMisses = map[string]string{
	"charsets/mail__content_transfer_encoding_empty.eml":     "spam, no bulk headers",
	"list/rt__multipart-alternative-with-umlaut.eml":         "list copy with the list headers stripped",
	"list/mime4j__jt-0498.eml":                               "list copy with the list headers stripped",
	"list/mail__content_transfer_encoding_plain.eml":         "spam, no bulk headers",
	"list/mail__content_transfer_encoding_qp_with_space.eml": "spam, no bulk headers",
	"list/mail__content_transfer_encoding_spam.eml":          "spam, no bulk headers",
	"list/mail__content_transfer_encoding_text-html.eml":     "spam, no bulk headers",
	"list/mail__content_transfer_encoding_with_8bits.eml":    "newsletter from a bulk tool, no bulk headers",
	"list/mail__raw_email_with_bad_date.eml":                 "spam, no bulk headers",
	"list/flanker__broken-headers.eml":                       "spam, no bulk headers",
	"list/flanker__broken-ctype.eml":                         "a one-line test message filed as list",
	"malformed/stalwart__000.eml":                            "no sender, subject or text: the desk quarantines it",
}

// TestCorpus walks every real-world message: each must parse (or be
// quarantined with a reason) and be classified as the MANIFEST says.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	entries := readManifest(t, dir)
	type tally struct{ total, match, known int }
	byClass := map[string]*tally{}
	var wrong []string
	quarantined := 0
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.path))
		if err != nil {
			t.Fatal(err)
		}
		tl := byClass[e.class]
		if tl == nil {
			tl = &tally{}
			byClass[e.class] = tl
		}
		tl.total++
		m, err := Parse(raw)
		if err != nil {
			quarantined++
			if wantKind(e.class) == Personal {
				wrong = append(wrong, fmt.Sprintf("%s: quarantined (%v), want readable %s", e.path, err, e.class))
			} else {
				tl.match++ // automated mail quarantined is still never answered
			}
			continue
		}
		got := Classify(m, []string{"help@library.test"})
		want := wantKind(e.class)
		// Malformed mail only has to be readable; its sender may be anything.
		ok := got.Kind == want || e.class == "malformed_but_readable"
		if want == Personal && m.Text == "" && m.Subject == "" && len(m.Attachments) == 0 {
			ok = false
			got.Reason += " (and nothing readable found)"
		}
		if e.class == "reply" && !m.IsReply() {
			ok = false
			got.Reason += " (not seen as a reply)"
		}
		switch {
		case ok:
			tl.match++
		case knownMisses[e.path] != "":
			tl.known++
		default:
			wrong = append(wrong, fmt.Sprintf("%s: got %s (%s), want %s", e.path, got.Kind, got.Reason, e.class))
		}
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-24s %6s %6s %12s\n", "class", "total", "match", "known miss")
	for _, c := range classes {
		tl := byClass[c]
		fmt.Fprintf(&b, "%-24s %6d %6d %12d\n", c, tl.total, tl.match, tl.known)
	}
	fmt.Fprintf(&b, "%d messages, %d quarantined\n", len(entries), quarantined)
	t.Log(b.String())
	for _, w := range wrong {
		t.Error(w)
	}
}
