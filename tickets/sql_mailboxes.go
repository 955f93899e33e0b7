package tickets

// The store's named statements about the watched mailboxes and their cursors.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlInsertMailbox    = `INSERT INTO mailboxes (name, uidvalidity, last_uid, first_seen_at) VALUES (?, ?, 0, ?)`
	sqlMailboxCursor    = `SELECT uidvalidity, last_uid FROM mailboxes WHERE name = ?`
	sqlMailboxFirstSeen = `SELECT first_seen_at FROM mailboxes WHERE name = ?`
	sqlSetMailboxCursor = `UPDATE mailboxes SET uidvalidity = ?1, last_uid = CASE WHEN uidvalidity = ?1 AND last_uid > ?2 THEN last_uid ELSE ?2 END WHERE name = ?3`
)
