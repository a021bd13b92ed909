-- Moderation queues and the moderators' log.
ALTER TABLE comments
    ADD COLUMN featured     boolean NOT NULL DEFAULT false,
    -- When a person last approved or rejected the comment; NULL while only the pipeline has.
    ADD COLUMN moderated_at timestamptz,
    -- When the comment was last reported.
    ADD COLUMN reported_at  timestamptz;

-- One index per queue, newest first, matching the queue's condition and cursor.
CREATE INDEX comments_queue_pending_idx ON comments (site_id, created_at DESC, id DESC) WHERE status = 'PENDING';
CREATE INDEX comments_queue_rejected_idx ON comments (site_id, created_at DESC, id DESC) WHERE status = 'REJECTED';
CREATE INDEX comments_queue_unmoderated_idx ON comments (site_id, created_at DESC, id DESC) WHERE status = 'PUBLISHED' AND moderated_at IS NULL;
CREATE INDEX comments_queue_approved_idx ON comments (site_id, created_at DESC, id DESC) WHERE status = 'PUBLISHED' AND moderated_at IS NOT NULL;
CREATE INDEX comments_queue_reported_idx ON comments (site_id, created_at DESC, id DESC) WHERE status = 'PUBLISHED' AND reported_at IS NOT NULL;

-- Who did what to which comment, and why: the source of the public moderation log.
CREATE TABLE moderator_actions (
    id           uuid PRIMARY KEY,
    site_id      uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    comment_id   uuid REFERENCES comments (id) ON DELETE SET NULL,
    moderator_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action       text NOT NULL,
    reason       text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderator_actions_site_idx ON moderator_actions (site_id, created_at DESC);
CREATE INDEX moderator_actions_comment_idx ON moderator_actions (comment_id);
