-- A signed-in reader is served from the page cached for everyone unless a comment of theirs on
-- the story reads differently for them (pending, rejected or deleted): that is looked up by
-- author and story on every such read, and the first row found answers it.
CREATE INDEX comments_hidden_author_idx ON comments (author_id, story_id) WHERE status <> 'PUBLISHED';
