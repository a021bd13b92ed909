-- Relays drain the outbox in (created_at, id) order; the index must match it exactly, or
-- events written in one statement (one created_at) make every drain sort the backlog.
DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_pending_idx ON outbox (created_at, id) WHERE published_at IS NULL;
-- Pruning deletes published events by age.
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
