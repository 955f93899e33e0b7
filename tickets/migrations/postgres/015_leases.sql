-- Several daemons on one database. A lease says which daemon watches a
-- mailbox: taken when free or expired, renewed by its holder well before it
-- expires, so a dead daemon's mailbox is taken by another within the lease
-- time. Times here are Unix milliseconds (a lease lasts seconds).
CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,   -- what is held: "mailbox:INBOX"
    holder     TEXT   NOT NULL,      -- the daemon: host name and process id
    expires_at BIGINT NOT NULL,      -- free for another daemon after this
    renewed_at BIGINT NOT NULL,
    taken_at   BIGINT NOT NULL       -- when this holder took it
);
-- A claim on an outbox row: the daemon sending it, until when (Unix
-- seconds). A dead daemon's claims expire and another sends the mail.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
