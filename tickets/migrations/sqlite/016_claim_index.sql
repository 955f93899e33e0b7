-- The sender keeps one recipient's mails in order across daemons: before it
-- claims a row it looks for an earlier queued row to the same address that
-- another daemon holds. This index finds those (usually none) without
-- reading every queued mail to the address, which made a backlog to one
-- address slow to send.
CREATE INDEX outbox_claimed ON outbox(to_email, claimed_until) WHERE status = 'queued';
