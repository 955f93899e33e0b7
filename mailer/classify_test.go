package mailer

import "testing"

func TestClassify(t *testing.T) {
	own := []string{"help@library.test"}
	tests := []struct {
		name string
		raw  string
		want Kind
	}{
		{"plain patron request", "From: Ann <ann@example.test>\nSubject: Renew my books\n\nPlease renew.", Personal},
		{"patron reply to our ack", "From: ann@example.test\nSubject: Re: [Seymour #4] Renew\nIn-Reply-To: <x@library.test>\n\nThanks!", Personal},
		{"Auto-Submitted: no is a person", "From: ann@example.test\nAuto-Submitted: no\nSubject: hi\n\nhello", Personal},
		{"RFC 3834 vacation", "From: ann@example.test\nAuto-Submitted: auto-replied\nSubject: Away\n\nI am away.", AutoReply},
		{"Outlook automatic reply, no RFC 3834", "From: ann@example.test\nSubject: Automatic reply: Renew\nX-Auto-Response-Suppress: All\n\nOut of office.", AutoReply},
		{"German out of office", "From: ann@example.test\nSubject: Abwesenheitsnotiz: Ihre Anfrage\n\nIch bin nicht da.", AutoReply},
		{"X-Autoreply header", "From: ann@example.test\nX-Autoreply: yes\nSubject: Thanks\n\nGot it.", AutoReply},
		{"empty return path", "Return-Path: <>\nFrom: ann@example.test\nSubject: Thanks for your mail\n\nGot it.", AutoReply},
		{"read receipt", "From: ann@example.test\nSubject: Read: Renew\nContent-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n--b\nContent-Type: text/plain\n\nread\n--b--\n", AutoReply},
		{"DSN", "From: MAILER-DAEMON@mx.example.test\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nfailed\n--b--\n", Bounce},
		{"postmaster without report", "From: postmaster@example.test\nSubject: failure notice\n\nSorry.", Bounce},
		{"Exim X-Failed-Recipients", "From: x@example.test\nX-Failed-Recipients: ann@example.test\nSubject: Mail delivery failed\n\nfailed", Bounce},
		{"mailing list", "From: ann@example.test\nList-Id: <books.lists.example.test>\nSubject: [books] hi\n\nhello", Bulk},
		{"Precedence bulk", "From: shop@example.test\nPrecedence: bulk\nSubject: Sale\n\nbuy", Bulk},
		{"no-reply sender", "From: Catalogue <no-reply@vendor.test>\nSubject: Your order\n\nshipped", Bulk},
		{"spam flag", "From: x@example.test\nX-Spam-Flag: YES\nSubject: win\n\nwin", Bulk},
		{"our own address loops", "From: Seymour Library <HELP@library.test>\nSubject: [Seymour #1] We got your message\n\nhi", Own},
		{"a patron named Postmaster Pat is still a person", "From: Pat Postmaster <pat@example.test>\nSubject: Returned book\n\nI returned my book.", Personal},
		{"a patron asking about returned mail", "From: ann@example.test\nSubject: Returned mail from you?\n\nI got a returned mail.", Personal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(crlf(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := Classify(m, own); got.Kind != tt.want {
				t.Errorf("Classify = %s (%s), want %s", got.Kind, got.Reason, tt.want)
			}
		})
	}
}
