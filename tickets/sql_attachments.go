package tickets

// The store's named statements about the files of the mail, both ways.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlAttachmentBytes = `SELECT a.sha256 IS NOT NULL, a.note, b.data FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.ticket_id = ? AND a.name = ? ORDER BY a.id DESC LIMIT 1`
	sqlCountTicketFileNamed = `SELECT COUNT(*) FROM attachments WHERE ticket_id = ? AND name = ?`
	sqlDeleteUnusedBlobs    = `DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = blobs.sha256)`
	sqlInsertAttachment     = `INSERT INTO attachments (ticket_id, message_id, name, type, size, sha256, inline, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInsertBlob           = `INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`
	sqlPatronFilesOfTicket  = `SELECT a.id, a.name, a.type, a.size, a.sha256 IS NOT NULL, a.inline, a.note, substr(b.data, 1, 8)
		FROM attachments a JOIN messages m ON m.id = a.message_id LEFT JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.ticket_id = ? AND m.sender = ? ORDER BY a.id`
	sqlTicketAttachments = `SELECT a.name, a.type, a.size, COALESCE(m.sender, ''), a.sha256 IS NOT NULL, a.note
		FROM attachments a LEFT JOIN messages m ON m.id = a.message_id WHERE a.ticket_id = ? ORDER BY a.id`
)
