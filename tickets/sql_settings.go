package tickets

// The store's named statements about settings, running totals and the schema version.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlAddCounter            = `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value`
	sqlCounters              = `SELECT name, value FROM counters WHERE substr(name, 1, ?) = ?`
	sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`
	sqlInsertSigningKey      = `INSERT INTO settings (key, value) VALUES ('signing_key', ?) ON CONFLICT (key) DO NOTHING`
	sqlMigrationApplied      = `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`
	sqlPreviousSigningKey    = `SELECT p.value, r.value FROM settings p JOIN settings r ON r.key = 'signing_key_rotated_at' WHERE p.key = 'signing_key_previous'`
	sqlRecordMigration       = `INSERT INTO schema_migrations (version) VALUES (?)`
	sqlResetHeldAlert        = `UPDATE settings SET value = ? WHERE key = 'held_alerted' AND NOT EXISTS (SELECT 1 FROM outbox WHERE status = 'held')`
	sqlSetSetting            = `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	sqlSetting               = `SELECT value FROM settings WHERE key = ?`
	sqlSigningKey            = `SELECT value FROM settings WHERE key = 'signing_key'`
)
