-- Account deletion with a grace period (issue 16, item 3): deleteAccount only schedules the
-- erasure; signing in before deletion_due_at cancels it, and the erasure job erases the
-- accounts whose time has come, one transaction per account.
ALTER TABLE users
    ADD COLUMN deletion_requested_at    timestamptz,
    ADD COLUMN deletion_due_at          timestamptz,
    ADD COLUMN deletion_removes_comments boolean NOT NULL DEFAULT false;

CREATE INDEX users_deletion_due_idx ON users (deletion_due_at) WHERE deletion_due_at IS NOT NULL;
