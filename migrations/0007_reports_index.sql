-- A comment's reports, newest first, for the moderators' queue.
CREATE INDEX reports_comment_idx ON reports (comment_id, created_at DESC);
