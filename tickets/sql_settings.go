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
	sqlMigrationsApplied     = `SELECT version FROM schema_migrations ORDER BY version`
	sqlPreviousSigningKey    = `SELECT p.value, r.value FROM settings p JOIN settings r ON r.key = 'signing_key_rotated_at' WHERE p.key = 'signing_key_previous'`
	sqlQuickCheck            = `PRAGMA quick_check`
	sqlRecordMigration       = `INSERT INTO schema_migrations (version) VALUES (?)`
	sqlResetHeldAlert        = `UPDATE settings SET value = ? WHERE key = 'held_alerted' AND NOT EXISTS (SELECT 1 FROM outbox WHERE status = 'held')`
	sqlSchemaVersion         = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	sqlSetSetting            = `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	sqlSetting               = `SELECT value FROM settings WHERE key = ?`
	sqlSigningKey            = `SELECT value FROM settings WHERE key = 'signing_key'`
)

// sqlCountTable counts a table's rows (the copier's check; table is one of
// copyTables, never outside input).
func sqlCountTable(table string) string { return `SELECT COUNT(*) FROM ` + table }

// sqlWholeTable reads a whole table in a stable order, for the copier.
func sqlWholeTable(table string) string { return `SELECT * FROM ` + table + ` ORDER BY 1` }
