-- A ticket merged into another (#merge, tickets merge) points at it: mail
-- that proves it belongs to the merged ticket (its tag, its tokens) lands in
-- the kept one.
ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);
