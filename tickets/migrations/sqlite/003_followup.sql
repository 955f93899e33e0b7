-- Follow-up: what is owed to whom, and when the scheduler looks next.
-- owed_since: when the answer now owed to the patron became owed (NULL = none owed).
-- next_check_at: when the scheduler should look at the ticket again (NULL = nothing planned).
ALTER TABLE tickets ADD COLUMN owed_since INTEGER;
ALTER TABLE tickets ADD COLUMN next_check_at INTEGER;
ALTER TABLE tickets ADD COLUMN anonymised_at INTEGER;
-- The first promise made to the patron, for "answered within the promise".
ALTER TABLE tickets ADD COLUMN first_due_at INTEGER;
CREATE INDEX tickets_next_check ON tickets(next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX tickets_closed ON tickets(closed_at) WHERE status = 'closed' AND anonymised_at IS NULL;
-- For the summary's figures of one day.
CREATE INDEX tickets_created        ON tickets(created_at);
CREATE INDEX tickets_first_response ON tickets(first_response_at) WHERE first_response_at IS NOT NULL;
CREATE INDEX events_action_at       ON events(action, at);

-- Each reminder, escalation, update, follow-up and summary is queued once:
-- its key names the ticket (or day), the kind and the period.
CREATE TABLE scheduled (
    key TEXT PRIMARY KEY,
    at  INTEGER NOT NULL
);

-- Staff who said "#away" by email (away periods in the config are not stored).
CREATE TABLE away (
    email    TEXT    NOT NULL,
    from_at  INTEGER NOT NULL,
    until_at INTEGER NOT NULL
);
CREATE INDEX away_email ON away(email);

UPDATE tickets SET owed_since = created_at, next_check_at = created_at
    WHERE status IN ('new', 'open') AND first_response_at IS NULL;
UPDATE tickets SET first_due_at = due_at;
UPDATE tickets SET due_at = NULL WHERE status NOT IN ('new', 'open');
UPDATE tickets SET next_check_at = solved_at WHERE status = 'solved';
