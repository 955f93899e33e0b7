-- A patron's language, once staff chose it with #lang: it wins over detection.
CREATE TABLE patrons (
    email    TEXT    PRIMARY KEY,
    language TEXT    NOT NULL,
    set_by   TEXT    NOT NULL,
    set_at   INTEGER NOT NULL
);

-- For the metrics: mail sent by kind.
CREATE INDEX outbox_kind ON outbox(kind, status);
