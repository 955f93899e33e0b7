package tickets

// The store's named statements about a ticket: its row, status, owner and figures.
// Each is written once for both engines (engine.go numbers the
// placeholders for PostgreSQL), in the SQL that SQLite and PostgreSQL share
// (NULLS FIRST where SQLite sorts NULL first and PostgreSQL would not).
const (
	sqlActiveTicketsOf = `SELECT id FROM tickets WHERE owner_email = ? AND ` + sqlActive + ` ORDER BY id`
	sqlChainOrigin     = `SELECT COALESCE(origin_ticket, id) FROM tickets WHERE id = ?`
	sqlClosedToPurge   = `SELECT id, closed_at FROM tickets WHERE status = '` + string(StatusClosed) + `' AND anonymised_at IS NULL AND closed_at < ? ORDER BY id`
	sqlCounts          = `SELECT
		(SELECT COUNT(*) FROM tickets WHERE ` + sqlActive + `),
		(SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL),
		(SELECT COUNT(*) FROM outbox WHERE status = 'queued'),
		(SELECT COUNT(*) FROM outbox WHERE status = 'failed')`
	sqlDashboardActive = `SELECT id, patron_name, COALESCE(owner_email, ''), team, status, created_at, due_at
		FROM tickets WHERE ` + sqlActive + ` ORDER BY due_at NULLS FIRST, id`
	sqlDashboardFirstAnswers = `SELECT team, created_at, first_response_at, first_due_at FROM tickets
		WHERE first_response_at >= ? AND first_response_at <= ?`
	sqlDigestOverdue = `SELECT t.id, t.patron_name, COALESCE(t.owner_email, ''), t.due_at, COALESCE(le.action, ''), COALESCE(le.at, 0)
		FROM tickets t LEFT JOIN events le ON le.id = (SELECT MAX(e.id) FROM events e WHERE e.ticket_id = t.id AND e.actor <> 'patrondesk')
		WHERE ` + sqlOverdue + ` ORDER BY t.owner_email NULLS FIRST, t.due_at`
	sqlDueTickets = `SELECT id FROM tickets WHERE next_check_at <= ? ORDER BY next_check_at, id LIMIT ?`
	sqlGuardTexts = `
		WITH theirs AS (SELECT id FROM tickets WHERE patron_email = (SELECT patron_email FROM tickets WHERE id = ?))
		SELECT m.body, CASE WHEN m.kind = 'personal' THEN 'seen'
			WHEN EXISTS (SELECT 1 FROM events e WHERE e.message = m.id AND e.action IN ('held', 'not acted on')) THEN 'held'
			ELSE 'note' END
		FROM messages m WHERE m.ticket_id IN (SELECT id FROM theirs) AND m.kind IN ('staff_note', 'personal')
		UNION ALL
		SELECT o.body_text, CASE WHEN o.to_email = t.patron_email THEN 'seen' ELSE 'notice' END
		FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE o.ticket_id IN (SELECT id FROM theirs)
		UNION ALL
		SELECT subject, 'seen' FROM tickets WHERE id IN (SELECT id FROM theirs)`
	sqlHighestTicket = `SELECT COALESCE(MAX(id), 0) FROM tickets`
	sqlInsertTicket  = `INSERT INTO tickets (status, subject, patron_name, patron_email, owner_email, team, language, linked_ticket, origin_ticket, created_at, updated_at, due_at, first_due_at, owed_since, next_check_at, suspect, verified)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlLoadTicket = `SELECT id, status, subject, patron_name, patron_email, owner_email, team, language, priority, due_at, owed_since, closed_at, suspect, merged_into FROM tickets WHERE id = ?`
	// sqlLoadTicketLocked is sqlLoadTicket on PostgreSQL: the row stays
	// locked until the transaction ends (see loadTicket).
	sqlLoadTicketLocked = sqlLoadTicket + ` FOR UPDATE`
	sqlMarkAnswered     = `UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?), owed_since = NULL, due_at = NULL, updated_at = ? WHERE id = ?`
	sqlMarkUnreachable  = `UPDATE tickets SET unreachable_at = ?, unreachable_reason = ? WHERE id = ?`
	sqlNextCheckDue     = `SELECT MIN(next_check_at) FROM tickets WHERE next_check_at IS NOT NULL`
	sqlOwnerLoad        = `SELECT
			(SELECT COUNT(*) FROM tickets WHERE owner_email = ?1 AND ` + sqlActive + `),
			(SELECT COALESCE(MAX(id), 0) FROM tickets WHERE owner_email = ?1)`
	sqlReportFirstAnswers = `SELECT created_at, first_response_at, first_due_at FROM tickets WHERE first_response_at >= ? AND first_response_at < ?`
	sqlSetNextCheck       = `UPDATE tickets SET next_check_at = ? WHERE id = ?`
	sqlTicketReachable    = `SELECT snoozed_until, unreachable_at, unreachable_reason FROM tickets WHERE id = ?`
	sqlTicketSchedule     = `SELECT solved_at, snoozed_until FROM tickets WHERE id = ?`
	sqlTicketSolvedAt     = `SELECT COALESCE(solved_at, 0) FROM tickets WHERE id = ?`
	sqlTicketSuspicion    = `SELECT suspect, verified FROM tickets WHERE id = ?`
	sqlTicketView         = `SELECT ` + viewColumns + ` FROM tickets t WHERE t.id = ?`
	sqlTotals             = `SELECT
		(SELECT COUNT(*) FROM tickets),
		(SELECT COUNT(*) FROM outbox WHERE kind = 'ack' AND status = 'sent'),
		(SELECT COUNT(*) FROM outbox WHERE kind = 'nag' AND status = 'sent'),
		(SELECT COUNT(*) FROM outbox WHERE status = 'failed'),
		(SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL),
		(SELECT COUNT(*) FROM outbox WHERE status = 'queued')`
	sqlTouchTicket    = `UPDATE tickets SET updated_at = ? WHERE id = ?`
	sqlUnowned        = `SELECT id, patron_name, created_at FROM tickets WHERE owner_email IS NULL AND ` + sqlActive + ` ORDER BY id`
	sqlVouchForSender = `UPDATE tickets SET suspect = '', verified = 1, updated_at = ? WHERE id = ?`
)

// sqlListTickets lists tickets as View reads them, with a WHERE clause (or "").
func sqlListTickets(where string) string {
	return `SELECT ` + viewColumns + ` FROM tickets t ` + where + ` ORDER BY t.id`
}

// sqlQueue reads queue lines of the tickets that match where, overdue
// first, then by due time, then by number.
func sqlQueue(where string) string {
	return `SELECT id, status, subject, patron_name, owner_email, due_at, created_at, first_response_at FROM tickets
		WHERE merged_into IS NULL AND ` + where + `
		ORDER BY CASE WHEN ` + sqlOwed + ` AND due_at IS NOT NULL THEN 0 ELSE 1 END, due_at NULLS FIRST, id`
}

// sqlCountOtherTicketsOf counts a patron's other tickets; cond matches their
// address in every form (see sameMailbox).
func sqlCountOtherTicketsOf(cond string) string {
	return `SELECT COUNT(*) FROM tickets WHERE id <> ? AND ` + cond
}

// sqlUpdateTicket sets columns of a ticket (set: "owner_email = ?, …") and
// its updated_at.
func sqlUpdateTicket(set string) string {
	return `UPDATE tickets SET ` + set + `, updated_at = ? WHERE id = ?`
}
