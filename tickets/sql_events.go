package tickets

// The store's named statements about a ticket's history.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share.
const (
	sqlCountNewSenderAcksSince = `SELECT COUNT(*) FROM events WHERE action = 'acknowledged a new sender' AND at > ?`
	sqlInsertEvent             = `INSERT INTO events (ticket_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`
	sqlInsertEventOfMessage    = `INSERT INTO events (ticket_id, at, actor, action, detail, message) VALUES (?, ?, ?, ?, ?, ?)`
	sqlLastAnswerByAnother     = `SELECT m.body FROM events e JOIN messages m ON m.id = e.message
		WHERE e.ticket_id = ? AND e.action = 'answered the patron' AND e.actor <> ? ORDER BY e.id DESC LIMIT 1`
	sqlMailFailedEvent = `INSERT INTO events (ticket_id, at, actor, action, detail) VALUES (?, ?, 'patrondesk', 'mail failed', ?)`
	// sqlReportAnswered and sqlReportSolved list who answered (the mail
	// reached the SMTP server) or solved each request in a period, in
	// order: the report credits the first, the same on both engines (MIN
	// of a name would follow the database's collation on PostgreSQL).
	sqlReportAnswered = `SELECT e.ticket_id, e.actor, t.team, COALESCE(t.owner_email, '') FROM events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action = 'answered the patron' AND e.at >= ?1 AND e.at < ?2
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = e.ticket_id AND o.kind IN ('update', 'closed') AND o.to_email = t.patron_email
			AND o.created_at = e.at AND o.status = 'sent')
		ORDER BY e.id`
	sqlReportSolved = `SELECT e.ticket_id, e.actor, t.team, COALESCE(t.owner_email, '') FROM events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action = 'solved' AND e.at >= ?1 AND e.at < ?2 ORDER BY e.id`
	sqlReportFollowups = `SELECT COUNT(*), COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = o.ticket_id
		AND e.action = 'sorted on follow-up' AND e.at >= o.created_at) THEN o.ticket_id END)
		FROM outbox o WHERE o.kind = 'followup' AND o.created_at >= ? AND o.created_at < ?`
	sqlReportReceived = `SELECT t.team, COALESCE(t.owner_email, ''),
		(SELECT COUNT(*) FROM events e WHERE e.ticket_id = t.id AND e.action = 'assigned')
		FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?`
	sqlReportSolutionTimes = `SELECT MIN(t.created_at), MIN(e.at) FROM events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action = 'solved' AND e.at >= ? AND e.at < ?
		AND NOT EXISTS (SELECT 1 FROM events p WHERE p.ticket_id = e.ticket_id AND p.action = 'solved' AND p.at < ?)
		GROUP BY e.ticket_id`
	sqlTicketHistory     = `SELECT at, actor, action, detail FROM events WHERE ticket_id = ? ORDER BY id`
	sqlTicketStatusLines = `SELECT created_at, first_response_at, snoozed_until,
		(SELECT at FROM events WHERE ticket_id = t.id ORDER BY id DESC LIMIT 1),
		(SELECT action FROM events WHERE ticket_id = t.id ORDER BY id DESC LIMIT 1),
		(SELECT actor FROM events WHERE ticket_id = t.id ORDER BY id DESC LIMIT 1)
		FROM tickets t WHERE id = ?`
)
