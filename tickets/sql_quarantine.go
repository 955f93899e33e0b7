package tickets

// The store's named statements about mail that could not be read.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlDashboardQueues = `SELECT (SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL),
		(SELECT COUNT(*) FROM messages WHERE kind = 'spam' AND received_at >= ?)`
	sqlDeleteQuarantined  = `DELETE FROM quarantine WHERE id = ?`
	sqlInsertQuarantined  = `INSERT INTO quarantine (received_at, mailbox, uidvalidity, uid, reason, raw) VALUES (?, ?, ?, ?, ?, ?)`
	sqlPurgeQuarantine    = `UPDATE quarantine SET raw = ? WHERE received_at < ? AND length(raw) > 0`
	sqlQuarantineAll      = `SELECT ` + quarantineColumns + ` FROM quarantine ORDER BY id`
	sqlQuarantineOpen     = `SELECT ` + quarantineColumns + ` FROM quarantine WHERE resolved_at IS NULL ORDER BY id`
	sqlQuarantined        = `SELECT ` + quarantineColumns + ` FROM quarantine WHERE id = ?`
	sqlQuarantinedSince   = `SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(reason), '') FROM quarantine WHERE id > ?`
	sqlResolveQuarantined = `UPDATE quarantine SET resolved_at = ? WHERE id = ?`
	sqlSummaryQueues      = `SELECT (SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL), (SELECT COUNT(*) FROM outbox WHERE status = 'failed'),
		(SELECT COUNT(*) FROM messages WHERE kind = 'spam' AND received_at >= ?)`
)
