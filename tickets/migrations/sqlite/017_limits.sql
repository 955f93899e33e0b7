-- Nothing to do on SQLite: FTS4 indexes a text of any length, and text
-- compares byte by byte. (On PostgreSQL this migration lets a message of
-- very many different words be saved and searched, and indexes addresses
-- in byte order whatever the database's collation.)
SELECT 1;
