package tickets

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"patrondesk/mailer"
)

// Admin is who acts from the command line; events name it "admin".
var adminActor = Staff{Name: "Admin", Email: "admin"}

// ErrCommand is a command from the command line that was not understood.
type ErrCommand struct{ Problems []string }

func (e *ErrCommand) Error() string { return strings.Join(e.Problems, "; ") }

// Act applies staff commands to ticket id as an admin at the terminal, the
// same way as by email (see act): "#assign bob", "#note\nCalled her".
// Mail it causes goes to the outbox for the daemon (or `run --once`) to send.
func (d *Desk) Act(ctx context.Context, id int64, text string) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	now := d.clock.Now()
	p := commandParser{staff: d.opts.Staff, now: now, loc: d.opts.Location, langs: d.patronLanguages()}
	if _, _, problems := p.parse(text); len(problems) > 0 {
		return &ErrCommand{Problems: problems}
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	key := "cli:" + hashHex(nonce)
	m := &mailer.Message{From: mailer.Address{Name: adminActor.Name, Email: adminActor.Email}, Text: text}
	queued := false
	err := d.store.tx(ctx, func(tx *Tx) error {
		t, err := loadTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if t == nil {
			return ErrNotFound
		}
		r := &receipt{work: &work{d: d, tx: tx, ctx: ctx, now: now, m: m}}
		err = r.act(t, &adminActor, key, text)
		queued = r.queued
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("ticket %d: %w", id, err)
	}
	if queued {
		d.Queued()
	}
	return nil
}
