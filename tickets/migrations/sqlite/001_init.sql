-- Times are Unix seconds, UTC. Plain SQL only, so another store can follow.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    status            TEXT    NOT NULL,             -- new | open | waiting | solved | closed
    subject           TEXT    NOT NULL,
    patron_name       TEXT    NOT NULL,
    patron_email      TEXT    NOT NULL,
    owner_email       TEXT,                         -- NULL while nobody has it
    team              TEXT    NOT NULL DEFAULT '',
    priority          TEXT    NOT NULL DEFAULT 'normal',
    language          TEXT    NOT NULL DEFAULT 'en',
    linked_ticket     INTEGER REFERENCES tickets(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_response_at INTEGER,
    due_at            INTEGER,
    solved_at         INTEGER,
    closed_at         INTEGER
);
CREATE INDEX tickets_status ON tickets(status, due_at);
CREATE INDEX tickets_owner  ON tickets(owner_email, status);
CREATE INDEX tickets_patron ON tickets(patron_email);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER REFERENCES tickets(id),
    dedupe_key  TEXT    NOT NULL UNIQUE,
    message_id  TEXT    NOT NULL DEFAULT '',
    direction   TEXT    NOT NULL,                   -- in | out
    kind        TEXT    NOT NULL,                   -- personal | staff_note | auto_reply | bounce | list_or_bulk | own | old | unreadable
    reason      TEXT    NOT NULL DEFAULT '',
    sender      TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    raw         BLOB,
    mailbox     TEXT    NOT NULL DEFAULT '',
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    uid         INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_ticket     ON messages(ticket_id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER REFERENCES tickets(id),
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,                    -- an address, or "patrondesk"
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    message    INTEGER REFERENCES messages(id)
);
CREATE INDEX events_ticket ON events(ticket_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER REFERENCES tickets(id),
    kind            TEXT    NOT NULL,               -- the template: ack, assigned, ...
    to_name         TEXT    NOT NULL DEFAULT '',
    to_email        TEXT    NOT NULL,
    from_name       TEXT    NOT NULL,
    from_email      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL DEFAULT '',
    message_id      TEXT    NOT NULL UNIQUE,
    in_reply_to     TEXT    NOT NULL DEFAULT '',
    refs            TEXT    NOT NULL DEFAULT '',    -- space-separated ids
    auto_submitted  TEXT    NOT NULL,
    bulk            INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'queued', -- queued | sent | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_to  ON outbox(to_email, created_at);

CREATE TABLE mailboxes (
    name          TEXT    PRIMARY KEY,
    uidvalidity   INTEGER NOT NULL,
    last_uid      INTEGER NOT NULL,
    first_seen_at INTEGER NOT NULL
);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    mailbox     TEXT    NOT NULL DEFAULT '',
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    uid         INTEGER NOT NULL DEFAULT 0,
    reason      TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    resolved_at INTEGER
);
