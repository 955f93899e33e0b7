package tickets

import (
	"sync"
)

// Logs a person can follow: at INFO, one line per ticket made, command
// applied, reminder, bounce and so on (each event in a ticket's history),
// with the ticket number, written only once the transaction that made it is
// committed. Patron addresses are never logged at INFO: the actor is named
// only when it is staff, "admin" or patrondesk.

// commitHooks holds what to do after each open transaction commits.
type commitHooks struct {
	mu    sync.Mutex
	hooks map[*Tx][]func()
}

func (c *commitHooks) add(tx *Tx, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hooks == nil {
		c.hooks = map[*Tx][]func(){}
	}
	c.hooks[tx] = append(c.hooks[tx], f)
}

// done forgets tx's hooks and, when it committed, runs them.
func (c *commitHooks) done(tx *Tx, committed bool) {
	c.mu.Lock()
	hooks := c.hooks[tx]
	delete(c.hooks, tx)
	c.mu.Unlock()
	if committed {
		for _, f := range hooks {
			f()
		}
	}
}

// logEvent logs a history entry at INFO once it is committed.
func (r *work) logEvent(ticket int64, actor, action string) {
	attrs := []any{"ticket", ticket}
	switch {
	case actor == "patrondesk" || actor == "admin":
		attrs = append(attrs, "by", actor)
	case r.staff(actor) != nil:
		attrs = append(attrs, "by", actor)
	}
	log := r.d.log
	r.d.store.afterCommit(r.tx, func() { log.Info("ticket: "+action, attrs...) })
}

// afterCommit runs f once tx commits (never when it rolls back).
func (s *Store) afterCommit(tx *Tx, f func()) { s.hooks.add(tx, f) }
