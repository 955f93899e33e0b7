-- Full-text search over what was written on each ticket (subjects and
-- message bodies). PostgreSQL's own text search with the 'simple'
-- configuration (no stemming, as SQLite's unicode61), over text folded by
-- pd_fold (lower case, common Latin diacritics removed: the unaccent
-- extension needs a superuser). The retention purge blanks bodies, which
-- empties their entries too.
CREATE FUNCTION pd_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(lower(t),
        'áàâäãåāăąçćčďéèêëēėęěíìîïīįıłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿžźż',
        'aaaaaaaaacccdeeeeeeeeiiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz')
$$;

CREATE INDEX message_search ON messages USING gin (to_tsvector('simple', pd_fold(subject || ' ' || body)))
    WHERE ticket_id IS NOT NULL;
