package tickets

// The store's named statements about the smaller tables: schedule, away, patrons, blocked senders.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlBlockSender = `INSERT INTO blocked_senders (email, blocked_at, blocked_by, ticket_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO NOTHING`
	sqlCountAwayAt       = `SELECT COUNT(*) FROM away WHERE email = ? AND from_at <= ? AND until_at > ?`
	sqlHasSchema         = `SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()`
	sqlInsertAway        = `INSERT INTO away (email, from_at, until_at) VALUES (?, ?, ?)`
	sqlLockDedupeKey     = `SELECT pg_advisory_xact_lock(hashtext(?))`
	sqlLockMigrations    = `SELECT pg_advisory_xact_lock(7275636)`
	sqlLockNewSenders    = `SELECT pg_advisory_xact_lock(7275636, 1)` // two keys: apart from the one-key locks above
	sqlPatronLanguage    = `SELECT language FROM patrons WHERE email = ?`
	sqlServerEncoding    = `SHOW server_encoding`
	sqlScheduleOnce      = `INSERT INTO scheduled (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`
	sqlScheduledAt       = `SELECT at FROM scheduled WHERE key = ?`
	sqlSenderBlockedBy   = `SELECT blocked_by FROM blocked_senders WHERE email = ?`
	sqlSetPatronLanguage = `INSERT INTO patrons (email, language, set_by, set_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET language = excluded.language, set_by = excluded.set_by, set_at = excluded.set_at`
	sqlUnblockSender = `DELETE FROM blocked_senders WHERE email = ?`
)
