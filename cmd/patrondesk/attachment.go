package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"patrondesk/tickets"
)

// ticketsAttachment writes one file of a ticket to stdout.
func ticketsAttachment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "tickets attachment N NAME > FILE"
	fs, cfgPath := flags("tickets attachment", usage, stderr)
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErr("usage: patrondesk %s  (the names are in: patrondesk tickets show N)", usage)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil {
		return usageErr("tickets attachment needs a ticket number, such as: patrondesk tickets attachment 42 photo.jpg > photo.jpg")
	}
	store, _, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer store.Close()
	data, err := store.AttachmentData(ctx, id, pos[1])
	if errors.Is(err, tickets.ErrNoAttachment) {
		return fmt.Errorf("ticket %d has no attachment named %q; see the names with: patrondesk tickets show %d", id, pos[1], id)
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(data)
	return err
}

// printAttachments lists a ticket's files under its thread.
func printAttachments(w io.Writer, d *tickets.Detail) {
	if len(d.Attachments) == 0 {
		return
	}
	fmt.Fprintln(w, "\nAttachments (write one out with: patrondesk tickets attachment", d.ID, "NAME > FILE):")
	for _, a := range d.Attachments {
		note := ""
		if !a.Kept {
			note = "  (not kept: " + a.Note + ")"
		}
		fmt.Fprintf(w, "  %s  %s, %s, from %s%s\n", a.Name, a.Type, sizeWords(a.Size), a.From, note)
	}
}

// sizeWords writes a size as people read it.
func sizeWords(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
	}
}
