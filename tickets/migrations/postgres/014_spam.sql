-- The spam queue: mail the safety rules judge spam (the mail server's spam
-- verdict, a flood of near-identical mail from new senders, a sender staff
-- marked with #spam) is kept as a message of kind 'spam' with no ticket and
-- gets no mail. Senders marked with #spam go here.
CREATE TABLE blocked_senders (
    email      TEXT    PRIMARY KEY,   -- folded: lower case, no +tag
    blocked_at BIGINT NOT NULL,
    blocked_by TEXT    NOT NULL,
    ticket_id  BIGINT REFERENCES tickets(id)
);
CREATE INDEX messages_spam ON messages(received_at) WHERE kind = 'spam';
UPDATE messages SET kind = 'spam' WHERE ticket_id IS NULL AND kind = 'list_or_bulk' AND reason LIKE 'marked as spam%';
