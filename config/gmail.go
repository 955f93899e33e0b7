package config

import (
	"fmt"
	"strings"
)

// Gmail shows labels as IMAP folders. Its system folders are under
// "[Gmail]/" (or "[Google Mail]/" in some countries) and behave unlike
// folders: "All Mail" holds every message, sent ones included, so watching it
// would take patrondesk's own mail as new requests; moving a message to
// "Trash" or "Spam" (the "Bin" in some languages) gets it deleted after 30
// days. Moving from INBOX to an ordinary folder such as "Processed" is what
// Gmail calls labelling and archiving: the message keeps its other labels
// and stays in All Mail.
func gmailSystemFolder(name string) (kind string, ok bool) {
	for _, prefix := range []string{"[Gmail]/", "[Google Mail]/"} {
		if rest, found := strings.CutPrefix(name, prefix); found {
			return strings.ToLower(rest), true
		}
	}
	return "", false
}

func (c *Config) validateGmailFolders(add func(string, string, ...any)) {
	check := func(key, watch, processed string) {
		if kind, ok := gmailSystemFolder(watch); ok {
			add(key+watchKey(key), "%q is a Gmail system folder (%s); watch \"INBOX\" or an ordinary label", watch, kind)
		}
		if kind, ok := gmailSystemFolder(processed); ok {
			switch kind {
			case "trash", "bin", "spam":
				add(key+"processed", "%q would have Gmail delete patrons' mail after 30 days; use an ordinary label such as \"Processed\"", processed)
			}
		}
	}
	check("imap.", c.IMAP.Mailbox, c.IMAP.Processed)
	for i, m := range c.Mailboxes {
		check(fmt.Sprintf("mailbox[%d].", i+1), m.Folder, m.Processed)
	}
}

func watchKey(prefix string) string {
	if prefix == "imap." {
		return "mailbox"
	}
	return "folder"
}
