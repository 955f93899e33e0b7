-- Safety: why the sender of a ticket is doubted ('' = not doubted): a DMARC
-- or SPF fail at the library's mail server, a flood of near-identical mail,
-- a forward not yet confirmed by the staff member. A doubted sender gets no
-- acknowledgement; staff see the reason in their notices.
ALTER TABLE tickets ADD COLUMN suspect TEXT NOT NULL DEFAULT '';
-- Whether the library's MX verified the sender (DKIM/DMARC pass), or staff
-- vouched for a forward: only then does automatic mail repeat their words.
-- Tickets from before keep theirs.
ALTER TABLE tickets ADD COLUMN verified BIGINT NOT NULL DEFAULT 0;
UPDATE tickets SET verified = 1;
-- Held mail (outbox status 'held': over the cap on acknowledgements to
-- first-time senders, waiting for the admin; 'confirm': a forward waiting
-- for the staff member to confirm it) is listed by status.
CREATE INDEX outbox_held ON outbox(status) WHERE status IN ('held', 'confirm');
-- Flood detection reads the messages of the last minutes.
CREATE INDEX messages_received ON messages(received_at);
