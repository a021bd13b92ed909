-- A comment's version counts the changes to its body and status. The moderation pipeline
-- judges an edit outside any transaction; the edit is then written only if the version it
-- was prepared against still stands, so that an edit racing another edit or a moderator's
-- decision is refused instead of overwriting it. A moderator's decision may carry the
-- version the moderator judged, for the same reason. A constant default adds the column
-- without rewriting the table.
ALTER TABLE comments ADD COLUMN version integer NOT NULL DEFAULT 1;
