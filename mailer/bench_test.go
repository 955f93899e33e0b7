package mailer

import (
	"os"
	"testing"
)

func benchMessage(b *testing.B) []byte {
	raw, err := os.ReadFile("testdata/enmime__html-only-inline.eml")
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

var plainReply = []byte("From: Ann Lee <ann@example.test>\r\nTo: help@library.test\r\nSubject: Re: [Seymour #4] Please renew my books\r\n" +
	"Date: Mon, 07 Dec 2026 08:00:00 -0600\r\nMessage-ID: <ann-2@example.test>\r\nIn-Reply-To: <pd.4.x@library.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Thank you! One of them is a DVD, is that OK?\r\n\r\nOn Mon, Dec 7, 2026 at 9:00 AM Seymour Library <help@library.test> wrote:\r\n> Hello Ann,\r\n> We have your message.\r\n")

func BenchmarkParse(b *testing.B) {
	for name, raw := range map[string][]byte{"plain reply": plainReply, "html only": benchMessage(b)} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClassify(b *testing.B) {
	m, err := Parse(plainReply)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Classify(m, []string{"help@library.test"})
	}
}

func BenchmarkStripReply(b *testing.B) {
	m, _ := Parse(plainReply)
	for b.Loop() {
		StripReply(m.Text)
	}
}
