-- Nothing to do on SQLite: FTS4 indexes a text of any length. (On
-- PostgreSQL this migration lets a message of very many different words be
-- saved and searched.)
SELECT 1;
