-- Full-text search over what was written on each ticket (subjects and
-- message bodies). FTS4 with the unicode61 tokenizer: go-sqlite3 compiles
-- FTS3/FTS4 by default, FTS5 only with a build tag. The rowid (docid) is the
-- message's id; triggers keep the index in step with the messages, and the
-- retention purge (which blanks bodies) empties their entries too.
CREATE VIRTUAL TABLE message_search USING fts4(subject, body, tokenize=unicode61 "remove_diacritics=1");

INSERT INTO message_search (docid, subject, body)
    SELECT id, subject, body FROM messages WHERE ticket_id IS NOT NULL;

CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.ticket_id IS NOT NULL BEGIN
    INSERT INTO message_search (docid, subject, body) VALUES (new.id, new.subject, new.body);
END;

CREATE TRIGGER message_search_update AFTER UPDATE OF subject, body, ticket_id ON messages BEGIN
    DELETE FROM message_search WHERE docid = old.id;
    INSERT INTO message_search (docid, subject, body) SELECT new.id, new.subject, new.body WHERE new.ticket_id IS NOT NULL;
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_search WHERE docid = old.id;
END;
