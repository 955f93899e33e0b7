-- A bounce of a mail to the patron marks the ticket: its time and the
-- mail server's reason.
ALTER TABLE tickets ADD COLUMN unreachable_at INTEGER;
ALTER TABLE tickets ADD COLUMN unreachable_reason TEXT NOT NULL DEFAULT '';
-- Patron mail says its language (Content-Language).
ALTER TABLE outbox ADD COLUMN content_language TEXT NOT NULL DEFAULT '';
-- Running totals kept by the daemon (messages fetched per mailbox), so
-- /metrics counters survive a restart.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
);
