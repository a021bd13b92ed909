-- What a moderator's action changed from, so the last decision can be undone.
ALTER TABLE moderator_actions
    ADD COLUMN previous_status text NOT NULL DEFAULT '',
    ADD COLUMN undone_at       timestamptz;
