-- A bounce of a mail to the patron marks the ticket: its time and the
-- mail server's reason. Patron mail says its language (Content-Language).
ALTER TABLE tickets ADD COLUMN unreachable_at INTEGER;
ALTER TABLE tickets ADD COLUMN unreachable_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN content_language TEXT NOT NULL DEFAULT '';
