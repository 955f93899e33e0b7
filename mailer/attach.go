package mailer

import (
	"io"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-message"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// maxAttachmentBytes bounds what Parse keeps of one attached file. The
// desk's own limit (attachments.max_size) is lower; this only stops one odd
// part from taking all memory.
const maxAttachmentBytes = 64 << 20

// readAttachment reads one attached part, decoded, and names it.
func readAttachment(e *message.Entity, name, ct string, index int) Attachment {
	a := Attachment{Type: strings.ToLower(ct)}
	data, _ := io.ReadAll(io.LimitReader(e.Body, maxAttachmentBytes))
	rest, _ := io.Copy(io.Discard, e.Body)
	if _, params, err := e.Header.ContentType(); err == nil && rest == 0 {
		data = originalBytes(data, a.Type, params["charset"])
	}
	a.Data, a.Size, a.Truncated = data, int64(len(data))+rest, rest > 0
	a.Name = AttachmentName(name, a.Type, index)
	return a
}

// signaturePart is a detached S/MIME or PGP signature: part of how the mail
// was sent, not a file its writer attached.
func signaturePart(ct string) bool {
	switch strings.ToLower(ct) {
	case "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature":
		return true
	}
	return false
}

// AttachmentName makes a safe file name: the last element of any path the
// sender gave ("../../x.pdf", "C:\\Users\\x.pdf" become "x.pdf"), without
// control or format characters, at most 120 characters; a made-up name with the
// type's usual extension when there is none ("attachment-2.png").
func AttachmentName(name, ct string, index int) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		// Format characters include the right-to-left override that makes
		// "photo\u202Egpj.exe" show as "photoexe.jpg".
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '/' || r == '\uFFFD' {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if name == "" || name == "/" {
		name = "attachment-" + strconv.Itoa(index+1) + extensionFor(ct)
	}
	if r := []rune(name); len(r) > 120 {
		ext := path.Ext(name)
		if len(ext) > 10 {
			ext = ""
		}
		name = string(r[:120-len([]rune(ext))]) + ext
	}
	return name
}

// extensionFor is the usual extension of a media type, or "".
func extensionFor(ct string) string {
	common := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "application/pdf": ".pdf",
		"text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml", "image/heic": ".heic"}
	if ext, ok := common[ct]; ok {
		return ext
	}
	if exts, err := mime.ExtensionsByType(ct); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// markInline marks the parts the HTML text shows in place ("cid:" links).
func markInline(atts []Attachment, html string) {
	lower := strings.ToLower(html)
	for i, a := range atts {
		if a.contentID != "" && strings.Contains(lower, "cid:"+strings.ToLower(a.contentID)) {
			atts[i].Inline = true
		}
	}
}

// originalBytes undoes go-message's conversion of a text part to UTF-8, so
// a text file in an older character set (a Windows-1252 CSV) is kept and
// passed on as it was sent.
func originalBytes(data []byte, ct, charset string) []byte {
	ch := strings.ToLower(strings.TrimSpace(charset))
	if !strings.HasPrefix(ct, "text/") || ch == "" || ch == "utf-8" || ch == "utf8" || ch == "us-ascii" {
		return data
	}
	enc, err := ianaindex.MIME.Encoding(ch)
	if enc == nil {
		enc, err = htmlindex.Get(ch)
	}
	if err != nil || enc == nil {
		return data // go-message could not read it either: the bytes are raw
	}
	out, err := enc.NewEncoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}
