package mailer

import (
	"strings"
	"testing"
)

// TestTextAroundAFile: Apple Mail puts a file between two text parts of a
// multipart/mixed; both are what the writer wrote. Of the parts of a
// multipart/alternative, only the first plain one counts.
func TestTextAroundAFile(t *testing.T) {
	cases := []struct {
		name     string
		raw      string
		want     []string
		notWant  []string
		wantFile string
	}{
		{"Apple Mail: text, a PDF, more text",
			"From: Alice <alice@library.test>\r\nSubject: Form\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHere is the form.\r\n--B\r\nContent-Type: application/pdf; name=form.pdf\r\nContent-Disposition: inline; filename=form.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlease sign page 2 and send it back.\r\n--B--\r\n",
			[]string{"Here is the form.", "Please sign page 2 and send it back."}, nil, "form.pdf"},
		{"alternative: the plain part once, not the HTML",
			"From: Ann <ann@example.test>\r\nSubject: Hi\r\nContent-Type: multipart/alternative; boundary=\"A\"\r\n\r\n--A\r\nContent-Type: text/plain\r\n\r\nPlain words.\r\n--A\r\nContent-Type: text/plain\r\n\r\nA second plain alternative.\r\n--A\r\nContent-Type: text/html\r\n\r\n<p>HTML words.</p>\r\n--A--\r\n",
			[]string{"Plain words."}, []string{"second plain alternative", "HTML words"}, ""},
		{"mixed of two alternatives around a file",
			"From: Ann <ann@example.test>\r\nSubject: Hi\r\nContent-Type: multipart/mixed; boundary=\"M\"\r\n\r\n--M\r\nContent-Type: multipart/alternative; boundary=\"A1\"\r\n\r\n--A1\r\nContent-Type: text/plain\r\n\r\nFirst words.\r\n--A1\r\nContent-Type: text/html\r\n\r\n<p>First words.</p>\r\n--A1--\r\n--M\r\nContent-Type: image/jpeg; name=card.jpg\r\nContent-Disposition: inline; filename=card.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--M\r\nContent-Type: multipart/alternative; boundary=\"A2\"\r\n\r\n--A2\r\nContent-Type: text/plain\r\n\r\nLast words.\r\n--A2\r\nContent-Type: text/html\r\n\r\n<p>Last words.</p>\r\n--A2--\r\n--M--\r\n",
			[]string{"First words.", "Last words."}, nil, "card.jpg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if strings.Count(m.Text, w) != 1 {
					t.Errorf("Text lacks %q once:\n%s", w, m.Text)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(m.Text, w) {
					t.Errorf("Text holds %q:\n%s", w, m.Text)
				}
			}
			if c.wantFile != "" && (len(m.Attachments) != 1 || m.Attachments[0].Name != c.wantFile) {
				t.Errorf("attachments = %+v", m.Attachments)
			}
		})
	}
}
