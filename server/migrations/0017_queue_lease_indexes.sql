-- Claims (reminders, the outbox and the inbox alike) look for due pending rows (the *_due_idx indexes) and for claimed rows
-- whose lease ran out; the second lookup needs its own partial index, or every claim reads the whole table.
CREATE INDEX reminders_lease_idx ON reminders (claimed_until) WHERE status = 'sending';
CREATE INDEX outbox_lease_idx ON outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX inbox_lease_idx ON inbox (claimed_until) WHERE status = 'processing';
