-- Messages queued in one transaction share their timestamps; a sequence keeps them in the order they were queued,
-- so a person never reads a reschedule before the invitation it changes.
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, seq) WHERE status = 'pending';
