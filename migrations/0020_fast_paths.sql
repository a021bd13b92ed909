-- A signed-in reader is served from the page cached for everyone unless a comment of theirs on
-- the story reads differently for them (pending, rejected or deleted): that is looked up by
-- author and story on every such read, and the first row found answers it.
CREATE INDEX comments_hidden_author_idx ON comments (author_id, story_id) WHERE status <> 'PUBLISHED';

-- Every comment written reads its author's standing on the site: how many of their comments
-- are published, pending and rejected (each count stops at a small bound), their newest
-- decided comments, and whether they posted the same text in the last 10 minutes. With
-- (author_id, site_id, created_at) alone, a count of a rare status and the repeat-post check
-- walked the author's whole (recent) history, so writes slowed as an author wrote more. By
-- status, and by the body's hash, each of them reads only the rows it needs.
CREATE INDEX comments_author_site_status_idx ON comments (author_id, site_id, status, created_at DESC);
CREATE INDEX comments_author_body_idx ON comments (author_id, site_id, md5(body_source), created_at DESC);
