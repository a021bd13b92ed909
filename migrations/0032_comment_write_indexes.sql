-- Every new comment updates each index of comments that it falls into; three of the
-- author-led ones held nothing another index does not (issue 17):
--
--   - comments_author_idx (author_id, created_at DESC): the reads by author alone (an
--     account's export, deletion and erasure, a guest's last comment) read all of the
--     author's comments, which comments_author_site_status_idx, led by author_id, finds too.
--   - comments_author_site_idx (author_id, site_id, created_at DESC): a user's comments on a
--     site, newest first, and their comments since a time, now read each status's range of
--     comments_author_site_status_idx, merged in created_at order (FindUserComments,
--     CommentsSince).
--   - comments_unpublished_author_idx (author_id, story_id) WHERE status IN ('PENDING',
--     'REJECTED'): a subset of comments_hidden_author_idx (status <> 'PUBLISHED'), which
--     answers the same look-ups of a reader's own hidden comments.
--
-- DROP INDEX takes a short exclusive lock on comments and frees the index's pages; nothing
-- is rebuilt.
DROP INDEX IF EXISTS comments_author_idx;
DROP INDEX IF EXISTS comments_author_site_idx;
DROP INDEX IF EXISTS comments_unpublished_author_idx;
