-- A tsvector holds at most 1 MB of words and positions, and to_tsvector
-- fails beyond that: a message of many different words (a pasted log, a
-- list of barcodes) could then not be saved, and the mailbox stalled on it.

-- pd_fold again, so that capitals fold whatever the database's locale: in a
-- database made with the C locale, lower() and the text search change A to
-- Z only, and "ÉTÉ" or "ДОБРЫЙ" would never be found by "ete" or "добрый"
-- (SQLite's FTS4 folds every letter). ICU's lower case when the server has
-- it, and the capitals of the folded Latin letters in any case. (ICU writes
-- a lower-case İ as i and a combining dot, which goes, as in Go's fold.)
DO $do$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AND current_setting('server_encoding') = 'UTF8' THEN
        CREATE OR REPLACE FUNCTION pd_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
            SELECT translate(lower(t COLLATE "und-x-icu"),
                'áàâäãåāăąçćčďéèêëēėęěíìîïīįıłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿžźżÁÀÂÄÃÅĀĂĄÇĆČĎÉÈÊËĒĖĘĚÍÌÎÏĪĮŁÑŃŇÓÒÔÖÕØŌŐŔŘŚŠŞŤÚÙÛÜŪŮŰŲÝŸŽŹŻ̇',
                'aaaaaaaaacccdeeeeeeeeiiiiiiilnnnoooooooorrssstuuuuuuuuyyzzzaaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz')
        $f$;
    ELSE
        CREATE OR REPLACE FUNCTION pd_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
            SELECT translate(lower(t),
                'áàâäãåāăąçćčďéèêëēėęěíìîïīįıłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿžźżÁÀÂÄÃÅĀĂĄÇĆČĎÉÈÊËĒĖĘĚÍÌÎÏĪĮŁÑŃŇÓÒÔÖÕØŌŐŔŘŚŠŞŤÚÙÛÜŪŮŰŲÝŸŽŹŻ̇',
                'aaaaaaaaacccdeeeeeeeeiiiiiiilnnnoooooooorrssstuuuuuuuuyyzzzaaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz')
        $f$;
    END IF;
END
$do$;

-- Words are runs of letters and digits, as in SQLite's FTS4: punctuation
-- becomes space first, or PostgreSQL's parser would keep an address, a
-- link, an ISBN or a version number as one token and find none of its parts.
--
-- pd_search_vector indexes as much of the text as fits (the whole text
-- almost always: its first million characters at most, so that a message
-- of many megabytes costs a fraction of a second, not ten seconds, on each
-- try); the message itself is kept whole. Each try is a subtransaction, so
-- it is not PARALLEL SAFE. It keeps the schema it was made in, since
-- pg_restore rebuilds the index with an empty search_path.
CREATE FUNCTION pd_search_vector(t text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE
SET search_path FROM CURRENT AS $$
DECLARE
    n integer := least(length(t), 1000000);
BEGIN
    LOOP
        BEGIN
            RETURN to_tsvector('simple', pd_fold(translate(left(t, n), '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', repeat(' ', 32))));
        EXCEPTION WHEN program_limit_exceeded THEN
            n := n * 3 / 4;
        END;
    END LOOP;
END
$$;

DROP INDEX message_search;
CREATE INDEX message_search ON messages USING gin (pd_search_vector(subject || ' ' || body))
    WHERE ticket_id IS NOT NULL;

-- The +tag forms of an address are found by a range in byte order (see
-- sameMailbox), which only the C collation keeps: these indexes serve it
-- whatever the database's own collation.
CREATE INDEX outbox_to_bytes ON outbox(to_email COLLATE "C", created_at);
CREATE INDEX tickets_patron_bytes ON tickets(patron_email COLLATE "C");

-- A Message-ID is the sender's to write, of any length, and a B-tree index
-- refuses a value over about 2.7 KB: the mail would not be saved and the
-- mailbox would stall on it. It is only ever looked up whole, which a hash
-- index does for a value of any length.
DROP INDEX messages_message_id;
CREATE INDEX messages_message_id ON messages USING hash (message_id);
