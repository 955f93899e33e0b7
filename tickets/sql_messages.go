package tickets

// The store's named statements about the messages taken, their raw bytes and search.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlCountMessagesWithKey     = `SELECT COUNT(*) FROM messages WHERE dedupe_key = ?`
	sqlCountSpam                = `SELECT COUNT(*) FROM messages WHERE kind = 'spam'`
	sqlDeleteQuarantinedMessage = `DELETE FROM messages WHERE kind = 'unreadable' AND mailbox = ? AND uid = ? AND reason = ? AND received_at = ? AND ticket_id IS NULL`
	sqlFirstIncomingBody        = `SELECT body FROM messages WHERE ticket_id = ? AND direction = 'in' ORDER BY id LIMIT 1`
	sqlFirstPatronBody          = `SELECT body FROM messages WHERE ticket_id = ? AND kind = 'personal' ORDER BY id LIMIT 1`
	sqlHeldAnswer               = `SELECT id, body FROM messages WHERE ticket_id = ? AND kind = ? AND sender = ? AND received_at >= ? ORDER BY id DESC LIMIT 1`
	sqlInsertMessage            = `INSERT INTO messages (ticket_id, dedupe_key, message_id, direction, kind, reason, sender, subject, body, raw, mailbox, uidvalidity, uid, received_at)
		VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInsertRawPart           = `INSERT INTO raw_parts (message_id, part, data) VALUES (?, ?, ?)`
	sqlInsertUnreadableMessage = `INSERT INTO messages (dedupe_key, direction, kind, reason, mailbox, uidvalidity, uid, received_at) VALUES (?, 'in', 'unreadable', ?, ?, ?, ?, ?)`
	sqlMarkHeldSent            = `UPDATE messages SET kind = 'staff_note', reason = 'held, then sent with #send' WHERE id = ?`
	sqlMarkSpamReleased        = `UPDATE messages SET kind = 'spam_released', dedupe_key = 'released:' || dedupe_key WHERE id = ?`
	sqlMessageRaw              = `SELECT raw FROM messages WHERE id = ?`
	sqlPatronMessageIDs        = `SELECT m.message_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.ticket_id = ? AND m.kind = 'personal' AND m.sender = t.patron_email AND m.message_id <> '' ORDER BY m.id`
	sqlRawParts           = `SELECT data FROM raw_parts WHERE message_id = ? ORDER BY part`
	sqlFloodBody          = `SELECT substr(body, 1, 8192) FROM messages WHERE id = ?`
	sqlRecentPersonalMail = `SELECT id, received_at, sender FROM messages WHERE received_at > ? AND direction = 'in' AND kind = 'personal' AND ticket_id IS NOT NULL
		ORDER BY received_at DESC, id DESC LIMIT ?`
	sqlReleaseSavepoint    = `RELEASE message`
	sqlRollbackToSavepoint = `ROLLBACK TO message`
	sqlSavepoint           = `SAVEPOINT message`
	sqlSearchPostgres      = `SELECT m.ticket_id, m.subject, substr(m.body, 1, 100000),
		t.status, t.subject, t.patron_name, COALESCE(t.owner_email, ''), t.updated_at
		FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.ticket_id IS NOT NULL
		AND pd_search_vector(m.subject || ' ' || m.body) @@ to_tsquery('simple', ?)`
	sqlSearchSQLite = `SELECT m.ticket_id, offsets(message_search),
		snippet(message_search, '[', ']', '…', -1, 12),
		t.status, t.subject, t.patron_name, COALESCE(t.owner_email, ''), t.updated_at
		FROM message_search JOIN messages m ON m.id = message_search.docid JOIN tickets t ON t.id = m.ticket_id
		WHERE message_search MATCH ?`
	sqlSpamList           = `SELECT id, received_at, sender, subject, reason FROM messages WHERE kind = 'spam' ORDER BY id DESC LIMIT ?`
	sqlSpamMessage        = `SELECT id, received_at, sender, subject, reason, body, kind FROM messages WHERE id = ? AND kind IN ('spam', 'spam_released')`
	sqlSpamToRelease      = `SELECT dedupe_key, sender, mailbox, uidvalidity, uid, received_at FROM messages WHERE id = ? AND kind = 'spam'`
	sqlStaffEarlierBodies = `SELECT body FROM messages WHERE sender = ? AND direction = 'in'
		AND kind IN ('staff_answer', 'staff_note') ORDER BY id DESC LIMIT 20`
	sqlTicketOfPatronMessageID = `SELECT m.ticket_id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = ? AND t.patron_email = ? LIMIT 1`
	sqlTicketThread            = `SELECT id, direction, kind, sender, subject, body, received_at FROM messages WHERE ticket_id = ? ORDER BY id`
)
