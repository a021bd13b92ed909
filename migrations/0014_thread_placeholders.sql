-- A comment that readers may not read (deleted, rejected, or held after an edit) stays in its
-- thread as a placeholder while a reply below it shows, so that its published replies stay
-- reachable. reply_count now counts the direct replies that show to every reader: the
-- published ones and those placeholders. A comment shows to every reader when it is published
-- or when some comment below it is: counted once here from the published comments upwards.
WITH RECURSIVE shown AS (
    SELECT id, parent_id FROM comments WHERE status = 'PUBLISHED'
    UNION
    SELECT p.id, p.parent_id FROM comments p JOIN shown s ON p.id = s.parent_id
), counted AS (
    SELECT c.id, count(s.id)::int AS n
    FROM comments c LEFT JOIN shown s ON s.parent_id = c.id
    GROUP BY c.id
)
UPDATE comments c SET reply_count = counted.n
FROM counted WHERE c.id = counted.id AND c.reply_count <> counted.n;

-- A reader also finds their own pending and rejected comments in the thread, with the
-- placeholders above them; each page read looks these up by author and story.
CREATE INDEX comments_unpublished_author_idx ON comments (author_id, story_id) WHERE status IN ('PENDING', 'REJECTED');
