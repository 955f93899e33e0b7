-- Attachments, both ways. A file's bytes are kept once, named by their
-- SHA-256, however many mails carry them.
CREATE TABLE blobs (
    sha256 TEXT    PRIMARY KEY,
    size   INTEGER NOT NULL,
    data   BLOB    NOT NULL
);

-- One attached file of one message on a ticket (a patron's or a staff
-- member's). sha256 is NULL when the bytes were not kept (over the size
-- limit); note says why.
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    message_id INTEGER REFERENCES messages(id),
    name       TEXT    NOT NULL,                    -- unique within the ticket
    type       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT    REFERENCES blobs(sha256),
    inline     INTEGER NOT NULL DEFAULT 0,          -- an image shown inside HTML text
    note       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);

-- The files a queued mail carries; the sender reads them with the row.
CREATE TABLE outbox_attachments (
    outbox_id     INTEGER NOT NULL REFERENCES outbox(id),
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (outbox_id, attachment_id)
);
