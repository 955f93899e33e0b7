package tickets

// The store's named statements about mail waiting to be sent.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlClaimable = `SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
			AND (claimed_until < ? OR claimed_by = ?)
			AND NOT EXISTS (SELECT 1 FROM outbox earlier WHERE earlier.to_email = outbox.to_email AND earlier.status = 'queued'
				AND earlier.id < outbox.id AND earlier.claimed_by <> ? AND earlier.claimed_until >= ?)
			ORDER BY id LIMIT ?`
	sqlClaimantsLike       = `SELECT DISTINCT claimed_by FROM outbox WHERE status = 'queued' AND claimed_until >= ? AND claimed_by LIKE ?`
	sqlCountAcksAlongChain = `SELECT COUNT(*) FROM outbox o JOIN tickets t ON t.id = o.ticket_id
		WHERE (t.id = ?1 OR t.origin_ticket = ?1) AND o.kind = 'ack' AND o.created_at > ?2`
	sqlCountFollowupWithID = `SELECT COUNT(*) FROM outbox WHERE ticket_id = ? AND kind = 'followup' AND message_id = ?`
	sqlCountMailToSince    = `SELECT COUNT(*) FROM outbox WHERE to_email = ? AND created_at > ?`
	sqlDelayQueued         = `UPDATE outbox SET next_attempt_at = ? WHERE status = 'queued' AND next_attempt_at < ?`
	sqlDropHeld            = `UPDATE outbox SET status = 'dropped' WHERE status = 'held'`
	sqlFailedSince         = `SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(to_email), ''), COALESCE(MAX(last_error), '')
		FROM outbox WHERE status = 'failed' AND kind <> 'alert' AND id > ?`
	sqlGiveBackClaims = `UPDATE outbox SET claimed_by = '', claimed_until = 0 WHERE claimed_by = ? AND status = 'queued'`
	sqlHeldList       = `SELECT id, COALESCE(ticket_id, 0), to_email, subject, created_at FROM outbox WHERE status = 'held' ORDER BY id`
	sqlInsertOutbox   = `INSERT INTO outbox (ticket_id, kind, to_name, to_email, from_name, from_email, subject, body_text, body_html, message_id, in_reply_to, refs, auto_submitted, bulk, created_at, next_attempt_at, status, content_language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`
	sqlInsertOutboxFile = `INSERT INTO outbox_attachments (outbox_id, attachment_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	sqlLastMailTo       = `SELECT message_id, refs FROM outbox WHERE ticket_id = ? AND to_email = ? ORDER BY id DESC LIMIT 1`
	sqlMarkFailed       = `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, claimed_by = '', claimed_until = 0 WHERE id = ?`
	sqlMarkSent         = `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '', claimed_by = '', claimed_until = 0 WHERE id = ?`
	sqlNextSendDue      = `SELECT MIN(CASE WHEN claimed_until >= ? AND claimed_by <> ? THEN claimed_until + 1 ELSE next_attempt_at END) FROM outbox WHERE status = 'queued'`
	sqlNthLastSent      = `SELECT sent_at FROM outbox WHERE status = 'sent' AND sent_at > ? ORDER BY sent_at DESC LIMIT 1 OFFSET ?`
	sqlOutboxFiles      = `SELECT a.name, a.type, b.data FROM outbox_attachments oa JOIN attachments a ON a.id = oa.attachment_id
		JOIN blobs b ON b.sha256 = a.sha256 WHERE oa.outbox_id = ? ORDER BY a.id`
	sqlOutboxOfBounce      = `SELECT id, ticket_id, kind, to_email FROM outbox WHERE message_id = ? OR message_id = ?`
	sqlOutboxWithMessageID = `SELECT id FROM outbox WHERE message_id = ?`
	sqlQueuedMail          = `SELECT id, COALESCE(ticket_id, 0), kind, to_email, subject, next_attempt_at FROM outbox WHERE status = 'queued' ORDER BY id`
	sqlReleaseHeld         = `UPDATE outbox SET status = 'queued', next_attempt_at = 0 WHERE status = 'held'`
	sqlRetryLater          = `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_by = '', claimed_until = 0 WHERE id = ?`
	sqlStuckMail           = `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'queued' AND attempts >= 3`
)

// sqlHeldEvents records an event on the ticket of each held mail that
// matches where (" AND id IN (…)", or "").
func sqlHeldEvents(where string) string {
	return `INSERT INTO events (ticket_id, at, actor, action) SELECT ticket_id, ?, 'admin', ? FROM outbox WHERE status = 'held'` + where
}

// sqlCountMailToMailboxSince counts mail to an address since a time; cond matches
// the address in every form (see sameMailbox).
func sqlCountMailToMailboxSince(cond string) string {
	return `SELECT COUNT(*) FROM outbox WHERE created_at > ? AND ` + cond
}

// sqlDropMailTo drops the mail waiting for an address (cond, see
// sameMailbox) whose sender was marked as spam.
func sqlDropMailTo(cond string) string {
	return `UPDATE outbox SET status = 'dropped', last_error = 'the sender was marked as spam' WHERE status IN ('queued', 'held', 'confirm') AND ` + cond
}

// sqlClaim claims the rows in (placeholders, see placeholders) for a
// sender until a time.
func sqlClaim(in string) string {
	return `UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (` + in + `)`
}

// sqlKeepClaim renews a sender's claim on the rows in that it still holds.
func sqlKeepClaim(in string) string {
	return `UPDATE outbox SET claimed_until = ? WHERE claimed_by = ? AND status = 'queued' AND id IN (` + in + `)`
}

// sqlOutboxRows reads the rows in, as the sender sends them.
func sqlOutboxRows(in string) string {
	return `SELECT id, ticket_id, kind, attempts, to_name, to_email, from_name, from_email, subject, body_text, body_html, message_id, in_reply_to, refs, auto_submitted, bulk, created_at, content_language
		FROM outbox WHERE id IN (` + in + `) ORDER BY id`
}
