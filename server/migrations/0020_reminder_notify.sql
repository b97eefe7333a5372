-- Reminders due soon must not wait for the dispatcher's next periodic look (up to a minute): every statement that
-- queues or moves reminders tells all instances, on commit, through NOTIFY. The dispatchers LISTEN and look at once.
-- One notification per statement (and PostgreSQL folds identical ones within a transaction), so a burst stays cheap.
CREATE FUNCTION hb_reminders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hb_reminders', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER reminders_notify_insert AFTER INSERT ON reminders
  FOR EACH STATEMENT EXECUTE FUNCTION hb_reminders_changed();
CREATE TRIGGER reminders_notify_update AFTER UPDATE OF due_at, status ON reminders
  FOR EACH STATEMENT EXECUTE FUNCTION hb_reminders_changed();
