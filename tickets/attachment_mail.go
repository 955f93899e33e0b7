package tickets

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"patrondesk/mailer"
)

// programExtensions are files that run when opened on Windows, macOS or a
// phone: never passed on by patrondesk.
var programExtensions = map[string]bool{
	".exe": true, ".com": true, ".bat": true, ".cmd": true, ".scr": true, ".pif": true, ".msi": true, ".msp": true,
	".dll": true, ".cpl": true, ".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true, ".wsh": true,
	".hta": true, ".ps1": true, ".psm1": true, ".jar": true, ".lnk": true, ".reg": true, ".sh": true, ".app": true,
	".apk": true, ".dmg": true, ".pkg": true, ".deb": true, ".rpm": true, ".iso": true, ".appx": true, ".msix": true,
	".scf": true, ".inf": true, ".gadget": true, ".xll": true, ".docm": true, ".xlsm": true, ".pptm": true,
}

var programTypes = map[string]bool{
	"application/x-msdownload": true, "application/x-msdos-program": true, "application/x-dosexec": true,
	"application/x-executable": true, "application/vnd.microsoft.portable-executable": true, "application/x-ms-installer": true,
	"application/x-msi": true, "application/x-sh": true, "application/x-bat": true, "application/javascript": true,
	"application/java-archive": true, "application/vnd.android.package-archive": true, "application/x-apple-diskimage": true,
}

// isProgram reports a file that runs when opened: by its name, its declared
// type, or its first bytes (a Windows or Linux program renamed to .pdf).
func isProgram(name, typ string, data []byte) bool {
	return programExtensions[strings.ToLower(path.Ext(strings.TrimSpace(name)))] || programTypes[strings.ToLower(typ)] ||
		bytes.HasPrefix(data, []byte("MZ")) || bytes.HasPrefix(data, []byte("\x7fELF")) ||
		bytes.HasPrefix(data, []byte("\xcf\xfa\xed\xfe")) || bytes.HasPrefix(data, []byte("#!"))
}

// humanSize writes a size as people read it: "820 bytes", "34 KB", "2.1 MB".
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
	}
}

// forNotice picks the files to attach to a notice to staff: kept, not
// programs, in order, while the total stays within the notice limit.
func forNotice(files []storedFile, total int64) map[int64]bool {
	out := map[int64]bool{}
	var sum int64
	for _, f := range files {
		if f.kept && !f.program && sum+f.size <= total {
			out[f.id] = true
			sum += f.size
		}
	}
	return out
}

// withFiles adds the list of a message's files to the text shown to staff.
// A message with files and no text says so in its first line: "no text; 1
// attachment: photo.jpg, 2.1 MB".
func withFiles(text string, files []storedFile, attached map[int64]bool, ticket int64) string {
	if len(files) == 0 {
		return text
	}
	var b strings.Builder
	if strings.TrimSpace(text) == "" {
		var names []string
		for _, f := range files {
			names = append(names, f.name+", "+humanSize(f.size))
		}
		fmt.Fprintf(&b, "no text; %s: %s\n", plural(len(files), "attachment"), strings.Join(names, "; "))
	} else {
		b.WriteString(strings.TrimRight(text, "\n") + "\n")
	}
	fmt.Fprintf(&b, "\n%s:\n", strings.ToUpper(plural(len(files), "attachment")[:1])+plural(len(files), "attachment")[1:])
	for _, f := range files {
		fmt.Fprintf(&b, "  - %s (%s, %s): %s\n", f.name, f.typ, humanSize(f.size), fileState(f, attached[f.id], ticket))
	}
	return strings.TrimRight(b.String(), "\n")
}

func fileState(f storedFile, attached bool, ticket int64) string {
	switch {
	case attached:
		return "attached to this email"
	case !f.kept:
		return f.note
	case f.program:
		return "a program file, not attached for safety; if you really need it, your patrondesk administrator can get it with: patrondesk tickets attachment " + fmt.Sprint(ticket) + " " + quoteArg(f.name)
	default:
		return "not attached (the files together are too large for one email); your patrondesk administrator can get it with: patrondesk tickets attachment " + fmt.Sprint(ticket) + " " + quoteArg(f.name)
	}
}

// quoteArg quotes a file name for a shell command line when it needs it.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " '\"$`\\;&|<>()*?![]{}#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// attachedIDs is the ids in the set, in the order of files.
func attachedIDs(files []storedFile, set map[int64]bool) []int64 {
	var ids []int64
	for _, f := range files {
		if set[f.id] {
			ids = append(ids, f.id)
		}
	}
	return ids
}

// noticeFiles keeps the files of the message being taken and returns text
// with them listed, for the notice to staff, and the files to attach to it.
func (r *receipt) noticeFiles(ticket, msg int64, text string) (string, []int64, error) {
	files, err := r.keepAttachments(ticket, msg)
	if err != nil {
		return "", nil, err
	}
	set := forNotice(files, r.d.opts.MailAttachments)
	return withFiles(text, files, set, ticket), attachedIDs(files, set), nil
}

// fileProblems says why the files of a staff member's reply cannot go to
// the patron: a program, a file over the size limit, files together over
// the limit for one email, or a file with no words for the patron. Pictures placed
// inside the text (signature logos) are not sent, so they do not count.
func (r *receipt) fileProblems(text string) []string {
	var out []string
	var total int64
	files := 0
	for _, a := range r.m.Attachments {
		if !a.Inline {
			total += a.Size
			files++
		}
		switch {
		case a.Inline:
		case isProgram(a.Name, a.Type, a.Data):
			out = append(out, fmt.Sprintf("%q is a program file. patrondesk never sends programs to patrons, because they can harm a computer. Send your answer again without it; a PDF, a picture or a document is fine.", a.Name))
		case a.Truncated || a.Size > r.d.opts.MaxAttachment:
			out = append(out, fmt.Sprintf("%q is %s, and the largest file patrondesk sends is %s. Send your answer again with a smaller file, or put the file online and write the link.", a.Name, humanSize(a.Size), humanSize(r.d.opts.MaxAttachment)))
		}
	}
	if len(out) == 0 && total > r.d.opts.MailAttachments {
		out = append(out, fmt.Sprintf("your files together are %s, and the most patrondesk sends in one email is %s. Send them in two answers, or put them online and write the link.", humanSize(total), humanSize(r.d.opts.MailAttachments)))
	}
	if len(out) == 0 && files > 0 && r.onlyFiles(text) {
		out = append(out, "your email has a file but no words for the patron, and patrondesk does not send a file on its own. Send it again with a line about the file (or start with #note to keep it for staff).")
	}
	return out
}

// onlyFiles reports a staff reply whose text, after its commands, has
// nothing for the patron and that neither closes the request nor is a note.
func (r *receipt) onlyFiles(text string) bool {
	p := commandParser{staff: r.d.opts.Staff, now: r.now, loc: r.d.opts.Location, langs: r.d.patronLanguages()}
	cmds, rest, _ := p.parse(text)
	for _, c := range cmds {
		if c.name == "note" || c.name == "close" {
			return false
		}
	}
	return strings.TrimSpace(rest) == ""
}

// sendFiles keeps the files of a staff member's answer with the ticket and
// makes the answer just queued carry them. Pictures placed inside the text
// stay behind: in the plain-text answer they would be loose files, and most
// are logos from a signature.
func (r *receipt) sendFiles(ticket, msg int64) error {
	files, err := r.keepAttachments(ticket, msg)
	if err != nil {
		return err
	}
	var ids []int64
	for _, f := range files {
		if f.kept && !f.inline && !f.program {
			ids = append(ids, f.id)
		}
	}
	return r.attachLast(ids)
}

// forwardedFiles are the files that came with a patron's mail forwarded by
// staff: the forward's own files, without the attached email itself (its
// words are the request already).
func forwardedFiles(atts []mailer.Attachment) []mailer.Attachment {
	var out []mailer.Attachment
	for _, a := range atts {
		if a.Type != "message/rfc822" {
			out = append(out, a)
		}
	}
	return out
}
