-- A patron's language, once staff chose it with #lang: it wins over detection.
CREATE TABLE patrons (
    email    TEXT    PRIMARY KEY,
    language TEXT    NOT NULL,
    set_by   TEXT    NOT NULL,
    set_at   INTEGER NOT NULL
);

-- For the metrics: mail sent by kind.
CREATE INDEX outbox_kind ON outbox(kind, status);

-- A ticket opened by a reply to another ticket's mail from someone else (a
-- forwarding robot, an auto-responder that changes address) records the
-- first ticket of that chain, so automatic answers along it can be capped.
ALTER TABLE tickets ADD COLUMN origin_ticket INTEGER;
CREATE INDEX tickets_origin ON tickets(origin_ticket) WHERE origin_ticket IS NOT NULL;

-- Choosing an owner reads each candidate's newest ticket: O(log n).
CREATE INDEX tickets_owner_newest ON tickets(owner_email, id);
