-- Every transaction that writes to the outbox notifies the channel parley_outbox when it
-- commits, so the relay of every replica wakes at once instead of at its next poll. A
-- statement trigger, not a row trigger: one notification per statement, and PostgreSQL folds
-- the identical notifications of one transaction into one. NOTIFY is transactional: a rolled
-- back write wakes nobody. (Numbered 0030 to keep clear of the numbers other branches use;
-- the runner applies any file not yet recorded.)
CREATE FUNCTION parley_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('parley_outbox', '');
	RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION parley_outbox_notify();
