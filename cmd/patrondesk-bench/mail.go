package main

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"mime"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"time"
)

func splitHostPort(addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		fail(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

var patrons = []string{"ann@patrons.test", "marco@patrons.test", "robot@patrons.test"}

var words = strings.Fields(`please renew my books card library hold interlibrary loan question
about the opening hours saturday children story time printer wifi password fine overdue
lost found reading list history local archive photos newspaper microfilm catalogue search
thank you very much for your help kind regards best wishes could would should`)

var latin = strings.Fields(`bibliothèque prêt réservation carte horaires été café señora niño año
mañana préstamo información Grüße Bücher Öffnungszeiten`)

// message makes the i-th realistic patron email: 2-4 KB of text in one of
// several charsets and encodings, every twentieth with a 100 KB PDF.
func message(i int, rng *rand.Rand, now time.Time) []byte {
	var text strings.Builder
	size := 2000 + rng.Intn(2000)
	for text.Len() < size {
		for j := 0; j < 12; j++ {
			if rng.Intn(8) == 0 {
				text.WriteString(latin[rng.Intn(len(latin))])
			} else {
				text.WriteString(words[rng.Intn(len(words))])
			}
			text.WriteByte(' ')
		}
		text.WriteString(".\r\n")
	}
	from := patrons[i%len(patrons)]
	head := fmt.Sprintf("From: Patron %d <%s>\r\nTo: help@library.test\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <bench-%d-%d@patrons.test>\r\nMIME-Version: 1.0\r\n",
		i, from, mime.QEncoding.Encode("utf-8", fmt.Sprintf("Request %d: renew my books, café", i)), now.Format(time.RFC1123Z), now.UnixNano(), i)
	body := textPart(text.String(), i%3)
	if i%20 == 0 {
		pdf := make([]byte, 75<<10) // 100 KB once base64-encoded
		rng.Read(pdf)
		return []byte(head + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n" + body + "\r\n--b1\r\n" +
			"Content-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			wrap(base64.StdEncoding.EncodeToString(pdf)) + "\r\n--b1--\r\n")
	}
	return []byte(head + body)
}

// textPart is the text as UTF-8 quoted-printable, Latin-1 quoted-printable
// or UTF-8 base64.
func textPart(s string, kind int) string {
	switch kind {
	case 0:
		return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp([]byte(s))
	case 1:
		latin1 := make([]byte, 0, len(s))
		for _, r := range s {
			if r < 256 {
				latin1 = append(latin1, byte(r))
			} else {
				latin1 = append(latin1, '?')
			}
		}
		return "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(latin1)
	}
	return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrap(base64.StdEncoding.EncodeToString([]byte(s)))
}

func qp(b []byte) string {
	var sb strings.Builder
	w := quotedprintable.NewWriter(&sb)
	w.Write(b)
	w.Close()
	return sb.String()
}

func wrap(s string) string {
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	sb.WriteString(s)
	return sb.String()
}
