package tickets

// The store's named statements about the leases several daemons hold on
// mailboxes. Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlGiveUpLease = `DELETE FROM leases WHERE name = ? AND holder = ?`
	sqlLeaseHolder = `SELECT holder FROM leases WHERE name = ?`
	sqlLeases      = `SELECT name, holder, expires_at, renewed_at, taken_at FROM leases ORDER BY name`
	sqlTakeLease   = `INSERT INTO leases (name, holder, expires_at, renewed_at, taken_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at,
			taken_at = CASE WHEN leases.holder = excluded.holder THEN leases.taken_at ELSE excluded.taken_at END
		WHERE leases.expires_at < ? OR leases.holder = ?`
)
