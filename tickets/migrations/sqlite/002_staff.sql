-- Staff replies and commands: #wait stops reminders until a time.
ALTER TABLE tickets ADD COLUMN snoozed_until INTEGER;
