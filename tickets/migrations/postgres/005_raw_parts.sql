-- A large message's raw bytes are kept in parts of 1 MiB: SQLite copies a
-- bound value twice on insert, so one 25 MB value would cost 50 MB of memory.
CREATE TABLE raw_parts (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    part       BIGINT NOT NULL,
    data       BYTEA    NOT NULL,
    PRIMARY KEY (message_id, part)
);
