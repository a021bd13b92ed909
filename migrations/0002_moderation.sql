-- Every moderation decision on a comment, with the trail of stages that led to it. Queues,
-- the user drawer and the public log read it.
CREATE TABLE comment_moderations (
    id         uuid PRIMARY KEY,
    comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    action     text NOT NULL CHECK (action IN ('CREATE', 'EDIT')),
    decision   text NOT NULL CHECK (decision IN ('PASS', 'APPROVE', 'HOLD', 'REJECT')),
    decided_by text NOT NULL DEFAULT '',
    trail      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comment_moderations_comment_idx ON comment_moderations (comment_id, created_at);

-- The repeat-post check and the author's history look comments up by author and site.
CREATE INDEX comments_author_site_idx ON comments (author_id, site_id, created_at DESC);
